#!/bin/bash
# build the callgrind bench job from the tree at ROOT (default: the current directory's git top) into $OUT/cg.mjs
ROOT=${ROOT:-$(git rev-parse --show-toplevel)}; OUT=${OUT:-$ROOT/.perf}
mkdir -p $OUT/a/b && sed "s#@ROOT@#$ROOT#g" $(dirname "$0")/cg.mts.in > $OUT/cg.mts
# the bundle sits two levels below a dir whose build/ is ROOT's build (wasm path is relative)
ln -sfn $ROOT/build $OUT/build
$ROOT/node_modules/.bin/esbuild $OUT/cg.mts --bundle --platform=node --format=esm --outfile=$OUT/a/b/cg.mjs --log-level=warning
