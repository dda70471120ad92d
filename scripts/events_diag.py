#!/usr/bin/env python3
"""Dev-only diagnosis of event clustering (never used by src/).

Usage:
  SIFT_EVAL_DUMP=/tmp/ev_dump.jsonl ./target/fast/sift eval events --gold ../shared/datasets/ecbplus-dev-events.jsonl.gz
  python3 scripts/events_diag.py /tmp/ev_dump.jsonl [joins|splits|all] [--topic N]

Reads the dump of the first shuffled order of the whole set (stream order, gold labels, the
tracker's trace of the best candidates) and lists wrong joins (a page joined an event whose pages
so far are mostly of another gold event) and wrong splits (a page opened a new event, or joined a
wrong one, while its gold event already had pages in some predicted event), with both pages'
titles, the similarity factors and the shared terms.
"""
import json
import sys
from collections import Counter, defaultdict


def title(page):
    body = page.get("body", "")
    return body.strip().split("\n", 1)[0][:90]


def main():
    path = sys.argv[1]
    mode = sys.argv[2] if len(sys.argv) > 2 else "all"
    topic = None
    if "--topic" in sys.argv:
        topic = int(sys.argv[sys.argv.index("--topic") + 1])
    rows = [json.loads(l) for l in open(path)]
    members = defaultdict(list)  # pred -> rows so far
    n_join = n_split = n_new_ok = 0
    for r in rows:
        pred = r["pred"]
        gold = r["gold"]
        tr = r.get("trace") or {}
        cands = tr.get("cands", [])
        so_far = members[pred]
        opened = not so_far
        # Where the gold event's pages are so far.
        gold_home = Counter()
        for p, ms in members.items():
            for m in ms:
                if m["gold"] == gold:
                    gold_home[p] += 1
        show = topic is None or r["topic"] == topic
        if not opened:
            maj = Counter(m["gold"] for m in so_far).most_common(1)[0][0]
            if maj != gold:
                n_join += 1
                if show and mode in ("joins", "all"):
                    first = next(m for m in so_far if m["gold"] == maj)
                    print(f"WRONG JOIN  t{r['topic']} {gold} -> event of {maj} (n={len(so_far)})")
                    print(f"   page : {title(r['page'])}")
                    print(f"   event: {title(first['page'])}")
                    report(cands, gold_home, members, tr)
        if gold_home and (opened or pred not in gold_home):
            n_split += 1
            if show and mode in ("splits", "all"):
                home = gold_home.most_common(1)[0][0]
                print(f"WRONG SPLIT t{r['topic']} {gold} {'opened new' if opened else 'joined other'}; home has {gold_home[home]}")
                print(f"   page : {title(r['page'])}")
                print(f"   home : {title(members[home][0]['page'])}")
                report(cands, gold_home, members, tr, home)
        elif opened:
            n_new_ok += 1
        so_far.append(r)
    print(f"\nwrong joins {n_join}, wrong splits {n_split}, correct opens {n_new_ok}, pages {len(rows)}")


def report(cands, gold_home, members, tr, home=None):
    print(f"   top  : {' '.join(tr.get('top', []))}")
    print(f"   years: {tr.get('years')} facts {tr.get('facts')}")
    for c in cands:
        ms = members.get(c["event"], [])
        g = Counter(m["gold"] for m in ms).most_common(1)
        tag = "HOME " if c["event"] == home else ""
        print(
            f"   {tag}cand {g[0][0] if g else '?'} n={c['n']} sim {c['sim']:.3f} cos {c['cos']:.3f} "
            f"t {c['time']:.2f} ti {c['title']:.2f} y {c['year']:.2f} f {c['fact']:.2f} "
            f"gain {c['gain']:.2f} bar {c['bar']:.3f}"
        )
        print(f"        shared: {' '.join(c['shared'])}")
    if home is not None and not any(c["event"] == home for c in cands):
        print("   (home event not among the top 3 candidates)")


if __name__ == "__main__":
    main()
