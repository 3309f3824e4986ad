#!/usr/bin/env bash
# The benchmark table of docs/BENCHMARKS.md, reproducibly: starts `./taskqueue dev --fresh` on spare
# ports under one processing guarantee, warms it up, runs every scenario RUNS times (priority
# once: its count is deterministic and it is slow under exactly-once), keeps each run's JSON line
# and prints the medians. Run it on a quiet machine; it stops dev (its own process group) at the end.
#
# Usage: scripts/bench-suite.sh [exactly_once_v2|at_least_once] [runs=3] [out-dir=target/bench]
# Then:  scripts/bench-suite.sh --summary target/bench/<guarantee>.jsonl
set -euo pipefail
cd "$(dirname "$0")/.."

summary() {
  # Median over runs of the headline figures, one row per scenario + setting.
  jq -rs '
    def median: sort | if length == 0 then null
      elif length % 2 == 1 then .[length / 2 | floor]
      else (.[length / 2 - 1] + .[length / 2]) / 2 end;
    def r: if . == null then "-" else (. * 10 | round / 10 | tostring) end;
    group_by([.scenario, (.settings.rate // .settings.count // 0)])[]
    | {s: .[0].scenario, set: (.[0].settings.rate // .[0].settings.count // ""), n: length,
       ok: (map(select(.ok)) | length),
       rate: (map(.figures.completed_per_sec // .figures.achieved_per_sec // .figures.drain_per_sec
                 // .figures.high_among_first) | median),
       p50: (map(.latency_ms.pickup.p50 // .latency_ms.submit.p50) | median),
       p99: (map(.latency_ms.pickup.p99 // .latency_ms.submit.p99) | median),
       p999: (map(.latency_ms.pickup.p999 // .latency_ms.submit.p999) | median),
       lost: (map(.figures.lost // .figures.errors // 0) | add)}
    | "| \(.s) | \(.set) | \(.n) (\(.ok) ok) | \(.rate | r) | \(.p50 | r) | \(.p99 | r) | \(.p999 | r) | \(.lost) |"
  ' "$1"
}

if [[ "${1:-}" == "--summary" ]]; then
  echo "| scenario | rate or N | runs | median of: submits/s (submit), completed/s (e2e), drain/s, high-first | p50 ms | p99 ms | p99.9 ms: submit ack (submit), pickup (e2e) | errors/lost (sum) |"
  echo "|---|---|---|---|---|---|---|---|"
  summary "$2"
  exit 0
fi

GUARANTEE="${1:-exactly_once_v2}"
RUNS="${2:-3}"
OUT="${3:-target/bench}"
# shellcheck source=lib/dev.sh
source scripts/lib/dev.sh
dev_build "$OUT" bench-suite
RESULTS="$OUT/$GUARANTEE.jsonl"
: > "$RESULTS"
echo "bench-suite: starting ./taskqueue dev ($GUARANTEE), log $OUT/dev-$GUARANTEE.log" >&2
dev_start "$GUARANTEE" "$OUT/dev-$GUARANTEE.log"

bench() {
  # Runs one scenario; keeps its JSON line (the last line starting with '{') even when it failed.
  # (tee >(cat >&2), not tee /dev/stderr: opening /dev/stderr again truncates a log it points to)
  local line
  line=$(./taskqueue bench "$@" | tee >(cat >&2) | grep '^{' | tail -1) || true
  [[ -n "$line" ]] && echo "$line" >> "$RESULTS"
}

echo "bench-suite: warming up (e2e 200/s rounds of 15 s until pickup p99 < 1 s, unrecorded)" >&2
dev_warm_up

for run in $(seq 1 "$RUNS"); do
  echo "bench-suite: run $run of $RUNS" >&2
  bench submit-http "${TARGET[@]}" --rate 1000 --duration 10 --warmup 5
  bench submit-http "${TARGET[@]}" --rate 5000 --duration 10 --warmup 3
  bench submit-grpc --grpc-target "localhost:$GRPC" --rate 1000 --duration 10 --warmup 5
  bench submit-grpc --grpc-target "localhost:$GRPC" --rate 5000 --duration 10 --warmup 3
  bench e2e "${TARGET[@]}" --rate 1000 --duration 20 --warmup 3
  bench drain "${TARGET[@]}" --count 10000
done
bench priority "${TARGET[@]}"
echo "bench-suite: RSS of dev at the end: $(awk '/VmRSS/ {printf "%d MB", $2 / 1024}' "/proc/$DEV/status")" >&2
"$0" --summary "$RESULTS"
