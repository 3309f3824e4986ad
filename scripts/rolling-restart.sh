#!/usr/bin/env bash
# Zero-downtime check (issue 8): two gateways, two topology instances (standby replicas) and two
# workers as separate processes on one standalone broker, under a steady e2e load that spreads its
# submits over both gateways and retries a failed one on the other with the same idempotency key.
# Each role is restarted one instance at a time with SIGTERM (graceful), waiting for the restarted
# instance to be ready before the next. The bench then reports failed submits (must be 0), lost
# tasks (must be 0) and the pickup latency, whose max is the longest stall.
#
# Usage: scripts/rolling-restart.sh [rate=200] [settle-seconds=10] [out-dir=target/rolling-restart]
# Loopback only; every process it starts is stopped at the end (by PID). Not part of CI.
set -euo pipefail
cd "$(dirname "$0")/.."

RATE="${1:-200}"
SETTLE="${2:-10}"
OUT="${3:-target/rolling-restart}"
mkdir -p "$OUT"
DATA="$(mktemp -d)"
KAFKA_PORT=41000
export KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:$KAFKA_PORT"
export TASKQUEUE_PARTITIONS=4 TASKQUEUE_HEAP="${TASKQUEUE_HEAP:-512m}" TASKQUEUE_READ_MODELS=off
# The gateways run as in production, with authentication on: one key of this run's own, which the
# bench clients send; both gateways share the session secret.
TASKQUEUE_API_KEY="tq_rolling-restart-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
export TASKQUEUE_API_KEY
export TASKQUEUE_API_KEYS="bench:$(printf %s "$TASKQUEUE_API_KEY" | sha256sum | cut -d' ' -f1):submit,read,admin"
export TASKQUEUE_SESSION_SECRET="$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')"
./taskqueue build > /dev/null
export TASKQUEUE_NO_BUILD=1 # the processes below all run this build

declare -A PID
declare -A READY # name -> readiness URL
start() {
  # start <name> <readiness-url> <env assignments...> -- <taskqueue args...>
  local name="$1" ready="$2" envs=()
  shift 2
  while [[ "$1" != "--" ]]; do envs+=("$1"); shift; done
  shift
  env "${envs[@]}" setsid ./taskqueue "$@" >> "$OUT/$name.log" 2>&1 &
  PID[$name]=$!
  READY[$name]="$ready"
}
await_ready() {
  local name="$1"
  for _ in $(seq 1 180); do
    curl -sf "${READY[$name]}" > /dev/null 2>&1 && return 0
    kill -0 "${PID[$name]}" 2> /dev/null || { echo "$name exited; see $OUT/$name.log" >&2; return 1; }
    sleep 1
  done
  echo "$name not ready after 180 s" >&2
  return 1
}
stop() {
  # SIGTERM, then wait for the exit (a graceful close); returns how long it took.
  local name="$1" t0
  t0=$(date +%s%N)
  kill -TERM "${PID[$name]}" 2> /dev/null || true
  for _ in $(seq 1 600); do kill -0 "${PID[$name]}" 2> /dev/null || break; sleep 0.1; done
  if kill -0 "${PID[$name]}" 2> /dev/null; then
    echo "$name did not stop within 60 s of SIGTERM; killing it" >&2
    kill -KILL "${PID[$name]}"
  fi
  wait "${PID[$name]}" 2> /dev/null || true
  local tenths=$(( ($(date +%s%N) - t0) / 100000000 ))
  echo "$(( tenths / 10 )).$(( tenths % 10 ))"
}
cleanup() {
  # The roles first, then the broker they talk to.
  for name in "${!PID[@]}"; do
    [[ "$name" == kafka ]] || kill -TERM "${PID[$name]}" 2> /dev/null || true
  done
  for name in "${!PID[@]}"; do [[ "$name" == kafka ]] || wait "${PID[$name]}" 2> /dev/null || true; done
  if [[ -n "${PID[kafka]:-}" ]]; then kill -TERM "${PID[kafka]}" 2> /dev/null || true; wait "${PID[kafka]}" 2> /dev/null || true; fi
  rm -rf "$DATA"
}
trap cleanup EXIT

topology() {
  local i="$1"
  start "topology-$i" "http://127.0.0.1:4102$i/readyz" TASKQUEUE_STANDBY_REPLICAS=1 \
    TASKQUEUE_STATE_DIR="$DATA/state-$i" IQ_PORT="4101$i" TASKQUEUE_ADVERTISED_HOST=127.0.0.1 \
    PROMETHEUS_PORT="4102$i" -- topology
}
gateway() {
  local i="$1"
  start "gateway-$i" "http://127.0.0.1:4103$i/readyz" HTTP_PORT="4103$i" GRPC_PORT="4104$i" \
    PROMETHEUS_PORT="4105$i" TASKQUEUE_IQ_URL="http://127.0.0.1:4101$i" -- gateway
}
worker() {
  local i="$1"
  start "worker-$i" "http://127.0.0.1:4106$i/readyz" WORKER_ID="worker-$i" WORKER_QUEUES=default \
    WORKER_SLOTS=16 PROMETHEUS_PORT="4106$i" -- worker
}

start kafka "" -- kafka --port "$KAFKA_PORT" --data-dir "$DATA/kafka" --partitions 4 --queues default
for _ in $(seq 1 120); do (echo > "/dev/tcp/127.0.0.1/$KAFKA_PORT") 2> /dev/null && break; sleep 1; done
topology 1; topology 2; await_ready topology-1; await_ready topology-2
gateway 1; gateway 2; worker 1; worker 2
for n in gateway-1 gateway-2 worker-1 worker-2; do await_ready "$n"; done
echo "rolling-restart: system up; warming up" >&2
./taskqueue bench e2e --target http://127.0.0.1:41031,http://127.0.0.1:41032 --retry \
  --rate 100 --duration 10 > /dev/null || true

ORDER=(worker-1 worker-2 topology-1 topology-2 gateway-1 gateway-2)
# Load must outlast the restarts: RESTART_BUDGET seconds per stop + start + ready (45 s is ample
# on an idle 2-core machine; raise it on a busy one, the script warns when the load ended early).
DURATION=$(( 20 + ${#ORDER[@]} * (SETTLE + ${RESTART_BUDGET:-45}) ))
LOAD_END=$(( $(date +%s) + DURATION ))
echo "rolling-restart: e2e at $RATE/s for up to $DURATION s while restarting ${ORDER[*]}" >&2
./taskqueue bench e2e --target http://127.0.0.1:41031,http://127.0.0.1:41032 --retry \
  --rate "$RATE" --duration "$DURATION" --warmup 0 --timeout 300 > "$OUT/bench.txt" 2>&1 &
BENCH=$!
sleep 15
: > "$OUT/restarts.txt"
for name in "${ORDER[@]}"; do
  took=$(stop "$name")
  case "$name" in
    topology-*) topology "${name#topology-}" ;;
    gateway-*) gateway "${name#gateway-}" ;;
    worker-*) worker "${name#worker-}" ;;
  esac
  t0=$(date +%s)
  await_ready "$name"
  echo "$name: stopped in ${took} s (SIGTERM), ready again $(( $(date +%s) - t0 )) s after start" \
    | tee -a "$OUT/restarts.txt" >&2
  sleep "$SETTLE"
done
if (( $(date +%s) > LOAD_END )); then
  echo "rolling-restart: WARNING the load ended before the last restart; raise RESTART_BUDGET" \
    | tee -a "$OUT/restarts.txt" >&2
fi
echo "rolling-restart: all restarted; waiting for the bench" >&2
status=0
wait "$BENCH" || status=$?
cat "$OUT/bench.txt"
cat "$OUT/restarts.txt"
exit "$status"
