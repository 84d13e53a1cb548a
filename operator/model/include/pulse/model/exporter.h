// Exporter (monitoring.pulse.dev/v1alpha1, short name pexp): one pulse-exporter instance for a
// RabbitMQ, a PostgreSQL server or an S3 endpoint. The operator runs it as a Deployment +
// Service and scrapes it. Field names mirror the CRD (crds/exporter.yaml) in snake_case;
// defaults below are the CRD's defaults and the parser applies them.
//
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pulse/model/alerts.h"
#include "pulse/model/common_types.h"
#include "pulse/model/duration.h"
#include "pulse/model/object_meta.h"

namespace pulse::model {

inline constexpr const char* kExporterKind = "Exporter";

enum class ExporterType { kRabbitMq, kPostgreSql, kS3 };
const char* ExporterTypeName(ExporterType type);  // "rabbitmq", "postgresql", "s3"

// Username + password, each from a Secret key.
struct Credentials {
  SecretKeySelector username;
  SecretKeySelector password;
};

struct RabbitMqSpec {
  std::string url;  // management API base URL, e.g. "http://rabbitmq.messaging:15672"
  Credentials credentials;
  std::optional<TlsConfig> tls;
  std::vector<std::string> vhosts;  // empty = all vhosts the user can see
  // Dead-letter queues are discovered from x-dead-letter-exchange arguments and policies; these
  // override discovery when set: explicit queue names and/or an RE2 regex on queue names
  // (anchored like Prometheus: ^(?:regex)$).
  std::vector<std::string> dead_letter_queues;
  std::string dead_letter_queue_regex;
  Duration refresh_interval = MakeDuration("15s");  // how often queue stats are fetched
};

struct PostgreSqlSpec {
  std::string host;
  std::int32_t port = 5432;
  std::vector<std::string> databases;  // at least one
  std::string ssl_mode = "prefer";     // libpq sslmode
  Credentials credentials;
  Duration refresh_interval = MakeDuration("15s");      // connections, buffers
  Duration size_refresh_interval = MakeDuration("5m");  // pg_database_size (expensive)
};

struct S3Bucket {
  std::string name;
  std::vector<std::string> prefixes;  // empty = the whole bucket
};

struct S3Credentials {
  SecretKeySelector access_key_id;
  SecretKeySelector secret_access_key;
};

struct S3Spec {
  std::string endpoint;  // "https://s3.example:9000"; "" = AWS for `region`
  std::string region = "us-east-1";
  bool path_style = false;
  std::vector<S3Bucket> buckets;  // at least one
  S3Credentials credentials;
  std::optional<TlsConfig> tls;
  Duration refresh_interval = MakeDuration("5m");  // background listing period
};

struct ExporterSpec {
  ExporterType type = ExporterType::kRabbitMq;
  // Exactly the block matching `type` is set (validated).
  std::optional<RabbitMqSpec> rabbitmq;
  std::optional<PostgreSqlSpec> postgresql;
  std::optional<S3Spec> s3;
  std::string image;  // "" = the operator's default pulse-exporter image
  ResourceRequirements resources;
  Duration interval = MakeDuration("30s");  // how often Prometheus scrapes the exporter
  std::optional<Duration> scrape_timeout;   // absent: min(interval, 10s)
  // Per-alert settings (alerts.h; keys exporterDown, exporterAbsent, targetDown,
  // deadLetterGrowth, inFlightBacklog, connectionsNearMax, sizeGrowth).
  AlertOverrides alerts;
};

struct Exporter {
  ObjectMeta metadata;
  ExporterSpec spec;
  Source source;
};

// The Prometheus scrape job_name for the exporter: "exporter/<namespace>/<name>".
std::string ScrapeJobName(const Exporter& exporter);

// The name of the Deployment/Service the operator creates: "pulse-exporter-<name>".
std::string WorkloadName(const Exporter& exporter);

}  // namespace pulse::model
