#!/usr/bin/env python3
"""Per-page publish-date diagnostic: every date miss with gold, predicted, its source, and
where the gold day (and the predicted day) appear in the raw HTML.

Usage: SIFT_EVAL_DUMP=/tmp/date-dump.jsonl RAYON_NUM_THREADS=1 ./target/fast/sift eval extract --gold G
       python3 scripts/date_diag.py /tmp/date-dump.jsonl [--ctx N] [--only ID]
Dev-time tool only: reads the gold file, never used by src/."""
import datetime as dt
import gzip
import json
import os
import re
import sys

args = sys.argv[1:]
dump = args[0]
ctx = int(args[args.index('--ctx') + 1]) if '--ctx' in args else 70
only = args[args.index('--only') + 1] if '--only' in args else None
GOLD = os.environ.get('GOLD', os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                           '../../shared/datasets/wcxb-dev-articles.jsonl.gz'))
gold = {}
for line in gzip.open(GOLD, 'rt'):
    d = json.loads(line)
    gold[d['gold']['id']] = d

MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august',
          'september', 'october', 'november', 'december']


def forms(day):
    """Regexes for the ways a page may write `day`."""
    y, m, d = day.year, day.month, day.day
    mn = MONTHS[m - 1]
    ab = mn[:3]
    out = [
        rf'{y}-0?{m}-0?{d}(?!\d)', rf'{y}/0?{m}/0?{d}(?!\d)', rf'{y}\.0?{m}\.0?{d}(?!\d)',
        rf'(?<!\d)0?{d}\.0?{m}\.{y}', rf'(?<!\d)0?{m}/0?{d}/{y}', rf'(?<!\d)0?{d}/0?{m}/{y}',
        rf'(?<!\d)0?{m}-0?{d}-{y}', rf'(?<!\d)0?{d}-0?{m}-{y}', rf'{y}{m:02}{d:02}(?!\d)',
        rf'(?i){ab}[a-z]*\.?\s+0?{d}(?:st|nd|rd|th)?,?\s+{y}',
        rf'(?i)(?<!\d)0?{d}(?:st|nd|rd|th|\.)?\s+{ab}[a-z]*\.?,?\s+{y}',
        rf'{y}年0?{m}月0?{d}日',
        rf'(?<!\d)0?{m}/0?{d}/{y % 100:02}(?!\d)', rf'(?<!\d)0?{d}\.0?{m}\.{y % 100:02}(?!\d)',
    ]
    return [re.compile(f) for f in out]


def hits(html, day, limit=4):
    found = []
    for r in forms(day):
        for mt in r.finditer(html):
            found.append((mt.start(), mt.end()))
    found.sort()
    out = []
    last = -10**9
    for s, e in found:
        if s - last < 40:
            continue
        last = s
        a = html[max(0, s - ctx):s].replace('\n', ' ')
        b = html[e:e + 30].replace('\n', ' ')
        out.append(f'…{a}[[{html[s:e]}]]{b}…')
    return len(found), out[:limit]


def epoch_hits(html, day):
    n = 0
    for mt in re.finditer(r'(?<!\d)(1[0-9]{9})(?:\d{3})?(?!\d)', html):
        t = dt.datetime.fromtimestamp(int(mt.group(1)), dt.timezone.utc).date()
        if abs((t - day).days) <= 0:
            n += 1
    return n


rows = []
for line in open(dump):
    o = json.loads(line)
    if o['date_ok'] is not False:
        continue
    if only and o['id'] != only:
        continue
    rows.append(o)
classes = {}
for o in rows:
    g = gold[o['id']]
    html = g['page']['body']
    if not re.match(r'\d{4}-\d{2}-\d{2}', o['gold_date']):
        print(f"=== {o['id']} idx={o['index']} gold={o['gold_date']} (not a day: unwinnable) pred={o['date']}")
        classes['gold-not-a-day'] = classes.get('gold-not-a-day', 0) + 1
        continue
    gd = dt.date.fromisoformat(o['gold_date'][:10])
    pd = o['date'][:10] if o['date'] else None
    n, where = hits(html, gd)
    near = ''
    if pd:
        delta = (dt.date.fromisoformat(pd) - gd).days
        near = f' delta={delta:+d}d'
    url = g['page'].get('url') or ''
    print(f"=== {o['id']} idx={o['index']} gold={o['gold_date']} pred={o['date']} src={o['date_source']}{near}")
    print(f"    url={url[:120]} fetched={g['page'].get('fetched_at')}")
    print(f"    gold day in html: {n} hits; epoch hits {epoch_hits(html, gd)}")
    for w in where:
        print('    +', w[:260])
    if pd:
        pn, pwhere = hits(html, dt.date.fromisoformat(pd), 2)
        print(f'    pred day in html: {pn} hits')
        for w in pwhere:
            print('    ~', w[:260])
    key = 'absent' if n == 0 else ('none' if not pd else 'wrong')
    classes[key] = classes.get(key, 0) + 1
print('misses', len(rows), classes)
