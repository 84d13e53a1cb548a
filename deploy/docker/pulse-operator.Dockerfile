# pulse-operator: `run` (the operator), `config-sync` (the sidecar beside Prometheus) and
# `render`. Build from the repository root:
#   docker build -f deploy/docker/pulse-operator.Dockerfile -t ghcr.io/pulse-dev/pulse-operator:0.1.0 .
# The chart (charts/pulse) runs it as `run ...` and `config-sync ...`; tests/chart checks that
# every flag the chart passes is accepted by this binary's parser (--check-flags).

# ---- build: Debian 12's toolchain and libraries, the same the repository is developed on ----
FROM debian:12.12 AS build
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential cmake ninja-build pkg-config python3 \
      libcpprest-dev prometheus-cpp-dev libyaml-cpp-dev nlohmann-json3-dev libgtest-dev \
      libgmock-dev libbenchmark-dev libssl-dev libpq-dev libhiredis-dev zlib1g-dev libre2-dev \
      librabbitmq-dev libcivetweb-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# Tests are configured but not built; promtool is only needed to run them.
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release -DPULSE_PROMTOOL=/bin/true \
    && cmake --build /build --target pulse-operator \
    && strip /build/operator/cmd/pulse-operator

# ---- runtime: the shared libraries only, a non-root user, no shell tools needed ----
FROM debian:12.12-slim
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates libcpprest2.10 libprometheus-cpp-core1.0 libprometheus-cpp-pull1.0 \
      libyaml-cpp0.7 libssl3 libre2-9 zlib1g \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --gid 65532 pulse && useradd --uid 65532 --gid 65532 --no-create-home --shell /usr/sbin/nologin pulse
COPY --from=build /build/operator/cmd/pulse-operator /usr/local/bin/pulse-operator
USER 65532:65532
# /metrics (run, config-sync) and /healthz + /readyz (run --health-address).
EXPOSE 8080 8081
ENTRYPOINT ["/usr/local/bin/pulse-operator"]
CMD ["run", "--leader-elect=true"]
