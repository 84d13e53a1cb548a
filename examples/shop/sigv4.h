// AWS Signature Version 4 for S3 requests (header-based), as the shop needs it for invoices —
// pure functions, checked against AWS's published example. Kept inside the demo on purpose: the
// exporter has its own S3 client, and the demo must not depend on it.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace pulse::demo::s3 {

struct SigV4Request {
  std::string method;           // "PUT"
  std::string canonical_uri;    // already URI-encoded path, e.g. "/bucket/invoices/1.json"
  std::string canonical_query;  // sorted, encoded "a=1&b=2"; empty when none
  std::map<std::string, std::string> headers;  // lower-case names; must include host,
                                               // x-amz-date and x-amz-content-sha256
  std::string payload_sha256_hex;
  std::string access_key, secret_key, region, service = "s3";
  std::string amz_date;  // "20130524T000000Z"
};

std::string Sha256Hex(std::string_view data);
// RFC 3986 encoding as SigV4 wants it; '/' kept when encode_slash is false (paths).
std::string UriEncode(std::string_view s, bool encode_slash);
// The value of the Authorization header. Throws std::invalid_argument if amz_date is malformed.
std::string Authorization(const SigV4Request& request);
// The current UTC time as "YYYYMMDDTHHMMSSZ".
std::string AmzDateNow();

}  // namespace pulse::demo::s3
