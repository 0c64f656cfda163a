#!/bin/bash
# wall-clock speed of the fio bench job (noisy machine: compare best of N), tree ROOT (default: git top)
ROOT=${ROOT:-$(git rev-parse --show-toplevel)}; OUT=${OUT:-$ROOT/.perf}
ROOT=$ROOT OUT=$OUT bash "$(dirname "$0")"/build.sh || exit 1
for i in $(seq ${N:-5}); do RT=${RT:-400ms} node $OUT/a/b/${JOB:-cg}.mjs; done
