#!/usr/bin/env bash
# Runs tools/dashboard-check's Go tests offline, from the module cache that building the tool
# filled (scripts/build-tools.sh). Without the tool, the module may be absent too: skip (77).
#   checker_go_test.sh GO MODULE_DIR CHECKER_BINARY
set -euo pipefail
go="$1" dir="$2" checker="$3"
if [[ ! -x "$checker" ]]; then
  echo "SKIP: $checker not built (run scripts/build-tools.sh); its Go module may not be cached yet"
  exit 77
fi
cd "$dir"
GOTOOLCHAIN=local CGO_ENABLED=0 GOPROXY=off GOFLAGS="-mod=mod -buildvcs=false -trimpath" \
  "$go" test -count=1 ./...
