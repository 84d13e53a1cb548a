#include "run_command.h"

#include <prometheus/registry.h>
#include <signal.h>
#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <map>
#include <ostream>
#include <thread>

#include "flag_value.h"
#include "pulse/base/heap.h"
#include "pulse/base/log.h"
#include "pulse/controller/api_monitor_reconciler.h"
#include "pulse/controller/config_reconciler.h"
#include "pulse/controller/controller.h"
#include "pulse/controller/exporter_reconciler.h"
#include "pulse/controller/manager.h"
#include "pulse/controller/remote_write_credentials.h"
#include "pulse/controller/resources.h"
#include "pulse/controller/secret_watches.h"
#include "pulse/controller/status_queue.h"
#include "pulse/kube/config.h"
#include "pulse/kube/event_recorder.h"
#include "pulse/kube/informer.h"
#include "pulse/kube/rest_client.h"
#include "pulse/serve/signal_waiter.h"
#include "remote_write_file.h"
#include "render_command.h"
#include "shard_flag.h"

namespace pulse::cli {
namespace {

struct RunArgs {
  std::string kubeconfig;
  std::vector<std::string> namespaces;  // empty = all
  controller::ManagerOptions manager;
  controller::ConfigReconcilerOptions config;
  controller::ExporterWorkloadOptions workload;
  std::string log_format = "json";
  int workers = 2;
  double kube_api_qps = 20;  // client-side rate limit towards the apiserver (0 = none)
  int kube_api_burst = 40;
  bool help = false;
  bool check_flags = false;
  std::string api_server, ca_file, cert_file, key_file, token_file;
  bool leader_namespace_set = false;
  std::string credentials_dir = "/etc/prometheus/pulse-credentials";
  std::uint32_t shards = 1;  // --shards N
};

std::vector<std::string> SplitComma(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = text.find(',', start);
    std::string part =
        text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!part.empty()) out.push_back(part);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

// Fills *args; returns "" or the usage error.
std::string Parse(const std::vector<std::string>& argv, RunArgs* args) {
  auto value = [&](std::size_t& i, const std::string& flag, std::string* out) {
    return FlagValue(argv, i, flag, out);
  };
  auto& le = args->manager.leader_election;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    const std::string flag = a.substr(0, a.find('='));
    std::string v;
    std::string problem;
    auto duration = [&](std::chrono::milliseconds* out) -> std::string {
      if (!(problem = value(i, flag, &v)).empty()) return problem;
      return ParseFlagDuration(flag, v, /*allow_zero=*/false, out);
    };
    if (a == "-h" || a == "--help") {
      args->help = true;
    } else if (a == "--check-flags") {
      args->check_flags = true;
    } else if (flag == "--kubeconfig") {
      if (!(problem = value(i, flag, &args->kubeconfig)).empty()) return problem;
    } else if (flag == "--namespaces") {
      if (!(problem = value(i, flag, &v)).empty()) return problem;
      args->namespaces = SplitComma(v);
    } else if (flag == "--leader-elect") {
      if (a == flag) {
        le.enabled = true;
      } else {
        v = a.substr(a.find('=') + 1);
        if (v != "true" && v != "false") return "--leader-elect wants true or false";
        le.enabled = v == "true";
      }
    } else if (flag == "--leader-election-namespace") {
      if (!(problem = value(i, flag, &le.namespace_)).empty()) return problem;
      args->leader_namespace_set = true;
    } else if (flag == "--leader-election-id") {
      if (!(problem = value(i, flag, &le.lease_name)).empty()) return problem;
    } else if (flag == "--leader-election-identity") {
      if (!(problem = value(i, flag, &le.identity)).empty()) return problem;
    } else if (flag == "--lease-duration") {
      if (!(problem = duration(&le.lease_duration)).empty()) return problem;
    } else if (flag == "--renew-deadline") {
      if (!(problem = duration(&le.renew_deadline)).empty()) return problem;
    } else if (flag == "--retry-period") {
      if (!(problem = duration(&le.retry_period)).empty()) return problem;
    } else if (flag == "--metrics-address") {
      if (!(problem = value(i, flag, &args->manager.metrics_address)).empty()) return problem;
    } else if (flag == "--health-address") {
      if (!(problem = value(i, flag, &args->manager.health_address)).empty()) return problem;
    } else if (flag == "--output-namespace") {
      if (!(problem = value(i, flag, &args->config.delivery.namespace_)).empty()) return problem;
    } else if (flag == "--config-secret") {
      if (!(problem = value(i, flag, &args->config.delivery.config_secret)).empty()) return problem;
    } else if (flag == "--rules-configmap") {
      if (!(problem = value(i, flag, &args->config.delivery.rules_configmap)).empty()) {
        return problem;
      }
    } else if (flag == "--dashboard-prefix") {
      if (!(problem = value(i, flag, &args->config.delivery.dashboard_prefix)).empty()) {
        return problem;
      }
    } else if (flag == "--credentials-secret") {
      if (!(problem = value(i, flag, &args->config.delivery.credentials_secret)).empty()) {
        return problem;
      }
    } else if (flag == "--credentials-dir") {
      if (!(problem = value(i, flag, &args->credentials_dir)).empty()) return problem;
      if (args->credentials_dir.empty() || args->credentials_dir.front() != '/') {
        return "--credentials-dir must be an absolute path, got \"" + args->credentials_dir + "\"";
      }
    } else if (flag == "--grafana-folder") {
      if (!(problem = value(i, flag, &args->config.delivery.grafana_folder)).empty()) {
        return problem;
      }
    } else if (flag == "--log-format") {
      if (!(problem = value(i, flag, &args->log_format)).empty()) return problem;
      if (args->log_format != "json" && args->log_format != "text") {
        return "--log-format wants json or text, got \"" + args->log_format + "\"";
      }
    } else if (flag == "--alertmanager") {
      if (!(problem = value(i, flag, &v)).empty()) return problem;
      const auto colon = v.rfind(':');
      if (colon == std::string::npos || colon == 0 || colon + 1 == v.size()) {
        return "--alertmanager wants host:port, got \"" + v + "\"";
      }
      args->config.render.alertmanagers.push_back(v);
    } else if (flag == "--alert-defaults") {  // H8: cluster-wide alert settings
      if (!(problem = value(i, flag, &v)).empty()) return problem;
      problem = ReadAlertDefaultsFile(v, &args->config.render.alert_defaults);
      if (!problem.empty()) return problem;
    } else if (flag == "--remote-write-config") {  // issue 13: remote write of every config
      if (!(problem = value(i, flag, &v)).empty()) return problem;
      model::RemoteWrite remote_write;
      if (!(problem = ReadRemoteWriteFile(v, &remote_write)).empty()) return problem;
      args->config.render.remote_write = std::move(remote_write);
    } else if (flag == "--scrape-config-file") {
      if (!(problem = value(i, flag, &v)).empty()) return problem;
      args->config.render.scrape_config_files.push_back(v);
    } else if (flag == "--external-label") {
      if (!(problem = value(i, flag, &v)).empty()) return problem;
      const auto eq = v.find('=');
      if (eq == std::string::npos || eq == 0) {
        return "--external-label wants name=value, got \"" + v + "\"";
      }
      args->config.render.external_labels[v.substr(0, eq)] = v.substr(eq + 1);
    } else if (flag == "--prometheus-api-server") {
      if (!(problem = value(i, flag, &args->api_server)).empty()) return problem;
    } else if (flag == "--prometheus-api-server-ca-file") {
      if (!(problem = value(i, flag, &args->ca_file)).empty()) return problem;
    } else if (flag == "--prometheus-api-server-cert-file") {
      if (!(problem = value(i, flag, &args->cert_file)).empty()) return problem;
    } else if (flag == "--prometheus-api-server-key-file") {
      if (!(problem = value(i, flag, &args->key_file)).empty()) return problem;
    } else if (flag == "--prometheus-api-server-token-file") {
      if (!(problem = value(i, flag, &args->token_file)).empty()) return problem;
    } else if (flag == "--exporter-image") {
      if (!(problem = value(i, flag, &args->workload.default_image)).empty()) return problem;
    } else if (flag == "--workers") {
      if (!(problem = value(i, flag, &v)).empty()) return problem;
      if (!ParseInRange(v, 1, 64, &args->workers)) {
        return "--workers wants a number from 1 to 64, got \"" + v + "\"";
      }
    } else if (flag == "--kube-api-qps") {
      if (!(problem = value(i, flag, &v)).empty()) return problem;
      if (!ParseInRange(v, 0.0, 10000.0, &args->kube_api_qps)) {
        return "--kube-api-qps wants a number from 0 (no limit) to 10000, got \"" + v + "\"";
      }
    } else if (flag == "--shards") {
      if (!(problem = value(i, flag, &v)).empty()) return problem;
      if (!(problem = ParseShardCount(flag, v, &args->shards)).empty()) return problem;
    } else if (flag == "--kube-api-burst") {
      if (!(problem = value(i, flag, &v)).empty()) return problem;
      if (!ParseInRange(v, 1, 100000, &args->kube_api_burst)) {
        return "--kube-api-burst wants a number from 1 to 100000, got \"" + v + "\"";
      }
    } else {
      return "unknown flag \"" + a + "\"";
    }
  }
  if (args->help) return "";
  if (!(le.retry_period < le.renew_deadline && le.renew_deadline < le.lease_duration)) {
    return "leader election wants --retry-period < --renew-deadline < --lease-duration";
  }
  if (!args->leader_namespace_set) le.namespace_ = args->config.delivery.namespace_;
  // One config Secret set per shard (docs/sharding.md); one shard keeps today's name.
  for (std::uint32_t i = 0; args->shards > 1 && i < args->shards; ++i) {
    args->config.shard_config_secrets.push_back(
        ShardConfigSecret(args->config.delivery.config_secret, i));
  }
  // The config names the copies in the credentials Secret, as files under this directory.
  args->config.render.credentials_dir = args->credentials_dir;
  if (!args->api_server.empty()) {
    if (args->api_server.rfind("https://", 0) != 0 && args->api_server.rfind("http://", 0) != 0) {
      return "--prometheus-api-server wants an http(s) URL, got \"" + args->api_server + "\"";
    }
    if (args->cert_file.empty() != args->key_file.empty()) {
      return "--prometheus-api-server-cert-file and -key-file go together";
    }
    args->config.render.api_server = render::ExternalApiServer{
        args->api_server, args->ca_file, args->cert_file, args->key_file, args->token_file};
  } else if (!args->ca_file.empty() || !args->cert_file.empty() || !args->key_file.empty() ||
             !args->token_file.empty()) {
    return "--prometheus-api-server-*-file need --prometheus-api-server";
  }
  return "";
}

kube::Config LoadConfig(const std::string& kubeconfig) {
  if (!kubeconfig.empty()) return kube::LoadKubeconfig(kubeconfig);
  if (std::getenv("KUBERNETES_SERVICE_HOST") != nullptr) return kube::InClusterConfig();
  return kube::LoadDefaultConfig();  // $KUBECONFIG, else ~/.kube/config
}

}  // namespace

std::string RunUsage() {
  return R"(Usage: pulse-operator run [options]

Runs the operator: watches ApiMonitor and Exporter resources, validates each on its own
(an invalid one gets Accepted=False, an InvalidSpec Event and is left out; the others stay in
force), renders one Prometheus config, rule files and Grafana dashboards from the accepted ones
and writes them into --output-namespace only when their content changes; runs pulse-exporter
as a Deployment + Service for each Exporter. docs/operator.md.

Cluster:
  --kubeconfig FILE             kubeconfig to use; default: in-cluster service account when
                                KUBERNETES_SERVICE_HOST is set, else $KUBECONFIG, else
                                ~/.kube/config
  --namespaces NS[,NS...]       watch only these namespaces; default: all namespaces
  --workers N                   reconcile workers per controller (1-64; default 2)
  --kube-api-qps Q              client-side rate limit of API requests (watches excepted), per
                                second; 0 = no limit (default 20), so a relist storm cannot
                                flood the apiserver
  --kube-api-burst N            requests allowed at once above that rate (default 40)

Leader election (one active replica; the others keep warm caches):
  --leader-elect[=true|false]   default true
  --leader-election-namespace NS  namespace of the Lease; default: --output-namespace
  --leader-election-id NAME     name of the Lease (default pulse-operator)
  --leader-election-identity ID this replica's identity (default: host name + pid)
  --lease-duration D            default 15s  (durations: 500ms, 15s, 2m, 1h)
  --renew-deadline D            default 10s  (must be < --lease-duration)
  --retry-period D              default 2s   (must be < --renew-deadline)

Serving:
  --metrics-address HOST:PORT   /metrics (and /healthz, /readyz); default 0.0.0.0:8080
  --health-address HOST:PORT    a separate listener for /healthz and /readyz; default: the
                                metrics listener
  --log-format json|text        log lines as JSON (default) or text

Generated objects (all in --output-namespace):
  --output-namespace NS         where Prometheus and Grafana run (default pulse-system)
  --config-secret NAME          Secret with the gzip prometheus.yml (default
                                pulse-prometheus-config; large configs add NAME-1, NAME-2, ...)
  --shards N                    split the scrape targets over N Prometheus servers (1-64,
                                default 1): one config Secret set per shard, NAME-shard-0 ...
                                NAME-shard-<N-1>, each read by 'config-sync --shard I'; rules
                                and dashboards stay shared (docs/sharding.md)
  --rules-configmap NAME        rule ConfigMaps NAME-0, NAME-1, ... (default pulse-rules)
  --dashboard-prefix PREFIX     dashboard ConfigMaps PREFIX-<dashboard> (default
                                pulse-dashboard), labelled grafana_dashboard: "1"
  --grafana-folder NAME         grafana_folder annotation of the dashboards (default pulse)
  --credentials-secret NAME     Secret with copies of the Secret keys scrape jobs reference
                                (basic auth, bearer token, TLS), keys <ns>_<secret>_<key>
                                (default pulse-scrape-credentials); written only when some
                                accepted object references a Secret key
  --credentials-dir DIR         where Prometheus finds those keys as files, as the config
                                names them (default /etc/prometheus/pulse-credentials; the
                                config sync's --credentials-dir, or the Secret's mount path)
  --exporter-image IMAGE        pulse-exporter image when an Exporter sets none

Rendering:
  --alertmanager HOST:PORT      an Alertmanager target (repeatable)
  --external-label NAME=VALUE   a global external label (repeatable)
  --alert-defaults FILE         cluster-wide alert settings (docs/crds.md "Alerts")
  --remote-write-config FILE    remote write added to every rendered config (URL, headers,
                                queue settings, write relabelings; docs/remote-write.md); the
                                Secret keys it names are copied into --credentials-secret
  --scrape-config-file PATH     listed under scrape_config_files: in prometheus.yml, for scrape
                                jobs pulse does not generate (cAdvisor, node-exporter); a path
                                or glob as Prometheus sees it (repeatable)
  --prometheus-api-server URL   for a Prometheus outside the cluster: the API server URL its
                                Kubernetes discovery uses (with the -ca-file/-cert-file/
                                -key-file flags below for its TLS)
  --prometheus-api-server-ca-file FILE
  --prometheus-api-server-cert-file FILE
  --prometheus-api-server-key-file FILE
  --prometheus-api-server-token-file FILE
                                a ServiceAccount token file Prometheus sends as Bearer to that
                                API server

  --check-flags                 validate the flags and exit 0 (64 on a bad one); contacts
                                nothing (the Helm chart's tests check its arguments with it)
  -h, --help                    this text

Stops cleanly on SIGTERM or SIGINT (in-flight reconciles finish, the Lease is released).
Exit codes: 0 stopped by a signal, 1 start-up failure or lost leadership, 64 bad usage.
)";
}

int RunOperator(const std::vector<std::string>& argv, std::ostream& out, std::ostream& err) {
  RunArgs args;
  if (const std::string problem = Parse(argv, &args); !problem.empty()) {
    err << "pulse-operator run: " << problem << "\nRun 'pulse-operator run --help' for usage.\n";
    return kExitUsage;
  }
  if (args.help) {
    out << RunUsage();
    return 0;
  }
  if (args.check_flags) {
    out << "pulse-operator run: flags OK\n";
    return 0;
  }
  // Before any thread starts: two malloc arenas for a dozen threads (heap.h); an arena per
  // worker keeps each render's freed memory resident (10,000 monitors: 113 against 102 MiB).
  base::LimitHeapArenas(2);
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
    client_options.qps = args.kube_api_qps;
    client_options.burst = args.kube_api_burst;
    kube::Client client(config, client_options);
    kube::EventRecorder recorder(client);
    controller::KubeObjectWriter writer(client, recorder);
    controller::AcceptedObjects accepted(registry.get());

    std::vector<std::string> namespaces = args.namespaces;
    if (namespaces.empty()) namespaces.push_back("");  // all namespaces
    std::map<std::string, std::unique_ptr<kube::Informer>> monitor_informers, exporter_informers;
    kube::InformerOptions informer_options;
    informer_options.transform = controller::DropUnreadFields;  // memory: resources.h
    for (const std::string& ns : namespaces) {
      monitor_informers[ns] =
          std::make_unique<kube::Informer>(client, controller::ApiMonitors(), ns, informer_options);
      exporter_informers[ns] =
          std::make_unique<kube::Informer>(client, controller::Exporters(), ns, informer_options);
    }
    auto lister = [](std::map<std::string, std::unique_ptr<kube::Informer>>& informers) {
      return [&informers](const std::string& key) -> kube::ObjectPtr {
        const std::string ns = key.substr(0, key.find('/'));
        auto it = informers.find(informers.count("") ? std::string() : ns);
        return it == informers.end() ? nullptr : it->second->store().Get(key);
      };
    };

    std::unique_ptr<controller::Controller> config_controller;
    auto config_changed = [&config_controller] {
      config_controller->Enqueue(controller::kConfigKey);
    };
    // Only the Secrets the objects reference, each watched by name (secret_watches.h).
    controller::Controller* by_kind[2] = {nullptr, nullptr};  // ApiMonitor, Exporter
    // The remote write's Secrets are the shared config's own (kRemoteWriteOwner): a change
    // re-renders the config, which copies the new values into the credentials Secret.
    const controller::SecretOwner kRemoteWriteOwner{"RemoteWrite", controller::kConfigKey};
    controller::SecretWatches secret_watches(
        controller::InformerSecretWatchFactory(client),
        [&by_kind, &config_changed, &kRemoteWriteOwner](const controller::SecretOwner& o) {
          if (o == kRemoteWriteOwner) {
            config_changed();
          } else if (auto* c = by_kind[o.kind == "Exporter" ? 1 : 0]) {
            c->Enqueue(o.key);
          }
        });
    controller::ObjectReconcilerDeps monitor_deps{lister(monitor_informers), writer, accepted,
                                                  config_changed, base::DefaultClock()};
    controller::ObjectReconcilerDeps exporter_deps{lister(exporter_informers), writer, accepted,
                                                   config_changed, base::DefaultClock()};
    monitor_deps.secret_watches = exporter_deps.secret_watches = &secret_watches;
    auto requeue = [&by_kind](const controller::ObjectRef& o) {
      if (auto* c = by_kind[o.kind == "Exporter" ? 1 : 0]) c->Enqueue(o.key);
    };
    monitor_deps.requeue = exporter_deps.requeue = requeue;
    monitor_deps.dashboard_prefix = exporter_deps.dashboard_prefix =
        args.config.delivery.dashboard_prefix;
    controller::RuleLayout rule_layout(args.config.delivery);
    monitor_deps.rule_layout = exporter_deps.rule_layout = &rule_layout;
    args.config.rule_layout = &rule_layout;
    args.config.requeue = requeue;
    // Statuses are written after the first delivery, by their own queue (status_queue.h), so
    // that delivery does not wait for one rate-limited PATCH per object.
    controller::StatusQueue statuses(writer, &rule_layout);
    monitor_deps.statuses = exporter_deps.statuses = &statuses;
    args.config.rendered = [&statuses] { statuses.Open(); };
    // One worker: it holds at most one rate-limiter slot, so a config write never queues behind
    // a backlog of statuses. Declared before the per-object controllers, which enqueue into it.
    controller::Controller status_writer({"status", 1, {}}, statuses, *registry);
    statuses.SetEnqueue([&status_writer](const std::string& key) { status_writer.Enqueue(key); });
    controller::ApiMonitorReconciler monitor_reconciler(monitor_deps);
    controller::ExporterReconciler exporter_reconciler(exporter_deps, args.workload);
    controller::Controller monitors({"apimonitor", args.workers, {}}, monitor_reconciler,
                                    *registry);
    controller::Controller exporters({"exporter", args.workers, {}}, exporter_reconciler,
                                     *registry);
    by_kind[0] = &monitors;
    by_kind[1] = &exporters;
    // The watches enqueue into these controllers: stop them first, on every way out.
    struct StopWatches {
      controller::SecretWatches& watches;
      ~StopWatches() { watches.StopAll(); }
    } stop_watches{secret_watches};
    controller::Manager manager(args.manager, client, registry);
    auto ready_to_render = [&] {
      // The first delivery waits for every object to have been judged once, so it is never a
      // config that lacks half of them. Later ones do not wait: a change is delivered while
      // other objects are being reconciled (they enqueue the config again when they change it).
      if (statuses.IsOpen()) return true;
      return manager.CachesSynced() && monitors.Pending() == 0 && exporters.Pending() == 0;
    };
    controller::ConfigReconciler config_rec(args.config, accepted, writer, registry.get(),
                                            ready_to_render);
    // One worker: the shared config is one key anyway.
    config_controller = std::make_unique<controller::Controller>(
        controller::ControllerOptions{"config", 1, {}}, config_rec, *registry);
    for (auto& [ns, informer] : monitor_informers) {
      monitors.Watch(*informer);
      manager.AddInformer(*informer);
    }
    for (auto& [ns, informer] : exporter_informers) {
      exporters.Watch(*informer);
      manager.AddInformer(*informer);
    }
    manager.AddController(monitors);
    manager.AddController(exporters);
    manager.AddController(*config_controller);
    manager.AddController(status_writer);
    if (const auto& rw = args.config.render.remote_write) {
      secret_watches.SetReferences(kRemoteWriteOwner, rw->secret_namespace,
                                   controller::RemoteWriteSecretNames(*rw));
    }
    // Deliver (and sweep stale objects) even when there is no custom resource at all.
    config_controller->Enqueue(controller::kConfigKey);

    std::string watched;
    for (const auto& n : args.namespaces) watched += (watched.empty() ? "" : ",") + n;
    base::LogInfo("starting", {{"api_server", config.server},
                               {"namespaces", watched.empty() ? std::string("*") : watched},
                               {"output_namespace", args.config.delivery.namespace_},
                               {"leader_elect", args.manager.leader_election.enabled}});

    base::Stopper stop;
    controller::RunOutcome outcome = controller::RunOutcome::kStopped;
    std::thread runner([&] {
      try {
        outcome = manager.Run(stop);
      } catch (const std::exception& e) {
        base::LogError("manager failed", {{"error", e.what()}});
        outcome = controller::RunOutcome::kLostLeadership;
      }
      // Wake the signal wait below when the manager ended on its own.
      if (!stop.stopped()) ::kill(::getpid(), SIGTERM);
    });
    const int sig = signals.Wait();
    const bool by_signal = !stop.stopped();
    if (by_signal) base::LogInfo("stopping", {{"signal", serve::SignalWaiter::Name(sig)}});
    stop.Stop();
    // Retry and rate-limit waits end now (ApiError kCancelled), so they cannot hold up the
    // drain; the last writes and the Lease release are still sent, once.
    client.Shutdown();
    runner.join();
    config_controller->Stop();
    secret_watches.StopAll();  // before the controllers it enqueues into go away
    base::LogInfo("stopped", {{"last_config_hash", config_rec.LastConfigHash()}});
    return outcome == controller::RunOutcome::kStopped ? 0 : 1;
  } catch (const std::exception& e) {
    err << "pulse-operator run: " << e.what() << '\n';
    return 1;
  }
}

}  // namespace pulse::cli
