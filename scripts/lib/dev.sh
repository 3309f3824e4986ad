# Shared by scripts/bench-suite.sh and scripts/bench-compare.sh: one `./taskqueue dev --fresh` on
# spare ports (so a dev on the default ports can keep running), its readiness wait and the e2e
# warm-up. Source it from the checkout to run, then `dev_build`; `dev_start` stops dev
# (its own process group) on exit.
# shellcheck shell=bash

HTTP=38080 GRPC=35051 METRICS=39090 IQ=38081 KAFKA=39192
TARGET=(--target "http://localhost:$HTTP")
export TASKQUEUE_NO_BUILD=1 # dev and the bench clients all run the build already made

# dev_build <out-dir> <caller>: builds once, before anything starts (log in <out-dir>/build.log).
dev_build() {
  mkdir -p "$1"
  ./taskqueue build > "$1/build.log" || { echo "$2: the build failed, see $1/build.log" >&2; exit 1; }
}

# dev_start <guarantee> <log-file>: starts dev in the background (DEV = its PID; ./taskqueue execs
# the JVM, so that is the dev process itself) and returns once it is ready.
dev_start() {
  local guarantee="$1" log="$2"
  DEV_DATA="$(mktemp -d)"
  setsid ./taskqueue dev --fresh --guarantee "$guarantee" --data-dir "$DEV_DATA" --http-port $HTTP \
    --grpc-port $GRPC --metrics-port $METRICS --iq-port $IQ --kafka-port $KAFKA > "$log" 2>&1 &
  DEV=$!
  trap dev_stop EXIT
  for _ in $(seq 1 300); do
    curl -sf "localhost:$METRICS/readyz" > /dev/null && return 0
    kill -0 "$DEV" 2> /dev/null || { echo "dev exited; see $log" >&2; exit 1; }
    sleep 1
  done
  echo "dev was not ready in 300 s; see $log" >&2
  exit 1
}

dev_stop() {
  kill -TERM -- "-$DEV" 2> /dev/null || true
  wait "$DEV" 2> /dev/null || true
  rm -rf "$DEV_DATA"
}

# A fresh JVM on two cores spends its first minute or more compiling (C2 alone took a whole core):
# one 15 s warm-up left the engine 11 s behind at 200/s and made the first submit-http run look like
# a 3x regression. So warm up until an e2e round at 200/s keeps up (pickup p99 < 1 s), at most 6.
# Sets WARM_UP_ROUNDS.
dev_warm_up() {
  local p99
  for WARM_UP_ROUNDS in $(seq 1 6); do
    p99=$(./taskqueue bench e2e "${TARGET[@]}" --rate 200 --duration 15 2> /dev/null | grep '^{' \
      | tail -1 | jq -r '.latency_ms.pickup.p99 // 999999 | floor') || p99=999999
    echo "warm-up round $WARM_UP_ROUNDS: pickup p99 ${p99} ms" >&2
    if (( p99 < 1000 )); then return 0; fi
  done
  echo "still behind after 6 warm-up rounds; measuring anyway" >&2
}
