// AWS Signature Version 4 for S3 requests, computed with OpenSSL (SHA-256, HMAC-SHA256). Pure
// functions (no clock: the caller passes the timestamp); thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pulse::exporter::sigv4 {

struct Request {
  std::string method = "GET";
  std::string path = "/";  // already URI-encoded (S3: each segment encoded, '/' kept)
  std::vector<std::pair<std::string, std::string>> query;    // raw (unencoded) names and values
  std::vector<std::pair<std::string, std::string>> headers;  // every header to sign (incl. host)
  std::string payload_hash;  // hex SHA-256 of the body (x-amz-content-sha256)
};

struct Signing {
  std::string access_key_id;
  std::string secret_access_key;
  std::string region;
  std::string service = "s3";
  std::string amz_date;  // "YYYYMMDDTHHMMSSZ"
};

std::string Sha256Hex(std::string_view data);
std::string HmacSha256(std::string_view key, std::string_view data);  // raw 32 bytes
std::string Hex(std::string_view bytes);

// The canonical query string: names and values RFC 3986-encoded, sorted by name then value.
std::string CanonicalQuery(const std::vector<std::pair<std::string, std::string>>& query);
std::string CanonicalRequest(const Request& request);
std::string SignedHeaders(const Request& request);  // "host;x-amz-date"
std::string StringToSign(const Request& request, const Signing& signing);
std::string Signature(const Request& request, const Signing& signing);  // hex
// The Authorization header value.
std::string Authorization(const Request& request, const Signing& signing);

// "YYYYMMDDTHHMMSSZ" for a Unix time.
std::string AmzDate(long long unix_seconds);

}  // namespace pulse::exporter::sigv4
