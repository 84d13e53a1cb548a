#include "render_command.h"

#include <charconv>
#include <fstream>
#include <ostream>
#include <sstream>

#include "flag_value.h"
#include "output_dir.h"
#include "pulse/model/alerts.h"
#include "pulse/model/loader.h"
#include "pulse/model/validate.h"
#include "pulse/render/exporter_config_renderer.h"
#include "pulse/render/render.h"
#include "pulse/render/scrape_sharding.h"
#include "remote_write_file.h"
#include "shard_flag.h"

namespace pulse::cli {
namespace {

struct Args {
  std::vector<std::string> paths;
  std::string output;
  bool keep_going = false;
  bool require_secrets = false;
  bool help = false;
  render::RenderOptions options;
  std::string api_server, ca_file, cert_file, key_file, token_file;
  std::string alert_defaults;  // --alert-defaults FILE
  std::uint32_t shards = 1;    // --shards N
  std::string remote_write;    // --remote-write-config FILE
};

bool ValidHostPort(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) return false;
  const std::string host = text.substr(0, colon);
  if (host.find_first_of(" /\t\n") != std::string::npos) return false;
  int port = 0;
  const char* begin = text.data() + colon + 1;
  const char* end = text.data() + text.size();
  const auto res = std::from_chars(begin, end, port);
  return res.ec == std::errc() && res.ptr == end && port >= 1 && port <= 65535;
}

// Fills *args; returns "" or the usage error.
std::string Parse(const std::vector<std::string>& argv, Args* args) {
  auto value = [&](std::size_t& i, const std::string& flag, std::string* out) {
    return FlagValue(argv, i, flag, out);
  };
  for (std::size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    const std::string flag = a.substr(0, a.find('='));
    std::string v;
    std::string problem;
    if (a == "-h" || a == "--help") {
      args->help = true;
    } else if (a == "--keep-going") {
      args->keep_going = true;
    } else if (a == "--require-secrets") {
      args->require_secrets = true;
    } else if (a == "--exporter-static-targets") {
      args->options.exporter_static_targets = true;
    } else if (flag == "-f" || flag == "--filename") {
      if (!(problem = value(i, flag, &v)).empty()) return problem;
      args->paths.push_back(v);
      // "-f a.yaml b.yaml dir/": the following non-flag words are paths too.
      while (i + 1 < argv.size() && !argv[i + 1].empty() && argv[i + 1][0] != '-') {
        args->paths.push_back(argv[++i]);
      }
    } else if (flag == "-o" || flag == "--output") {
      if (!(problem = value(i, flag, &args->output)).empty()) return problem;
    } else if (flag == "--prometheus-external-api-server") {
      if (!(problem = value(i, flag, &args->api_server)).empty()) return problem;
    } else if (flag == "--ca-file") {
      if (!(problem = value(i, flag, &args->ca_file)).empty()) return problem;
    } else if (flag == "--cert-file") {
      if (!(problem = value(i, flag, &args->cert_file)).empty()) return problem;
    } else if (flag == "--key-file") {
      if (!(problem = value(i, flag, &args->key_file)).empty()) return problem;
    } else if (flag == "--token-file") {
      if (!(problem = value(i, flag, &args->token_file)).empty()) return problem;
    } else if (flag == "--alertmanager") {
      if (!(problem = value(i, flag, &v)).empty()) return problem;
      if (!ValidHostPort(v)) return "--alertmanager wants host:port, got \"" + v + "\"";
      args->options.alertmanagers.push_back(v);
    } else if (flag == "--shards") {
      if (!(problem = value(i, flag, &v)).empty()) return problem;
      if (!(problem = ParseShardCount(flag, v, &args->shards)).empty()) return problem;
    } else if (flag == "--alert-defaults") {
      if (!(problem = value(i, flag, &args->alert_defaults)).empty()) return problem;
    } else if (flag == "--remote-write-config") {
      if (!(problem = value(i, flag, &args->remote_write)).empty()) return problem;
    } else if (flag == "--secrets-dir") {
      if (!(problem = value(i, flag, &args->options.secrets_dir)).empty()) return problem;
      if (args->options.secrets_dir.front() != '/') return "--secrets-dir must be an absolute path";
    } else {
      return "unknown argument \"" + a + "\"";
    }
  }
  if (args->help) return "";
  if (args->paths.empty()) return "no input: give -f PATH (files or directories)";
  if (args->output.empty()) return "no output directory: give -o OUTDIR";
  if (!args->api_server.empty()) {
    if (args->api_server.rfind("https://", 0) != 0 && args->api_server.rfind("http://", 0) != 0) {
      return "--prometheus-external-api-server wants an http(s) URL, got \"" + args->api_server +
             "\"";
    }
    if (args->cert_file.empty() != args->key_file.empty()) {
      return "--cert-file and --key-file go together";
    }
    args->options.api_server = render::ExternalApiServer{
        args->api_server, args->ca_file, args->cert_file, args->key_file, args->token_file};
  } else if (!args->ca_file.empty() || !args->cert_file.empty() || !args->key_file.empty() ||
             !args->token_file.empty()) {
    return "--ca-file/--cert-file/--key-file/--token-file need --prometheus-external-api-server";
  }
  return "";
}

std::string FormatError(const model::Error& e) {
  std::string line = e.ToString();
  if (!e.value.empty() && e.detail.find(e.value) == std::string::npos) {
    std::string value = e.value.size() > 200 ? e.value.substr(0, 200) + "..." : e.value;
    line += " (value: \"" + value + "\")";
  }
  return line;
}

}  // namespace

std::string ReadAlertDefaultsFile(const std::string& path, model::AlertDefaults* out,
                                  std::string* note) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  if (in) text << in.rdbuf();
  if (!in || in.bad()) return path + ": cannot read the alert defaults file";
  model::AlertDefaultsResult parsed = model::ParseAlertDefaults(text.str(), path);
  if (!parsed.errors.empty()) {
    std::string problem;
    for (const auto& e : parsed.errors) problem += (problem.empty() ? "" : "\n") + e.ToString();
    return problem;
  }
  std::string applied;
  for (const auto& [scope, overrides] : {std::pair{"apiMonitor", &parsed.defaults.api_monitor},
                                         std::pair{"exporter", &parsed.defaults.exporter}}) {
    for (const auto& entry : *overrides) {
      applied += (applied.empty() ? "" : ", ") + std::string(scope) + "." + entry.first;
    }
  }
  if (note != nullptr) {
    *note = path + ": alert defaults applied to " +
            (applied.empty() ? std::string("nothing (no blocks)") : applied);
  }
  *out = std::move(parsed.defaults);
  return "";
}

std::string RenderUsage() {
  return R"(Usage: pulse-operator render -f PATH... -o OUTDIR [options]

Reads ApiMonitor and Exporter resources (YAML, multi-document; JSON; directories are searched
recursively for *.yaml, *.yml, *.json), validates them and writes:
  OUTDIR/prometheus.yml        scrape jobs, rule_files, alerting
  OUTDIR/rules/*.yaml          recording rules and alerts, one file per object
  OUTDIR/dashboards/*.json     Grafana dashboards, one per object, plus overview.json
  OUTDIR/exporters/NS/NAME.yaml  pulse-exporter config of each Exporter (credentials from
                               PULSE_* environment variables, TLS files under
                               /etc/pulse-exporter/tls; docs/exporter.md)
OUTDIR is replaced as a whole (written beside it, then renamed), so it is never half-written.
An existing OUTDIR must be empty or hold only a previous render's output.

Options:
  -f, --filename PATH...        input files or directories (repeatable)
  -o, --output OUTDIR           output directory
  --keep-going                  render the valid objects even if some are invalid (exit 2),
                                as the in-cluster operator does; default: any error fails
                                (exit 1) and nothing is written
  --require-secrets             every referenced Secret must be among the inputs
  --secrets-dir DIR             where Prometheus finds Secret keys as files
                                (default /etc/prometheus/secrets; <DIR>/<ns>/<secret>/<key>)
  --alertmanager HOST:PORT      Alertmanager to send alerts to (repeatable)
  --prometheus-external-api-server URL
                                for a Prometheus outside the cluster: Kubernetes API URL
                                written into every kubernetes_sd_config, with
  --ca-file FILE --cert-file FILE --key-file FILE
                                TLS files Prometheus uses to reach that API server
  --token-file FILE             a token file Prometheus sends as Bearer to that API server
  --exporter-static-targets     scrape each Exporter at pulse-exporter-<name>:9187 (static_configs)
                                instead of discovering its Service: for a Prometheus without
                                Kubernetes, where each exporter runs under that hostname
                                (deploy/docker-compose.yml)
  --shards N                    split the scrape targets over N Prometheus servers (1-64,
                                default 1): writes prometheus-shard-0.yml ... instead of
                                prometheus.yml, each keeping the targets whose hashmod of
                                __address__ is its number, with external label
                                prometheus_shard; no rule_files there (docs/sharding.md)
  --alert-defaults FILE         cluster-wide alert settings (YAML: apiMonitor: / exporter:
                                blocks shaped like spec.alerts; docs/crds.md "Alerts")
  --remote-write-config FILE    remote write (URL, auth from Secret keys as files under
                                --secrets-dir, queue settings) added to prometheus.yml
                                (docs/remote-write.md)
  -h, --help                    this text

Errors go to stderr, one per line: file: Kind namespace/name: field.path: problem.
Notes (documents skipped on purpose, alert defaults applied) go to stderr as "note: ...".
Exit status: 0 ok, 1 invalid input or write failure (OUTDIR untouched), 2 rendered with
--keep-going but some objects were rejected, 64 bad command line.
)";
}

int RunRender(const std::vector<std::string>& argv, std::ostream& out, std::ostream& err) {
  Args args;
  const std::string problem = Parse(argv, &args);
  if (!problem.empty()) {
    err << "pulse-operator render: " << problem << "\n(see pulse-operator render --help)\n";
    return kExitUsage;
  }
  if (args.help) {
    out << RenderUsage();
    return kExitOk;
  }

  if (!args.alert_defaults.empty()) {
    std::string note;
    const std::string problem_text =
        ReadAlertDefaultsFile(args.alert_defaults, &args.options.alert_defaults, &note);
    if (!problem_text.empty()) {
      err << problem_text << "\nnothing written to " << args.output << '\n';
      return kExitInvalid;
    }
    err << "note: " << note << '\n';
  }

  if (!args.remote_write.empty()) {
    model::RemoteWrite remote_write;
    std::string note;
    const std::string problem_text = ReadRemoteWriteFile(args.remote_write, &remote_write, &note);
    if (!problem_text.empty()) {
      err << problem_text << "\nnothing written to " << args.output << '\n';
      return kExitInvalid;
    }
    args.options.remote_write = std::move(remote_write);
    err << "note: " << note << '\n';
  }

  const model::ParseResult parsed = model::LoadPaths(args.paths);
  model::ValidateOptions validate_options;
  validate_options.require_secrets = args.require_secrets;
  const model::CheckedObjects checked = model::ValidateParsed(parsed, validate_options);
  // What the parser skipped on purpose (other kinds, empty documents, empty files): silent
  // skipping hides a misplaced resource, so it is said, without failing the render.
  for (const auto& note : checked.notes) err << "note: " << note << '\n';
  for (const auto& e : checked.errors) err << FormatError(e) << '\n';
  if (!checked.errors.empty()) {
    err << checked.errors.size() << (checked.errors.size() == 1 ? " error" : " errors") << '\n';
    if (!args.keep_going) {
      err << "nothing written to " << args.output << '\n';
      return kExitInvalid;
    }
  }

  const render::RenderInputs inputs{checked.valid.api_monitors, checked.valid.exporters,
                                    args.options};
  std::vector<render::RenderedFile> files = render::RenderAll(inputs);
  if (args.shards > 1) {
    // One config per shard instead of prometheus.yml; rules and dashboards are shared
    // (docs/sharding.md).
    std::erase_if(files, [](const render::RenderedFile& f) {
      return f.path == render::kPrometheusConfigPath;
    });
    for (auto& f : render::RenderShardedPrometheusConfigs(inputs, args.shards)) {
      files.push_back(std::move(f));
    }
  }
  // The exporter configs the operator would put into each Exporter's Deployment, so GitOps/CI
  // can check them with `pulse-exporter --check` too.
  for (auto& f : render::RenderExporterConfigs(checked.valid.exporters)) {
    files.push_back(std::move(f));
  }
  std::string write_error;
  if (!ReplaceDirectory(args.output, files, &write_error)) {
    err << "pulse-operator render: " << write_error << '\n';
    return kExitInvalid;
  }
  std::size_t rules = 0, dashboards = 0, exporter_configs = 0;
  for (const auto& f : files) {
    if (f.path.rfind("rules/", 0) == 0) ++rules;
    if (f.path.rfind("dashboards/", 0) == 0) ++dashboards;
    if (f.path.rfind("exporters/", 0) == 0) ++exporter_configs;
  }
  out << "rendered " << checked.valid.api_monitors.size() << " ApiMonitor(s) and "
      << checked.valid.exporters.size() << " Exporter(s) into " << args.output << ": "
      << (args.shards > 1 ? std::to_string(args.shards) + " shard config(s)" : "prometheus.yml")
      << ", " << rules << " rule file(s), " << dashboards << " dashboard(s), " << exporter_configs
      << " exporter config(s)\n";
  return checked.errors.empty() ? kExitOk : kExitPartial;
}

}  // namespace pulse::cli
