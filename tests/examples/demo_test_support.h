// Helpers shared by the demo-service integration tests.
#pragma once

#include <memory>
#include <string>

#include "exposition.h"
#include "pulse/demo/amqp_connection.h"
#include "pulse/demo/backends.h"
#include "pulse/demo/http_server.h"
#include "pulse/demo/loopback_http_client.h"
#include "pulse/testenv/testenv.h"

namespace pulse::demo::testing {

inline amqp::ConnectionOptions RealAmqp() {
  amqp::ConnectionOptions o;
  o.host = pulse::testenv::Get("rabbitmq", "HOST");
  o.port = std::stoi(pulse::testenv::Get("rabbitmq", "AMQP_PORT"));
  o.user = pulse::testenv::Get("rabbitmq", "USER");
  o.password = pulse::testenv::Get("rabbitmq", "PASSWORD");
  return o;
}

inline red::RedisClientOptions RealRedis() {
  red::RedisClientOptions o;
  o.host = pulse::testenv::Get("redis", "HOST");
  o.port = std::stoi(pulse::testenv::Get("redis", "PORT"));
  return o;
}

// The HTTP request counter for one label set, -1 when the series does not exist.
inline double Requests(const std::string& metrics, const std::string& method,
                       const std::string& route, int status) {
  return red::testing::Sample(metrics, "http_request_duration_seconds_count{method=\"" + method +
                                           "\",route=\"" + route + "\",status=\"" +
                                           std::to_string(status) + "\"}")
      .value_or(-1);
}

inline double RedisCalls(const std::string& metrics, const std::string& command) {
  return red::testing::Sample(metrics,
                              "redis_command_duration_seconds_count{command=\"" + command + "\"}")
      .value_or(0);
}

}  // namespace pulse::demo::testing
