#!/usr/bin/env bash
# Builds the Go-module test tools (kube-apiserver, etcd, kube-controller-manager, helm,
# versitygw) and caches each binary by version under $PULSE_TOOLS_CACHE, outside the repo.
# Safe to run again: a cached binary whose stamp matches is reused in well under a second.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib/tools-env.sh
source "$here/scripts/lib/tools-env.sh"

export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-buildvcs=false
mkdir -p "$PULSE_TOOLS_BIN"

log() { printf '[build-tools %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

# cached NAME STAMP: true when $PULSE_TOOLS_BIN/NAME exists and was built from STAMP.
cached() { [[ -x "$PULSE_TOOLS_BIN/$1" && "$(cat "$PULSE_TOOLS_BIN/.$1.stamp" 2>/dev/null)" == "$2" ]]; }
stamp() { printf '%s' "$2" >"$PULSE_TOOLS_BIN/.$1.stamp"; }

# with_progress WHAT TOTAL CMD...: runs a `go build -v`/`go install -v` command (which names each
# package as it compiles it) and every 20 s says how far it is: packages compiled of TOTAL and
# the one being compiled, so a multi-minute cold build is visibly alive.
with_progress() {
  local what="$1" total="$2"; shift 2
  local start=$SECONDS plog; plog="$(mktemp)"
  "$@" 2>"$plog" &
  local pid=$! last=$SECONDS
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    if (( SECONDS - last >= 20 )); then
      last=$SECONDS
      local done_n cur; done_n="$(grep -vc '^go: ' "$plog" || true)"; cur="$(grep -v '^go: ' "$plog" | tail -n1)"
      log "$what: ${done_n}${total:+ of ~$total} packages compiled after $((SECONDS - start)) s, now ${cur:-linking}"
    fi
  done
  if ! wait "$pid"; then grep -v '^[a-zA-Z0-9_./-]*$' "$plog" >&2 || cat "$plog" >&2; rm -f "$plog"; return 1; fi
  rm -f "$plog"
}

minor="${KUBE_VERSION#v1.}"; minor="${minor%%.*}"
# The stamp hashes the module files' contents only (not their path), so a clone in any folder
# — every CI run uses a new one — reuses the cached binaries.
kube_stamp="kubernetes=$KUBE_VERSION;$(cat "$here/tools/kube/go.mod" "$here/tools/kube/go.sum" | sha256sum | cut -c1-16)"
need_kube=0
for b in kube-apiserver kube-controller-manager etcd; do cached "$b" "$kube_stamp" || need_kube=1; done
if (( need_kube )); then
  log "building kube-apiserver, kube-controller-manager, etcd (Kubernetes $KUBE_VERSION) into $PULSE_TOOLS_BIN"
  ldflags="-s -w"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $pkg.gitVersion=$KUBE_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
    ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
  done
  log "a cold build takes about 5 minutes on 2 cores (measured); progress every 20 s"
  (cd "$here/tools/kube" && go mod download && total="$(go list -deps ./cmd/... | wc -l)" &&
    with_progress "kubernetes" "$total" go build -v -trimpath -ldflags "$ldflags" -o "$PULSE_TOOLS_BIN/" \
      ./cmd/kube-apiserver ./cmd/kube-controller-manager ./cmd/etcd)
  for b in kube-apiserver kube-controller-manager etcd; do stamp "$b" "$kube_stamp"; done
  log "kubernetes binaries done"
else
  log "kube-apiserver, kube-controller-manager, etcd $KUBE_VERSION: cached"
fi

go_install() { # NAME MODULE@VERSION [LDFLAGS]
  local name="$1" mod="$2" ldflags="-s -w ${3:-}"
  if cached "$name" "$mod;$ldflags"; then log "$name: cached ($mod)"; return; fi
  log "building $name from $mod"
  GOBIN="$PULSE_TOOLS_BIN" with_progress "$name" "" go install -v -trimpath -ldflags "$ldflags" "$mod"
  stamp "$name" "$mod;$ldflags"
  log "$name done"
}
# helm's own Makefile stamps its version and the Kubernetes version it assumes without a
# cluster (helm template); go install does not, so do it here.
helm_ldflags="-X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
for pkg in helm.sh/helm/v3/pkg/lint/rules helm.sh/helm/v3/pkg/chartutil; do
  helm_ldflags+=" -X $pkg.k8sVersionMajor=1 -X $pkg.k8sVersionMinor=${minor:-36}"
done
go_install helm "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" "$helm_ldflags"
go_install versitygw "github.com/versity/versitygw/cmd/versitygw@$VERSITYGW_VERSION"
# Debian's prometheus and promtool are built without Kubernetes service discovery, which the
# operator's rendered prometheus.yml uses (kubernetes_sd_configs); tests check it with these.
# Module v0.3XX.Y is Prometheus 3.XX.Y; stamp it so `--version` and build_info say so.
prom_version="${PROMETHEUS_MODULE_VERSION#v0.}"; prom_version="3.$((10#${prom_version%%.*} - 300)).${prom_version#*.}"
prom_ldflags="-X github.com/prometheus/common/version.Version=$prom_version"
go_install promtool "github.com/prometheus/prometheus/cmd/promtool@$PROMETHEUS_MODULE_VERSION" "$prom_ldflags"
# Prometheus with its web UI. `go install` cannot give it one: the UI's compiled assets are not in
# the module, so such a binary answers its UI with 500 "Error opening React index.html". This
# does what Prometheus' Makefile does for `make assets-compress build` with BUILD_UI=mantine (the
# UI it serves; the old React UI behind --enable-feature=old-ui is not built): in a writable copy
# of the module source, pnpm installs web/ui from its lockfile (packages from the npm registry),
# `pnpm run build:mantine-ui` builds it, scripts/compress_assets.sh gzips it into embed.go, and
# `go build -tags builtinassets` embeds it. Same Go dependencies and flags as `go install`.
# Node.js: vite 8 needs >= 20.19; Prometheus' web/ui/.nvmrc asks 24 but only warns below it.
# npm packages the pinned lockfile names but the npm registry no longer serves, each replaced by
# the nearest published release ("locked@version=replacement"); applied only when the lockfile
# names the locked version. @mantine/code-highlight stops at 9.6.2 there (core 9.7.2 is fine).
prom_ui_replacements=("@mantine/code-highlight@9.7.2=9.6.2")
# with_heartbeat WHAT CMD...: runs CMD with its output in a log and every 20 s says it is still
# running and what it printed last (for the UI build, whose output is not one line per package).
with_heartbeat() {
  local what="$1"; shift
  local start=$SECONDS hlog; hlog="$(mktemp)"
  "$@" >"$hlog" 2>&1 &
  local pid=$! last=$SECONDS
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    if (( SECONDS - last >= 20 )); then
      last=$SECONDS
      log "$what: running for $((SECONDS - start)) s, last: $(grep -v '^[[:space:]]*$' "$hlog" | tail -n1 | cut -c1-120)"
    fi
  done
  if ! wait "$pid"; then tail -n 60 "$hlog" >&2; rm -f "$hlog"; return 1; fi
  rm -f "$hlog"
}
build_prometheus() { # LDFLAGS
  local mod="github.com/prometheus/prometheus" ldflags="-s -w $1" src pnpm_dir repl
  local stamp_text="$mod@$PROMETHEUS_MODULE_VERSION;$ldflags;builtinassets;pnpm@$PNPM_VERSION;${prom_ui_replacements[*]}"
  if cached prometheus "$stamp_text"; then log "prometheus: cached ($mod@$PROMETHEUS_MODULE_VERSION with web UI)"; return; fi
  command -v node >/dev/null && command -v npm >/dev/null ||
    { log "error: Prometheus' web UI build needs Node.js >= 20.19 and npm on PATH"; return 1; }
  local node_v; node_v="$(node --version)"
  if [[ "$(printf '%s\nv20.19.0\n' "$node_v" | sort -V | head -n1)" != v20.19.0 ]]; then
    log "error: Prometheus' web UI build (vite 8) needs Node.js >= 20.19, this machine has $node_v"; return 1
  fi
  log "building prometheus with its web UI from $mod@$PROMETHEUS_MODULE_VERSION (Node.js $node_v, pnpm $PNPM_VERSION)"
  log "cold: the web UI takes 2-3 min (pnpm install, vite build), then the Go build; progress every 20 s"
  pnpm_dir="$PULSE_TOOLS_CACHE/pnpm-$PNPM_VERSION"
  if [[ "$("$pnpm_dir/node_modules/.bin/pnpm" --version 2>/dev/null)" != "$PNPM_VERSION" ]]; then
    rm -rf "$pnpm_dir"
    npm install --prefix "$pnpm_dir" --no-audit --no-fund --loglevel=error "pnpm@$PNPM_VERSION" >/dev/null
  fi
  # The module cache is read-only and shared; the UI build writes into web/ui, so work on a copy.
  src="$PULSE_TOOLS_CACHE/src/prometheus-$PROMETHEUS_MODULE_VERSION"
  rm -rf "$src"; mkdir -p "$(dirname "$src")"
  cp -r "$(go mod download -json "$mod@$PROMETHEUS_MODULE_VERSION" | jq -er .Dir)" "$src"
  chmod -R u+w "$src"
  (
    cd "$src/web/ui"
    export PATH="$pnpm_dir/node_modules/.bin:$PATH" CI=""
    local frozen=--frozen-lockfile excludes="" overrides=""
    for repl in "${prom_ui_replacements[@]}"; do
      local locked="${repl%=*}"
      grep -q "^  '$locked':" pnpm-lock.yaml || continue
      log "prometheus UI: $locked is not on the npm registry; using ${locked%@*}@${repl##*=}"
      excludes+="  - '$locked'"$'\n'; overrides+="  '${locked%@*}': ${repl##*=}"$'\n'
    done
    if [[ -n "$overrides" ]]; then
      # Exempt the missing entries from pnpm's supply-chain check (they cannot be looked up) and
      # let pnpm re-resolve only those packages; every other locked version stays as it is.
      [[ "$(grep -E '^[a-zA-Z]' pnpm-workspace.yaml | tail -n1)" == minimumReleaseAgeExclude: ]] &&
        ! grep -q '^overrides:' pnpm-workspace.yaml ||
        { log "error: web/ui/pnpm-workspace.yaml changed shape; update prom_ui_replacements handling"; exit 1; }
      printf '%soverrides:\n%s' "$excludes" "$overrides" >>pnpm-workspace.yaml
      frozen=--no-frozen-lockfile
    fi
    with_heartbeat "prometheus UI: pnpm install" pnpm install "$frozen" --store-dir "$PULSE_TOOLS_CACHE/pnpm-store"
    with_heartbeat "prometheus UI: build" pnpm run build:mantine-ui
  )
  (cd "$src" && bash scripts/compress_assets.sh)  # module zips drop the executable bit
  (cd "$src" && export GOWORK=off && total="$(go list -deps -tags builtinassets ./cmd/prometheus | wc -l)" &&
    with_progress prometheus "$total" go build -v -trimpath -tags builtinassets -ldflags "$ldflags" \
      -o "$PULSE_TOOLS_BIN/prometheus" ./cmd/prometheus)
  rm -rf "$src"; rmdir "$(dirname "$src")" 2>/dev/null || true
  stamp prometheus "$stamp_text"
  log "prometheus done"
}
build_prometheus "$prom_ldflags"
# Debian's prometheus-alertmanager is built without its web UI (it serves a placeholder page) but
# takes --web.ui-path; tools/alertmanager-ui writes the UI upstream compiled for the same version
# into $PULSE_TOOLS_CACHE/alertmanager-ui, which scripts/testenv/servers/alertmanager.sh passes.
build_alertmanager_ui() {
  local tool="$here/tools/alertmanager-ui" dir="$PULSE_TOOLS_CACHE/alertmanager-ui" want have stamp_text
  want="$(sed -n 's/^require github.com\/prometheus\/alertmanager \(v[^ ]*\)$/\1/p' "$tool/go.mod")"
  have="$(prometheus-alertmanager --version 2>&1 | sed -n 's/^alertmanager, version \([^ ]*\) .*/v\1/p')" || true
  if [[ "$have" != "$want" ]]; then
    log "warning: Alertmanager UI not installed: Debian's prometheus-alertmanager is ${have:-missing}, tools/alertmanager-ui/go.mod has $want; make them equal"
    return 0
  fi
  stamp_text="alertmanager-ui=$want;$(cat "$tool/go.mod" "$tool/go.sum" "$tool/main.go" | sha256sum | cut -c1-16)"
  if [[ -f "$dir/index.html" && "$(cat "$dir/.stamp" 2>/dev/null)" == "$stamp_text" ]]; then
    log "alertmanager UI: cached ($want)"; return
  fi
  rm -rf "$dir"
  (cd "$tool" && go run . "$dir") >/dev/null
  printf '%s' "$stamp_text" >"$dir/.stamp"
  log "alertmanager UI $want done ($dir)"
}
build_alertmanager_ui

# ---- pulse-dashboard-check (tools/dashboard-check) ----------------------------------------
# Checks dashboards against Grafana's own schema (github.com/grafana/grafana-foundation-sdk/go,
# pinned in that module's go.mod/go.sum). It is built from the repository's own sources, so the
# stamp hashes them (not the folder they are in): an edit rebuilds it, a fresh clone reuses it.
build_dashboard_check() {
  local dir="$here/tools/dashboard-check" sources=() f sum
  sources=("$dir/go.mod" "$dir/go.sum")
  for f in "$dir"/*.go; do [[ "$f" == *_test.go ]] || sources+=("$f"); done
  sum="$(cat "${sources[@]}" | sha256sum | cut -c1-16)"
  local stamp_text="dashboard-check;$sum"
  if cached pulse-dashboard-check "$stamp_text"; then log "pulse-dashboard-check: cached"; return; fi
  log "building pulse-dashboard-check from tools/dashboard-check"
  (cd "$dir" && go mod download && with_progress "pulse-dashboard-check" "" \
    go build -v -trimpath -ldflags "-s -w" -o "$PULSE_TOOLS_BIN/pulse-dashboard-check" .)
  stamp pulse-dashboard-check "$stamp_text"
  log "pulse-dashboard-check done"
}
build_dashboard_check
# ---- end pulse-dashboard-check --------------------------------------------------------------
# ---- victoria-metrics (remote-write target of tests/remote_write) ----------------------------
# Single-node VictoriaMetrics (Apache-2.0) from its Go module: a real remote-write receiver with a
# Prometheus-compatible query API. The version is pinned here (not in tools-env.sh) so that this
# block stays self-contained; stamped like VictoriaMetrics' own Makefile does, so `-version` and
# vm_app_version say which release runs.
VICTORIAMETRICS_VERSION="${VICTORIAMETRICS_VERSION:-v1.151.0}"
build_victoriametrics() {
  go_install victoria-metrics \
    "github.com/VictoriaMetrics/VictoriaMetrics/app/victoria-metrics@$VICTORIAMETRICS_VERSION" \
    "-X github.com/VictoriaMetrics/VictoriaMetrics/lib/buildinfo.Version=victoria-metrics-$VICTORIAMETRICS_VERSION"
}
build_victoriametrics
# ---- end victoria-metrics --------------------------------------------------------------------
log "all tools ready in $PULSE_TOOLS_BIN"
