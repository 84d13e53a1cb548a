// pulse::render — everything `pulse-operator render` and the in-cluster operator
// write for Prometheus and Grafana, as pure functions of validated objects (no I/O, no clock).
// Deterministic: the same objects give the same bytes in any input order. docs/rendering.md
// explains the output; the individual renderers are in the headers included below.
//
// Thread-safety: pure functions, safe to call concurrently.
#pragma once

#include <vector>

#include "pulse/render/dashboard_renderer.h"
#include "pulse/render/render_inputs.h"
#include "pulse/render/rules_renderer.h"
#include "pulse/render/scrape_config_renderer.h"

namespace pulse::render {

// Path of the Prometheus config among RenderAll's files.
inline constexpr const char* kPrometheusConfigPath = "prometheus.yml";

// prometheus.yml, rules/*.yaml and dashboards/*.json, sorted by path.
std::vector<RenderedFile> RenderAll(const RenderInputs& inputs);

}  // namespace pulse::render
