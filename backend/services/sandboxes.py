"""Sandboxes: one simulated Tencent Cloud account each, with its own world and clock."""
import json
import secrets
import time
from datetime import datetime, timezone

from backend.domain import presets
from backend.domain.clock import DEFAULT_START, Clock, iso, parse_instant
from backend.domain.errors import Conflict, NotFound, Unprocessable
from backend.services import auth, cloud, domains, world
from backend.store import keys
from backend.store import tx as store


def _new_meta(sid, token, seed, preset, clock, settings, name):
    return {"id": sid, "name": name or sid, "seed": str(seed), "preset": preset, "token": token,
            "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "clock": json.dumps(clock.to_dict()), "settings": json.dumps(settings or {}, ensure_ascii=False),
            # where the clock started and how fast: a sandbox reset starts it there again
            "origin": json.dumps({"clock_start": clock.anchor_virtual, "scale": clock.scale})}


def create(r, seed=None, preset="eligible", clock_start=None, scale=0.0, settings=None, name=None, sid=None):
    if preset not in presets.PRESETS:
        raise Unprocessable({"preset": [f"未知的预设：{preset}（可选：{'、'.join(presets.PRESETS)}）"]})
    try:
        start = parse_instant(clock_start or DEFAULT_START)
    except ValueError:
        raise Unprocessable({"clock_start": ["时间格式须为 ISO 8601，例如 2026-06-01T09:00:00+08:00"]}) from None
    sid = sid or "sb_" + secrets.token_hex(6)
    token = "sbt_" + secrets.token_urlsafe(24)
    seed = seed if seed is not None else secrets.randbelow(10**9)
    meta = _new_meta(sid, token, seed, preset, Clock(start, time.time(), float(scale)), settings, name)
    if not r.hsetnx(keys.sandbox(sid), "id", sid):
        raise Conflict("SANDBOX_EXISTS", "沙箱已存在", sandbox_id=sid)

    def fn(tx):
        for field, value in meta.items():
            tx.set_meta(field, value)
        _populate(tx, presets.PRESETS[preset])
    store.run(r, sid, fn)
    r.sadd(keys.SANDBOXES, sid)
    r.set(keys.token(auth.token_hash(token)), sid)
    return describe(r, sid)


def _populate(tx, preset):
    if preset["resources"]:
        cloud.eligible_world(tx)
    for d in preset["domains"]:
        domains.build(tx, dict(d))


def describe(r, sid):
    meta = r.hgetall(keys.sandbox(sid))
    if not meta:
        raise NotFound("SANDBOX_NOT_FOUND", "沙箱不存在", sandbox_id=sid)
    clock = Clock.from_dict(json.loads(meta["clock"]))
    return {"id": sid, "name": meta["name"], "seed": meta["seed"], "preset": meta["preset"],
            "token": meta["token"], "created_at": meta["created_at"],
            "settings": json.loads(meta.get("settings") or "{}"),
            "clock": {"now": iso(clock.now(time.time())), "scale": clock.scale}}


def list_all(r):
    return [describe(r, sid) for sid in sorted(r.smembers(keys.SANDBOXES))]


def delete(r, sid):
    meta = r.hgetall(keys.sandbox(sid))
    if not meta:
        raise NotFound("SANDBOX_NOT_FOUND", "沙箱不存在", sandbox_id=sid)
    r.delete(keys.token(auth.token_hash(meta["token"])))
    for key in r.scan_iter(match=keys.children_of(sid), count=500):
        r.delete(key)
    r.delete(keys.sandbox(sid))
    r.srem(keys.SANDBOXES, sid)


def outbox(r, sid, channel=None, to=None, app_id=None):
    world.meta(store.read(r, sid))
    msgs = [json.loads(m) for m in r.lrange(keys.outbox(sid), 0, -1)]
    return [m for m in msgs if (channel is None or m["channel"] == channel)
            and (to is None or m["to"] == to) and (app_id is None or m["app_id"] == app_id)]


def reset(r, sid):
    """Back to its preset and seed: same id, same token, same settings; everything else
    (applications, records, outbox, faults, journal, clock) as when it was created."""
    meta = r.hgetall(keys.sandbox(sid))
    if not meta:
        raise NotFound("SANDBOX_NOT_FOUND", "沙箱不存在", sandbox_id=sid)
    origin = json.loads(meta.get("origin") or "{}")
    start = origin.get("clock_start", parse_instant(DEFAULT_START))
    scale = float(origin.get("scale", json.loads(meta["clock"]).get("scale", 0)))
    for key in r.scan_iter(match=keys.sandbox(sid) + ":*", count=500):
        r.delete(key)  # everything of the sandbox but its meta hash (rewritten below)
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
