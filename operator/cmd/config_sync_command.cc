#include "config_sync_command.h"

#include <prometheus/registry.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <map>
#include <memory>
#include <ostream>
#include <thread>

#include "flag_value.h"
#include "pulse/base/log.h"
#include "pulse/controller/config_sync.h"
#include "pulse/controller/delivery.h"
#include "pulse/controller/prometheus_reloader.h"
#include "pulse/http/client.h"
#include "pulse/kube/config.h"
#include "pulse/kube/informer.h"
#include "pulse/kube/rest_client.h"
#include "pulse/serve/metrics_server.h"
#include "pulse/serve/signal_waiter.h"
#include "render_command.h"
#include "shard_flag.h"

namespace pulse::cli {
namespace {

const std::string kDefaultRulesSelector = std::string(controller::kManagedByLabel) + "=" +
                                          controller::kManagedByValue + "," +
                                          controller::kComponentLabel + "=rules";

struct SyncArgs {
  std::string kubeconfig;
  std::string namespace_ = "pulse-system";
  std::string config_secret = "pulse-prometheus-config";
  std::string rules_selector = kDefaultRulesSelector;
  std::string config_dir;
  std::string rules_dir;  // default: <config-dir>/rules
  std::string credentials_secret = "pulse-scrape-credentials";
  std::string credentials_dir = "/etc/prometheus/pulse-credentials";
  std::string prometheus_url = "http://127.0.0.1:9090";
  std::string metrics_address = "0.0.0.0:8081";
  std::string log_format = "json";
  std::chrono::milliseconds min_reload_interval{1000};
  std::chrono::milliseconds settle{200};
  bool help = false;
  bool check_flags = false;
  bool sharded = false;  // --shard I given
  std::uint32_t shard = 0;
};

// Fills *args; returns "" or the usage error.
std::string Parse(const std::vector<std::string>& argv, SyncArgs* args) {
  auto value = [&](std::size_t& i, const std::string& flag, std::string* out) {
    return FlagValue(argv, i, flag, out);
  };
  const std::map<std::string, std::string*> strings = {
      {"--kubeconfig", &args->kubeconfig},
      {"--namespace", &args->namespace_},
      {"--config-secret", &args->config_secret},
      {"--rules-selector", &args->rules_selector},
      {"--config-dir", &args->config_dir},
      {"--rules-dir", &args->rules_dir},
      {"--prometheus-url", &args->prometheus_url},
      {"--metrics-address", &args->metrics_address},
      {"--log-format", &args->log_format},
      {"--credentials-secret", &args->credentials_secret},
      {"--credentials-dir", &args->credentials_dir}};
  for (std::size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    const std::string flag = a.substr(0, a.find('='));
    std::string problem;
    if (a == "-h" || a == "--help") {
      args->help = true;
    } else if (a == "--check-flags") {
      args->check_flags = true;
    } else if (auto it = strings.find(flag); it != strings.end()) {
      if (!(problem = value(i, flag, it->second)).empty()) return problem;
    } else if (flag == "--shard") {
      std::string v;
      if (!(problem = value(i, flag, &v)).empty()) return problem;
      if (!(problem = ParseShardIndex(flag, v, &args->shard)).empty()) return problem;
      args->sharded = true;
    } else if (flag == "--min-reload-interval" || flag == "--settle") {
      std::string v;
      if (!(problem = value(i, flag, &v)).empty()) return problem;
      problem = ParseFlagDuration(flag, v, /*allow_zero=*/true,
                                  flag == "--settle" ? &args->settle : &args->min_reload_interval);
      if (!problem.empty()) return problem;
    } else {
      return "unknown flag \"" + a + "\"";
    }
  }
  if (args->help) return "";
  if (args->log_format != "json" && args->log_format != "text") {
    return "--log-format wants json or text, got \"" + args->log_format + "\"";
  }
  if (args->config_dir.empty()) return "--config-dir is required";
  // Only this shard's config (docs/sharding.md); the rule ConfigMaps are the same for all.
  if (args->sharded) args->config_secret = ShardConfigSecret(args->config_secret, args->shard);
  while (args->config_dir.size() > 1 && args->config_dir.back() == '/') args->config_dir.pop_back();
  if (args->rules_dir.empty()) args->rules_dir = args->config_dir + "/rules";
  while (args->rules_dir.size() > 1 && args->rules_dir.back() == '/') args->rules_dir.pop_back();
  // Stale rule files are removed from --rules-dir, so it must be the sync's own directory.
  if (args->rules_dir == args->config_dir) return "--rules-dir must differ from --config-dir";
  while (args->credentials_dir.size() > 1 && args->credentials_dir.back() == '/') {
    args->credentials_dir.pop_back();
  }
  // Stale credential files are removed too: the directory must be neither of the others.
  if (args->credentials_dir == args->config_dir || args->credentials_dir == args->rules_dir) {
    return "--credentials-dir must differ from --config-dir and --rules-dir";
  }
  if (args->prometheus_url.rfind("http://", 0) != 0 &&
      args->prometheus_url.rfind("https://", 0) != 0) {
    return "--prometheus-url wants an http(s) URL, got \"" + args->prometheus_url + "\"";
  }
  while (args->prometheus_url.back() == '/') args->prometheus_url.pop_back();
  return "";
}

kube::Config LoadConfig(const std::string& kubeconfig) {
  if (!kubeconfig.empty()) return kube::LoadKubeconfig(kubeconfig);
  if (std::getenv("KUBERNETES_SERVICE_HOST") != nullptr) return kube::InClusterConfig();
  return kube::LoadDefaultConfig();  // $KUBECONFIG, else ~/.kube/config
}

// The head Secret and its parts <name>-<digits>; other Secrets with the same labels (another
// operator's output under another --config-secret) are not ours.
bool IsConfigPart(const std::string& secret, const std::string& name) {
  if (name == secret) return true;
  if (name.size() <= secret.size() + 1 || name.rfind(secret + "-", 0) != 0) return false;
  for (std::size_t i = secret.size() + 1; i < name.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(name[i]))) return false;
  }
  return true;
}

}  // namespace

std::string ConfigSyncUsage() {
  return R"(Usage: pulse-operator config-sync --config-dir DIR [options]

Runs beside Prometheus: watches the config Secret(s) and the rule ConfigMaps that
'pulse-operator run' delivers, through the API (no kubelet volume refresh delay), writes
prometheus.yml, the rule files and the scrape credentials atomically (temp file, fsync, rename) only when their bytes
change, removes rule files that are gone, POSTs Prometheus' /-/reload and confirms the reload
from Prometheus' own /api/v1/status/runtimeinfo (its /metrics when it has none). A lone
delivery waits for the rule ConfigMaps its config Secret names. A config Prometheus rejects is
reported (log, metrics) and not
retried; Prometheus keeps the previous one. Bursts of changes coalesce; never two reloads at
once. docs/config-delivery.md.

Cluster:
  --kubeconfig FILE          kubeconfig to use; default: in-cluster service account when
                             KUBERNETES_SERVICE_HOST is set, else $KUBECONFIG, else ~/.kube/config
  --namespace NS             where the operator delivers (its --output-namespace; default
                             pulse-system). Only this namespace is watched.
  --config-secret NAME       head Secret of the gzip prometheus.yml (default
                             pulse-prometheus-config; parts NAME-1, NAME-2, ...)
  --shard I                  this Prometheus is shard I of 'run --shards N' (0 to N-1): load
                             only that shard's config, Secret NAME-shard-I (docs/sharding.md);
                             default: not sharded, Secret NAME
  --rules-selector SELECTOR  label selector of the rule ConfigMaps (default
                             app.kubernetes.io/managed-by=pulse-operator,
                             app.kubernetes.io/component=rules)

Files:
  --config-dir DIR           where prometheus.yml is written (required; Prometheus'
                             --config.file should be DIR/prometheus.yml)
  --rules-dir DIR            where rule files are written (default DIR/rules); files in it that
                             no longer exist in the ConfigMaps are removed, so give the sync a
                             directory of its own (must differ from --config-dir)

  --credentials-secret NAME  the operator's scrape credentials Secret (default
                             pulse-scrape-credentials); each key becomes a file
  --credentials-dir DIR      where those files go, mode 0600 (default
                             /etc/prometheus/pulse-credentials: the operator's
                             --credentials-dir, which the config names); files no longer in
                             the Secret are removed, so give it a directory of its own

Prometheus:
  --prometheus-url URL       base URL of Prometheus (default http://127.0.0.1:9090); it must run
                             with --web.enable-lifecycle
  --min-reload-interval D    at least this long between two reloads (default 1s; 0s disables);
                             changes within it are loaded by one reload
  --settle D                 after a change, wait until none came for D before syncing, but
                             no longer than max(2s, 2 x --min-reload-interval) after the first
                             one (default 200ms; 0s syncs at once): a burst is one pass over its
                             final state. A lone delivery (the config Secret's head changes with
                             no other head change for max(1s, --min-reload-interval)) is synced
                             at once: the operator writes the head last

Serving:
  --metrics-address HOST:PORT  /metrics, /healthz, /readyz (default 0.0.0.0:8081); /readyz is
                             200 once both watches have listed
  --log-format json|text     log lines as JSON (default) or text

  --check-flags              validate the flags and exit 0 (64 on a bad one); contacts nothing
  -h, --help                 this text

Metrics: pulse_config_sync_reloads_total{result}, pulse_config_sync_last_loaded_hash_info{hash},
pulse_config_sync_last_reload_success_timestamp_seconds, pulse_config_sync_errors_total{stage}.
Exit codes: 0 stopped by SIGTERM/SIGINT, 1 start-up failure, 64 bad usage.
)";
}

int RunConfigSync(const std::vector<std::string>& argv, std::ostream& out, std::ostream& err) {
  SyncArgs args;
  if (const std::string problem = Parse(argv, &args); !problem.empty()) {
    err << "pulse-operator config-sync: " << problem
        << "\nRun 'pulse-operator config-sync --help' for usage.\n";
    return kExitUsage;
  }
  if (args.help) {
    out << ConfigSyncUsage();
    return 0;
  }
  if (args.check_flags) {
    out << "pulse-operator config-sync: flags OK\n";
    return 0;
  }
  // Before any thread starts, so that every thread inherits the blocked SIGTERM/SIGINT.
  serve::SignalWaiter signals;
  base::LogFormat format = base::LogFormat::kJson;
  base::ParseLogFormat(args.log_format, &format);
  base::SetLogFormat(format);

  try {
    const kube::Config config = LoadConfig(args.kubeconfig);
    auto registry = std::make_shared<prometheus::Registry>();
    kube::ClientOptions client_options;
    client_options.registry = registry;
    kube::Client client(config, client_options);

    http::ClientOptions http_options;
    http_options.user_agent = "pulse-config-sync";
    auto http = http::MakeClient(http_options);
    if (!http.ok()) throw std::runtime_error(http.status().ToString());
    controller::PrometheusReloaderOptions reload_options;
    reload_options.url = args.prometheus_url;
    controller::PrometheusReloader reloader(**http, reload_options);

    // Only the delivered objects of one namespace, selected by label: the sync never watches
    // Secrets cluster-wide, and its Role grants nothing more.
    kube::InformerOptions secret_options;
    secret_options.label_selector = std::string(controller::kManagedByLabel) + "=" +
                                    controller::kManagedByValue + "," +
                                    controller::kComponentLabel + " in (prometheus-config," +
                                    controller::kCredentialsComponent + ")";
    kube::Informer secrets(client, kube::Secrets(), args.namespace_, secret_options);
    kube::InformerOptions rule_options;
    rule_options.label_selector = args.rules_selector;
    kube::Informer rules(client, kube::ConfigMaps(), args.namespace_, rule_options);

    controller::ConfigSyncOptions sync_options;
    sync_options.config_dir = args.config_dir;
    sync_options.rules_dir = args.rules_dir;
    sync_options.credentials_dir = args.credentials_dir;
    sync_options.delivery.namespace_ = args.namespace_;
    sync_options.delivery.config_secret = args.config_secret;
    sync_options.min_reload_interval = args.min_reload_interval;
    sync_options.settle = args.settle;
    // A burst's first delivery is synced at once, the rest within max_settle: 2 s keeps a burst
    // of up to ~1.8 s to two reloads.
    sync_options.max_settle =
        std::max(2 * args.min_reload_interval, std::chrono::milliseconds(2000));
    sync_options.lone_delivery_quiet =
        std::max(args.min_reload_interval, std::chrono::milliseconds(1000));
    auto source = [&]() {
      controller::ConfigSyncSnapshot snap;
      for (const kube::ObjectPtr& s : secrets.store().List()) {
        const std::string name = (*s)["metadata"].value("name", "");
        if (IsConfigPart(args.config_secret, name)) {
          snap.config_secrets.push_back(*s);
        } else if (name == args.credentials_secret) {
          snap.credential_files = controller::CredentialFiles(*s);
        }
      }
      // The operator's rule ConfigMaps as the head names them (delivery.h RulesDigest); others
      // the selector may match do not count.
      std::map<std::string, std::string> rule_hashes;
      for (const kube::ObjectPtr& cm : rules.store().List()) {  // sorted: stable winner
        if (const auto hash = controller::DeliveredRuleHash(*cm)) {
          rule_hashes[(*cm)["metadata"].value("name", "")] = *hash;
        }
        if (!cm->contains("data") || !(*cm)["data"].is_object()) continue;
        for (const auto& [key, value] : (*cm)["data"].items()) {
          if (value.is_string()) snap.rule_files.emplace(key, value.get<std::string>());
        }
      }
      const std::string declared =
          controller::DeclaredRulesDigest(snap.config_secrets, sync_options.delivery);
      snap.rules_behind = !declared.empty() && declared != controller::RulesDigest(rule_hashes);
      return snap;
    };
    controller::ConfigSync sync(sync_options, source, reloader, base::DefaultClock(),
                                registry.get());
    kube::EventHandler notify{
        [&](const kube::ObjectPtr&) { sync.Notify(); },
        [&](const kube::ObjectPtr&, const kube::ObjectPtr&) { sync.Notify(); },
        [&](const kube::ObjectPtr&) { sync.Notify(); }};
    // The head config Secret is written last, after every part, rule ConfigMap and credential
    // it goes with: its change completes a delivery (config_sync.h NotifyDelivered).
    const std::string head = sync_options.delivery.config_secret;
    auto secret_changed = [&sync, head](const kube::ObjectPtr& o) {
      if (o && (*o)["metadata"].value("name", "") == head) {
        sync.NotifyDelivered();
      } else {
        sync.Notify();
      }
    };
    kube::EventHandler notify_secret{
        secret_changed,
        [secret_changed](const kube::ObjectPtr&, const kube::ObjectPtr& now) {
          secret_changed(now);
        },
        [&sync](const kube::ObjectPtr&) { sync.Notify(); }};
    secrets.AddEventHandler(notify_secret);
    rules.AddEventHandler(notify);

    serve::MetricsServerOptions server_options;
    server_options.listen = args.metrics_address;
    server_options.readiness_check = [&] { return secrets.HasSynced() && rules.HasSynced(); };
    serve::MetricsServer server(server_options);
    server.Register(registry);
    server.SetReady(true);

    base::LogInfo("starting", {{"api_server", config.server},
                               {"namespace", args.namespace_},
                               {"config_secret", args.config_secret},
                               {"config_dir", args.config_dir},
                               {"rules_dir", args.rules_dir},
                               {"prometheus_url", args.prometheus_url}});
    secrets.Start();
    rules.Start();
    std::atomic<bool> stopping{false};
    std::thread runner([&] {
      // The first sync waits for both lists: with the Secret listed but not the rules, it would
      // remove every rule file.
      while (!stopping.load() && !(secrets.WaitForSync(std::chrono::milliseconds(200)) &&
                                   rules.WaitForSync(std::chrono::milliseconds(200)))) {
      }
      sync.Run();  // returns at once when Stop() came first
    });
    const int sig = signals.Wait();
    base::LogInfo("stopping", {{"signal", serve::SignalWaiter::Name(sig)}});
    stopping = true;
    // Waits of API retries and the rate limit end at once, so the stop is not held up by a
    // Retry-After; requests after this are still sent once.
    client.Shutdown();
    sync.Stop();
    runner.join();
    secrets.Stop();
    rules.Stop();
    base::LogInfo("stopped", {{"last_loaded_hash", sync.LoadedHash()}});
    return 0;
  } catch (const std::exception& e) {
    err << "pulse-operator config-sync: " << e.what() << '\n';
    return 1;
  }
}

}  // namespace pulse::cli
