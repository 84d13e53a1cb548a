#!/usr/bin/env bash
# helm (built from Go modules) runs and reports the pinned version.
source "$(dirname "$0")/lib.sh"
source "$PULSE_SOURCE_DIR/scripts/lib/tools-env.sh"
[[ -x "$PULSE_TOOLS_BIN/helm" ]] || fail "helm not built (scripts/build-tools.sh)"
expect_match "helm version" "^${HELM_VERSION//./\\.}(\\+|$)" "$("$PULSE_TOOLS_BIN/helm" version --short)"
