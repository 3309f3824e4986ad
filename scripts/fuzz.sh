#!/usr/bin/env bash
# Coverage-guided fuzzing of every Jazzer @FuzzTest (HTTP API, engine records, state machine,
# list cursor), each for the given time. ./taskqueue test runs it briefly (10 s per target);
# run it longer by hand, e.g. scripts/fuzz.sh 600 (10 minutes per target).
#
# A finding fails the run and is saved as an input under
# <module>/src/test/resources/<package>/<Class>Inputs/<method>/crash-*; commit it with the fix,
# and it replays in every plain `mvn test` from then on. The growing corpus stays in the
# git-ignored <module>/.cifuzz-corpus/, so later runs continue where earlier ones stopped.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-300}"
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || (( seconds < 1 )); then
  echo "Usage: scripts/fuzz.sh [seconds per target, default 300]" >&2
  exit 2
fi

if [[ -z "${JAVA_HOME:-}" || ! -x "$JAVA_HOME/bin/javac" ]]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi

targets=$(grep -rl --include='*FuzzTest.java' '@FuzzTest' */src/test/java | sed 's|.*/||; s|\.java$||' | sort | paste -sd, -)
echo "fuzz: ${seconds}s per target: ${targets}" >&2
start=$(date +%s)
./mvnw -B -ntp -Pfuzz -pl proto,topology,gateway -am test -Dfuzz.duration="${seconds}s"
echo "fuzz: done in $(( $(date +%s) - start ))s" >&2
