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
: > "$OUT/pids"
# shellcheck source=lib/cluster.sh
source scripts/lib/cluster.sh
cluster_up
echo "rolling-restart: system up; warming up" >&2
./taskqueue bench e2e --target "$GATEWAYS" --retry \
  --rate 100 --duration 10 > /dev/null || true

ORDER=(worker-1 worker-2 topology-1 topology-2 gateway-1 gateway-2)
# Load must outlast the restarts: RESTART_BUDGET seconds per stop + start + ready (45 s is ample
# on an idle 2-core machine; raise it on a busy one, the script warns when the load ended early).
DURATION=$(( 20 + ${#ORDER[@]} * (SETTLE + ${RESTART_BUDGET:-45}) ))
LOAD_END=$(( $(date +%s) + DURATION ))
echo "rolling-restart: e2e at $RATE/s for up to $DURATION s while restarting ${ORDER[*]}" >&2
./taskqueue bench e2e --target "$GATEWAYS" --retry \
  --rate "$RATE" --duration "$DURATION" --warmup 0 --timeout 300 > "$OUT/bench.txt" 2>&1 &
BENCH=$!
sleep 15
: > "$OUT/restarts.txt"
for name in "${ORDER[@]}"; do
  took=$(stop "$name")
  relaunch "$name"
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
