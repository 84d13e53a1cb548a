#include "pulse/exporter/exposition.h"

#include <cmath>
#include <cstdio>
#include <unordered_map>

namespace pulse::exporter {

std::string FormatValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buf[40];
  if (value == std::trunc(value) && std::fabs(value) < 1e15) {
    std::snprintf(buf, sizeof buf, "%.0f", value);
  } else {
    std::snprintf(buf, sizeof buf, "%.17g", value);
  }
  return buf;
}

std::string EscapeLabelValue(const std::string& value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string EscapeHelp(const std::string& help) {
  std::string out;
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

RenderedFamilies RenderFamilies(const MetricSet& metrics, const std::string& target) {
  RenderedFamilies out;
  out.reserve(metrics.families().size());
  const std::string target_label =
      target.empty() ? "" : "target=\"" + EscapeLabelValue(target) + "\"";
  for (const auto& f : metrics.families()) {
    RenderedFamily r{f.name, f.help, f.kind, {}};
    r.samples.reserve(f.samples.size() * (f.name.size() + 48));
    for (const auto& s : f.samples) {
      r.samples += f.name;
      if (!target_label.empty() || !s.labels.empty()) {
        r.samples += '{';
        r.samples += target_label;
        bool first = target_label.empty();
        for (const auto& [k, v] : s.labels) {
          if (!first) r.samples += ',';
          first = false;
          r.samples += k;
          r.samples += "=\"";
          r.samples += EscapeLabelValue(v);
          r.samples += '"';
        }
        r.samples += '}';
      }
      r.samples += ' ';
      r.samples += FormatValue(s.value);
      r.samples += '\n';
    }
    out.push_back(std::move(r));
  }
  return out;
}

std::string AssembleExposition(const std::vector<const RenderedFamilies*>& parts) {
  // Group by name, keeping first-seen order.
  std::vector<std::vector<const RenderedFamily*>> groups;
  std::unordered_map<std::string, std::size_t> index;
  std::size_t bytes = 0;
  for (const auto* part : parts) {
    for (const auto& f : *part) {
      auto [it, inserted] = index.try_emplace(f.name, groups.size());
      if (inserted) groups.emplace_back();
      groups[it->second].push_back(&f);
      bytes += f.samples.size() + f.help.size() + 2 * f.name.size() + 32;
    }
  }
  std::string out;
  out.reserve(bytes);
  for (const auto& group : groups) {
    const RenderedFamily& head = *group.front();
    out += "# HELP " + head.name + " " + EscapeHelp(head.help) + "\n";
    out += "# TYPE " + head.name + (head.kind == MetricKind::kCounter ? " counter\n" : " gauge\n");
    for (const auto* f : group) out += f->samples;
  }
  return out;
}

}  // namespace pulse::exporter
