#!/bin/bash
# per-function instructions per command (two callgrind runs, JIT code named through --perf-basic-prof maps)
# usage: irprof.sh [top-N]   tree ROOT (default: git top). Function names carry the bundle's line; the bundle is $OUT/a/b/${JOB:-cg}.mjs
ROOT=${ROOT:-$(git rev-parse --show-toplevel)}; OUT=${OUT:-$ROOT/.perf}
ROOT=$ROOT OUT=$OUT bash "$(dirname "$0")"/build.sh || exit 1
run() {
  WARM=${WARM:-60ms} RT=$1 valgrind --tool=callgrind --callgrind-out-file=$OUT/cg-$1.out --smc-check=all-non-file node ${PROMOTE:+--expose-gc} --single-threaded --predictable --random-seed=1 --hash-seed=1 --perf-basic-prof $OUT/a/b/${JOB:-cg}.mjs > $OUT/cg-$1.log 2>&1 &
  local pid=$!; wait $pid
  awk '/cmds/{print $1}' $OUT/cg-$1.log > $OUT/cg-$1.n
  mv /tmp/perf-$pid.map $OUT/cg-$1.map
}
A=${A:-20ms}; B=${B:-60ms}
run $A; run $B
python3 $(dirname "$0")/cgsum.py $OUT/cg-$A.out $OUT/cg-$A.map $OUT/cg-$B.out $OUT/cg-$B.map $(( $(cat $OUT/cg-$B.n) - $(cat $OUT/cg-$A.n) )) ${1:-70}
python3 $(dirname "$0")/byfile.py $OUT ${1:-70} ${JOB:-cg} $A $B
