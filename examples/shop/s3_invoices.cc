#include "s3_invoices.h"

#include <chrono>
#include <stdexcept>

#include "pulse/http/encoding.h"
#include "pulse/http/sigv4.h"

namespace pulse::demo::s3 {
namespace {

namespace sigv4 = http::sigv4;

void CheckBucketName(const std::string& b) {
  bool ok = b.size() >= 3 && b.size() <= 63;
  for (char c : b) ok &= (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
  if (!ok) throw std::invalid_argument("s3: \"" + b + "\" is not a valid bucket name");
}

// "host:port" of "http://host:port[/]"; throws for anything else.
std::string HostOf(const std::string& endpoint) {
  const std::string scheme = "http://";
  if (endpoint.rfind(scheme, 0) != 0) {
    throw std::invalid_argument("s3: endpoint \"" + endpoint + "\" is not http://host:port");
  }
  std::string host = endpoint.substr(scheme.size());
  if (const auto slash = host.find('/'); slash != std::string::npos) {
    if (host.find_first_not_of('/', slash) != std::string::npos) {
      throw std::invalid_argument("s3: endpoint \"" + endpoint + "\" must not have a path");
    }
    host.resize(slash);
  }
  if (host.empty()) throw std::invalid_argument("s3: endpoint \"" + endpoint + "\" has no host");
  return host;
}

std::string Describe(const http::Response& r) { return std::to_string(r.status) + " " + r.body; }

}  // namespace

S3Invoices::S3Invoices(S3Options options)
    : options_(std::move(options)), host_(HostOf(options_.endpoint)) {
  CheckBucketName(options_.bucket);
  http::ClientOptions o;
  o.user_agent = "pulse-demo-shop";
  o.timeout = std::chrono::seconds(5);
  o.max_body_bytes = 16 << 20;  // invoices are small; anything bigger is not ours
  auto made = http::MakeClient(std::move(o));
  if (!made.ok()) throw std::invalid_argument("s3: " + made.status().message());
  http_ = std::move(made).value();
}

http::Response S3Invoices::Send(const std::string& method, const std::string& path,
                                const std::string& body, const std::string& what) {
  sigv4::Request r;
  r.method = method;
  r.path = path;
  r.payload_hash = sigv4::Sha256Hex(body);
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  const sigv4::Signing signing{options_.access_key, options_.secret_key, options_.region, "s3",
                               sigv4::AmzDate(now)};
  // Sent exactly as signed (Host included), so what S3 recomputes matches.
  r.headers = {
      {"Host", host_}, {"x-amz-content-sha256", r.payload_hash}, {"x-amz-date", signing.amz_date}};
  http::Request req;
  req.method = method;
  req.url = "http://" + host_ + path;
  req.headers = r.headers;
  req.headers.emplace_back("Authorization", sigv4::Authorization(r, signing));
  req.body = body;
  auto sent = http_->Send(req);
  if (!sent.ok()) throw std::runtime_error("s3: " + what + ": " + sent.status().ToString());
  return std::move(sent).value();
}

void S3Invoices::EnsureBucket() {
  const http::Response r = Send("PUT", "/" + options_.bucket, "", "create bucket");
  if (r.status >= 200 && r.status <= 299) return;
  if (r.status == 409) return;  // BucketAlreadyOwnedByYou / BucketAlreadyExists
  throw std::runtime_error("s3: create bucket " + options_.bucket + ": " + Describe(r));
}

void S3Invoices::Put(const std::string& key, const std::string& body) {
  const std::string path = "/" + options_.bucket + "/" + http::PercentEncode(key, true);
  const http::Response r = Send("PUT", path, body, "put " + key);
  if (r.status < 200 || r.status > 299) {
    throw std::runtime_error("s3: put " + key + ": " + Describe(r));
  }
}

std::optional<std::string> S3Invoices::Get(const std::string& key) {
  const std::string path = "/" + options_.bucket + "/" + http::PercentEncode(key, true);
  const http::Response r = Send("GET", path, "", "get " + key);
  if (r.status == 404) return std::nullopt;
  if (r.status < 200 || r.status > 299) {
    throw std::runtime_error("s3: get " + key + ": " + Describe(r));
  }
  return r.body;
}

}  // namespace pulse::demo::s3
