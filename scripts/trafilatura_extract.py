#!/usr/bin/env python3
"""Run trafilatura on the HTML pages of a gold file and write predictions that
`sift eval extract --gold FILE --predictions OUT` scores with sift's own scorer.

Each output line: {"id", "text", "title", "published", "authors", "seconds"}, where `seconds` is
the process CPU time trafilatura spent on that page (so a busy machine does not inflate it, same
as sift's per-core figure). Default trafilatura settings (what a user gets), with metadata.
Run it with the interpreter of a venv that has trafilatura installed (see scripts/bench-e2e.sh).

usage: trafilatura_extract.py GOLD.jsonl[.gz] OUT.jsonl
"""
import gzip
import json
import sys
import time

import trafilatura


def main() -> None:
    gold, out = sys.argv[1], sys.argv[2]
    opener = gzip.open if gold.endswith(".gz") else open
    n, cpu = 0, 0.0
    with opener(gold, "rt") as f, open(out, "w") as w:
        for index, line in enumerate(f):
            if not line.strip():
                continue
            d = json.loads(line)
            page, g = d.get("page", {}), d.get("gold", {})
            body = page.get("body") or ""
            t = time.process_time()
            doc = trafilatura.bare_extraction(body, url=page.get("url"), with_metadata=True)
            secs = time.process_time() - t
            res = doc.as_dict() if doc is not None and hasattr(doc, "as_dict") else (doc or {})
            w.write(json.dumps({
                "id": g.get("id") or str(index),
                "text": res.get("text") or "",
                "title": res.get("title"),
                "published": res.get("date"),
                "authors": res.get("author"),
                "seconds": secs,
            }) + "\n")
            n += 1
            cpu += secs
    print(f"trafilatura {trafilatura.__version__}: {n} pages, {cpu:.2f} CPU-s, "
          f"{n / max(cpu, 1e-9):.1f} pages per CPU-second", file=sys.stderr)


if __name__ == "__main__":
    main()
