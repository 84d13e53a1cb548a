#include "pulse/http/sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <new>

#include "pulse/http/encoding.h"

namespace pulse::http::sigv4 {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// SigV4 signs header values trimmed, with inner runs of blanks collapsed to one space: proxies
// may re-space a value, and the signature must not depend on it.
std::string TrimValue(std::string_view v) {
  std::string out;
  bool blank = false;
  for (const char c : v) {
    if (c == ' ' || c == '\t') {
      blank = !out.empty();
      continue;
    }
    if (blank) out += ' ';
    blank = false;
    out += c;
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> SortedHeaders(const Request& request) {
  std::vector<std::pair<std::string, std::string>> headers;
  headers.reserve(request.headers.size());
  for (const auto& [k, v] : request.headers) headers.emplace_back(Lower(k), TrimValue(v));
  std::sort(headers.begin(), headers.end());
  return headers;
}

std::string Scope(const Signing& s) {
  return s.amz_date.substr(0, 8) + "/" + s.region + "/" + s.service + "/aws4_request";
}

}  // namespace

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
  return HexEncode(std::string_view(reinterpret_cast<const char*>(digest), len));
}

Sha256Stream::Sha256Stream() : ctx_(EVP_MD_CTX_new()) {
  if (ctx_ == nullptr) throw std::bad_alloc();
  EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(ctx_), EVP_sha256(), nullptr);
}

Sha256Stream::~Sha256Stream() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }

void Sha256Stream::Update(std::string_view data) {
  EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), data.data(), data.size());
}

std::string Sha256Stream::HexDigest() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), digest, &len);
  return HexEncode(std::string_view(reinterpret_cast<const char*>(digest), len));
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest, &len);
  return std::string(reinterpret_cast<const char*>(digest), len);
}

std::string CanonicalQuery(const std::vector<std::pair<std::string, std::string>>& query) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(query.size());
  for (const auto& [k, v] : query) encoded.emplace_back(PercentEncode(k), PercentEncode(v));
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [k, v] : encoded) {
    if (!out.empty()) out += '&';
    out += k + "=" + v;
  }
  return out;
}

std::string SignedHeaders(const Request& request) {
  std::string out;
  for (const auto& [k, v] : SortedHeaders(request)) {
    if (!out.empty()) out += ';';
    out += k;
  }
  return out;
}

std::string CanonicalRequest(const Request& request) {
  std::string out =
      request.method + "\n" + request.path + "\n" + CanonicalQuery(request.query) + "\n";
  for (const auto& [k, v] : SortedHeaders(request)) out += k + ":" + v + "\n";
  out += "\n" + SignedHeaders(request) + "\n" + request.payload_hash;
  return out;
}

std::string StringToSign(const Request& request, const Signing& signing) {
  return "AWS4-HMAC-SHA256\n" + signing.amz_date + "\n" + Scope(signing) + "\n" +
         Sha256Hex(CanonicalRequest(request));
}

std::string Signature(const Request& request, const Signing& signing) {
  std::string key = HmacSha256("AWS4" + signing.secret_access_key, signing.amz_date.substr(0, 8));
  key = HmacSha256(key, signing.region);
  key = HmacSha256(key, signing.service);
  key = HmacSha256(key, "aws4_request");
  return HexEncode(HmacSha256(key, StringToSign(request, signing)));
}

std::string Authorization(const Request& request, const Signing& signing) {
  return "AWS4-HMAC-SHA256 Credential=" + signing.access_key_id + "/" + Scope(signing) +
         ",SignedHeaders=" + SignedHeaders(request) + ",Signature=" + Signature(request, signing);
}

std::string AmzDate(long long unix_seconds) {
  const auto t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

}  // namespace pulse::http::sigv4
