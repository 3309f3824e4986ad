# Shared by scripts/rolling-restart.sh and scripts/soak.sh: a multi-process taskqueue on loopback
# (one standalone broker, two topology instances with standby replicas, two gateways with
# authentication on, two workers, optionally the projections), with start/stop/readiness helpers.
# Source it after setting OUT (log directory); `cluster_up` starts everything, and every process
# started here is stopped on exit (by PID, roles before the broker).
# shellcheck shell=bash

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
  echo "$name ${PID[$name]}" >> "$OUT/pids" # for samplers in subshells, which see no later PID[]
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
  if [[ -n "${PROJECTION_SCHEMA:-}" ]] && command -v psql > /dev/null; then
    psql -q -h 127.0.0.1 -U postgres -d test -c "DROP SCHEMA IF EXISTS $PROJECTION_SCHEMA CASCADE" || true
  fi
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

projections() {
  start projections "http://127.0.0.1:41070/readyz" PROJECTION_SCHEMA="$PROJECTION_SCHEMA" \
    PROMETHEUS_PORT=41070 -- projections
}

# Starts a stopped role again under its name (topology-1, gateway-2, worker-1, projections, kafka).
relaunch() {
  case "$1" in
    topology-*) topology "${1#topology-}" ;;
    gateway-*) gateway "${1#gateway-}" ;;
    worker-*) worker "${1#worker-}" ;;
    projections) projections ;;
    kafka) kafka ;;
  esac
}

kafka() {
  start kafka "" -- kafka --port "$KAFKA_PORT" --data-dir "$DATA/kafka" --partitions 4 --queues default
  for _ in $(seq 1 120); do (echo > "/dev/tcp/127.0.0.1/$KAFKA_PORT") 2> /dev/null && break; sleep 1; done
}

# cluster_up [with-projections]
cluster_up() {
  kafka
  topology 1; topology 2; await_ready topology-1; await_ready topology-2
  gateway 1; gateway 2; worker 1; worker 2
  for n in gateway-1 gateway-2 worker-1 worker-2; do await_ready "$n"; done
  if [[ "${1:-}" == with-projections ]]; then projections; await_ready projections; fi
}

GATEWAYS=http://127.0.0.1:41031,http://127.0.0.1:41032
