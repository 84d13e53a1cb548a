#include "pulse/exporter/target_factory.h"

#include "pulse/exporter/postgresql_target.h"
#include "pulse/exporter/rabbitmq_target.h"
#include "pulse/exporter/s3_target.h"

namespace pulse::exporter {

std::unique_ptr<Target> MakeTarget(const TargetConfig& config, std::shared_ptr<HttpClient> http) {
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
