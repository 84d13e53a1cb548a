#!/usr/bin/env bash
# The Exporter contract with the real binaries: `pulse-operator render` writes an exporter config
# for every Exporter, and `pulse-exporter --check` accepts each one when the environment
# variables it names are set (the operator's Deployment sets them from the Secrets) and the TLS
# files exist (the Deployment mounts them; here: dummy files in a temp dir).
#   exporter_config_check_test.sh PULSE_OPERATOR PULSE_EXPORTER SOURCE_DIR
set -euo pipefail
operator="$1" exporter="$2" src="$3"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

check_dir() {  # check_dir INPUT_DIR EXPECTED_COUNT
  local input="$1" want="$2" out="$tmp/out-$(basename "$1")" n=0
  "$operator" render -f "$input" -o "$out" >/dev/null
  while IFS= read -r -d '' config; do
    # TLS files: point the fixed mount directory at dummy files.
    mkdir -p "$tmp/tls"
    for f in ca.crt tls.crt tls.key; do echo dummy >"$tmp/tls/$f"; done
    sed "s#/etc/pulse-exporter/tls/#$tmp/tls/#g" "$config" >"$tmp/config.yaml"
    # Every {env: NAME} the config references gets a dummy value; nothing else is set.
    local vars=()
    while IFS= read -r name; do vars+=("$name=dummy-value"); done \
      < <(sed -n 's/.*env: \(PULSE_[A-Z0-9_]*\).*/\1/p' "$config" | sort -u)
    if [[ ${#vars[@]} -eq 0 ]]; then
      echo "FAIL: $config references no PULSE_* environment variable" >&2
      exit 1
    fi
    if ! env -i PATH="$PATH" "${vars[@]}" "$exporter" --check --config "$tmp/config.yaml"; then
      echo "FAIL: pulse-exporter --check rejected ${config#"$out"/}:" >&2
      cat "$config" >&2
      exit 1
    fi
    # And without the variables --check must fail, naming one of them.
    if env -i PATH="$PATH" "$exporter" --check --config "$tmp/config.yaml" 2>"$tmp/err"; then
      echo "FAIL: --check accepted ${config#"$out"/} without its credentials" >&2
      exit 1
    fi
    grep -q "environment variable PULSE_" "$tmp/err" || { cat "$tmp/err" >&2; exit 1; }
    n=$((n + 1))
  done < <(find "$out/exporters" -name '*.yaml' -print0 | sort -z)
  if [[ "$n" -ne "$want" ]]; then
    echo "FAIL: $input: checked $n exporter configs, expected $want" >&2
    exit 1
  fi
  echo "ok: $n exporter config(s) from $input pass pulse-exporter --check"
}

check_dir "$src/examples/crs" "$(cat "$src"/examples/crs/*.yaml | grep -c '^kind: Exporter')"
check_dir "$src/tests/render/testdata/exporter_configs" 8
