// What a scrape costs in-process (self metrics + cached text) for the sizes of the issue
// (1,000 queues, 10 databases), and the parsers a refresh runs (queues JSON page, S3 listing
// page, config) plus SigV4 signing. End-to-end latency and memory: scripts/bench/exporter.sh.
#include <benchmark/benchmark.h>

#include <deque>

#include "pulse/base/log.h"
#include "pulse/exporter/config.h"
#include "pulse/exporter/metrics_page.h"
#include "pulse/exporter/postgresql_metrics.h"
#include "pulse/exporter/rabbitmq_topology.h"
#include "pulse/exporter/s3_list_parser.h"
#include "pulse/exporter/target_runner.h"
#include "pulse/http/sigv4.h"

namespace pulse::exporter {
namespace {

class FixedTarget : public Target {
 public:
  explicit FixedTarget(MetricSet metrics) : metrics_(std::move(metrics)) {}
  RefreshResult Refresh(std::stop_token) override {
    RefreshResult r;
    r.ok = true;
    r.metrics = metrics_;
    return r;
  }

 private:
  MetricSet metrics_;
};

std::vector<rabbitmq::Queue> SyntheticQueues(int n) {
  std::vector<rabbitmq::Queue> queues;
  for (int i = 0; i < n; ++i) {
    rabbitmq::Queue q;
    q.vhost = "/";
    q.name = "shop.orders.queue." + std::to_string(i);
    if (i % 10 == 0) q.dlx_argument = "dlx";
    q.messages = i;
    // Whole messages: half (rounded down) ready, the rest unacknowledged, summing to `messages`.
    const int ready = i / 2;
    q.messages_ready = ready;
    q.messages_unacked = i - ready;
    queues.push_back(q);
  }
  return queues;
}

void BM_ScrapeCached(benchmark::State& state) {
  base::SetLogQuiet(true);
  const int queues_n = static_cast<int>(state.range(0));
  const auto queues = SyntheticQueues(queues_n);
  std::set<rabbitmq::QueueKey> dlqs;
  for (int i = 0; i < queues_n; i += 50) dlqs.insert({"/", queues[i].name});
  auto rabbit = rabbitmq::BuildMetrics(queues, {}, dlqs, {});
  postgresql::Observation o;
  for (int i = 0; i < 10; ++i) {
    o.databases.push_back("db" + std::to_string(i));
    o.database_sizes["db" + std::to_string(i)] = 1e9 + i;
  }
  o.max_connections = 100;
  auto pg = postgresql::BuildMetrics(o);
  TargetRunner r1("rabbitmq", TargetType::kRabbitMq, std::chrono::seconds(60),
                  std::make_unique<FixedTarget>(rabbit));
  TargetRunner r2("postgres", TargetType::kPostgreSql, std::chrono::seconds(60),
                  std::make_unique<FixedTarget>(pg));
  r1.RefreshNow();
  r2.RefreshNow();
  MetricsPage page({&r1, &r2}, "bench");
  std::size_t bytes = 0;
  for (auto _ : state) {
    const std::string text = page.Render();
    bytes = text.size();
    benchmark::DoNotOptimize(text.data());
  }
  state.counters["exposition_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_ScrapeCached)->Arg(100)->Arg(1000)->Unit(benchmark::kMicrosecond);

void BM_ParseQueuesPage(benchmark::State& state) {
  std::string json = R"({"page":1,"page_count":1,"items":[)";
  for (int i = 0; i < 500; ++i) {
    if (i) json += ",";
    json += R"({"arguments":{"x-dead-letter-exchange":"dlx"},"auto_delete":false,"durable":true,)"
            R"("exclusive":false,"messages":12,"messages_ready":5,"messages_unacknowledged":7,)"
            R"("name":"queue.)" +
            std::to_string(i) +
            R"(","node":"rabbit@host","state":"running","type":"classic","vhost":"/"})";
  }
  json += "]}";
  for (auto _ : state) {
    rabbitmq::QueuesPage page;
    std::string error;
    benchmark::DoNotOptimize(rabbitmq::ParseQueuesPage(json, &page, &error));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * json.size()));
}
BENCHMARK(BM_ParseQueuesPage)->Unit(benchmark::kMicrosecond);

void BM_ParseS3ListPage(benchmark::State& state) {
  std::string xml =
      R"(<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><IsTruncated>true</IsTruncated><NextContinuationToken>tok</NextContinuationToken>)";
  for (int i = 0; i < 1000; ++i) {
    xml += "<Contents><Key>uploads/2026/11/object-" + std::to_string(i) +
           ".jpg</Key><LastModified>2026-11-27T06:00:00.000Z</LastModified><ETag>&quot;"
           "9b2cf535f27731c974343645a3985328&quot;</ETag><Size>" +
           std::to_string(1000 + i) + "</Size><StorageClass>STANDARD</StorageClass></Contents>";
  }
  xml += "</ListBucketResult>";
  for (auto _ : state) {
    s3::ListPage page;
    std::string error;
    benchmark::DoNotOptimize(s3::ParseListPage(xml, &page, &error));
  }
  state.SetItemsProcessed(state.iterations() * 1000);
}
BENCHMARK(BM_ParseS3ListPage)->Unit(benchmark::kMicrosecond);

void BM_SigV4Sign(benchmark::State& state) {
  http::sigv4::Request r;
  r.path = "/bucket/";
  r.query = {{"list-type", "2"}, {"max-keys", "1000"}, {"continuation-token", "abc=="}};
  r.headers = {{"host", "s3.example.com"},
               {"x-amz-date", "20261127T060000Z"},
               {"x-amz-content-sha256", http::sigv4::Sha256Hex("")}};
  r.payload_hash = http::sigv4::Sha256Hex("");
  const http::sigv4::Signing s{"AKID", "secret", "us-east-1", "s3", "20261127T060000Z"};
  for (auto _ : state) benchmark::DoNotOptimize(http::sigv4::Authorization(r, s));
}
BENCHMARK(BM_SigV4Sign)->Unit(benchmark::kMicrosecond);

void BM_ParseConfig(benchmark::State& state) {
  std::string yaml = "defaults: {interval: 30s, timeout: 10s}\ntargets:\n";
  for (int i = 0; i < 30; ++i) {
    yaml += "  - {name: db" + std::to_string(i) +
            ", type: postgresql, postgresql: {host: db.svc, user: u, password: {env: P}}}\n";
  }
  for (auto _ : state) benchmark::DoNotOptimize(ParseConfig(yaml));
}
BENCHMARK(BM_ParseConfig)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace pulse::exporter
