"""Build backend/store/vocabulary_chat_v1.txt, the preset dictionary of stored chat messages.

A conversation's transcript is mostly the chat's own static parts again: the forms' fields and
option lists (主体性质, 证件类型, the provinces…), the confirm and status cards, the fixed
texts. Deflated against a dictionary of those, a message costs what it says that they do not.
The dictionary is what the golden chat transcripts' answers carry that the store keeps — one
message of each code (bot and user), every distinct `accepts` — as stored (packing.dumps: keys
sorted, compact), the largest last (deflate reaches the dictionary's end at the shortest
distances); all of it within deflate's 32 KB window.

Ran once: the file it wrote is FROZEN (packing.py: a stored value names its vocabulary by its
tag, and changing a byte would make stored messages unreadable). A better vocabulary is a new
file under a new tag. Usage: python tools/build_chat_vocabulary.py [--out PATH]
"""

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from backend.store.packing import dumps  # noqa: E402 — after the path is set

SOURCES = ("chat-first-filing.jsonl", "chat-verify-then-change.jsonl")
MAX_BYTES = 32_000  # within deflate's 32 KB window (packing's chat compressor: wbits -15)


def stored_parts(path):
    """(kind, JSON text) of what a golden transcript's answers carry that the store keeps: each
    message (bot and user, as stored: without its `seq`) and each answer's `accepts` (kept with
    the conversation and with each reply's answer)."""
    for line in path.read_text(encoding="utf-8").splitlines():
        for exchange in json.loads(line).get("exchanges", []):
            answer = exchange.get("response") or {}
            if not isinstance(answer, dict):
                continue
            if isinstance(answer.get("accepts"), dict):
                yield "accepts", dumps(answer["accepts"])
            for key in ("messages", "transcript"):
                for msg in answer.get(key) or []:
                    if isinstance(msg, dict) and "code" in msg:
                        yield (msg.get("from"), msg["code"]), dumps({k: v for k, v in msg.items() if k != "seq"})


def vocabulary():
    """One of each message code (its first), every distinct `accepts`, the largest last."""
    one_each = {}
    for name in SOURCES:
        for kind, text in stored_parts(ROOT / "tests" / "golden" / "transcripts" / name):
            one_each.setdefault(text if kind == "accepts" else kind, text)
    texts = sorted(set(one_each.values()), key=lambda t: (len(t.encode()), t))
    data = "\n".join(texts).encode()
    if len(data) > MAX_BYTES:
        raise SystemExit(f"{len(data)} bytes: over deflate's window; choose fewer messages")
    return data


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "backend" / "store" / "vocabulary_chat_v1.txt"))
    out = Path(parser.parse_args().out)
    data = vocabulary()
    out.write_bytes(data)
    print(f"{out}: {len(data)} bytes")


if __name__ == "__main__":
    main()
