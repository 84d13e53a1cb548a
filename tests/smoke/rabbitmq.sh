#!/usr/bin/env bash
# RabbitMQ: declare a queue, publish, read the message back through the management API, and
# see the rabbitmq_prometheus endpoint answer.
source "$(dirname "$0")/lib.sh"
api="$(envof rabbitmq MGMT_URL)/api"; auth="$(envof rabbitmq USER):$(envof rabbitmq PASSWORD)"
q="smoke-$$"
curl -fsS -u "$auth" -X PUT -H 'content-type: application/json' -d '{"durable":false,"auto_delete":false}' \
  "$api/queues/%2F/$q" || fail "declare queue"
routed="$(curl -fsS -u "$auth" -H 'content-type: application/json' \
  -d "{\"properties\":{},\"routing_key\":\"$q\",\"payload\":\"hello-$$\",\"payload_encoding\":\"string\"}" \
  "$api/exchanges/%2F/amq.default/publish" | jq -r .routed)"
expect_eq "published and routed" true "$routed"
got="$(curl -fsS -u "$auth" -H 'content-type: application/json' \
  -d '{"count":1,"ackmode":"ack_requeue_false","encoding":"auto"}' "$api/queues/%2F/$q/get" | jq -r '.[0].payload')"
expect_eq "payload read back" "hello-$$" "$got"
curl -fsS -u "$auth" -X DELETE "$api/queues/%2F/$q" || fail "delete queue"
metrics="$(curl -fsS "$(envof rabbitmq PROM_URL)/metrics")"
expect_match "rabbitmq_prometheus endpoint" 'rabbitmq_build_info' "$metrics"
