# The demo services instrumented with pulse-red: pulse-demo-shop, pulse-demo-crm, pulse-demo-mes,
# pulse-demo-shop-consumer and pulse-demo-loadgen, in one image (they share every library);
# pick one with the command. Build from the repository root:
#   docker build -f deploy/docker/pulse-demo.Dockerfile -t ghcr.io/pulse-dev/pulse-demo:0.1.0 .
#   docker run ghcr.io/pulse-dev/pulse-demo:0.1.0 pulse-demo-crm --listen 0.0.0.0:8080 --redis redis:6379

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
    && cmake --build /build --target pulse-demo-shop pulse-demo-crm pulse-demo-mes \
         pulse-demo-shop-consumer pulse-demo-loadgen \
    && mkdir /out && cp /build/examples/pulse-demo-* /out/ && strip /out/*

FROM debian:12.12-slim
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates libcpprest2.10 libprometheus-cpp-core1.0 libprometheus-cpp-pull1.0 \
      libyaml-cpp0.7 libssl3 libpq5 libhiredis0.14 librabbitmq4 libcivetweb1 libre2-9 zlib1g \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --gid 65532 pulse && useradd --uid 65532 --gid 65532 --no-create-home --shell /usr/sbin/nologin pulse
COPY --from=build /out/ /usr/local/bin/
USER 65532:65532
EXPOSE 8080
CMD ["pulse-demo-crm", "--listen", "0.0.0.0:8080"]
