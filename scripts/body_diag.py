#!/usr/bin/env python3
"""Per-page body diagnostic: worst pages by F1/P/R with extra (+) and missing (-) lines.

Usage: SIFT_EVAL_DUMP=/tmp/dump.jsonl RAYON_NUM_THREADS=1 ./target/fast/sift eval extract --gold G
       python3 scripts/body_diag.py /tmp/dump.jsonl [N] [f1|p|r]
Dev-time tool only: reads the gold file, never used by src/."""
import json, gzip, re, sys, collections, os
dump = sys.argv[1]
N = int(sys.argv[2]) if len(sys.argv) > 2 else 30
mode = sys.argv[3] if len(sys.argv) > 3 else 'f1'
gold = {}
GOLD = os.environ.get('GOLD', os.path.join(os.path.dirname(os.path.abspath(__file__)), '../../shared/datasets/wcxb-dev-articles.jsonl.gz'))
for l in gzip.open(GOLD, 'rt'):
    d = json.loads(l); gold[d['gold']['id']] = d
W = re.compile(r'\w+')
def sh(t):
    toks = W.findall(t)
    if len(toks) < 4: return collections.Counter([tuple(toks)]) if toks else collections.Counter()
    return collections.Counter(tuple(toks[i:i+4]) for i in range(len(toks)-3))
rows = []
for l in open(dump):
    o = json.loads(l)
    g = gold[o['id']]['gold']['text'] or ''
    p, r = o['precision'], o['recall']
    f = 2*p*r/(p+r) if p+r else 0
    rows.append((f, p, r, o, g))
key = {'f1': lambda x: x[0], 'p': lambda x: x[1], 'r': lambda x: x[2]}[mode]
rows.sort(key=key)
def pieces(text, other_sh, other_text):
    out = []
    ot = ' ' + ' '.join(W.findall(other_text)) + ' '
    for line in re.split(r'\n+', text):
        toks = W.findall(line)
        if not toks: continue
        if len(toks) < 4:
            if (' ' + ' '.join(toks) + ' ') not in ot: out.append(line[:160])
            continue
        s = sh(line)
        miss = sum(c for k, c in s.items() if k not in other_sh)
        if miss / sum(s.values()) > 0.5:
            out.append(line[:160])
    return out
for f, p, r, o, g in rows[:N]:
    pt = o['text']
    print(f"=== {o['id']} idx={o['index']} F1={f:.3f} P={p:.3f} R={r:.3f} url={(gold[o['id']]['page'].get('url') or '')[:100]}")
    gs, ps = sh(g), sh(pt)
    ex = pieces(pt, gs, g); mi = pieces(g, ps, pt)
    for x in ex[:12]: print("  +", x)
    if len(ex) > 12: print("  + ...", len(ex)-12, "more")
    for x in mi[:8]: print("  -", x)
    if len(mi) > 8: print("  - ...", len(mi)-8, "more")
