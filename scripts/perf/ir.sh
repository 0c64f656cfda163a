#!/bin/bash
# instructions per simulated command (differential of two callgrind runs): deterministic A/B metric, +-1.5%
# usage: ir.sh [label]   tree ROOT (default: git top)
ROOT=${ROOT:-$(git rev-parse --show-toplevel)}; OUT=${OUT:-$ROOT/.perf}
ROOT=$ROOT OUT=$OUT bash "$(dirname "$0")"/build.sh || exit 1
run() { WARM=${WARM:-60ms} RT=$1 valgrind --tool=callgrind --callgrind-out-file=/dev/null --smc-check=all-non-file node ${PROMOTE:+--expose-gc} --single-threaded --predictable --random-seed=1 --hash-seed=1 $OUT/a/b/${JOB:-cg}.mjs 2>&1 | awk '/cmds/{n=$1} /Collected/{c=$4} END{gsub(",","",c); print n, c}'; }
a=$(run ${A:-20ms}); b=$(run ${B:-60ms})
echo "$a | $b" | awk -v l="$1" '{printf "%s instr/cmd %.0f (n %d..%d)\n", l, ($5-$2)/($4-$1), $1, $4}'
