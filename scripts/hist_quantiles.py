#!/usr/bin/env python3
"""Quantiles of a Prometheus histogram from /metrics dumps (the bench scripts' one copy).

usage: hist_quantiles.py METRIC AFTER [BEFORE] [--phase NAME | --phases]
  METRIC         histogram name, e.g. sift_end_to_end_latency_seconds
  AFTER BEFORE   /metrics dumps; BEFORE's buckets are subtracted (what happened in between)
  --phase NAME   only the series labelled phase="NAME"
  --phases       one p50/p99 (ms) per phase, as the line "    phases p50/p99 ms: ..."
Prints "p50 p99 count" (seconds, linear inside a bucket) unless --phases.
"""
import re
import sys

BUCKET = re.compile(r'\{(.*)\} (\S+)$')


def load(path, metric):
    """{phase or None: {le: cumulative count}}, summed over the other labels."""
    out = {}
    for line in open(path):
        if not line.startswith(metric + "_bucket{"):
            continue
        m = BUCKET.search(line.strip())
        if not m:
            continue
        labels = dict(re.findall(r'(\w+)="([^"]*)"', m.group(1)))
        le = float(labels.get("le", "nan"))
        series = out.setdefault(labels.get("phase"), {})
        series[le] = series.get(le, 0.0) + float(m.group(2))
    return out


def quantile(d, p):
    total = d[-1][1] if d else 0
    want = p * total
    prev_le, prev_c = 0.0, 0.0
    for le, c in d:
        if c >= want:
            if le == float("inf"):
                return prev_le
            return prev_le + (le - prev_le) * ((want - prev_c) / max(c - prev_c, 1e-9))
        prev_le, prev_c = le, c
    return prev_le


def main(argv):
    flags = [a for a in argv if a.startswith("--")]
    args = [a for a in argv if not a.startswith("--")]
    phase = None
    if "--phase" in flags:
        i = argv.index("--phase")
        phase = argv[i + 1]
        args.remove(phase)
    metric, after = args[0], args[1]
    z = load(after, metric)
    a = load(args[2], metric) if len(args) > 2 else {}
    deltas = {}
    for key, bz in z.items():
        deltas[key] = [(le, c - a.get(key, {}).get(le, 0)) for le, c in sorted(bz.items())]
    if "--phases" in flags:
        out = [f"{ph} {quantile(d, 0.5)*1000:.1f}/{quantile(d, 0.99)*1000:.1f}"
               for ph, d in deltas.items()]
        if out:
            print("    phases p50/p99 ms: " + ", ".join(out))
        return
    if phase is not None:
        d = deltas.get(phase, [])
    else:  # every series summed
        summed = {}
        for d in deltas.values():
            for le, c in d:
                summed[le] = summed.get(le, 0.0) + c
        d = sorted(summed.items())
    total = d[-1][1] if d else 0
    print("%.4f %.4f %d" % (quantile(d, 0.5), quantile(d, 0.99), total))


if __name__ == "__main__":
    main(sys.argv[1:])
