// The shared base-URL check: what the Exporter CR and the pulse-exporter config both accept.
#include "pulse/base/url.h"

#include <gtest/gtest.h>

#include "pulse/base/exporter_limits.h"

namespace pulse::base {
namespace {

TEST(CheckBaseUrl, AcceptsWhatUsersWrite) {
  for (const char* ok : {"http://rabbitmq:15672", "https://rabbitmq.messaging.svc:15671/",
                         "http://127.0.0.1:9000", "https://[::1]:9000", "http://[fd00::1]",
                         "https://s3.eu-central-1.amazonaws.com", "http://my_host.internal"}) {
    EXPECT_EQ(CheckBaseUrl(ok, false), "") << ok;
  }
  EXPECT_EQ(CheckBaseUrl("http://gateway:8080/rabbitmq/api-prefix", true), "");
}

TEST(CheckBaseUrl, RefusesWithAReason) {
  const struct {
    const char* url;
    bool allow_path;
    const char* why;
  } cases[] = {
      {"", false, "must be an http:// or https:// URL with a host"},
      {"ftp://x", false, "must be an http:// or https:// URL with a host"},
      {"http://", false, "must be an http:// or https:// URL with a host"},
      {"http://:80", false, "must be an http:// or https:// URL with a host"},
      {"http://user:pw@host", false, "must not carry user info (credentials come from Secrets)"},
      {"http://host:0", false, "has a port outside 1..65535"},
      {"http://host:65536", false, "has a port outside 1..65535"},
      {"http://host:99999999", false, "has a port that is not a number"},
      {"http://host:", false, "has an empty port"},
      {"http://host:8x", false, "has a port that is not a number"},
      {"http://ho st", false, "must not contain spaces, control or non-ASCII characters"},
      {"http://h\xc3\xa9st", false, "must not contain spaces, control or non-ASCII characters"},
      {"http://host/path", false, "must not have a path"},
      {"http://host/p?q=1", true, "must not have a query or fragment"},
      {"http://[::1", false, "has an unterminated [IPv6] host"},
      {"http://[zz]", false, "has an invalid IPv6 host"},
      {"http://[::1]x", false, "has junk after the [IPv6] host"},
      {"http://a!b", false, "has an invalid host name"},
  };
  for (const auto& c : cases) EXPECT_EQ(CheckBaseUrl(c.url, c.allow_path), c.why) << c.url;
  const std::string huge = "http://h/" + std::string(exporter_limits::kMaxUrlBytes, 'a');
  EXPECT_EQ(CheckBaseUrl(huge, true), "is longer than 2048 bytes");
}

}  // namespace
}  // namespace pulse::base
