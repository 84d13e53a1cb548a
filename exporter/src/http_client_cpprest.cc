// HttpClient over cpprestsdk (the user's choice of HTTP client). The only file that includes
// cpprest headers. cpprest's timeout is an inactivity timeout: a peer that accepts and never
// answers is cut off after `timeout`; one that trickles bytes is bounded by the body size limit.
#include <cpprest/http_client.h>
#include <pplx/threadpool.h>

#include <mutex>

#include "pulse/exporter/http_client.h"

namespace pulse::exporter {
namespace {

namespace http = web::http;

class CppRestHttpClient : public HttpClient {
 public:
  HttpResponse Send(const HttpRequest& request) override {
    HttpResponse out;
    try {
      const web::uri uri(request.url);
      web::uri_builder base;
      base.set_scheme(uri.scheme()).set_host(uri.host()).set_port(uri.port());
      http::client::http_client_config config;
      config.set_timeout(request.timeout);
      http::client::http_client client(base.to_uri(), config);
      http::http_request req(request.method);
      req.set_request_uri(uri.resource());
      for (const auto& [name, value] : request.headers) {
        req.headers().add(name, value);
      }
      if (!request.body.empty()) {
        req.set_body(request.body, "application/json");
      }
      http::http_response resp = client.request(req).get();
      out.status = resp.status_code();
      const auto length = resp.headers().content_length();
      if (length > kMaxHttpBodyBytes) {
        out.error = HttpResponse::Error::kTooLarge;
        out.error_message = "response body of " + std::to_string(length) + " bytes is too large";
        return out;
      }
      out.body = resp.extract_utf8string(true).get();
      if (out.body.size() > kMaxHttpBodyBytes) {
        out.body.clear();
        out.error = HttpResponse::Error::kTooLarge;
        out.error_message = "response body is too large";
      }
    } catch (const http::http_exception& e) {
      out = HttpResponse{};
      const std::string what = e.what();
      const bool timeout = e.error_code() == std::errc::timed_out ||
                           what.find("timed out") != std::string::npos ||
                           what.find("timeout") != std::string::npos;
      out.error = timeout ? HttpResponse::Error::kTimeout : HttpResponse::Error::kConnect;
      out.error_message = what;
    } catch (const std::exception& e) {
      out = HttpResponse{};
      out.error = HttpResponse::Error::kOther;
      out.error_message = e.what();
    }
    return out;
  }
};

}  // namespace

std::unique_ptr<HttpClient> MakeCppRestHttpClient() {
  // cpprest's default pool has 40 threads (each with its own stack and malloc arena); the
  // exporter makes one blocking request at a time per target, so a few threads are plenty.
  static std::once_flag once;
  std::call_once(once, [] {
    try {
      crossplat::threadpool::initialize_with_threads(4);
    } catch (const std::exception&) {
      // Already initialised by an earlier cpprest use in this process: keep that pool.
    }
  });
  return std::make_unique<CppRestHttpClient>();
}

}  // namespace pulse::exporter
