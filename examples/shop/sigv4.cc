#include "sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <ctime>
#include <stdexcept>

namespace pulse::demo::s3 {
namespace {

std::string Hex(const unsigned char* data, std::size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (std::size_t i = 0; i < n; ++i) {
    out.push_back(kDigits[data[i] >> 4]);
    out.push_back(kDigits[data[i] & 15]);
  }
  return out;
}

std::string Hmac(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

}  // namespace

std::string Sha256Hex(std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out, &len, EVP_sha256(), nullptr);
  return Hex(out, len);
}

std::string UriEncode(std::string_view s, bool encode_slash) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~' || (c == '/' && !encode_slash)) {
      out.push_back(ch);
    } else {
      out += {'%', kDigits[c >> 4], kDigits[c & 15]};
    }
  }
  return out;
}

std::string Authorization(const SigV4Request& r) {
  if (r.amz_date.size() != 16 || r.amz_date[8] != 'T' || r.amz_date[15] != 'Z') {
    throw std::invalid_argument("sigv4: x-amz-date \"" + r.amz_date + "\" is not YYYYMMDDTHHMMSSZ");
  }
  std::string canonical_headers, signed_headers;
  for (const auto& [name, value] : r.headers) {  // std::map: sorted by name
    canonical_headers += name + ":" + value + "\n";
    if (!signed_headers.empty()) signed_headers += ";";
    signed_headers += name;
  }
  const std::string canonical_request = r.method + "\n" + r.canonical_uri + "\n" +
                                        r.canonical_query + "\n" + canonical_headers + "\n" +
                                        signed_headers + "\n" + r.payload_sha256_hex;
  const std::string date = r.amz_date.substr(0, 8);
  const std::string scope = date + "/" + r.region + "/" + r.service + "/aws4_request";
  const std::string string_to_sign =
      "AWS4-HMAC-SHA256\n" + r.amz_date + "\n" + scope + "\n" + Sha256Hex(canonical_request);
  const std::string k_date = Hmac("AWS4" + r.secret_key, date);
  const std::string k_region = Hmac(k_date, r.region);
  const std::string k_service = Hmac(k_region, r.service);
  const std::string k_signing = Hmac(k_service, "aws4_request");
  const std::string sig = Hmac(k_signing, string_to_sign);
  return "AWS4-HMAC-SHA256 Credential=" + r.access_key + "/" + scope +
         ", SignedHeaders=" + signed_headers +
         ", Signature=" + Hex(reinterpret_cast<const unsigned char*>(sig.data()), sig.size());
}

std::string AmzDateNow() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[17];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

}  // namespace pulse::demo::s3
