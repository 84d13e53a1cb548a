// In-process costs of the client's hot paths: decoding watch lines, the store, the work queue.
#include <benchmark/benchmark.h>

#include "pulse/kube/store.h"
#include "pulse/kube/watch_event.h"
#include "pulse/kube/work_queue.h"

namespace {

std::string ConfigMapEvent(int i) {
  return nlohmann::json{{"type", "ADDED"},
                        {"object",
                         {{"apiVersion", "v1"},
                          {"kind", "ConfigMap"},
                          {"metadata",
                           {{"name", "bench-" + std::to_string(i)},
                            {"namespace", "bench"},
                            {"resourceVersion", std::to_string(1000 + i)},
                            {"labels", {{"bench", "informer"}}}}},
                          {"data", {{"payload", std::string(200, 'p')}}}}}}
      .dump();
}

void BM_ParseWatchEvent(benchmark::State& state) {
  const std::string line = ConfigMapEvent(1);
  for (auto _ : state) benchmark::DoNotOptimize(pulse::kube::ParseWatchEvent(line));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * line.size()));
}
BENCHMARK(BM_ParseWatchEvent);

void BM_StoreUpsert(benchmark::State& state) {
  std::vector<pulse::kube::ObjectPtr> objects;
  for (int i = 0; i < 5000; ++i) {
    objects.push_back(std::make_shared<const nlohmann::json>(
        pulse::kube::ParseWatchEvent(ConfigMapEvent(i)).object));
  }
  pulse::kube::Store store;
  size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(store.Upsert(*objects[i++ % objects.size()]));
}
BENCHMARK(BM_StoreUpsert);

void BM_StoreReplace5000(benchmark::State& state) {
  std::vector<pulse::kube::ObjectPtr> objects;
  for (int i = 0; i < 5000; ++i) {
    objects.push_back(std::make_shared<const nlohmann::json>(
        pulse::kube::ParseWatchEvent(ConfigMapEvent(i)).object));
  }
  pulse::kube::Store store;
  for (auto _ : state) benchmark::DoNotOptimize(store.Replace(objects));
}
BENCHMARK(BM_StoreReplace5000)->Unit(benchmark::kMillisecond);

void BM_WorkQueueAddGetDone(benchmark::State& state) {
  pulse::kube::WorkQueue q;
  std::vector<std::string> keys;
  for (int i = 0; i < 1000; ++i) keys.push_back("ns/obj-" + std::to_string(i));
  size_t i = 0;
  for (auto _ : state) {
    const std::string& k = keys[i++ % keys.size()];
    q.Add(k);
    auto got = q.Get();
    q.Done(*got);
  }
}
BENCHMARK(BM_WorkQueueAddGetDone);

}  // namespace
