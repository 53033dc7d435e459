#!/bin/sh
# bench/mpi.sh - Adam step time of configs/heat1d.cfg on 1 and 2 MPI ranks
# (pinn-mpi, strong scaling, 1 thread per rank, each rank bound to a core)
# at 20k, 100k and 1M interior points, with the all-reduce's share of the
# step. PINN_PAR_PROFILE=1 puts a barrier before every all-reduce, so the
# time waiting for the slower rank ("wait") is told apart from the
# reduction itself ("reduce"). Median of REPS runs (default 3) per cell;
# the load average is printed before each cell, as the machine is shared.
# "cpu" is rank 0's CPU time per step outside MPI calls (MPI polls while it
# waits, which is CPU time too): with autogroup scheduling (this
# machine: a session's processes share one session's slice of the CPU) the
# wall time of 2 ranks need not drop when their work halves; CPU time shows
# the split. Speedups are given for both.
# Then the all-reduce alone: tiny point sets, so a step is the reduction.
# Not a test: it asserts nothing. docs/mpi.md discusses the numbers.
set -eu
M=${PINN_MPI:-${BUILD:-build}/pinn-mpi}
REPS=${REPS:-3}
[ -x "$M" ] || { echo "mpi.sh: SKIP: $M not built (make mpi)"; exit 0; }
command -v mpirun >/dev/null 2>&1 || { echo "mpi.sh: SKIP: no mpirun (Open MPI)"; exit 0; }
root=""; [ "$(id -u)" = 0 ] && root=--allow-run-as-root
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# steps per run: about the same work per cell
steps_for() { case $1 in 20000) echo 60 ;; 100000) echo 16 ;; *) echo 4 ;; esac; }

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "pinn-mpi, configs/heat1d.cfg (net 2-20-20-20-1, 921 parameters, 3 terms), strong scaling, 1 thread per rank"
echo "per Adam step: median of $REPS runs; wall ms, and rank 0's CPU ms outside MPI; reduce/wait: wall ms in MPI_Allreduce / in the barrier before it"
printf '%9s %5s %6s %9s %9s %8s %8s %8s %8s %8s  %s\n' interior ranks steps "wall ms" "cpu ms" reduce wait "reduce%" "x wall" "x cpu" "load (1/5/15 min)"
for n in 20000 100000 1000000; do
    steps=$(steps_for "$n")
    t1=""
    for np in 1 2; do
        load=$(cut -d' ' -f1-3 /proc/loadavg)
        : > "$tmp/step"; : > "$tmp/cpu"; : > "$tmp/red"; : > "$tmp/wait"
        r=0
        while [ "$r" -lt "$REPS" ]; do
            r=$((r + 1))
            PINN_PAR_PROFILE=1 mpirun --oversubscribe $root --bind-to core -np "$np" -x PINN_PAR_PROFILE \
                "$M" run configs/heat1d.cfg --threads 1 -o "$tmp/b.h5" \
                --set points.interior="$n" --set train.adam.iterations="$steps" \
                --set train.lbfgs.iterations=0 --set reference.enabled=false \
                --set train.log_every=1000000000 --set train.checkpoint_every=0 \
                --set output.nx=11 --set output.nt=11 > "$tmp/out" 2>&1 \
                || { echo "mpi.sh: run failed:"; cat "$tmp/out"; exit 1; }
            # "network vs exact  rel  max  SECONDS" and, for 2 ranks,
            # "all-reduce: N of D doubles, R s (...), wait W s"
            awk -v s="$steps" '/network vs exact/ { printf "%.6f\n", 1e3 * $NF / s }' "$tmp/out" >> "$tmp/step"
            # CPU outside MPI: MPI polls while it waits, which is CPU time too
            awk -v s="$steps" '/training CPU time:/ { printf "%.6f\n", 1e3 * ($4 - $8) / s }' "$tmp/out" >> "$tmp/cpu"
            awk '/all-reduce:/ { n = $2; r = $6; w = 0; for (i = 1; i <= NF; i++) if ($i == "wait") w = $(i + 1);
                                 printf "%.6f %.6f\n", 1e3 * r / n, 1e3 * w / n }
                 END { if (!n) print "0 0" }' "$tmp/out" > "$tmp/rw"
            cut -d' ' -f1 "$tmp/rw" >> "$tmp/red"
            cut -d' ' -f2 "$tmp/rw" >> "$tmp/wait"
        done
        ms=$(median < "$tmp/step"); cpu=$(median < "$tmp/cpu")
        red=$(median < "$tmp/red"); wt=$(median < "$tmp/wait")
        [ "$np" = 1 ] && t1=$ms && c1=$cpu
        sp=$(awk -v a="$t1" -v b="$ms" 'BEGIN { printf "%.2f", a / b }')
        spc=$(awk -v a="$c1" -v b="$cpu" 'BEGIN { printf "%.2f", a / b }')
        pct=$(awk -v r="$red" -v m="$ms" 'BEGIN { printf "%.1f%%", 100 * r / m }')
        printf '%9s %5s %6s %9.1f %9.1f %8.2f %8.2f %8s %8s %8s  %s\n' "$n" "$np" "$steps" "$ms" "$cpu" "$red" "$wt" "$pct" "$sp" "$spc" "$load"
    done
done

# The all-reduce alone: point sets of 2 + 2 + 1 points, so a step is almost
# only the reduction, for the heat1d net (2767 doubles, 22 KB) and a net of
# 3 x 64 (8577 parameters, 25735 doubles, 206 KB). Microseconds per call.
echo
echo "all-reduce alone (2 ranks, tiny point sets, 400 Adam steps): us per MPI_Allreduce, median of $REPS runs"
printf '%8s %8s %9s %9s  %s\n' params doubles "reduce us" "wait us" "load (1/5/15 min)"
for h in "[20,20,20]" "[64,64,64]"; do
    load=$(cut -d' ' -f1-3 /proc/loadavg)
    : > "$tmp/red"; : > "$tmp/wait"
    r=0
    while [ "$r" -lt "$REPS" ]; do
        r=$((r + 1))
        PINN_PAR_PROFILE=1 mpirun --oversubscribe $root --bind-to core -np 2 -x PINN_PAR_PROFILE \
            "$M" run configs/heat1d.cfg --threads 1 -o "$tmp/b.h5" --set "network.hidden=$h" \
            --set points.interior=2 --set points.boundary=2 --set points.initial=1 \
            --set train.adam.iterations=400 --set train.lbfgs.iterations=0 \
            --set reference.enabled=false --set train.log_every=1000000000 \
            --set train.checkpoint_every=0 --set output.nx=11 --set output.nt=11 > "$tmp/out" 2>&1 \
            || { echo "mpi.sh: run failed:"; cat "$tmp/out"; exit 1; }
        awk '/all-reduce:/ { n = $2; w = 0; for (i = 1; i <= NF; i++) if ($i == "wait") w = $(i + 1);
                             printf "%.3f %.3f %s\n", 1e6 * $6 / n, 1e6 * w / n, $4 }' "$tmp/out" > "$tmp/rw"
        cut -d' ' -f1 "$tmp/rw" >> "$tmp/red"
        cut -d' ' -f2 "$tmp/rw" >> "$tmp/wait"
        nd=$(cut -d' ' -f3 "$tmp/rw")
    done
    np=$(awk '/parameters,/ { for (i = 1; i <= NF; i++) if ($i == "parameters,") print $(i - 1) }' "$tmp/out")
    printf '%8s %8s %9.1f %9.1f  %s\n' "$np" "$nd" "$(median < "$tmp/red")" "$(median < "$tmp/wait")" "$load"
done
