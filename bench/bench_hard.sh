#!/bin/sh
# bench/bench_hard.sh - each hard-problem technique on and off (issue 15):
# rel L2 of the network (vs the exact solution, else the GSL reference) and
# wall seconds side by side, one seed per cell, and the spread over 3 seeds
# for the headline rows. Not a test: it asserts nothing. Rows can be picked
# with BENCH_HARD_ROWS (a space-separated list of row names, see below) and
# the seeds of the headline rows with BENCH_HARD_SEEDS.
set -eu
PINN=${PINN:-build/pinn}
THREADS=${BENCH_HARD_THREADS:-1}
SEEDS=${BENCH_HARD_SEEDS:-"1 2 3"}
ROWS=${BENCH_HARD_ROWS:-"lv-windows sir40-windows heat1d-second heat1d-adapt heat1d-hard lv-hard
      pde-hard wave1d-windows embeddings burgers allen-cahn"}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# run NAME CONFIG SEED ARGS...: prints "rel wall cpu verdict" (cpu: user +
# system seconds of the run, the fairer number on a shared machine)
run() {
    name=$1 cfg=$2 seed=$3
    shift 3
    log="$tmp/$name.log"
    t0=$(date +%s.%N)
    /usr/bin/time -f "cpu %U %S" -o "$tmp/$name.time" \
        "$PINN" run "$cfg" -o "$tmp/$name.h5" --threads "$THREADS" --seed "$seed" \
        --set train.log_every=1000000 "$@" >"$log" 2>&1 || true
    t1=$(date +%s.%N)
    rel=$(awk '/network vs exact/ {e = $4} /network vs reference/ {r = $4}
               END {print (e != "" ? e : (r != "" ? r : "n/a"))}' "$log")
    verdict=$(awk '/verdict:/ {print $2}' "$log" | tr -d ':')
    secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", b - a}')
    cpu=$(awk '/^cpu/ {printf "%.1f", $2 + $3}' "$tmp/$name.time")
    echo "$rel $secs ${cpu:-n/a} ${verdict:-none}"
}

# cell ROW SETTING_LABEL CONFIG ARGS...: one table row, seed 1
cell() {
    row=$1 label=$2 cfg=$3
    shift 3
    set -- $(run "$row-$(echo "$label" | tr -c 'a-z0-9' _)" "$cfg" 1 "$@")
    echo "| $row | $label | $1 | $2 | $3 | $4 |"
}

# spread ROW LABEL CONFIG ARGS...: min / median / max rel L2 over SEEDS
spread() {
    row=$1 label=$2 cfg=$3
    shift 3
    : >"$tmp/vals"
    for s in $SEEDS; do run "$row-s$s" "$cfg" "$s" "$@" >>"$tmp/vals"; done
    stats=$(sort -g "$tmp/vals" |
            awk '{v[NR] = $1} END {printf "%s / %s / %s", v[1], v[int((NR + 1) / 2)], v[NR]}')
    tm=$(awk '{print $2}' "$tmp/vals" | sort -g |
         awk '{v[NR] = $1} END {printf "%s", v[int((NR + 1) / 2)]}')
    cp=$(awk '{print $3}' "$tmp/vals" | sort -g |
         awk '{v[NR] = $1} END {printf "%s", v[int((NR + 1) / 2)]}')
    echo "| $row | $label, seeds $SEEDS (min / median / max) | $stats | $tm (median) | $cp (median) | |"
}

echo "threads: $THREADS"
echo
echo "| problem | setting | rel L2 | seconds (wall) | seconds (cpu) | verdict |"
echo "|---|---|---|---|---|---|"
for r in $ROWS; do
    case $r in
    lv-windows)
        cell lotka_volterra "one network (windows = 1)" configs/lotka_volterra.cfg \
            --set train.windows=1
        cell lotka_volterra "one network, the 10 windows' steps" configs/lotka_volterra.cfg \
            --set train.windows=1 --set train.adam.iterations=10000 \
            --set train.lbfgs.iterations=10000
        cell lotka_volterra "windows = 10 (config)" configs/lotka_volterra.cfg
        spread lotka_volterra "windows = 10" configs/lotka_volterra.cfg
        ;;
    sir40-windows)
        cell sir40 "one network (windows = 1)" configs/sir40.cfg --set train.windows=1
        cell sir40 "one network, the 8 windows' steps" configs/sir40.cfg --set train.windows=1 \
            --set train.adam.iterations=8000 --set train.lbfgs.iterations=8000
        cell sir40 "windows = 8 (config)" configs/sir40.cfg
        spread sir40 "windows = 8" configs/sir40.cfg
        ;;
    heat1d-second)
        # the config is Adam 5000 + ssbroyden 5000; the old one Adam 20000 + L-BFGS 5000
        cell heat1d "adam 20000 + lbfgs 5000 (before)" configs/heat1d.cfg \
            --set train.adam.iterations=20000 --set 'train.second_phase="lbfgs"'
        for m in lbfgs bfgs ssbfgs ssbroyden; do
            cell heat1d "adam 5000 + $m 5000" configs/heat1d.cfg \
                --set "train.second_phase=\"$m\""
        done
        spread heat1d "adam 5000 + ssbroyden 5000 (config)" configs/heat1d.cfg
        ;;
    heat1d-adapt)
        for a in none rar rad; do
            cell heat1d "adam 5000 + ssbroyden 1000, points.adapt $a" configs/heat1d.cfg \
                --set train.lbfgs.iterations=1000 --set "points.adapt=\"$a\""
        done
        ;;
    heat1d-hard)
        for h in false true; do
            cell heat1d "adam 5000 + ssbroyden 1000, hard_constraints $h" configs/heat1d.cfg \
                --set train.lbfgs.iterations=1000 --set "network.hard_constraints=$h"
        done
        ;;
    lv-hard)
        for h in false true; do
            cell lotka_volterra "windows = 1, hard_constraints $h" configs/lotka_volterra.cfg \
                --set train.windows=1 --set "network.hard_constraints=$h"
        done
        ;;
    pde-hard)
        # the general pde type: Dirichlet sides and the initial condition exact
        for c in burgers wave1d heat2d poisson2d; do
            for h in false true; do
                cell "$c" "hard_constraints $h" "configs/$c.cfg" \
                    --set "network.hard_constraints=$h"
            done
        done
        ;;
    wave1d-windows)
        for w in 1 2 4; do
            cell wave1d "windows = $w" configs/wave1d.cfg --set "train.windows=$w"
        done
        ;;
    embeddings)
        # periodic heat, a short budget: each network option alone
        short="--set train.adam.iterations=1000 --set train.lbfgs.iterations=300
               --set points.interior=600 --set train.second_phase=\"lbfgs\""
        cell heat1d_periodic "no options" configs/heat1d_periodic.cfg $short
        cell heat1d_periodic "network.periodic x" configs/heat1d_periodic.cfg $short \
            --set 'network.periodic="x"'
        cell heat1d_periodic "16 Fourier features, sigma 0.25" configs/heat1d_periodic.cfg \
            $short --set network.fourier.features=16 --set network.fourier.sigma=0.25
        cell heat1d_periodic "factorization mu 0.5" configs/heat1d_periodic.cfg $short \
            --set network.factorization.mu=0.5
        ;;
    burgers)
        # before: conditions as loss terms, 2540 points, L-BFGS
        cell burgers "loss terms, 2540 points, lbfgs (before)" configs/burgers.cfg \
            --set network.hard_constraints=false --set points.interior=2540 \
            --set 'train.second_phase="lbfgs"'
        spread burgers "hard constraints, 8000 points, ssbroyden (config)" configs/burgers.cfg
        ;;
    allen-cahn)
        # before: the 4 x 32 net with embeddings and causal weights, L-BFGS
        cell allen_cahn "4 x 32, Fourier + factorization + causal, lbfgs (before)" \
            configs/allen_cahn.cfg --set 'network.hidden=[32,32,32,32]' \
            --set network.fourier.features=32 --set network.factorization.mu=1.0 \
            --set loss.pde.causal_epsilon=1.0 --set 'train.second_phase="lbfgs"' \
            --set train.lbfgs.iterations=1000 --set train.lbfgs.resample_every=0
        spread allen_cahn "RAD in both phases, ssbroyden (config)" configs/allen_cahn.cfg
        ;;
    *) echo "unknown row $r" >&2 ;;
    esac
done
