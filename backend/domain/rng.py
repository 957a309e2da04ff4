"""Deterministic randomness: every draw is seeded by (sandbox seed, what it is for).

No global random anywhere: the same seed and the same history give the same SMS
codes, review durations, IPs and record-number offsets on every run.
"""

import hashlib
import json
import random


def rng(seed, *parts) -> random.Random:
    key = json.dumps([str(p) for p in (seed, *parts)], ensure_ascii=False)  # no "a:b" vs ("a","b") clash
    return random.Random(int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big"))
