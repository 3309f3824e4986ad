#!/usr/bin/env bash
# Projection throughput into PostgreSQL and read-API query latency with N tasks in the table.
# Usage: scripts/readmodel-bench.sh [tasks=1000000] [iterations=300] [--keep]
# Needs the local PostgreSQL (127.0.0.1:5432, database test); works in a schema of its own.
set -euo pipefail
cd "$(dirname "$0")/.."
for d in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-21-jdk-amd64; do
  if [[ -n "$d" && -x "$d/bin/javac" ]]; then export JAVA_HOME="$d"; break; fi
done
./mvnw -B -ntp -q -Dquickly -pl projections -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
exec "$JAVA_HOME/bin/java" -Xmx2g \
  -cp "projections/target/test-classes:projections/target/classes:$(cat projections/target/test-classpath.txt)" \
  io.taskqueue.projections.internal.ReadModelBenchmark "$@"
