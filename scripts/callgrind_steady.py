#!/usr/bin/env python3
"""Steady per-page instruction counts per function from two callgrind runs of different length.

usage: callgrind_steady.py SHORT.out LONG.out EXTRA_PAGES [--self] [--grep REGEX] [--top N]

Prints (inclusive, or with --self exclusive) instructions of LONG minus SHORT divided by
EXTRA_PAGES, which leaves one-time costs (start-up, regex compilation, lazy tables) out.
"""
import argparse
import re
import subprocess


def load(path: str, inclusive: bool) -> dict:
    out = subprocess.run(
        ["callgrind_annotate", f"--inclusive={'yes' if inclusive else 'no'}", "--threshold=100", path],
        capture_output=True, text=True, check=True).stdout
    costs: dict = {}
    for line in out.splitlines():
        m = re.match(r"\s*([\d,]+) \([ \d.]+%\)\s+(.*)$", line)
        if m:
            name = re.sub(r" \[.*\]$", "", m.group(2)).replace("???:", "")
            costs[name] = costs.get(name, 0) + int(m.group(1).replace(",", ""))
    return costs


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("short")
    ap.add_argument("long")
    ap.add_argument("pages", type=float)
    ap.add_argument("--self", action="store_true", help="exclusive costs")
    ap.add_argument("--grep", default=None)
    ap.add_argument("--top", type=int, default=60)
    a = ap.parse_args()
    s, l = load(a.short, not a.self), load(a.long, not a.self)
    rows = sorted(((l.get(k, 0) - s.get(k, 0)) / a.pages, k) for k in set(s) | set(l))
    rows.reverse()
    shown = 0
    for v, k in rows:
        if a.grep and not re.search(a.grep, k):
            continue
        print(f"{v / 1000:10.1f} k  {k[:160]}")
        shown += 1
        if shown >= a.top:
            break


if __name__ == "__main__":
    main()
