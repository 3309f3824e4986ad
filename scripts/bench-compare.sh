#!/usr/bin/env bash
# Paired comparison of two builds (e.g. before/after a tuning change): for a checkout, builds it,
# starts its `./taskqueue dev --fresh` on spare ports, warms it up until an e2e round at 200/s keeps
# up, measures the idle CPU of the dev process over 20 s (/proc/<pid>/stat), then runs e2e at 300/s
# and 600/s for 20 s each, and prints one line. Run it alternately on the two checkouts (A B A B):
# on two shared cores single runs of one build vary more than many changes do.
#
# Usage: scripts/bench-compare.sh <checkout-dir> [exactly_once_v2|at_least_once] [label]
# Loopback only; stops the dev it started.
set -euo pipefail
LIB="$(cd "$(dirname "$0")" && pwd)/lib" # this script's helpers, whichever checkout is measured
DIR="$(cd "$1" && pwd)"
GUARANTEE="${2:-exactly_once_v2}"
LABEL="${3:-$(git -C "$DIR" rev-parse --short HEAD)}"
cd "$DIR"
./taskqueue build > /dev/null
# shellcheck source=lib/dev.sh
source "$LIB/dev.sh"
dev_start "$GUARANTEE" "$(mktemp).dev.log"
dev_warm_up 2> /dev/null
sleep 10
ticks() { awk '{print $14 + $15}' "/proc/$DEV/stat"; } # ./taskqueue execs the JVM: $DEV is dev
t0=$(ticks); sleep 20; t1=$(ticks)
idle=$(( (t1 - t0) * 100 / $(getconf CLK_TCK) / 20 ))
figures=()
for rate in 300 600; do
  figures+=("$(./taskqueue bench e2e "${TARGET[@]}" --rate "$rate" --duration 20 --warmup 3 2> /dev/null \
    | grep '^{' | tail -1 | jq -r '"e2e \(.settings.rate)/s: completed \(.figures.completed_per_sec)/s, pickup p50 \(.latency_ms.pickup.p50) p99 \(.latency_ms.pickup.p99) ms, lost \(.figures.lost)"')")
done
echo "$LABEL $GUARANTEE: warm-up rounds $WARM_UP_ROUNDS, idle CPU ${idle} % of a core | ${figures[0]} | ${figures[1]}"
