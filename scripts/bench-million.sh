#!/usr/bin/env bash
# The backlog and memory figures of docs/BENCHMARKS.md: on a fresh, warmed-up `./taskqueue dev`
# (spare ports, one processing guarantee), drains 10,000 tasks three times (single drains vary by
# 2x on two shared cores; the median is the baseline), then N (default 1,000,000) tasks,
# sampling the dev process's RSS every 10 s, and at the end reports RSS and the heap with all N
# tasks retained (before and after a full GC, from jcmd). Run it on a quiet machine; under
# exactly-once a million tasks take about half an hour. Stops dev at the end.
#
# Usage: scripts/bench-million.sh [exactly_once_v2|at_least_once] [N=1000000] [out-dir=target/bench]
# Loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."
GUARANTEE="${1:-exactly_once_v2}"
COUNT="${2:-1000000}"
OUT="${3:-target/bench}"
# shellcheck source=lib/dev.sh
source scripts/lib/dev.sh
dev_build "$OUT" bench-million
RESULTS="$OUT/million-$GUARANTEE.jsonl"
RSS_CSV="$OUT/million-$GUARANTEE-rss.csv"
: > "$RESULTS"

echo "bench-million: starting ./taskqueue dev ($GUARANTEE), log $OUT/dev-million-$GUARANTEE.log" >&2
dev_start "$GUARANTEE" "$OUT/dev-million-$GUARANTEE.log"
dev_warm_up
JCMD="$(dirname "$(readlink -f "/proc/$DEV/exe")")/jcmd" # the jcmd of the JDK dev runs on
[[ -x "$JCMD" ]] || JCMD=""

rss_mb() { awk '/VmRSS/ {printf "%d", $2 / 1024}' "/proc/$DEV/status"; }
drain() {
  local line
  line=$(./taskqueue bench drain "${TARGET[@]}" --count "$1" --timeout 3600 | tee >(cat >&2) \
    | grep '^{' | tail -1) || true
  [[ -n "$line" ]] && echo "$line" >> "$RESULTS"
}

for _ in 1 2 3; do drain 10000; done
echo "seconds,rss_mb" > "$RSS_CSV"
start=$(date +%s)
( while kill -0 "$DEV" 2> /dev/null; do echo "$(( $(date +%s) - start )),$(rss_mb)" >> "$RSS_CSV"; sleep 10; done ) &
SAMPLER=$!
drain "$COUNT"
kill "$SAMPLER" 2> /dev/null || true

heap() { [[ -n "$JCMD" ]] && "$JCMD" "$DEV" GC.heap_info 2> /dev/null | grep -E 'PSYoungGen|ParOldGen|Metaspace'; }
echo "bench-million: RSS with $COUNT + 10,000 + warm-up tasks retained: $(rss_mb) MB (max during the drain $(cut -d, -f2 "$RSS_CSV" | sort -n | tail -1) MB)" >&2
echo "bench-million: heap now:" >&2; heap >&2 || true
[[ -n "$JCMD" ]] && "$JCMD" "$DEV" GC.run > /dev/null 2>&1 || true
echo "bench-million: heap after a full GC (live set):" >&2; heap >&2 || true
echo "bench-million: RSS after the full GC: $(rss_mb) MB" >&2
jq -r '"\(.scenario) N=\(.settings.count): drain \(.figures.drain_per_sec)/s, ok \(.ok)"' "$RESULTS"
