// The one check of an http(s) base URL that pulse accepts from users: the Exporter custom
// resource (RabbitMQ management URL, S3 endpoint) and the pulse-exporter config apply the same
// rules, so an object the operator accepts never renders a config the exporter refuses.
//
// Thread-safety: pure function.
#pragma once

#include <string>
#include <string_view>

namespace pulse::base {

// "" when `url` is scheme://host[:port][/path] with scheme http or https; host a DNS name, an
// IPv4 address or a bracketed IPv6 address; port 1..65535; a path (which must start with '/')
// only when `allow_path` (a lone trailing '/' is always allowed); no user info, query, fragment,
// spaces, control or non-ASCII characters; at most exporter_limits::kMaxUrlBytes. Otherwise the
// reason, phrased to follow the field name ("must not have a path").
std::string CheckBaseUrl(std::string_view url, bool allow_path);

}  // namespace pulse::base
