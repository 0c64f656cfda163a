#!/bin/bash
# determinism snapshot: every modelled-time output (reproduce, each example fio job on each setup,
# each examples/blk scenario) of the tree ROOT (default: git top) into directory $1.
# Compare two snapshots with: diff -r A B   (must print nothing for a pure speed change)
d=$(realpath -m $1); mkdir -p $d; cd ${ROOT:-$(git rev-parse --show-toplevel)}
node bin/nvmelab.mjs reproduce --json $d/repro.json > /dev/null 2>&1
for f in examples/fio/*.fio; do
  for s in tlc-970pro null_blk examples/fio/setup-*.json; do node bin/nvmelab.mjs fio $f --setup=$s --output-format=json --output=$d/$(basename $f .fio)-$(basename $s .json).json 2>$d/$(basename $f .fio)-$(basename $s .json).err; done
done
for f in examples/blk/*.json; do node bin/nvmelab.mjs blk run $f --json=$d/blk-$(basename $f) > $d/blk-$(basename $f .json).txt 2>&1; done
echo "$(ls $d | wc -l) files in $d"
