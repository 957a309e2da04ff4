"""Every key of one sandbox, read and written whole: the store side of state snapshots
(services/snapshots.py). A key is named by its suffix after `keys.sandbox(sid)` ("" is the
meta hash itself), so a snapshot carries no sandbox id and loads into any sandbox.

Only the shapes below are read and written: the journal (a recording's source: the
snapshot's own session starts at its import) and conversation locks (transient) are left
out, and a suffix or a type outside this table is refused on load.
"""

import json
import re

from backend.domain import mail
from backend.store import keys, packing

_ID = r"[A-Za-z0-9_-]{1,64}"
SHAPES = (
    (re.compile(r""), "hash"),  # meta: seed, preset, clock, settings, origin, faults
    (re.compile(r":seq"), "hash"),
    (re.compile(rf":col:{_ID}"), "hash"),
    (re.compile(rf":hist:{_ID}"), "list"),
    (re.compile(r":outbox"), "list"),
    (re.compile(r":timers"), "zset"),
    (re.compile(r":timer"), "hash"),
    (re.compile(rf":conv:{_ID}:messages"), "list"),
    (re.compile(rf":conv:{_ID}:replies"), "hash"),
    (re.compile(rf":apptimers:{_ID}"), "set"),  # an application's pending timer ids (timer delivery reads it)
)
# the keys whose values are stored packed (store/packing.py): a snapshot carries their JSON text
PACKED = re.compile(rf":col:{_ID}|:hist:{_ID}|:outbox|:conv:{_ID}:(messages|replies)")
MAX_KEYS = 10_000
MAX_ITEMS = 100_000  # fields, elements or members of one key
MAX_TEXT = 256 * 1024  # characters of one value


def shape_of(suffix):
    """The Redis type a suffix holds, or None when a snapshot may not carry it."""
    for pattern, kind in SHAPES:
        if pattern.fullmatch(suffix):
            return kind
    return None


def _suffixes(r, sid):
    base = keys.sandbox(sid)
    found = [""] + [k[len(base) :] for k in keys.indexed(sid, r)]  # the key index: no keyspace scan
    return sorted(s for s in found if shape_of(s))


def dump(r, sid):
    """{suffix: {"type": hash|list|set|zset, "value": dict | list | [[member, score]]}}, read in
    one MULTI so the keys are of one moment."""
    suffixes = _suffixes(r, sid)
    base = keys.sandbox(sid)
    pipe = r.pipeline(transaction=True)
    for suffix in suffixes:
        kind, key = shape_of(suffix), base + suffix
        if kind == "hash":
            pipe.hgetall(key)
        elif kind == "list":
            pipe.lrange(key, 0, -1)
        elif kind == "set":
            pipe.smembers(key)
        else:
            pipe.zrange(key, 0, -1, withscores=True)
    out = {}
    for suffix, value in zip(suffixes, pipe.execute()):
        kind = shape_of(suffix)
        if kind == "zset":
            value = [[member, score] for member, score in value]
        elif kind == "set":
            value = sorted(value)
        if PACKED.fullmatch(suffix):
            value = _convert(value, packing.unpack)
        if suffix == ":outbox":  # e-mail copies as sent, whatever their stored form
            value = [_outbox_entry(m, mail.unpack) for m in value]
        if value:
            out[suffix] = {"type": kind, "value": value}
    return out


def _convert(value, convert):
    """Every value of a hash (dict) or element of a list through `convert`."""
    if isinstance(value, dict):
        return {k: convert(v) for k, v in value.items()}
    return [convert(v) for v in value]


def _outbox_entry(raw, convert):
    """One outbox element through `convert` (mail.pack / unpack); text that is not a JSON
    object is carried as it is."""
    try:
        doc = json.loads(raw)
    except ValueError:
        return raw
    if not isinstance(doc, dict):
        return raw
    converted = convert(doc)
    return raw if converted is doc else json.dumps(converted, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def problems(data):
    """What makes `data` (a dump) unloadable: {"keys.<suffix>": [reason]}; empty when fine."""
    errors = {}
    if not isinstance(data, dict) or len(data) > MAX_KEYS:
        return {"keys": [f"须为对象，最多 {MAX_KEYS} 个键"]}
    for suffix, entry in data.items():
        where = f"keys.{suffix}"
        kind = shape_of(suffix) if isinstance(suffix, str) else None
        if kind is None:
            errors[where] = ["不是沙箱的数据键"]
            continue
        value = entry.get("value") if isinstance(entry, dict) else None
        if not isinstance(entry, dict) or entry.get("type") != kind:
            errors[where] = [f"类型须为 {kind}"]
        elif not _value_ok(kind, value):
            errors[where] = [f"{kind} 的内容无效或过大（最多 {MAX_ITEMS} 项，每项最多 {MAX_TEXT} 个字符）"]
    return errors


def _text(v):
    return isinstance(v, str) and len(v) <= MAX_TEXT


def _value_ok(kind, value):
    if kind == "hash":
        return (
            isinstance(value, dict) and len(value) <= MAX_ITEMS and all(_text(k) and _text(v) for k, v in value.items())
        )
    if kind in ("list", "set"):
        return isinstance(value, list) and len(value) <= MAX_ITEMS and all(_text(v) for v in value)
    return (
        isinstance(value, list)
        and len(value) <= MAX_ITEMS
        and all(
            isinstance(p, list)
            and len(p) == 2
            and _text(p[0])
            and isinstance(p[1], (int, float))
            and not isinstance(p[1], bool)
            for p in value
        )
    )


def load(r, sid, data):
    """Replace every key of the sandbox (its meta hash included) with `data`, in one MULTI.
    The caller checked `problems(data)` and set the meta hash it wants kept."""
    base = keys.sandbox(sid)
    old = [base] + keys.indexed(sid, r)  # the key index: no keyspace scan
    pipe = r.pipeline(transaction=True)
    for i in range(0, len(old), 500):
        pipe.delete(*old[i : i + 500])
    for suffix, entry in data.items():
        key, value = base + suffix, entry["value"]
        if not value:
            continue
        if suffix == ":outbox":
            value = [_outbox_entry(m, mail.pack) for m in value]
        if PACKED.fullmatch(suffix):
            value = _convert(value, packing.pack)
        if entry["type"] == "hash":
            pipe.hset(key, mapping=value)
        elif entry["type"] == "list":
            for i in range(0, len(value), 1000):
                pipe.rpush(key, *value[i : i + 1000])
        elif entry["type"] == "set":
            pipe.sadd(key, *value)
        else:
            pipe.zadd(key, dict(value))
    written = {suffix[1:]: "" for suffix, entry in data.items() if suffix and entry["value"]}
    if written:  # the restored keys join the sandbox's key index, so a delete finds them
        pipe.hset(keys.index(sid), mapping=written)
    pipe.execute()
