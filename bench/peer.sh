#!/bin/sh
# bench/peer.sh - pinn against its PyTorch peer (bench/torch_heat.py) on
# configs/heat1d.cfg: ms per Adam step (median, 1 and 2 threads) and time to
# rel L2 <= 1e-2 and 1e-3 (rel L2 on the 101 x 101 grid every 100 steps) with
# a shared schedule, Adam PEER_ADAM (default 5000) then L-BFGS PEER_LBFGS
# (default 5000) steps, each printed as a ratio pinn / PyTorch from this same
# run; then pinn alone with the config's own schedule (Adam 20000, L-BFGS
# 5000). Skips the peer with a message when torch is missing. PEER_CAP
# (seconds, default 240) bounds each PyTorch training run; PEER_FULL=0 skips
# the last run. Not a test.
set -eu
BUILD=${BUILD:-build}
PINN=${PINN:-$BUILD/pinn}
STEP=$BUILD/bench/bench_step
CAP=${PEER_CAP:-240}
ADAM=${PEER_ADAM:-5000}
LBFGS=${PEER_LBFGS:-5000}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

PY=
for p in /usr/bin/python3 python3; do
    if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import torch' >/dev/null 2>&1; then PY=$p; break; fi
done

echo "-- ms per Adam step (median of 300 steps; pinn through trainer_objective + adam_step)"
for t in 1 2; do
    "$STEP" --threads "$t" --reps 300 > "$TMP/step$t"
    ours=$(awk '{print $5}' "$TMP/step$t")
    printf 'pinn      float64 %d thread(s): %8.3f ms\n' "$t" "$ours"
    if [ -n "$PY" ]; then
        for dt in float64 float32; do
            OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=$t "$PY" bench/torch_heat.py --threads "$t" \
                --dtype "$dt" --adam 310 --lbfgs 0 > "$TMP/torch$t$dt"
            theirs=$(awk '{print $6}' "$TMP/torch$t$dt")
            printf 'PyTorch   %s %d thread(s): %8.3f ms   pinn / PyTorch = %.3f\n' "$dt" "$t" \
                "$theirs" "$(awk -v a="$ours" -v b="$theirs" 'BEGIN{print a/b}')"
        done
    fi
done
[ -n "$PY" ] || echo "PyTorch peer skipped: no python3 with torch (apt-get install -y python3-torch)"

# pinn's table rows: step phase seconds loss terms... rel_l2 (last column)
pinn_time() {
    "$PINN" run configs/heat1d.cfg --threads 1 --set train.log_every=100 \
        --set reference.enabled=false -o "$TMP/heat.h5" "$@" > "$TMP/pinn.log"
    awk '$2 == "adam" || $2 ~ /bfgs|broyden/ { s = $3; e = $NF
             if (!a && e <= 1e-2) { a = s }  if (!b && e <= 1e-3) { b = s } }
         /network vs exact/ { f = $4 }
         END { printf "pinn      float64: 1e-2 after %s s, 1e-3 after %s s, final rel L2 %s (%s s)\n",
               a ? a : "never", b ? b : "never", f, s }' "$TMP/pinn.log"
}
echo "-- time to rel L2 (training seconds; Adam $ADAM then L-BFGS $LBFGS; 1 thread)"
pinn_time --set train.adam.iterations="$ADAM" --set train.lbfgs.iterations="$LBFGS" | tee "$TMP/pinn.sum"
if [ -n "$PY" ]; then
    for dt in float64 float32; do
        OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 "$PY" bench/torch_heat.py --threads 1 \
            --dtype "$dt" --adam "$ADAM" --lbfgs "$LBFGS" --max-seconds "$CAP" > "$TMP/acc$dt"
        awk -v cap="$CAP" '{ printf "PyTorch   %s: 1e-2 after %s s, 1e-3 after %s s, final rel L2 %s (%s s, %s Adam + %s L-BFGS%s)\n",
              $2, $8, $10, $12, $18, $14, $16, $20 == "1" ? ", stopped at the " cap " s cap" : "" }' "$TMP/acc$dt"
        ours=$(awk '{print $9}' "$TMP/pinn.sum")
        theirs=$(awk '{print $10}' "$TMP/acc$dt")
        awk -v a="$ours" -v b="$theirs" -v dt="$dt" 'BEGIN {
            if (a == "never") print "time to 1e-3: pinn never reached it"
            else if (b == "nan") printf "time to 1e-3, pinn / PyTorch %s: PyTorch did not reach it in its run\n", dt
            else printf "time to 1e-3, pinn / PyTorch %s = %.3f\n", dt, a / b }'
    done
fi
[ "${PEER_FULL:-1}" = 0 ] && exit 0
echo "-- pinn with the config's own schedule (Adam 20000, L-BFGS 5000; 1 thread)"
pinn_time
