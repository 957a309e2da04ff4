"""Sandboxes: one simulated Tencent Cloud account each, with its own world and clock."""

import json
import secrets
import time
from datetime import datetime, timezone

from rq.job import Job

from backend import config
from backend.domain import errors, limits, mail, presets
from backend.domain.clock import (
    DEFAULT_START,
    PACINGS,
    STEADY,
    Clock,
    iso,
    parse_instant,
    scale_problems,
    start_problems,
)
from backend.domain.errors import fail, validation_failed
from backend.services import api_credentials, auth, cloud, domains, scheduling, timers, world
from backend.store import keys, tx as store


def _new_meta(sid, token, seed, preset, clock, settings, name, idle_ttl=None):
    extra = {"idle_ttl": str(int(idle_ttl))} if idle_ttl else {}
    return {
        **extra,
        "id": sid,
        "name": name or sid,
        "seed": str(seed),
        "preset": preset,
        "token": token,
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "clock": json.dumps(clock.to_dict()),
        "settings": json.dumps(settings or {}, ensure_ascii=False),
        # where the clock started and how fast: a sandbox reset starts it there again
        "origin": json.dumps({"clock_start": clock.anchor_virtual, "scale": clock.scale, "pacing": clock.pacing}),
    }


MAX_SEED_CHARS = limits.MAX_SEED_CHARS
MAX_IDLE_TTL = limits.MAX_IDLE_TTL_SECONDS
DROPPED_FIELDS = ("journal", "outbox")  # and history:<app id> (keys.dropped)
MAX_NAME_CHARS = limits.MAX_SANDBOX_NAME


def _checked(seed, preset, clock_start, scale, settings, name, pacing=STEADY):
    """Every argument checked before anything is written: (start epoch, scale), or a 422."""
    errors = {}
    if pacing not in PACINGS:
        errors["pacing"] = [f"未知的时钟节奏：{pacing}（可选：{'、'.join(PACINGS)}）"]
    if preset not in presets.PRESETS:
        errors["preset"] = [f"未知的预设：{preset}（可选：{'、'.join(presets.PRESETS)}）"]
    start = None
    problems = start_problems(clock_start or DEFAULT_START)
    if problems:
        errors["clock_start"] = problems
    else:
        start = parse_instant(clock_start or DEFAULT_START)
    if seed is not None and (
        isinstance(seed, bool) or not isinstance(seed, (int, str)) or not 0 < len(str(seed)) <= MAX_SEED_CHARS
    ):
        errors["seed"] = [f"种子须为整数或 1 到 {MAX_SEED_CHARS} 个字符的字符串"]
    try:
        scale = float(scale)
    except (TypeError, ValueError, OverflowError):
        scale = None
    problems = scale_problems(scale)
    if problems:
        errors["scale"] = problems
    if settings is not None and not isinstance(settings, dict):
        errors["settings"] = ["须为对象"]
    if name is not None and (not isinstance(name, str) or not 0 < len(name) <= MAX_NAME_CHARS):
        errors["name"] = [f"名称须为 1 到 {MAX_NAME_CHARS} 个字符"]
    if errors:
        raise validation_failed(errors)
    return start, scale


def _check_idle_ttl(idle_ttl_seconds):
    if idle_ttl_seconds is not None and (
        isinstance(idle_ttl_seconds, bool)
        or not isinstance(idle_ttl_seconds, int)
        or not 1 <= idle_ttl_seconds <= MAX_IDLE_TTL
    ):
        raise validation_failed({"idle_ttl_seconds": [f"闲置时限须为 1 到 {MAX_IDLE_TTL} 秒"]})


def _write(tx, meta, preset, token, api_keys, revision, expires):
    """create's one MULTI: the meta hash, the preset's world, the listing, the token and API keys."""
    sid = tx.sid
    if tx.meta():  # WATCHed: a concurrent create of the same id makes one of them retry and stop here
        raise fail("SANDBOX_EXISTS", sandbox_id=sid)
    for field, value in meta.items():
        tx.set_meta(field, value)
    _populate(tx, presets.PRESETS[preset])
    tx.sadd(keys.SANDBOXES, sid)
    tx._writes.append(("zadd", keys.SANDBOX_ORDER, sid, 0))  # the listing's order (by id)
    tx.set(keys.token(auth.token_hash(token)), sid)
    api_credentials.issue(tx, sid, api_keys)
    if revision:
        tx.set(keys.revision(sid), revision + 1)  # after flush's INCR: the version still grows
    if expires is not None:
        tx.zadd(keys.IDLE_EXPIRY, sid, expires)


# long: its signature spells out every option of a new sandbox, one per line; the body is 25 lines
def create(
    r,
    seed=None,
    preset="eligible",
    clock_start=None,
    scale=0.0,
    settings=None,
    name=None,
    sid=None,
    pacing=None,
    token=None,
    revision=0,
    idle_ttl_seconds=None,
):
    """All or nothing: the meta hash, the world of the preset, the listing and the token key
    are written in one MULTI, after every argument was checked.

    `pacing` "demo": the clock runs at `scale` only while the system works (domain.clock).
    `token` and `revision` let a simulator reset recreate a sandbox as clients knew it."""
    pacing, fresh = pacing or STEADY, sid is None  # fresh: a new id, nothing of it stored (a reset passes the old)
    # the server's defaults (config.sandbox_defaults) for what the creator left out, kept in its settings
    if settings is None or isinstance(settings, dict):
        settings = {**config.sandbox_defaults(), **(settings or {})} or settings
    start, scale = _checked(seed, preset, clock_start, scale, settings, name, pacing)
    _check_idle_ttl(idle_ttl_seconds)
    sid = sid or "sb_" + secrets.token_hex(6)
    token = token or "sbt_" + secrets.token_urlsafe(24)
    seed = seed if seed is not None else secrets.randbelow(10**9)
    clock = Clock(start, time.time(), scale, pacing)
    meta = _new_meta(sid, token, seed, preset, clock, settings, name, idle_ttl_seconds)
    api_keys = api_credentials.credentials.new_pair()  # the Tencent Cloud API's SecretId/SecretKey
    expires = time.time() + idle_ttl_seconds if idle_ttl_seconds else None
    store.run(  # the system NAT gateway's IP is picked among the gateways': read with the rest
        r,
        sid,
        lambda tx: _write(tx, meta, preset, token, api_keys, revision, expires),
        prefetch=(*store.BASE, "nat_gateways"),
    )
    if scale > 0:
        r.sadd(keys.RUNNING, sid)  # what worker recovery sweeps (backend.services.recovery)
    # a new id's description is what was just written (no read back); a reused one's is read
    return {**(_described(sid, meta, expires, {}) if fresh else describe(r, sid)), **api_keys.public()}


def _populate(tx, preset):
    if preset["resources"]:
        cloud.eligible_world(tx, auto_renew=preset.get("auto_renew", False))
    for d in preset["domains"]:
        domains.build(tx, dict(d))


def describe(r, sid):
    batch = r.pipeline(transaction=False)
    batch.hgetall(keys.sandbox(sid))
    batch.zscore(keys.IDLE_EXPIRY, sid)
    batch.hgetall(keys.dropped(sid))
    meta, expiry, dropped = batch.execute()
    if not meta:
        raise errors.sandbox_not_found(sid)
    return _described(sid, meta, expiry, dropped)


def _described(sid, meta, expiry, dropped):
    clock = Clock.from_dict(json.loads(meta["clock"]))
    return {
        "id": sid,
        "name": meta["name"],
        "seed": meta["seed"],
        "preset": meta["preset"],
        "token": meta["token"],
        "created_at": meta["created_at"],
        "settings": json.loads(meta.get("settings") or "{}"),
        "clock": {"now": iso(clock.now(time.time())), "scale": clock.scale, "pacing": clock.pacing},
        "idle_ttl_seconds": int(meta["idle_ttl"]) if meta.get("idle_ttl") else None,
        "expires_at": _utc(expiry) if expiry is not None else None,
        "dropped": {k: int(v) for k, v in dropped.items() if k in DROPPED_FIELDS or k.startswith("history:")},
    }


def _utc(epoch):
    return datetime.fromtimestamp(epoch, timezone.utc).isoformat(timespec="seconds")


DEFAULT_PAGE, MAX_PAGE = 100, 1000


def list_page(r, cursor="", limit=DEFAULT_PAGE):
    """One page of sandboxes in id order, after the id `cursor` (the last id of the page
    before; "" for the first): (sandboxes, next cursor or None at the end). A page costs its
    own size whatever the number of sandboxes (ZRANGEBYLEX with LIMIT on the ordered index),
    and its documents come in one pipelined round trip."""
    limit = max(1, min(int(limit), MAX_PAGE))
    _ensure_order(r)
    start = f"({cursor}" if cursor else "-"
    sids = r.zrangebylex(keys.SANDBOX_ORDER, start, "+", start=0, num=limit + 1)
    more = len(sids) > limit
    sids = sids[:limit]
    pipe = r.pipeline(transaction=False)
    for sid in sids:
        pipe.hgetall(keys.sandbox(sid)).zscore(keys.IDLE_EXPIRY, sid).hgetall(keys.dropped(sid))
    found = pipe.execute()
    page = [_described(sid, *found[3 * i : 3 * i + 3]) for i, sid in enumerate(sids) if found[3 * i]]
    return page, (sids[-1] if more else None)


def _ensure_order(r):
    """Sandboxes created before the ordered index existed join it once (SCARD and ZCARD are O(1))."""
    batch = r.pipeline(transaction=False)
    batch.scard(keys.SANDBOXES).zcard(keys.SANDBOX_ORDER)
    listed, ordered = batch.execute()
    if listed != ordered:
        members = r.smembers(keys.SANDBOXES)
        pipe = r.pipeline(transaction=True)
        pipe.delete(keys.SANDBOX_ORDER)
        if members:
            pipe.zadd(keys.SANDBOX_ORDER, dict.fromkeys(members, 0))
        pipe.execute()


def list_all(r):
    """Every sandbox (the CLI and tests; the API pages with list_page)."""
    out, cursor = [], ""
    while True:
        page, cursor = list_page(r, cursor, MAX_PAGE)
        out.extend(page)
        if cursor is None:
            return out


def _children(r, sid):
    """Every key of the sandbox but its meta hash: its key index and the fixed ones."""
    return keys.indexed(sid, r)


def delete(r, sid):
    """The meta hash goes first: from then on the sandbox is gone (404) and a use case
    running meanwhile, which WATCHes it, aborts. Then the rest, in one MULTI."""
    meta = r.hgetall(keys.sandbox(sid))
    if not meta or not r.delete(keys.sandbox(sid)):
        raise errors.sandbox_not_found(sid)
    forget_jobs(r, sid)
    children = _children(r, sid)
    pipe = r.pipeline(transaction=True)
    if meta.get("token"):
        pipe.delete(keys.token(auth.token_hash(meta["token"])))
    api_credentials.forget(r, pipe, sid)
    pipe.srem(keys.SANDBOXES, sid)
    pipe.zrem(keys.IDLE_EXPIRY, sid)
    pipe.zrem(keys.SANDBOX_ORDER, sid)
    pipe.srem(keys.RUNNING, sid)
    for i in range(0, len(children), 500):
        pipe.delete(*children[i : i + 500])
    pipe.execute()
    _remove_uploads(sid)


def _remove_uploads(sid):
    from backend.services import materials  # uploaded materials' bytes live on disk, keyed by sandbox

    materials.remove_sandbox_files(sid)


def forget_jobs(r, sid):
    """The RQ jobs of the sandbox's timers go with it: off the scheduler's registry, their
    job hashes deleted. Found from the sandbox's own timers (no scan of RQ's keys); a job
    a worker is running is left to finish (it finds its timer gone and does nothing)."""
    batch = r.pipeline(transaction=False)
    batch.zrange(keys.timers(sid), 0, -1)
    batch.hkeys(keys.timer_docs(sid))
    ids = sorted(set().union(*batch.execute()))
    if not ids:
        return 0
    jids = [scheduling.job_id(sid, t) for t in ids]
    registry = scheduling.registry()
    rq = registry.connection
    batch = rq.pipeline(transaction=False)
    for jid in jids:
        batch.hget(Job.key_for(jid), "status")
    statuses = batch.execute()
    batch = rq.pipeline(transaction=False)
    for i in range(0, len(jids), 500):
        batch.zrem(registry.key, *jids[i : i + 500])
    idle = [Job.key_for(j) for j, st in zip(jids, statuses) if st is not None and st != b"started"]
    for i in range(0, len(idle), 500):
        batch.delete(*idle[i : i + 500])
    batch.execute()
    return len(idle)


def outbox(r, sid, channel=None, to=None, app_id=None, raw=None):
    """The sandbox's messages, oldest first, filtered here: one round trip (the sandbox's
    existence and the list together). `raw`: the list as read already with the request's
    token check (which found the sandbox)."""
    if raw is None:
        batch = r.pipeline(transaction=False)
        batch.exists(keys.sandbox(sid))
        batch.lrange(keys.outbox(sid), 0, -1)
        exists, raw = batch.execute()
        if not exists:
            raise errors.sandbox_not_found(sid)
    msgs = mail.on_channel([mail.unpack(store.decode(m)) for m in raw], channel)  # §6.3: wechat/wecom too
    return [m for m in msgs if (to is None or m["to"] == to) and (app_id is None or m["app_id"] == app_id)]


def reset(r, sid):
    """Back to its preset and seed: same id, same token, same settings; everything else
    (applications, records, outbox, faults, journal, clock) as when it was created. With the
    clock lock held: a reset deletes the sandbox's keys before it populates them again, so two
    resets at once (or a reset under an advance's timers) interleaved — the second one's
    populate met the first one's NAT gateway, a 422; a busy sandbox waits, then 409."""
    if not r.exists(keys.sandbox(sid)):
        raise errors.sandbox_not_found(sid)
    lock = timers.acquire(r, sid)
    try:
        return _reset_held(r, sid)
    finally:
        timers.release(r, lock)


def _reset_held(r, sid):
    meta = r.hgetall(keys.sandbox(sid))
    if not meta:  # deleted while this reset waited for the lock
        raise errors.sandbox_not_found(sid)
    origin = json.loads(meta.get("origin") or "{}")
    start = origin.get("clock_start", parse_instant(DEFAULT_START))
    scale = float(origin.get("scale", json.loads(meta["clock"]).get("scale", 0)))
    pacing = origin.get("pacing") or STEADY
    forget_jobs(r, sid)
    kept = (keys.revision(sid), keys.advance_lock(sid))  # the version only grows; the lock is this reset's
    children = [key for key in _children(r, sid) if key not in kept]
    for i in range(0, len(children), 500):
        r.delete(*children[i : i + 500])  # everything of the sandbox but its meta hash (rewritten below)
    _remove_uploads(sid)
    fresh = _new_meta(
        sid,
        meta["token"],
        meta["seed"],
        meta["preset"],
        Clock(start, time.time(), scale, pacing),
        json.loads(meta.get("settings") or "{}"),
        meta.get("name"),
        meta.get("idle_ttl"),
    )
    fresh["created_at"] = meta["created_at"]

    def fn(tx):
        if not tx.meta():  # deleted since (its meta hash goes first): a reset must not bring it back
            raise errors.sandbox_not_found(sid)
        for field in tx.meta():
            if field not in fresh:
                tx._writes.append(("hdel", keys.sandbox(sid), field))
        for field, value in fresh.items():
            tx.set_meta(field, value)
        _populate(tx, presets.PRESETS[meta["preset"]])

    store.run(r, sid, fn)
    (r.sadd if scale > 0 else r.srem)(keys.RUNNING, sid)
    return describe(r, sid)


# -- idle time-to-live --------------------------------------------------------------


def mobile_registry(r, sid) -> dict:
    return {"mobile_registry": world.settings(store.read(r, sid)).get("mobile_registry") or {}}


def set_mobile_registry(r, sid, registry: dict) -> dict:
    """Replace settings.mobile_registry (手机号归属地) of a live sandbox: read at each entry check,
    so the next create or edit of an order sees it; orders already written are not re-checked."""

    def fn(tx):
        settings = dict(world.settings(tx), mobile_registry=registry)
        if not registry:
            settings.pop("mobile_registry")
        tx.set_meta("settings", json.dumps(settings, ensure_ascii=False))
        return {"mobile_registry": registry}

    return store.run(r, sid, fn)
