#!/bin/sh
# bench/reference_pde.sh - seconds and peak memory of the pde reference
# (problems/pde_reference.c) at the default grids, for every pde config:
# median of 3 runs of `pinn reference` without the error estimate (CPU and
# wall seconds of the whole process, peak RSS), then one run with it (the
# estimate costs the half- and quarter-resolution solves) and its line.
# The machine is shared: CPU seconds are the steadier number. Not a test.
set -eu
P=${PINN:-build/pinn}
[ -x "$P" ] || { echo "reference_pde.sh: $P not built"; exit 0; }
[ -x /usr/bin/time ] || { echo "reference_pde.sh: needs /usr/bin/time (Debian package time)"; exit 0; }
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
med() { sort -g | sed -n 2p; }
printf '%-20s %9s %9s %9s %10s  %s\n' config cpu_s wall_s rss_MB est_cpu_s "reference vs exact (rel L2) / method"
for c in burgers allen_cahn wave1d poisson2d heat2d reaction_diffusion robin1d; do
    f=configs/$c.cfg
    [ -e "$f" ] || continue
    : > "$T/u"; : > "$T/w"; : > "$T/m"
    for r in 1 2 3; do
        /usr/bin/time -f '%U %e %M' -o "$T/t" "$P" reference "$f" -o "$T/o.h5" \
            --set reference.estimate=false > /dev/null
        read -r u w m < "$T/t"
        echo "$u" >> "$T/u"; echo "$w" >> "$T/w"; echo "$m" >> "$T/m"
    done
    /usr/bin/time -f '%U' -o "$T/te" "$P" reference "$f" -o "$T/o.h5" > "$T/out"
    ex=$(grep 'reference vs exact' "$T/out" | awk '{print $4}')
    printf '%-20s %9s %9s %9.1f %10s  %s\n' "$c" "$(med < "$T/u")" "$(med < "$T/w")" \
        "$(awk -v k="$(med < "$T/m")" 'BEGIN { print k / 1024 }')" "$(cat "$T/te")" "${ex:-no exact}"
    grep 'reference:' "$T/out" | sed 's/^ *reference: /      /'
done
