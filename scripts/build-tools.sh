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
go_install prometheus "github.com/prometheus/prometheus/cmd/prometheus@$PROMETHEUS_MODULE_VERSION" "$prom_ldflags"
log "all tools ready in $PULSE_TOOLS_BIN"
