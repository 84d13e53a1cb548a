// Every metric and label name the generated rules and dashboards rely on that does not come
// from an ApiMonitor's `red` block, in one place so a rename is a one-line change here (and a
// golden-file update). Sources of truth:
//   - pulse-exporter: docs/exporter.md ("Metrics");
//   - pulse-red (instrumentation/): docs/instrumentation.md;
//   - labels pulse itself adds to every scraped target: docs/rendering.md ("Relabelling").
//
// Thread-safety: constants only.
#pragma once

namespace pulse::render::names {

// ---- Labels added by the scrape configs pulse renders (docs/rendering.md) ----
// "<namespace>/<name>" of the ApiMonitor a target was discovered for; rules and dashboards
// select one API's series with it.
inline constexpr const char* kApiMonitorLabel = "pulse_apimonitor";
// The name of the ApiMonitor's metric-name mapping (rules_renderer.h, RedMappingName): the shared
// RED recording rules of one mapping select exactly its monitors' series with it.
inline constexpr const char* kRedMappingLabel = "pulse_red_mapping";
// The index of the ApiMonitor endpoint (scrape job) a target belongs to, "0", "1", ...: the
// absent-target alert tells the jobs of one monitor apart with it, and it keeps two endpoints
// that scrape the same address from writing the same series.
inline constexpr const char* kEndpointLabel = "pulse_endpoint";
// "<namespace>/<name>" of the Exporter a pulse-exporter target belongs to.
inline constexpr const char* kExporterLabel = "pulse_exporter";

// ---- Canonical RED label names of the recorded series (whatever the app's own names are) ----
inline constexpr const char* kMethodLabel = "method";
inline constexpr const char* kRouteLabel = "route";
inline constexpr const char* kStatusLabel = "status";
inline constexpr const char* kUserLabel = "user";

// ---- Standard Prometheus / process metrics ----
inline constexpr const char* kUp = "up";
inline constexpr const char* kProcessCpuSeconds = "process_cpu_seconds_total";
inline constexpr const char* kProcessResidentMemory = "process_resident_memory_bytes";

// ---- pulse-red (instrumentation/) Redis call RED ----
inline constexpr const char* kRedisCommandDuration = "redis_command_duration_seconds";  // histogram
inline constexpr const char* kRedisCommandErrors = "redis_command_errors_total";
inline constexpr const char* kRedisCommandLabel = "command";
inline constexpr const char* kRedisErrorTypeLabel = "error_type";
// The user label value pulse-red reserves for everyone outside the top-K.
inline constexpr const char* kOtherUser = "__other__";

// ---- pulse-exporter self metrics (every target) ----
inline constexpr const char* kExporterTargetUp = "pulse_exporter_target_up";
inline constexpr const char* kExporterDataAge = "pulse_exporter_data_age_seconds";
inline constexpr const char* kExporterRefreshErrors = "pulse_exporter_refresh_errors_total";

// ---- pulse-exporter RabbitMQ ----
inline constexpr const char* kRabbitDeadLetterQueueMessages =
    "pulse_rabbitmq_dead_letter_queue_messages";  // vhost, queue
inline constexpr const char* kRabbitDeadLetterMessages = "pulse_rabbitmq_dead_letter_messages";
inline constexpr const char* kRabbitQueueUnacked = "pulse_rabbitmq_queue_messages_unacked";
inline constexpr const char* kRabbitUnacked = "pulse_rabbitmq_messages_unacked";
inline constexpr const char* kRabbitQueueReady = "pulse_rabbitmq_queue_messages_ready";
inline constexpr const char* kRabbitQueueConsumers = "pulse_rabbitmq_queue_consumers";

// ---- pulse-exporter PostgreSQL ----
inline constexpr const char* kPgDatabaseSize = "pulse_postgresql_database_size_bytes";
inline constexpr const char* kPgConnections = "pulse_postgresql_connections";  // database, state
inline constexpr const char* kPgMaxConnections = "pulse_postgresql_max_connections";
inline constexpr const char* kPgSharedBuffers = "pulse_postgresql_shared_buffers_bytes";
inline constexpr const char* kPgSharedBuffersUsed = "pulse_postgresql_shared_buffers_used_bytes";

// ---- pulse-exporter S3 ----
inline constexpr const char* kS3BucketSize = "pulse_s3_bucket_size_bytes";  // bucket, prefix
inline constexpr const char* kS3BucketObjects = "pulse_s3_bucket_objects";  // bucket, prefix

}  // namespace pulse::render::names
