// The limits of an exporter target, shared by the Exporter custom resource (pulse::model's
// validation and, by test, crds/exporter.yaml) and by pulse-exporter's config parser, so that
// every Exporter the operator accepts renders into a config the exporter accepts, and a
// hand-written config is held to the same bounds.
//
// They live in pulse::base rather than in pulse::model because pulse-exporter must not depend on
// the operator's CR model (its YAML/JSON decoders, CRD types): base is the dependency-free
// library both binaries already share. Header-only constants.
//
// Thread-safety: constants.
#pragma once

#include <chrono>
#include <cstddef>

namespace pulse::base::exporter_limits {

using std::chrono::milliseconds;

// Every refresh period: an exporter target's `interval` (= the CR's rabbitmq/postgresql/s3
// `refreshInterval`) and PostgreSQL's database size period (`sizeRefreshInterval`,
// `database_size_interval`). Short S3 periods cost list requests; the bound is the same for all
// so the two sides cannot drift.
inline constexpr milliseconds kMinRefreshInterval = std::chrono::seconds(1);
inline constexpr milliseconds kMaxRefreshInterval = std::chrono::hours(24 * 7);

// Bound on each request/query of a refresh (exporter `timeout`, `statement_timeout`).
inline constexpr milliseconds kMinTimeout{100};
inline constexpr milliseconds kMaxTimeout = std::chrono::minutes(10);
// The timeout a rendered config uses: min(refresh interval, this).
inline constexpr milliseconds kDefaultTimeout = std::chrono::seconds(10);

inline constexpr std::size_t kMaxUrlBytes = 2048;  // RabbitMQ url, S3 endpoint
inline constexpr std::size_t kMaxRegionBytes = 64;

// RabbitMQ
inline constexpr std::size_t kMaxVhosts = 1000;
inline constexpr std::size_t kMaxVhostBytes = 255;  // RabbitMQ's own limit (short string)
inline constexpr std::size_t kMaxDeadLetterQueues = 1000;
inline constexpr std::size_t kMaxQueueNameBytes = 255;  // AMQP 0-9-1 short string
inline constexpr std::size_t kMaxDeadLetterQueueRegexBytes = 4096;

// PostgreSQL
inline constexpr std::size_t kMaxDatabases = 100;
inline constexpr std::size_t kMaxDatabaseNameBytes = 63;  // NAMEDATALEN - 1

// S3
inline constexpr std::size_t kMaxBuckets = 1000;
inline constexpr std::size_t kMaxPrefixesPerBucket = 100;
inline constexpr std::size_t kMaxPrefixBytes = 1024;  // S3's key length limit

}  // namespace pulse::base::exporter_limits
