# pulse-exporter: RabbitMQ, PostgreSQL and S3 metrics. Build from the repository root:
#   docker build -f deploy/docker/pulse-exporter.Dockerfile -t ghcr.io/pulse-dev/pulse-exporter:0.1.0 .
# The operator runs it per Exporter with `--config /etc/pulse-exporter/config/config.yaml`
# (the ConfigMap it generates), as uid 65532 — the user below.

FROM debian:12.12 AS build
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential cmake ninja-build pkg-config python3 \
      libcpprest-dev prometheus-cpp-dev libyaml-cpp-dev nlohmann-json3-dev libgtest-dev \
      libgmock-dev libbenchmark-dev libssl-dev libpq-dev libhiredis-dev zlib1g-dev libre2-dev \
      librabbitmq-dev libcivetweb-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release -DPULSE_PROMTOOL=/bin/true \
    && cmake --build /build --target pulse-exporter \
    && strip /build/exporter/pulse-exporter

FROM debian:12.12-slim
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates libcpprest2.10 libprometheus-cpp-core1.0 libprometheus-cpp-pull1.0 \
      libyaml-cpp0.7 libssl3 libpq5 libre2-9 zlib1g \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --gid 65532 pulse && useradd --uid 65532 --gid 65532 --no-create-home --shell /usr/sbin/nologin pulse
COPY --from=build /build/exporter/pulse-exporter /usr/local/bin/pulse-exporter
USER 65532:65532
EXPOSE 9187
ENTRYPOINT ["/usr/local/bin/pulse-exporter"]
CMD ["--config", "/etc/pulse-exporter/config/config.yaml", "--listen", "0.0.0.0:9187"]
