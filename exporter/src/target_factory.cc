#include "pulse/exporter/target_factory.h"

#include "pulse/exporter/postgresql_target.h"
#include "pulse/exporter/rabbitmq_target.h"
#include "pulse/exporter/s3_target.h"

namespace pulse::exporter {
namespace {

// Stands in for a target whose TLS client could not be built: reported, never contacted.
class FailedTarget : public Target {
 public:
  explicit FailedTarget(std::string message) : message_(std::move(message)) {}
  RefreshResult Refresh(std::stop_token) override {
    return RefreshResult::Failure(reason::kCredentials, message_);
  }

 private:
  std::string message_;
};

}  // namespace

std::optional<http::TlsOptions> TlsOptionsFor(const TargetConfig& config) {
  const std::optional<TlsFiles>* tls = nullptr;
  if (const auto* r = std::get_if<RabbitMqSpec>(&config.spec)) tls = &r->tls;
  if (const auto* s = std::get_if<S3Spec>(&config.spec)) tls = &s->tls;
  if (tls == nullptr || !tls->has_value()) return std::nullopt;
  http::TlsOptions options;
  options.ca_file = (*tls)->ca_file;
  options.client_cert_file = (*tls)->cert_file;
  options.client_key_file = (*tls)->key_file;
  options.server_name = (*tls)->server_name;
  options.insecure_skip_verify = (*tls)->insecure_skip_verify;
  return options;
}

std::unique_ptr<Target> MakeTarget(const TargetConfig& config, std::shared_ptr<http::Client> http) {
  if (auto tls = TlsOptionsFor(config)) {
    http::ClientOptions options;
    options.tls = std::move(*tls);
    options.user_agent = "pulse-exporter";
    auto client = http::MakeClient(std::move(options));
    if (!client.ok()) {
      return std::make_unique<FailedTarget>("tls: " + client.status().ToString());
    }
    http = std::move(client).value();
  }
  switch (config.type) {
    case TargetType::kRabbitMq:
      return std::make_unique<RabbitMqTarget>(std::get<RabbitMqSpec>(config.spec), config.timeout,
                                              std::move(http));
    case TargetType::kPostgreSql:
      return MakePostgresTarget(std::get<PostgresSpec>(config.spec), config.timeout);
    case TargetType::kS3:
      return std::make_unique<S3Target>(std::get<S3Spec>(config.spec), config.timeout,
                                        std::move(http));
  }
  return nullptr;
}

}  // namespace pulse::exporter
