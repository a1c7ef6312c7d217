#!/usr/bin/env bash
# run_core_bench.sh - the engine-core benchmark: the hold model on rsim_evq against SimPy, in one
# run, plus an instruction count per hold operation from callgrind (timing-noise free).
# Builds a Release tree with -O2 if needed. Figures are quoted in docs/performance.md.
#
# Usage: tests/bench/run_core_bench.sh [--quick]
# Environment: BUILD_DIR (default <source>/build-bench), OPS (rollsim timed holds per size,
# default 1e7), SIMPY_OPS (default 1e6), REPEAT (default 3), SIZES (default 10,1000,100000,1000000)
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD_DIR:-$src/build-bench}
ops=${OPS:-1e7} simpy_ops=${SIMPY_OPS:-1e6} repeat=${REPEAT:-3}
sizes=${SIZES:-10,1000,100000,1000000}
if [ "${1:-}" = "--quick" ]; then ops=1e6 simpy_ops=1e5 repeat=1; fi

if [ ! -x "$build/tests/bench/bench_evq" ] || [ "$src/sim/evq/evq.c" -nt "$build/tests/bench/bench_evq" ]; then
    cmake -S "$src" -B "$build" -Wno-dev -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_FLAGS_RELEASE="-O2 -DNDEBUG" \
        -DRSIM_WERROR=OFF >/dev/null 2>&1
    cmake --build "$build" -j2 --target bench_evq >/dev/null
fi
bench=$build/tests/bench/bench_evq
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "machine:  $(lscpu | sed -n 's/^Model name:[[:space:]]*//p'), $(nproc) CPUs"
echo "compiler: $(cc --version | head -1), -O2 -DNDEBUG"
echo "simpy:    $(/usr/bin/python3 -c 'import simpy, sys; print("SimPy", simpy.__version__, "on Python", sys.version.split()[0])')"
echo "date:     $(date -u +%Y-%m-%dT%H:%MZ)"
echo

"$bench" --draw both --ops "$ops" --repeat "$repeat" --sizes "$sizes" >"$tmp/rsim.tsv"
/usr/bin/python3 "$src/tests/bench/hold_simpy.py" --ops "$simpy_ops" --repeat "$repeat" \
    --sizes "$sizes" >"$tmp/simpy.tsv"

awk -F'\t' -v goals="10:30,1000:20,1000000:4" '
    BEGIN { n = split(goals, g, ","); for (i = 1; i <= n; i++) { split(g[i], kv, ":"); goal[kv[1]] = kv[2] } }
    FNR == 1 { next }
    FILENAME ~ /rsim/ { r[$1, $2] = $5; ns[$1, $2] = $6; if (!($1 in seen)) { seen[$1] = 1; order[++k] = $1 } }
    FILENAME ~ /simpy/ { s[$1, $2] = $5 }
    END {
        printf "%-8s %14s %9s %14s %12s %13s %9s %8s\n", "N", "rollsim M/s", "ns/op",
               "rollsim+rng", "SimPy M/s", "SimPy proc", "ratio", "goal"
        for (i = 1; i <= k; i++) {
            N = order[i]; best = s[N, "callback"] > s[N, "process"] ? s[N, "callback"] : s[N, "process"]
            ratio = best > 0 ? r[N, "predrawn"] / best : 0
            gl = (N in goal) ? sprintf("%s%s", r[N, "predrawn"] >= goal[N] ? "met " : "MISS ", goal[N]) : "-"
            printf "%-8s %14.2f %9.1f %14.2f %12.3f %13.3f %8.1fx %8s\n", N, r[N, "predrawn"],
                   ns[N, "predrawn"], r[N, "inline"], s[N, "callback"], s[N, "process"], ratio, gl
        }
        print ""
        print "rollsim M/s: predrawn increments; rollsim+rng: one rsim_rng_exponential per hold;"
        print "SimPy M/s: bare Timeout callbacks; SimPy proc: one process per pending event;"
        print "ratio: rollsim (predrawn) / the faster SimPy style (goal: >= 20x)."
    }' "$tmp/rsim.tsv" "$tmp/simpy.tsv"

if command -v valgrind >/dev/null; then
    # hold_loop runs warm-up (max(N, ops/10) = 1e5) and timed (1e6) holds: 1.1e6 in all.
    valgrind --tool=callgrind --toggle-collect=hold_loop --callgrind-out-file="$tmp/cg.out" \
        "$bench" --draw predrawn --ops 1e6 --sizes 1000 >/dev/null 2>"$tmp/cg.err"
    ir=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$tmp/cg.err")
    echo
    echo "callgrind, N = 1000, predrawn: $ir instructions / 1.1e6 holds = $(awk -v i="$ir" 'BEGIN { printf "%.0f", i / 1.1e6 }') instructions per hold"
fi
