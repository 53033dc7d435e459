#!/bin/sh
# bench/scaling.sh - Adam step time and peak RSS of heat1d.cfg as the interior
# point count (2540, 22000, 100000; boundary 80 and initial 160 as in the
# config) and the width (3 hidden layers of 20, 64, 128) grow: one process per
# configuration so VmHWM is that configuration's own. 1 thread. Not a test.
set -eu
B=${BUILD:-build}/bench/bench_step
[ -x "$B" ] || { echo "scaling.sh: $B not built (make bench builds it)"; exit 0; }
echo "Adam step of configs/heat1d.cfg by size, 1 thread (median/min ms of R steps; GFLOP/s of the products; peak RSS)"
printf '%-10s %8s %5s %3s %10s %10s %9s %9s\n' term interior width thr "median ms" "min ms" "GFLOP/s" "RSS MB"
for w in 20 64 128; do
    for n in 2540 22000 100000; do
        # about 10 s of steps per configuration on this machine, 3 at least
        est=$(awk -v n="$n" -v w="$w" 'BEGIN { printf "%d", 2000 / (1e-6 * n * w * w + 0.5) }')
        reps=$(awk -v r="$est" 'BEGIN { r = r < 3 ? 3 : r; r = r > 200 ? 200 : r; print r }')
        "$B" --threads 1 --reps "$reps" --set points.interior="$n" --set "network.hidden=[$w,$w,$w]"
    done
done
