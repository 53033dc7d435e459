#!/bin/sh
# bench/bench_weighting.sh - final rel L2 (network vs exact) and wall time of
# three configs under each loss-weighting scheme, as a Markdown table. Not a
# test: it asserts nothing. Extra `--set` arguments (e.g. reduced iterations)
# come from BENCH_WEIGHTING_SET, e.g.
#   BENCH_WEIGHTING_SET="train.adam.iterations=5000 train.lbfgs.iterations=1000"
set -eu
PINN=${PINN:-build/pinn}
CONFIGS=${BENCH_WEIGHTING_CONFIGS:-"configs/heat1d.cfg configs/heat1d_neumann.cfg configs/logistic.cfg"}
SCHEMES=${BENCH_WEIGHTING_SCHEMES:-"fixed uncertainty gradnorm annealing dwa"}
SET=${BENCH_WEIGHTING_SET:-}
THREADS=${BENCH_WEIGHTING_THREADS:-1}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

extra=""
for s in $SET; do extra="$extra --set $s"; done
[ -n "$SET" ] && echo "overrides: $SET"
echo "threads: $THREADS"
echo
echo "| config | scheme | rel L2 vs exact | seconds (wall) | status |"
echo "|---|---|---|---|---|"
for cfg in $CONFIGS; do
    name=$(basename "$cfg" .cfg)
    for scheme in $SCHEMES; do
        log="$tmp/$name-$scheme.log"
        t0=$(date +%s.%N)
        # shellcheck disable=SC2086
        if "$PINN" run "$cfg" -o "$tmp/$name-$scheme.h5" --threads "$THREADS" \
            --set "loss.weighting=\"$scheme\"" $extra >"$log" 2>&1; then
            status=ok
        else
            status="failed ($(tail -n 1 "$log" | cut -c1-60))"
        fi
        t1=$(date +%s.%N)
        rel=$(awk '/network vs exact/ {print $4}' "$log")
        secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", b - a}')
        echo "| $name | $scheme | ${rel:-n/a} | $secs | $status |"
    done
done
