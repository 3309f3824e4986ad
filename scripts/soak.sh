#!/usr/bin/env bash
# Soak (issue 8): the multi-process system of scripts/lib/cluster.sh, with the projections into the
# local PostgreSQL and Redis, under e2e load over both gateways (failed submits retried on the other
# gateway with the same idempotency key) for DURATION seconds, with a fault every FAULT_EVERY
# seconds, taken in turn from FAULTS:
#   worker-kill     SIGKILL a worker mid-task, start it again
#   worker-stop     SIGSTOP a worker past its lease (15 s), then SIGCONT: its late reports are rejected
#   topology-kill   SIGKILL one engine instance (the standby takes over), start it again
#   gateway-term    SIGTERM one gateway (graceful), start it again
#   broker-kill     SIGKILL the broker, start it again (submits during the outage fail: counted)
# The load runs as consecutive e2e rounds of ROUND seconds, so latency percentiles are reported
# over time; RSS of every process is sampled every 10 s; at the end `./taskqueue verify` checks the
# invariants over the event log and both read models, and that every acknowledged submit of the
# rounds (acked.txt) is in the log. Everything lands in OUT (summary.txt).
#
# Usage: scripts/soak.sh [duration=1800] [rate=2000] [fault-every=180] [out=target/soak]
#   FAULTS="worker-kill worker-stop topology-kill gateway-term" ROUND=120
# Loopback only, bounded in time; every process it starts is stopped at the end. Not part of CI.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${1:-1800}"
RATE="${2:-2000}"
FAULT_EVERY="${3:-180}"
OUT="${4:-target/soak}"
ROUND="${ROUND:-120}"
read -r -a FAULT_LIST <<< "${FAULTS:-worker-kill worker-stop topology-kill gateway-term}"
mkdir -p "$OUT"
: > "$OUT/pids"
: > "$OUT/acked.txt" # every acknowledged submit of the load rounds, checked by verify at the end
RUN="soak$(date +%s)"
export TASKQUEUE_TOPIC_PREFIX="$RUN" PROJECTION_SCHEMA="${RUN}_rm"
# shellcheck source=lib/cluster.sh
source scripts/lib/cluster.sh
cluster_up with-projections
echo "soak: system up (topics and Redis keys $RUN, schema $PROJECTION_SCHEMA); warming up" >&2
./taskqueue bench e2e --target "$GATEWAYS" --retry --rate 100 --duration 10 > /dev/null || true

END=$(( $(date +%s) + DURATION ))

sample_rss() {
  echo "time,process,rss_mb" > "$OUT/rss.csv"
  while (( $(date +%s) < END )); do
    # the newest PID of each role (restarts append to $OUT/pids)
    awk '{pid[$1] = $2} END {for (n in pid) print n, pid[n]}' "$OUT/pids" | while read -r name pid; do
      if [[ -r "/proc/$pid/status" ]]; then
        awk -v t="$(date +%s)" -v n="$name" '/VmRSS/ {printf "%s,%s,%d\n", t, n, $2 / 1024}' \
          "/proc/$pid/status" >> "$OUT/rss.csv"
      fi
    done
    sleep 10
  done
}

inject() {
  local fault="$1" n=$(( RANDOM % 2 + 1 ))
  case "$fault" in
    worker-kill) kill -KILL "${PID[worker-$n]}"; wait "${PID[worker-$n]}" 2> /dev/null || true
      relaunch "worker-$n"; await_ready "worker-$n" ;;
    worker-stop) kill -STOP "${PID[worker-$n]}"; sleep 15; kill -CONT "${PID[worker-$n]}" ;;
    topology-kill) kill -KILL "${PID[topology-$n]}"; wait "${PID[topology-$n]}" 2> /dev/null || true
      relaunch "topology-$n"; await_ready "topology-$n" ;;
    gateway-term) stop "gateway-$n" > /dev/null; relaunch "gateway-$n"; await_ready "gateway-$n" ;;
    broker-kill) kill -KILL "${PID[kafka]}"; wait "${PID[kafka]}" 2> /dev/null || true; relaunch kafka ;;
    *) echo "soak: unknown fault $fault" >&2; return 1 ;;
  esac
  echo "$(date -u +%FT%TZ) $fault (instance $n)" >> "$OUT/faults.txt"
}

load() {
  local round=0 left
  : > "$OUT/rounds.jsonl"
  while (( $(date +%s) + 10 < END )); do
    round=$(( round + 1 ))
    left=$(( END - $(date +%s) ))
    ./taskqueue bench e2e --target "$GATEWAYS" --retry --rate "$RATE" \
      --duration $(( left < ROUND ? left : ROUND )) --warmup 0 --timeout 300 --acked-ids "$OUT/acked.txt" \
      > "$OUT/round-$round.txt" 2>&1 || true
    grep '^{' "$OUT/round-$round.txt" | tail -1 >> "$OUT/rounds.jsonl" || true
  done
}

# The load and the sampler run in the background; the faults in this shell, which owns PID[] and
# so restarts and finally stops the right processes.
load &
LOAD=$!
sample_rss &
SAMPLER=$!
: > "$OUT/faults.txt"
i=0
while sleep "$FAULT_EVERY" && (( $(date +%s) + 30 < END )); do
  inject "${FAULT_LIST[$(( i % ${#FAULT_LIST[@]} ))]}"
  i=$(( i + 1 ))
done
wait "$LOAD" 2> /dev/null || true
wait "$SAMPLER" 2> /dev/null || true

verify=0
# verify holds every task's history in memory (~5 KB per task): 100,000 tasks outgrew the roles'
# 512 MB heap, so it gets its own.
TASKQUEUE_HEAP="${VERIFY_HEAP:-2g}" ./taskqueue verify --bootstrap-servers "$KAFKA_BOOTSTRAP_SERVERS" --prefix "$RUN" \
  --schema "$PROJECTION_SCHEMA" --wait 180 --acknowledged "$OUT/acked.txt" > "$OUT/verify.txt" 2>&1 || verify=$?
{
  echo "soak $RUN: ${DURATION} s at ${RATE}/s offered, a fault every ${FAULT_EVERY} s"
  echo "faults injected: $(wc -l < "$OUT/faults.txt")"; cat "$OUT/faults.txt"
  echo "rounds (per ${ROUND} s): submitted, acked, succeeded, lost, errors, retried, submit p99 ms, pickup p50/p99/max ms"
  jq -r '[.figures.submitted, .figures.acked, .figures.succeeded, .figures.lost, .figures.errors,
          .figures.retried, .latency_ms.submit.p99, .latency_ms.pickup.p50, .latency_ms.pickup.p99,
          .latency_ms.pickup.max] | @tsv' "$OUT/rounds.jsonl"
  echo "RSS max per process (MB):"
  awk -F, 'NR > 1 && $3 > max[$2] {max[$2] = $3} END {for (p in max) print "  " p, max[p]}' "$OUT/rss.csv" | sort
  echo "invariants (./taskqueue verify, exit $verify):"; tail -3 "$OUT/verify.txt"
} | tee "$OUT/summary.txt"
exit "$verify"
