#!/usr/bin/env python3
"""Regenerate the examples in docs/schemas.md from real `sift process` output.

Runs the seed pages plus a verbatim copy and a bad envelope through `sift process --emit-state`
and replaces the block between <!-- examples:start --> and <!-- examples:end -->.
usage: scripts/schema_examples.py [path/to/sift] [../shared/seeds/pages.jsonl]
"""
import json
import subprocess
import sys

sift = sys.argv[1] if len(sys.argv) > 1 else "target/release/sift"
seeds = sys.argv[2] if len(sys.argv) > 2 else "../shared/seeds/pages.jsonl"
lines = [l for l in open(seeds) if l.strip()]
first = json.loads(lines[0])
copy = dict(first, id="copy-of-first-seed")
stdin = "".join(lines[:4]) + json.dumps(copy) + "\n" + '{"id": "bad-1", "body": 42}\n'
out = subprocess.run([sift, "process", "--emit-state"], input=stdin, capture_output=True,
                     text=True, check=True, env={"SIFT__LOG__LEVEL": "warn"}).stdout
examples = {}
for line in out.splitlines():
    r = json.loads(line)
    v = r["value"]
    if isinstance(v.get("text"), str) and len(v["text"]) > 160:
        v["text"] = v["text"][:160] + "…"
    key = r["topic"]
    if key == "sift.state":
        key = "sift.state (" + v.get("stage", "?") + ")"
    if key == "pages.duplicates" or key not in examples:
        examples[key] = r
block = ["<!-- examples:start -->"]
for topic, r in examples.items():
    block += ["", "### " + topic, "", "```json", json.dumps(r, indent=2, ensure_ascii=False), "```"]
block.append("<!-- examples:end -->")
doc = open("docs/schemas.md").read()
start, end = doc.index("<!-- examples:start -->"), doc.index("<!-- examples:end -->") + len("<!-- examples:end -->")
open("docs/schemas.md", "w").write(doc[:start] + "\n".join(block) + doc[end:])
print("updated docs/schemas.md with", ", ".join(examples))
