# syntax=docker/dockerfile:1.7
# One image with every role: docker run <image> <role> [options], role = topology | gateway |
# worker | projections | kafka | dev | bench (io.taskqueue.launcher.Main; --help lists them).
#
#   docker build -t taskqueue:dev .
#   docker run --rm taskqueue:dev worker --help
#
# JVM options: JAVA_TOOL_OPTIONS (read by the JVM itself) adds to or overrides the flags below.
# Logs: LOG_FORMAT=json (set here) gives one JSON object per line; LOG_FORMAT=text is readable.

# ---- 1. Dashboard (Next.js static export), served by the gateway from TASKQUEUE_DASHBOARD_DIR ----
# The glob copies nothing but .dockerignore when the context has no dashboard/ yet; the stage then
# produces an empty out/ and the image still builds.
FROM node:22-bookworm-slim AS dashboard
WORKDIR /src
COPY .dockerignore dashboar[d]/package*.json ./
RUN if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; fi
COPY .dockerignore dashboar[d] ./
RUN if [ -f package.json ]; then npm run build; else mkdir -p out; fi

# ---- 2. Java build: the Maven Wrapper, the same command as ./taskqueue build, plus -Pcontainer ----
FROM eclipse-temurin:25-jdk AS build
# The wrapper downloads Maven with curl (or wget); not every JDK image ships one.
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# The cache mount keeps ~/.m2 (Maven itself and every dependency) between builds.
# -Pcontainer copies the runtime jars into launcher/target/lib (classpath.txt has host paths).
RUN --mount=type=cache,target=/root/.m2 ./mvnw -B -ntp -Dquickly -Pcontainer package \
 && mkdir -p /out \
 && cp -r launcher/target/lib /out/lib \
 && cp launcher/target/taskqueue-launcher-*.jar /out/taskqueue.jar

# ---- 3. Runtime: JRE only, non-root ----
FROM eclipse-temurin:25-jre
# curl for the container health checks (GET /healthz, /readyz).
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 taskqueue \
 && useradd --system --uid 10001 --gid taskqueue --home-dir /app --shell /usr/sbin/nologin taskqueue \
 && mkdir -p /var/lib/taskqueue/state \
 && chown -R taskqueue:taskqueue /var/lib/taskqueue
WORKDIR /app
COPY --from=build /out/lib /app/lib
COPY --from=build /out/taskqueue.jar /app/taskqueue.jar
COPY --from=dashboard /src/out /app/dashboard
ENV LOG_FORMAT=json \
    TASKQUEUE_STATE_DIR=/var/lib/taskqueue/state \
    TASKQUEUE_DASHBOARD_DIR=/app/dashboard
# Ports: HTTP API 8080, gRPC 50051 (gateway); metrics + health 9090 (gateway, topology),
# 9091 (worker), 9092 (projections); interactive queries 8081 (topology).
EXPOSE 8080 50051 8081 9090 9091 9092
# State of the topology role; mount a volume here so a restart does not restore from Kafka.
VOLUME ["/var/lib/taskqueue/state"]
USER 10001:10001
# Heap from the container's memory limit; exit on OOM so the orchestrator restarts a clean JVM;
# the last two flags keep RocksDB and Netty quiet on JDK 24+ (JDK 21 rejects the second one).
ENTRYPOINT ["java", \
  "-XX:MaxRAMPercentage=70", "-XX:+ExitOnOutOfMemoryError", \
  "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", \
  "-cp", "/app/taskqueue.jar:/app/lib/*", \
  "io.taskqueue.launcher.Main"]
CMD ["--help"]
