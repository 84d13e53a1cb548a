// pulse::http::Client over cpprestsdk (the user's choice of HTTP library). The only file in
// pulse that includes cpprest headers: everything else sees client.h's plain structs and
// base::Status errors.
//
// What this adapter adds on top of cpprest, and why:
//   - one cpprest http_client per scheme://host:port and timeout (cpprest binds both to the
//     client object), created on first use and kept, so connections are reused;
//   - TLS material read and checked once, up front, so a bad file fails with its name instead
//     of deep inside a handshake;
//   - the body limit is enforced while reading: cpprest keeps receiving into an unbounded
//     in-memory buffer, so we drain it in chunks and abort the connection the moment the limit
//     is passed, which stops cpprest from reading further;
//   - cpprest's exceptions become Status codes with their retry meaning.
#include <arpa/inet.h>
#include <cpprest/http_client.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <pplx/threadpool.h>

#include <algorithm>
#include <boost/asio/ssl.hpp>
#include <cctype>
#include <fstream>
#include <optional>
#include <sstream>

#include "pulse/http/client.h"

namespace pulse::http {
namespace {

using base::Status;
using base::StatusCode;
using base::StatusOr;
using web::http::client::http_client;
using web::http::client::http_client_config;

// Bodies are drained in pieces of this size: large enough to be cheap per byte, small enough
// that the overshoot past a limit is bounded.
constexpr std::size_t kReadChunk = 64 * 1024;

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

StatusOr<std::string> ReadFile(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status(StatusCode::kInvalidArgument,
                  std::string("cannot read ") + what + " file '" + path + "'");
  }
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
  ERR_clear_error();  // the read that ends the loop leaves an error on the thread's queue
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

// PEM material resolved once at construction.
struct TlsMaterial {
  std::string ca;
  std::string cert;
  std::string key;
  std::string server_name;
  bool insecure = false;
};

// Data wins over file; "" when neither is set.
StatusOr<std::string> Pick(const std::string& data, const std::string& file, const char* what) {
  if (!data.empty()) return data;
  if (!file.empty()) return ReadFile(file, what);
  return std::string();
}

StatusOr<TlsMaterial> Resolve(const TlsOptions& tls) {
  TlsMaterial m;
  m.insecure = tls.insecure_skip_verify;
  m.server_name = tls.server_name;
  auto ca = Pick(tls.ca_data, tls.ca_file, "certificate-authority");
  if (!ca.ok()) return ca.status();
  auto cert = Pick(tls.client_cert_data, tls.client_cert_file, "client-certificate");
  if (!cert.ok()) return cert.status();
  auto key = Pick(tls.client_key_data, tls.client_key_file, "client-key");
  if (!key.ok()) return key.status();
  m.ca = std::move(ca).value();
  m.cert = std::move(cert).value();
  m.key = std::move(key).value();
  const auto invalid = [](std::string what) {
    return Status(StatusCode::kInvalidArgument, std::move(what));
  };
  if (!m.ca.empty() && CountCertificates(m.ca) == 0) {
    return invalid("certificate-authority holds no PEM certificate");
  }
  if (m.cert.empty() != m.key.empty()) {
    return invalid("a client certificate needs a client key and vice versa");
  }
  if (!m.cert.empty() && CountCertificates(m.cert) == 0) {
    return invalid("client-certificate holds no PEM certificate");
  }
  if (!m.key.empty() && !IsPrivateKey(m.key)) {
    return invalid("client-key holds no PEM private key");
  }
  return m;
}

// Chain verification against TlsOptions::server_name instead of the URL's host. cpprest installs
// its own per-certificate callback that checks the URL host; this replaces the whole chain check
// for the handshake, drops that callback and lets OpenSSL check the name we were given.
int VerifyAgainstServerName(X509_STORE_CTX* store, void* arg) {
  const auto* name = static_cast<const std::string*>(arg);
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(store);
  unsigned char ip[16];
  if (inet_pton(AF_INET, name->c_str(), ip) == 1 || inet_pton(AF_INET6, name->c_str(), ip) == 1) {
    X509_VERIFY_PARAM_set1_ip_asc(param, name->c_str());
  } else {
    X509_VERIFY_PARAM_set1_host(param, name->data(), name->size());
  }
  X509_STORE_CTX_set_verify_cb(store, [](int ok, X509_STORE_CTX*) { return ok; });
  return X509_verify_cert(store);
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
    if (!tls->insecure && !tls->server_name.empty()) {
      // `tls` is kept alive by this callback's capture, which cpprest holds with the config.
      SSL_CTX_set_cert_verify_callback(ctx.native_handle(), VerifyAgainstServerName,
                                       const_cast<std::string*>(&tls->server_name));
    }
  });
  return cfg;
}

bool IsTimeout(const web::http::http_exception& e) {
  const std::string what = e.what();
  return e.error_code() == std::errc::timed_out || what.find("timed out") != std::string::npos ||
         what.find("timeout") != std::string::npos;
}

// Aborts the exchange when it goes out of scope before the body was read to its end (limit
// passed, handler said stop, exception): cancelling closes cpprest's connection, so it stops
// receiving instead of buffering the rest of a long or endless body.
class AbortUnlessDone {
 public:
  explicit AbortUnlessDone(pplx::cancellation_token_source cts) : cts_(std::move(cts)) {}
  ~AbortUnlessDone() {
    if (!done_) cts_.cancel();
  }
  AbortUnlessDone(const AbortUnlessDone&) = delete;
  AbortUnlessDone& operator=(const AbortUnlessDone&) = delete;
  void Done() { done_ = true; }

 private:
  pplx::cancellation_token_source cts_;
  bool done_ = false;
};

// Forwards a CancelToken to a cpprest cancellation source for the duration of one exchange.
class CancelLink {
 public:
  CancelLink(CancelToken* token, const pplx::cancellation_token_source& cts) : token_(token) {
    // Captured by value: the source is a shared handle, so a callback that runs late (Cancel()
    // already swapped it out when we unregister) still touches live state.
    if (token_ != nullptr) id_ = token_->Register([cts] { cts.cancel(); });
  }
  ~CancelLink() {
    if (token_ != nullptr) token_->Unregister(id_);
  }
  CancelLink(const CancelLink&) = delete;
  CancelLink& operator=(const CancelLink&) = delete;

 private:
  CancelToken* token_;
  int id_ = 0;
};

class CpprestClient final : public Client {
 public:
  CpprestClient(ClientOptions options, TlsMaterial tls)
      : options_(std::move(options)), tls_(std::make_shared<const TlsMaterial>(std::move(tls))) {}

  StatusOr<Response> Send(const Request& request, CancelToken* cancel) override {
    const std::size_t limit =
        request.max_body_bytes > 0 ? request.max_body_bytes : options_.max_body_bytes;
    pplx::cancellation_token_source cts;
    CancelLink link(cancel, cts);
    AbortUnlessDone abort(cts);
    bool too_large = false;
    try {
      auto target = Prepare(request);
      if (!target.ok()) return target.status();
      web::http::http_response resp =
          target->client->request(target->request, cts.get_token()).get();
      Response out = Head(resp);
      const auto length = resp.headers().content_length();
      if (length > limit) {
        too_large = true;
        return TooLarge(request, limit, "a Content-Length of " + std::to_string(length));
      }
      auto status = ReadBody(resp, limit, &out.body, &too_large);
      if (!status.ok()) return Status(status.code(), Describe(request, status.message()));
      abort.Done();
      return out;
    } catch (...) {
      return FromException(request, cancel, too_large);
    }
  }

  StatusOr<Response> Stream(const Request& request, const LineHandler& on_line, CancelToken* cancel,
                            std::size_t max_line_bytes) override {
    const std::size_t limit =
        request.max_body_bytes > 0 ? request.max_body_bytes : options_.max_body_bytes;
    pplx::cancellation_token_source cts;
    CancelLink link(cancel, cts);
    AbortUnlessDone abort(cts);
    const auto cancelled = [cancel] { return cancel != nullptr && cancel->cancelled(); };
    Response out;
    bool have_head = false;
    try {
      auto target = Prepare(request);
      if (!target.ok()) return target.status();
      web::http::http_response resp =
          target->client->request(target->request, cts.get_token()).get();
      out = Head(resp);
      have_head = true;
      if (out.status < 200 || out.status > 299) {
        bool too_large = false;
        auto status = ReadBody(resp, limit, &out.body, &too_large);
        if (!status.ok()) return Status(status.code(), Describe(request, status.message()));
        abort.Done();
        return out;
      }
      auto buf = resp.body().streambuf();
      using traits = concurrency::streams::streambuf<uint8_t>::traits;
      std::string line;
      std::vector<uint8_t> chunk;
      while (true) {
        if (cancelled()) return out;
        // Wait for at least one byte, then take whatever else has already arrived: a watch
        // event must reach the handler the moment its line is complete.
        const auto first = buf.bumpc().get();
        if (first == traits::eof()) break;
        chunk.resize(1 + std::min(buf.in_avail(), kReadChunk));
        chunk[0] = static_cast<uint8_t>(first);
        std::size_t n = 1;
        if (chunk.size() > 1) n += buf.getn(chunk.data() + 1, chunk.size() - 1).get();
        std::size_t start = 0;
        for (std::size_t i = 0; i < n; ++i) {
          if (chunk[i] != '\n') continue;
          if (line.size() + (i - start) > max_line_bytes) {
            return LineTooLong(request, max_line_bytes);
          }
          line.append(reinterpret_cast<const char*>(chunk.data()) + start, i - start);
          start = i + 1;
          if (!line.empty() && line.back() == '\r') line.pop_back();
          if (!on_line(line)) return out;
          line.clear();
        }
        line.append(reinterpret_cast<const char*>(chunk.data()) + start, n - start);
        if (line.size() > max_line_bytes) return LineTooLong(request, max_line_bytes);
      }
      abort.Done();
      // A last line without its '\n' still counts: the server ended the body after it.
      if (!line.empty() && !cancelled()) on_line(line);
      return out;
    } catch (const pplx::task_canceled&) {
      // Cancelled while streaming: the documented normal end, with the head we have.
      if (have_head && cancelled()) return out;
      return FromException(request, cancel, false);
    } catch (const web::http::http_exception&) {
      if (have_head && cancelled()) return out;
      return FromException(request, cancel, false);
    } catch (const std::system_error&) {
      if (have_head && cancelled()) return out;
      return FromException(request, cancel, false);
    }
    // Anything else (the handler's own exceptions) propagates to the caller unchanged.
  }

 private:
  struct Target {
    std::shared_ptr<http_client> client;
    web::http::http_request request;
  };

  // The cached cpprest client for the request's origin and timeout, and the cpprest request.
  StatusOr<Target> Prepare(const Request& request) {
    std::optional<web::uri> uri;
    try {
      uri.emplace(request.url);
    } catch (const std::exception& e) {
      return Status(StatusCode::kInvalidArgument,
                    "bad URL '" + request.url + "': " + std::string(e.what()));
    }
    const std::string scheme = Lower(uri->scheme());
    if ((scheme != "http" && scheme != "https") || uri->host().empty()) {
      return Status(StatusCode::kInvalidArgument,
                    "bad URL '" + request.url + "': need http:// or https:// and a host");
    }
    const auto timeout = request.timeout.count() > 0 ? request.timeout : options_.timeout;
    web::uri_builder origin;
    origin.set_scheme(scheme).set_host(uri->host()).set_port(uri->port());
    const std::string origin_text = origin.to_string();
    Target t{ClientFor(origin_text, timeout), web::http::http_request(request.method)};
    if (t.client == nullptr) {
      return Status(StatusCode::kInvalidArgument, "bad URL '" + request.url + "'");
    }
    web::http::http_request& req = t.request;
    req.set_request_uri(uri->resource());
    auto& h = req.headers();
    bool has_auth = false;
    bool has_agent = false;
    for (const auto& [name, value] : request.headers) {
      const std::string lower = Lower(name);
      has_auth |= lower == "authorization";
      has_agent |= lower == "user-agent";
      h.add(name, value);
    }
    if (!has_agent) h.add("User-Agent", options_.user_agent);
    if (!has_auth && options_.token) {
      const std::string token = options_.token();
      if (!token.empty()) h.add("Authorization", "Bearer " + token);
    }
    if (!request.body.empty() || request.method == "POST" || request.method == "PUT" ||
        request.method == "PATCH") {
      // As bytes: cpprest's std::string overload reinterprets a char buffer as an unsigned-char
      // one (undefined behaviour that UBSan's vptr check reports); the vector overload has
      // matching types. A Content-Type given above is kept (set_body only fills in a missing
      // one). Always setting a body for these methods sends "Content-Length: 0" when empty,
      // which servers (S3's PUT bucket) require.
      req.set_body(std::vector<unsigned char>(request.body.begin(), request.body.end()));
    }
    return t;
  }

  std::shared_ptr<http_client> ClientFor(const std::string& origin,
                                         std::chrono::milliseconds timeout) {
    const std::string key = origin + " " + std::to_string(timeout.count());
    std::lock_guard<std::mutex> lock(mu_);
    auto& slot = clients_[key];
    if (slot == nullptr) {
      try {
        slot = std::make_shared<http_client>(origin, MakeConfig(tls_, timeout));
      } catch (const std::exception&) {
        clients_.erase(key);
        return nullptr;
      }
    }
    return slot;
  }

  // Reads the body into `out` in chunks, failing as soon as it passes `limit`.
  static Status ReadBody(web::http::http_response& resp, std::size_t limit, std::string* out,
                         bool* too_large) {
    auto buf = resp.body().streambuf();
    std::vector<uint8_t> chunk(kReadChunk);
    while (true) {
      const std::size_t n = buf.getn(chunk.data(), chunk.size()).get();
      if (n == 0) return Status::Ok();
      if (out->size() + n > limit) {
        *too_large = true;
        out->clear();
        return Status(StatusCode::kResourceExhausted,
                      "response body larger than the limit of " + std::to_string(limit) + " bytes");
      }
      out->append(reinterpret_cast<const char*>(chunk.data()), n);
    }
  }

  static Response Head(const web::http::http_response& resp) {
    Response out;
    out.status = resp.status_code();
    for (const auto& [k, v] : resp.headers()) out.headers[Lower(k)] = v;
    return out;
  }

  // Maps the exception being handled to a Status.
  Status FromException(const Request& request, CancelToken* cancel, bool too_large) const {
    if (cancel != nullptr && cancel->cancelled()) {
      return Status(StatusCode::kCancelled, Describe(request, "cancelled"));
    }
    try {
      throw;
    } catch (const pplx::task_canceled&) {
      if (too_large) return TooLarge(request, 0, "the body");
      return Status(StatusCode::kCancelled, Describe(request, "cancelled"));
    } catch (const web::http::http_exception& e) {
      if (too_large) return TooLarge(request, 0, "the body");
      const StatusCode code =
          IsTimeout(e) ? StatusCode::kDeadlineExceeded : StatusCode::kUnavailable;
      return Status(code, Describe(request, e.what()));
    } catch (const std::system_error& e) {
      return Status(StatusCode::kUnavailable, Describe(request, e.what()));
    } catch (const web::uri_exception& e) {
      return Status(StatusCode::kInvalidArgument, Describe(request, e.what()));
    } catch (const std::invalid_argument& e) {
      return Status(StatusCode::kInvalidArgument, Describe(request, e.what()));
    } catch (const std::exception& e) {
      return Status(StatusCode::kInternal, Describe(request, e.what()));
    } catch (...) {
      return Status(StatusCode::kInternal, Describe(request, "unknown exception"));
    }
  }

  static Status TooLarge(const Request& request, std::size_t limit, const std::string& what) {
    std::string msg = what + " exceeds the body limit";
    if (limit > 0) msg += " of " + std::to_string(limit) + " bytes";
    return Status(StatusCode::kResourceExhausted, Describe(request, msg));
  }

  static Status LineTooLong(const Request& request, std::size_t max_line_bytes) {
    return Status(
        StatusCode::kResourceExhausted,
        Describe(request, "stream line longer than " + std::to_string(max_line_bytes) + " bytes"));
  }

  static std::string Describe(const Request& request, const std::string& what) {
    return request.method + " " + request.url + ": " + what;
  }

  const ClientOptions options_;
  const std::shared_ptr<const TlsMaterial> tls_;
  std::mutex mu_;
  // Keyed by "scheme://host:port timeout_ms"; grows with the distinct origins and timeouts a
  // process uses (a handful), never with requests.
  std::map<std::string, std::shared_ptr<http_client>> clients_;
};

}  // namespace

StatusOr<std::unique_ptr<Client>> MakeClient(ClientOptions options) {
  // cpprest's default pool has 40 threads (each with its own stack and malloc arena). Requests
  // block their caller, not the pool, which only runs socket I/O callbacks: a few threads serve
  // many concurrent exchanges (the operator's watches included). The pool is process-wide; the
  // first client sets it.
  static std::once_flag once;
  std::call_once(once, [] {
    // OpenSSL first: its exit-time cleanup then runs after the pool's threads are joined (exit
    // handlers run in reverse order of registration), so each pool thread's OpenSSL state is
    // freed when the thread ends instead of leaking past a cleanup that already ran.
    OPENSSL_init_ssl(0, nullptr);
    try {
      crossplat::threadpool::initialize_with_threads(4);
    } catch (const std::exception&) {
      // Already initialised by an earlier cpprest use in this process: keep that pool.
    }
  });
  auto tls = Resolve(options.tls);
  if (!tls.ok()) return tls.status();
  return std::unique_ptr<Client>(
      std::make_unique<CpprestClient>(std::move(options), std::move(tls).value()));
}

}  // namespace pulse::http
