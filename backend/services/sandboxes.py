"""Sandboxes: one simulated Tencent Cloud account each, with its own world and clock."""
import json
import secrets
import time
from datetime import datetime, timezone

from backend.domain import errors, limits, presets
from backend.domain.clock import DEFAULT_START, Clock, iso, parse_instant, start_problems
from backend.domain.errors import Conflict, Unprocessable
from backend.services import auth, cloud, domains
from backend.store import keys
from backend.store import tx as store


def _new_meta(sid, token, seed, preset, clock, settings, name):
    return {"id": sid, "name": name or sid, "seed": str(seed), "preset": preset, "token": token,
            "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "clock": json.dumps(clock.to_dict()), "settings": json.dumps(settings or {}, ensure_ascii=False),
            # where the clock started and how fast: a sandbox reset starts it there again
            "origin": json.dumps({"clock_start": clock.anchor_virtual, "scale": clock.scale})}


MAX_SEED_CHARS = 64
MAX_NAME_CHARS = 64


def _checked(seed, preset, clock_start, scale, settings, name):
    """Every argument checked before anything is written: (start epoch, scale), or a 422."""
    errors = {}
    if preset not in presets.PRESETS:
        errors["preset"] = [f"未知的预设：{preset}（可选：{'、'.join(presets.PRESETS)}）"]
    start = None
    problems = start_problems(clock_start or DEFAULT_START)
    if problems:
        errors["clock_start"] = problems
    else:
        start = parse_instant(clock_start or DEFAULT_START)
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, str))
                             or not 0 < len(str(seed)) <= MAX_SEED_CHARS):
        errors["seed"] = [f"种子须为整数或 1 到 {MAX_SEED_CHARS} 个字符的字符串"]
    try:
        scale = float(scale)
    except (TypeError, ValueError):
        scale = None
    if scale is None or not 0 <= scale <= limits.MAX_CLOCK_SCALE:
        errors["scale"] = [limits.CLOCK_SCALE_MESSAGE]
    if settings is not None and not isinstance(settings, dict):
        errors["settings"] = ["须为对象"]
    if name is not None and (not isinstance(name, str) or not 0 < len(name) <= MAX_NAME_CHARS):
        errors["name"] = [f"名称须为 1 到 {MAX_NAME_CHARS} 个字符"]
    if errors:
        raise Unprocessable(errors)
    return start, scale


def create(r, seed=None, preset="eligible", clock_start=None, scale=0.0, settings=None, name=None, sid=None):
    """All or nothing: the meta hash, the world of the preset, the listing and the token key
    are written in one MULTI, after every argument was checked."""
    start, scale = _checked(seed, preset, clock_start, scale, settings, name)
    sid = sid or "sb_" + secrets.token_hex(6)
    token = "sbt_" + secrets.token_urlsafe(24)
    seed = seed if seed is not None else secrets.randbelow(10**9)
    meta = _new_meta(sid, token, seed, preset, Clock(start, time.time(), scale), settings, name)

    def fn(tx):
        if tx.meta():  # WATCHed: a concurrent create of the same id makes one of them retry and stop here
            raise Conflict("SANDBOX_EXISTS", "沙箱已存在", sandbox_id=sid)
        for field, value in meta.items():
            tx.set_meta(field, value)
        _populate(tx, presets.PRESETS[preset])
        tx.sadd(keys.SANDBOXES, sid)
        tx.set(keys.token(auth.token_hash(token)), sid)
    store.run(r, sid, fn)
    return describe(r, sid)


def _populate(tx, preset):
    if preset["resources"]:
        cloud.eligible_world(tx)
    for d in preset["domains"]:
        domains.build(tx, dict(d))


def describe(r, sid):
    meta = r.hgetall(keys.sandbox(sid))
    if not meta:
        raise errors.sandbox_not_found(sid)
    clock = Clock.from_dict(json.loads(meta["clock"]))
    return {"id": sid, "name": meta["name"], "seed": meta["seed"], "preset": meta["preset"],
            "token": meta["token"], "created_at": meta["created_at"],
            "settings": json.loads(meta.get("settings") or "{}"),
            "clock": {"now": iso(clock.now(time.time())), "scale": clock.scale}}


def list_all(r):
    return [describe(r, sid) for sid in sorted(r.smembers(keys.SANDBOXES))]


def delete(r, sid):
    """The meta hash goes first: from then on the sandbox is gone (404) and a use case
    running meanwhile, which WATCHes it, aborts. Then the rest, in one MULTI."""
    meta = r.hgetall(keys.sandbox(sid))
    if not meta or not r.delete(keys.sandbox(sid)):
        raise errors.sandbox_not_found(sid)
    children = list(r.scan_iter(match=keys.children_of(sid), count=500))
    pipe = r.pipeline(transaction=True)
    if meta.get("token"):
        pipe.delete(keys.token(auth.token_hash(meta["token"])))
    pipe.srem(keys.SANDBOXES, sid)
    for i in range(0, len(children), 500):
        pipe.delete(*children[i:i + 500])
    pipe.execute()
    _remove_uploads(sid)


def _remove_uploads(sid):
    from backend.services import materials  # uploaded materials' bytes live on disk, keyed by sandbox
    materials.remove_sandbox_files(sid)


def outbox(r, sid, channel=None, to=None, app_id=None):
    """The sandbox's messages, oldest first, filtered here: one round trip (the sandbox's
    existence and the list together)."""
    batch = r.pipeline(transaction=False)
    batch.exists(keys.sandbox(sid))
    batch.lrange(keys.outbox(sid), 0, -1)
    exists, raw = batch.execute()
    if not exists:
        raise errors.sandbox_not_found(sid)
    msgs = [json.loads(m) for m in raw]
    return [m for m in msgs if (channel is None or m["channel"] == channel)
            and (to is None or m["to"] == to) and (app_id is None or m["app_id"] == app_id)]


def reset(r, sid):
    """Back to its preset and seed: same id, same token, same settings; everything else
    (applications, records, outbox, faults, journal, clock) as when it was created."""
    meta = r.hgetall(keys.sandbox(sid))
    if not meta:
        raise errors.sandbox_not_found(sid)
    origin = json.loads(meta.get("origin") or "{}")
    start = origin.get("clock_start", parse_instant(DEFAULT_START))
    scale = float(origin.get("scale", json.loads(meta["clock"]).get("scale", 0)))
    for key in r.scan_iter(match=keys.sandbox(sid) + ":*", count=500):
        r.delete(key)  # everything of the sandbox but its meta hash (rewritten below)
    _remove_uploads(sid)
    fresh = _new_meta(sid, meta["token"], meta["seed"], meta["preset"], Clock(start, time.time(), scale),
                      json.loads(meta.get("settings") or "{}"), meta.get("name"))
    fresh["created_at"] = meta["created_at"]

    def fn(tx):
        for field in tx.meta():
            if field not in fresh:
                tx._writes.append(("hdel", keys.sandbox(sid), field))
        for field, value in fresh.items():
            tx.set_meta(field, value)
        _populate(tx, presets.PRESETS[meta["preset"]])
    store.run(r, sid, fn)
    return describe(r, sid)


def reset_all(r):
    """Every sandbox gone (tokens too); the demo sandbox of `icpsim up` comes back fresh."""
    had_demo = r.exists(keys.sandbox("demo"))
    sids = sorted(r.smembers(keys.SANDBOXES))
    for sid in sids:
        delete(r, sid)
    for pattern in (f"{keys.P}:sb:*", f"{keys.P}:token:*"):
        for key in r.scan_iter(match=pattern, count=500):
            r.delete(key)
    recreated = []
    if had_demo:
        from backend.services import bootstrap
        bootstrap.prepare(r)
        recreated.append("demo")
    return {"deleted": len(sids), "recreated": recreated}
