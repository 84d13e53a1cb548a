// The only file that includes cpprestsdk (and, through it, Boost.Asio). Everything else uses
// the plain structs of http_client.h.
#include <cpprest/http_client.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <boost/asio/ssl.hpp>
#include <cctype>
#include <fstream>
#include <sstream>

#include "pulse/kube/http_client.h"

namespace pulse::kube {
namespace {

using web::http::client::http_client;
using web::http::client::http_client_config;

std::string ReadFile(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(std::string("cannot read ") + what + " file '" + path + "'");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Number of X.509 certificates in a PEM bundle (0 = not a PEM certificate bundle).
int CountCertificates(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  int n = 0;
  while (X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
    X509_free(cert);
    ++n;
  }
  BIO_free(bio);
  ERR_clear_error();
  return n;
}

bool IsPrivateKey(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  const bool ok = key != nullptr;
  EVP_PKEY_free(key);
  BIO_free(bio);
  ERR_clear_error();
  return ok;
}

// PEM material resolved once at construction, so a bad file fails early with a clear message
// instead of deep inside a TLS handshake.
struct TlsMaterial {
  std::string ca;
  std::string cert;
  std::string key;
  bool insecure = false;
};

TlsMaterial Resolve(const TlsOptions& tls) {
  TlsMaterial m;
  m.insecure = tls.insecure_skip_verify;
  m.ca = !tls.ca_data.empty()   ? tls.ca_data
         : !tls.ca_file.empty() ? ReadFile(tls.ca_file, "certificate-authority")
                                : "";
  m.cert = !tls.client_cert_data.empty()   ? tls.client_cert_data
           : !tls.client_cert_file.empty() ? ReadFile(tls.client_cert_file, "client-certificate")
                                           : "";
  m.key = !tls.client_key_data.empty()   ? tls.client_key_data
          : !tls.client_key_file.empty() ? ReadFile(tls.client_key_file, "client-key")
                                         : "";
  if (!m.ca.empty() && CountCertificates(m.ca) == 0) {
    throw std::runtime_error("certificate-authority holds no PEM certificate");
  }
  if (m.cert.empty() != m.key.empty()) {
    throw std::runtime_error("a client certificate needs a client key and vice versa");
  }
  if (!m.cert.empty() && CountCertificates(m.cert) == 0) {
    throw std::runtime_error("client-certificate holds no PEM certificate");
  }
  if (!m.key.empty() && !IsPrivateKey(m.key)) {
    throw std::runtime_error("client-key holds no PEM private key");
  }
  return m;
}

http_client_config MakeConfig(const std::shared_ptr<const TlsMaterial>& tls,
                              std::chrono::milliseconds timeout) {
  http_client_config cfg;
  cfg.set_timeout(timeout);
  cfg.set_validate_certificates(!tls->insecure);
  cfg.set_ssl_context_callback([tls](boost::asio::ssl::context& ctx) {
    if (!tls->ca.empty()) {
      // Trust exactly the configured CA, not the system store cpprest loaded by default.
      SSL_CTX_set_cert_store(ctx.native_handle(), X509_STORE_new());
      ctx.add_certificate_authority(boost::asio::buffer(tls->ca.data(), tls->ca.size()));
    }
    if (!tls->cert.empty()) {
      ctx.use_certificate_chain(boost::asio::buffer(tls->cert.data(), tls->cert.size()));
      ctx.use_private_key(boost::asio::buffer(tls->key.data(), tls->key.size()),
                          boost::asio::ssl::context::pem);
    }
  });
  return cfg;
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

class CpprestHttpClient final : public HttpClient {
 public:
  explicit CpprestHttpClient(HttpClientOptions options)
      : options_(std::move(options)),
        tls_(std::make_shared<const TlsMaterial>(Resolve(options_.tls))),
        client_(MakeClient(options_.request_timeout)) {}

  HttpResponse Send(const HttpRequest& request) override {
    try {
      web::http::http_response resp = client_->request(MakeRequest(request)).get();
      HttpResponse out = Head(resp);
      const std::vector<unsigned char> body = resp.extract_vector().get();
      out.body.assign(body.begin(), body.end());
      return out;
    } catch (const web::http::http_exception& e) {
      throw TransportError(Describe(request, e.what()));
    } catch (const std::system_error& e) {
      throw TransportError(Describe(request, e.what()));
    }
  }

  HttpResponse Stream(const HttpRequest& request, const LineHandler& on_line, CancelToken* cancel,
                      size_t max_line_bytes) override {
    const auto timeout = request.timeout.count() > 0 ? request.timeout : options_.request_timeout;
    // A client of its own: the inactivity timeout is per client, and a watch needs a long one.
    auto client = MakeClient(timeout);
    pplx::cancellation_token_source cts;
    const int reg = cancel != nullptr ? cancel->Register([cts] { cts.cancel(); }) : 0;
    struct Unregister {
      CancelToken* c;
      int id;
      ~Unregister() {
        if (c != nullptr) c->Unregister(id);
      }
    } unregister{cancel, reg};
    try {
      web::http::http_response resp = client->request(MakeRequest(request), cts.get_token()).get();
      HttpResponse out = Head(resp);
      if (out.status < 200 || out.status > 299) {
        const std::vector<unsigned char> body = resp.extract_vector().get();
        out.body.assign(body.begin(), body.end());
        return out;
      }
      auto buf = resp.body().streambuf();
      using traits = concurrency::streams::streambuf<uint8_t>::traits;
      std::string line;
      std::vector<uint8_t> chunk;
      while (true) {
        if (cancel != nullptr && cancel->cancelled()) return out;
        // Wait for at least one byte, then take whatever else has already arrived.
        const auto first = buf.bumpc().get();
        if (first == traits::eof()) break;
        chunk.resize(1 + buf.in_avail());
        chunk[0] = static_cast<uint8_t>(first);
        size_t n = 1;
        if (chunk.size() > 1) n += buf.getn(chunk.data() + 1, chunk.size() - 1).get();
        size_t start = 0;
        for (size_t i = 0; i < n; ++i) {
          if (chunk[i] != '\n') continue;
          if (line.size() + (i - start) > max_line_bytes) TooLong(request, max_line_bytes);
          line.append(reinterpret_cast<const char*>(chunk.data()) + start, i - start);
          start = i + 1;
          if (!line.empty() && line.back() == '\r') line.pop_back();
          if (!on_line(line)) return out;
          line.clear();
        }
        line.append(reinterpret_cast<const char*>(chunk.data()) + start, n - start);
        if (line.size() > max_line_bytes) TooLong(request, max_line_bytes);
      }
      if (!line.empty() && !(cancel != nullptr && cancel->cancelled())) on_line(line);
      return out;
    } catch (const pplx::task_canceled&) {
      if (cancel != nullptr && cancel->cancelled()) return HttpResponse{};
      throw TransportError(Describe(request, "cancelled"));
    } catch (const web::http::http_exception& e) {
      if (cancel != nullptr && cancel->cancelled()) return HttpResponse{};
      throw TransportError(Describe(request, e.what()));
    } catch (const std::system_error& e) {
      if (cancel != nullptr && cancel->cancelled()) return HttpResponse{};
      throw TransportError(Describe(request, e.what()));
    }
  }

 private:
  std::unique_ptr<http_client> MakeClient(std::chrono::milliseconds timeout) const {
    try {
      return std::make_unique<http_client>(options_.base_url, MakeConfig(tls_, timeout));
    } catch (const std::exception& e) {
      throw std::invalid_argument("bad Kubernetes server URL '" + options_.base_url +
                                  "': " + e.what());
    }
  }

  web::http::http_request MakeRequest(const HttpRequest& request) const {
    web::http::http_request req(request.method);
    req.set_request_uri(request.path);
    auto& h = req.headers();
    h.add("User-Agent", options_.user_agent);
    h.add("Accept", "application/json");
    std::string content_type = "application/json";
    for (const auto& [k, v] : request.headers) {
      if (Lower(k) == "content-type") {
        content_type = v;
      } else {
        h.add(k, v);
      }
    }
    if (options_.token) {
      const std::string token = options_.token();
      if (!token.empty()) h.add("Authorization", "Bearer " + token);
    }
    if (!request.body.empty() || request.method == "POST" || request.method == "PUT" ||
        request.method == "PATCH") {
      // As bytes: cpprest's std::string overload reinterprets a char buffer as an unsigned-char
      // one (undefined behaviour that UBSan reports); the vector overload has matching types.
      req.set_body(std::vector<unsigned char>(request.body.begin(), request.body.end()));
      req.headers().set_content_type(content_type);
    }
    return req;
  }

  static HttpResponse Head(const web::http::http_response& resp) {
    HttpResponse out;
    out.status = resp.status_code();
    for (const auto& [k, v] : resp.headers()) out.headers[Lower(k)] = v;
    return out;
  }

  [[noreturn]] void TooLong(const HttpRequest& request, size_t max_line_bytes) const {
    throw TransportError(
        Describe(request, "stream line longer than " + std::to_string(max_line_bytes) + " bytes"));
  }

  std::string Describe(const HttpRequest& request, const std::string& what) const {
    return request.method + " " + options_.base_url + request.path + ": " + what;
  }

  HttpClientOptions options_;
  std::shared_ptr<const TlsMaterial> tls_;
  std::unique_ptr<http_client> client_;
};

}  // namespace

std::unique_ptr<HttpClient> MakeHttpClient(HttpClientOptions options) {
  return std::make_unique<CpprestHttpClient>(std::move(options));
}

}  // namespace pulse::kube
