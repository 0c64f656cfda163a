# instructions per command by source file (from irprof.sh's outputs in OUT): byfile.py OUT TOP JOB A B
import re, subprocess, collections, sys
out_dir = sys.argv[1]
job, A, B = (sys.argv[3:6] + ['cg', '20ms', '60ms'][len(sys.argv[3:6]):])
lines = open(out_dir + '/a/b/' + job + '.mjs').read().split('\n')
cur = '?'; fmap = []
for l in lines:
    m = re.match(r'^// (.*\.(ts|mts|js|mjs))$', l)
    if m: cur = m.group(1)
    fmap.append(cur)
n = int(open(out_dir + '/cg-' + B + '.n').read()) - int(open(out_dir + '/cg-' + A + '.n').read())
out = subprocess.run(['python3', __import__('os').path.join(__import__('os').path.dirname(__file__), 'cgsum.py'), out_dir + '/cg-' + A + '.out', out_dir + '/cg-' + A + '.map', out_dir + '/cg-' + B + '.out', out_dir + '/cg-' + B + '.map', str(n), '400'], capture_output=True, text=True).stdout
byf = collections.Counter(); fns = collections.defaultdict(list)
for l in out.split('\n')[1:]:
    m = re.match(r'\s*(-?\d+)\s+\S+%\s+(.*)', l)
    if not m: continue
    v = int(m.group(1)); name = m.group(2)
    m2 = re.search(r'JS:[*^~+]?\S* \S*?:(\d+):\d+', name)
    f = fmap[int(m2.group(1)) - 1] if m2 else ('native' if 'JIT' not in name else 'jit (wasm, stubs)')
    byf[f] += v; fns[f].append((v, name))
print('\nby file:')
for f, v in byf.most_common(): print('%6d %s: %s' % (v, f, ' '.join(x.split('JS:')[-1] for _, x in sorted(fns[f], reverse=True)[:6])))
