#!/usr/bin/env python3
"""Generate a benchmark input stream of JSON-lines envelopes.

Mix: HTML pages (the WCXB dev pages, cycled, each with a fresh id and URL) and seed-like text
pages (the seeds' chrome-laden text with shuffled paragraphs so each is distinct), plus a share
of verbatim copies of earlier pages under new ids.

usage: gen_pages.py N [--html-share 0.5] [--copy-share 0.2] [--shared ../shared] > pages.jsonl
"""
import argparse
import gzip
import json
import random


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int)
    ap.add_argument("--html-share", type=float, default=0.5)
    ap.add_argument("--copy-share", type=float, default=0.2)
    ap.add_argument("--shared", default="../shared")
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    html = []
    if a.html_share > 0:
        with gzip.open(f"{a.shared}/datasets/wcxb-dev-articles.jsonl.gz", "rt") as f:
            for line in f:
                html.append(json.loads(line)["page"])
    seeds = [json.loads(l) for l in open(f"{a.shared}/seeds/pages.jsonl") if l.strip()]
    emitted = []
    for i in range(a.n):
        if emitted and rng.random() < a.copy_share:
            env = dict(rng.choice(emitted))
            env["id"] = f"bench-copy-{i}"
        elif html and rng.random() < a.html_share:
            src = html[i % len(html)]
            env = {
                "id": f"bench-{i}",
                "url": (src.get("url") or "https://example.com/a") + f"?v={i}",
                "fetched_at": "2026-11-20T10:00:00Z",
                "content_type": src.get("content_type") or "text/html",
                "body": src["body"],
            }
            emitted.append(env)
        else:
            s = seeds[i % len(seeds)]
            paras = s["body"].split("\n\n")
            head, rest = paras[:2], paras[2:]
            rng.shuffle(rest)
            env = {
                "id": f"bench-{i}",
                "fetched_at": "2026-11-20T10:00:00Z",
                "content_type": "text/plain",
                "body": "\n\n".join(head + rest) + f"\n\nRef {i}.",
            }
            emitted.append(env)
        print(json.dumps(env))


if __name__ == "__main__":
    main()
