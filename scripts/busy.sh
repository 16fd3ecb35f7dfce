#!/usr/bin/env bash
# Prints how busy the machine is with anything else, as the percentage of all cores' time that was not
# idle over the next 5 seconds (/proc/stat). The benchmarks record it before they time anything.
# Why not the load average: it lags by minutes (right after the bench's own builds it still says 2 on an
# idle machine), and on this project's VMs kernel threads in uninterruptible sleep keep it near 2 while
# `vmstat` shows the cores 99% idle.
set -euo pipefail
sample() { awk '/^cpu / { print $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9, $5 + $6 }' /proc/stat; }
read -r total0 idle0 < <(sample)
sleep "${1:-5}"
read -r total1 idle1 < <(sample)
awk -v t="$((total1 - total0))" -v i="$((idle1 - idle0))" 'BEGIN { printf "%.1f\n", (t > 0 ? 100 * (t - i) / t : 0) }'
