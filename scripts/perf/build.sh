#!/bin/bash
# build the callgrind bench job (cg.mjs) and its floor (floor.mjs, src/bench/floor.ts) from the tree at ROOT (default: the current directory's git top) into $OUT/a/b/
ROOT=${ROOT:-$(git rev-parse --show-toplevel)}; OUT=${OUT:-$ROOT/.perf}
mkdir -p $OUT/a/b
# the bundle sits two levels below a dir whose build/ is ROOT's build (wasm path is relative)
ln -sfn $ROOT/build $OUT/build
for job in cg floor; do
  sed "s#@ROOT@#$ROOT#g" $(dirname "$0")/$job.mts.in > $OUT/$job.mts
  $ROOT/node_modules/.bin/esbuild $OUT/$job.mts --bundle --platform=node --format=esm --outfile=$OUT/a/b/$job.mjs --log-level=warning || exit 1
done
