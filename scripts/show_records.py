#!/usr/bin/env python3
"""Pretty-print `sift tail` output (JSON lines) for the demo: clean | duplicates | rejected."""
import json
import sys


def main(kind: str) -> None:
    for line in sys.stdin:
        v = json.loads(line)["value"]
        if kind == "clean":
            text = (v.get("text") or "").replace("\n", " ")
            src = v["source"]
            print("- %s  title=%r" % (v["page_id"], v.get("title")))
            print("    published_at=%s language=%s words=%s source=%s agencies=%s event=%s"
                  % (v.get("published_at"), v.get("language"), v.get("word_count"),
                     src.get("name") or src["id"], src.get("agencies"), v["event"]["id"]))
            print("    " + text[:160] + ("…" if len(text) > 160 else ""))
        elif kind == "duplicates":
            d = v["dedup"]
            print("- %s is a %s copy of %s (similarity %s)"
                  % (v["page_id"], d["kind"], d["duplicate_of"], d["similarity"]))
        else:
            i, e = v["input"], v["error"]
            print("- input %s/%s@%s: %s: %s"
                  % (i["topic"], i["partition"], i["offset"], e["kind"], e["message"]))


if __name__ == "__main__":
    main(sys.argv[1])
