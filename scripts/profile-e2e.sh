#!/usr/bin/env bash
# The profile behind docs/BENCHMARKS.md: on a fresh, warmed-up `./taskqueue dev` (spare ports, one
# processing guarantee), records JFR (settings=profile) for the length of one `bench e2e` run and
# prints JDK's own summaries of it: hottest methods by execution samples and by CPU time, CPU per
# thread, GC pauses and allocation by class. Run it on a quiet machine. Stops dev at the end; the
# recording stays in the out dir for JDK Mission Control.
#
# Usage: scripts/profile-e2e.sh [exactly_once_v2|at_least_once] [rate=1000] [seconds=30] [out-dir=target/bench]
# Loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."
GUARANTEE="${1:-exactly_once_v2}"
RATE="${2:-1000}"
SECONDS_="${3:-30}"
OUT="${4:-target/bench}"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
RECORDING="$OUT/e2e-$GUARANTEE-$RATE.jfr"
# shellcheck source=lib/dev.sh
source scripts/lib/dev.sh
dev_build "$OUT" profile-e2e
echo "profile-e2e: starting ./taskqueue dev ($GUARANTEE), log $OUT/dev-profile-$GUARANTEE.log" >&2
dev_start "$GUARANTEE" "$OUT/dev-profile-$GUARANTEE.log"
dev_warm_up
JDK_BIN="$(dirname "$(readlink -f "/proc/$DEV/exe")")" # the JDK dev runs on

"$JDK_BIN/jcmd" "$DEV" JFR.start name=e2e settings=profile "filename=$RECORDING" > /dev/null
./taskqueue bench e2e "${TARGET[@]}" --rate "$RATE" --duration "$SECONDS_" --warmup 3 \
  | tee "$OUT/e2e-$GUARANTEE-$RATE.txt" | grep -v '^{' >&2 || true
"$JDK_BIN/jcmd" "$DEV" JFR.stop name=e2e > /dev/null
echo "profile-e2e: recording $RECORDING" >&2
for view in thread-cpu-load hot-methods cpu-time-hot-methods gc-pauses allocation-by-class; do
  echo "== jfr view $view"
  "$JDK_BIN/jfr" view --width 160 "$view" "$RECORDING" || true
done
