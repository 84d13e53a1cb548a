#!/usr/bin/env bash
# Alertmanager answers its v2 API and holds an alert posted to it.
source "$(dirname "$0")/lib.sh"
url="$(envof alertmanager URL)"
expect_match "status" '"cluster"' "$(curl -fsS "$url/api/v2/status")"
name="PulseSmoke$$"
curl -fsS -H 'content-type: application/json' -d "[{\"labels\":{\"alertname\":\"$name\",\"severity\":\"ticket\"}}]" \
  "$url/api/v2/alerts" || fail "post alert"
retry 10 bash -c "curl -fsS '$url/api/v2/alerts' | jq -e '.[] | select(.labels.alertname==\"$name\")' >/dev/null" \
  || fail "posted alert not listed"
pass "alert $name listed by /api/v2/alerts"
