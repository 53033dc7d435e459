#!/bin/sh
# bench/coretype.sh - bench_step (heat1d.cfg) with OPENBLAS_CORETYPE unset and
# set to Haswell and Zen: the fast pass does not call OpenBLAS, so only the
# "OpenBLAS dgemm" comparison line should move. Not a test.
set -eu
B=${BUILD:-build}/bench/bench_step
[ -x "$B" ] || { echo "coretype.sh: $B not built (make bench builds it)"; exit 0; }
env -u OPENBLAS_CORETYPE "$B"
for c in Haswell Zen; do OPENBLAS_CORETYPE=$c "$B"; done
