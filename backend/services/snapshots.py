"""State snapshots: a sandbox's whole state (applications, records, numbers, outbox, timers,
conversations, faults, clock) exported as one JSON document and loaded into another sandbox,
so a test starts from a prepared world in one call.

The snapshot's clock is its virtual reading at export; loaded, the clock goes on from there
at the snapshot's speed, and every pending timer is handed to RQ again. The target keeps its
own id, name and token. The journal is not carried: the target's recording starts at the load.
"""

import json
import time

from backend.domain import errors, presets
from backend.domain.clock import Clock, iso, start_problems
from backend.domain.errors import validation_failed
from backend.services import sandboxes, scheduling, timers
from backend.store import keys, snapshot as store_snapshot

FORMAT, VERSION = "icpsim-snapshot", 1
IDENTITY = ("id", "token", "name", "created_at")  # the target's own, never the snapshot's
REQUIRED_META = ("seed", "preset", "clock")


def export(r, sid):
    info = sandboxes.describe(r, sid)  # 404 first
    data = store_snapshot.dump(r, sid)
    meta = {k: v for k, v in data.get("", {}).get("value", {}).items() if k not in IDENTITY}
    clock = Clock.from_dict(json.loads(meta["clock"]))
    now = clock.now(time.time())
    # no real-time anchor in the file: the same state exports to the same snapshot
    meta["clock"] = json.dumps(Clock(now, 0.0, clock.scale).to_dict())
    data[""] = {"type": "hash", "value": meta}
    return {
        "format": FORMAT,
        "version": VERSION,
        "sandbox": {
            "id": sid,
            "seed": info["seed"],
            "preset": info["preset"],
            "settings": info["settings"],
            "clock": {"now": iso(now), "scale": clock.scale},
        },
        "keys": data,
    }


def _clock_problems(raw):
    try:
        clock = Clock.from_dict(json.loads(raw))
    except (TypeError, ValueError, KeyError):
        return ["时钟数据无效"]
    if not 0 <= clock.scale <= 1e7:
        return ["倍率须在 0 到 10000000 之间"]
    return start_problems(iso(clock.anchor_virtual)) if -1e11 < clock.anchor_virtual < 1e11 else ["时间超出范围"]


def _problems(snap):
    if not isinstance(snap, dict):
        return {"_schema": ["快照须为对象"]}
    errors = {}
    if snap.get("format") != FORMAT:
        errors["format"] = [f"须为 {FORMAT}"]
    if snap.get("version") != VERSION:
        errors["version"] = [f"不支持的快照版本：{snap.get('version')!r}（支持 {VERSION}）"]
    errors.update(store_snapshot.problems(snap.get("keys")))
    if errors:
        return errors
    meta = (snap["keys"].get("") or {}).get("value") or {}
    missing = [f for f in REQUIRED_META if f not in meta]
    if missing:
        return {"keys.": [f"缺少沙箱字段：{', '.join(missing)}"]}
    if meta["preset"] not in presets.PRESETS:
        errors["keys..preset"] = [f"未知的预设：{meta['preset']}"]
    problems = _clock_problems(meta["clock"])
    if problems:
        errors["keys..clock"] = problems
    return errors


def restore(r, sid, snap):
    """Replace the sandbox's state with the snapshot's (control token). 422 per field."""
    current = r.hgetall(keys.sandbox(sid))
    if not current:
        raise errors.sandbox_not_found(sid)
    problems = _problems(snap)
    if problems:
        raise validation_failed(problems)
    meta = {k: v for k, v in snap["keys"][""]["value"].items() if k not in IDENTITY}
    meta.update({k: current[k] for k in IDENTITY if k in current})
    clock = Clock.from_dict(json.loads(meta["clock"]))
    meta["clock"] = json.dumps(Clock(clock.anchor_virtual, time.time(), clock.scale).to_dict())
    for timer_id in r.zrange(keys.timers(sid), 0, -1):
        scheduling.unschedule(sid, timer_id)  # the replaced world's timers have no jobs left
    store_snapshot.load(r, sid, {**snap["keys"], "": {"type": "hash", "value": meta}})
    timers.rearm(r, sid)
    return sandboxes.describe(r, sid)
