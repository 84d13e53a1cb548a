// AWS Signature Version 4 (header-based), as S3 wants it: used by the exporter's S3 target
// (bucket listing) and the demo shop's invoices (bucket creation, object put/get). Pure
// functions with no clock (the caller passes the timestamp), so AWS's published example
// requests are exact unit-test vectors. SHA-256 and HMAC come from OpenSSL.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pulse::http::sigv4 {

struct Request {
  std::string method = "GET";
  std::string path = "/";  // already URI-encoded (S3: each segment encoded, '/' kept)
  std::vector<std::pair<std::string, std::string>> query;    // raw (unencoded) names and values
  std::vector<std::pair<std::string, std::string>> headers;  // every header to sign (incl. host)
  std::string payload_hash;  // hex SHA-256 of the body (the x-amz-content-sha256 value)
};

struct Signing {
  std::string access_key_id;
  std::string secret_access_key;
  std::string region;
  std::string service = "s3";
  std::string amz_date;  // "YYYYMMDDTHHMMSSZ" (see AmzDate)
};

// Lower-case hex SHA-256 of `data` (payload hashes; Sha256Hex("") is the empty-body hash).
std::string Sha256Hex(std::string_view data);

// The same digest over data that arrives in pieces: Update() each, then HexDigest() once.
class Sha256Stream {
 public:
  Sha256Stream();
  ~Sha256Stream();
  Sha256Stream(const Sha256Stream&) = delete;
  Sha256Stream& operator=(const Sha256Stream&) = delete;
  void Update(std::string_view data);
  std::string HexDigest();

 private:
  void* ctx_;  // EVP_MD_CTX, kept out of this header
};
// Raw 32-byte HMAC-SHA256.
std::string HmacSha256(std::string_view key, std::string_view data);

// The canonical query string: names and values RFC 3986-encoded, sorted by name then value.
// Also the query to send, so what is signed is exactly what goes on the wire.
std::string CanonicalQuery(const std::vector<std::pair<std::string, std::string>>& query);
std::string CanonicalRequest(const Request& request);
// Lower-case header names, sorted, ';'-joined: "host;x-amz-date".
std::string SignedHeaders(const Request& request);
std::string StringToSign(const Request& request, const Signing& signing);
// Lower-case hex signature.
std::string Signature(const Request& request, const Signing& signing);
// The Authorization header value.
std::string Authorization(const Request& request, const Signing& signing);

// "YYYYMMDDTHHMMSSZ" (UTC) for a Unix time.
std::string AmzDate(long long unix_seconds);

}  // namespace pulse::http::sigv4
