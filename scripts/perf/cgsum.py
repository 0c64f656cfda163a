# usage: cgsum.py OUT20 MAP20 OUT60 MAP60 NCMDS_DIFF : per-function self Ir difference per command
import sys, subprocess, re, bisect, collections
def load(out, mp):
    ranges = []
    for line in open(mp):
        a, s, name = line.rstrip('\n').split(' ', 2)
        ranges.append((int(a, 16), int(s, 16), name))
    ranges.sort(); starts = [r[0] for r in ranges]
    txt = subprocess.run(['callgrind_annotate', '--threshold=100', '--inclusive=no', out], capture_output=True, text=True).stdout
    c = collections.Counter()
    for line in txt.splitlines():
        m = re.match(r'\s*([\d,]+)\s+\([^)]*\)\s+(.*)$', line)
        if not m: continue
        cost = int(m.group(1).replace(',', '')); fn = m.group(2)
        if 'PROGRAM TOTALS' in fn: continue
        m2 = re.match(r'\?\?\?:0x([0-9a-f]+) \[\?\?\?\]', fn)
        if m2:
            a = int(m2.group(1), 16); i = bisect.bisect_right(starts, a) - 1
            if i >= 0 and a < ranges[i][0] + ranges[i][1]: fn = 'JIT ' + ranges[i][2]
            else: fn = 'JIT ???'
        else:
            fn = re.sub(r'^.*?:', '', fn, count=1) if fn.startswith('???:') or fn.startswith('./') else fn
        fn = re.sub(r' file:///tmp/sp/a/b/cg.mjs', '', fn)
        c[fn] += cost
    return c
a = load(sys.argv[1], sys.argv[2]); b = load(sys.argv[3], sys.argv[4]); n = float(sys.argv[5])
d = collections.Counter({k: (b[k] - a.get(k, 0)) / n for k in b})
tot = sum(d.values()); print('total/cmd %.0f' % tot)
for k, v in d.most_common(int(sys.argv[6]) if len(sys.argv) > 6 else 70): print('%7.0f %5.1f%% %s' % (v, 100 * v / tot, k[:150]))
