#!/bin/bash
# wall-clock self time per function of the bench job (V8 sampling profiler, inlined functions
# attributed to their own source): usage cpuprof.sh [top-N]; tree ROOT (default: git top).
# Complements ir.sh: instruction counts miss cache misses (pointer chasing), this shows them.
ROOT=${ROOT:-$(git rev-parse --show-toplevel)}; OUT=${OUT:-$ROOT/.perf}
ROOT=$ROOT OUT=$OUT bash "$(dirname "$0")"/build.sh || exit 1
rm -rf $OUT/cpuprof && RT=${RT:-2000ms} node --cpu-prof --cpu-prof-dir=$OUT/cpuprof --cpu-prof-interval 100 $OUT/a/b/${JOB:-cg}.mjs
python3 - "$OUT" "${1:-40}" <<'PY'
import json,sys,glob,collections
p=json.load(open(glob.glob(sys.argv[1]+'/cpuprof/*.cpuprofile')[0]))
nodes={n['id']:n for n in p['nodes']}
cnt=collections.Counter(p['samples'])
self_=collections.Counter()
for nid,c in cnt.items():
    cf=nodes[nid]['callFrame']; self_[(cf['functionName'],cf['url'].split('/')[-1],cf['lineNumber']+1)]+=c
tot=sum(cnt.values())
for k,v in self_.most_common(int(sys.argv[2])): print(f"{v/tot*100:5.1f}% {k[0]} {k[1]}:{k[2]}")
PY
