"""The sandbox clock and its timers: firing one timer, advancing, running until idle.

A timer is a document (`keys.timer_docs`) indexed by its virtual due time in a sorted
set (`keys.timers`): the clock view and the advance read the due ones from the index
(ZRANGEBYSCORE) and fetch only those documents. A timer whose job failed stays, marked
`failed` with the error, until the application moves on: it is listed apart in the
clock view and skipped by later advances.
"""

import contextlib
import json
import math
import time

from rq.job import JobStatus
from rq.results import Result

from backend import config
from backend.domain import audit, durations, errors, limits, workflow
from backend.domain.clock import Clock, iso, scale_problems
from backend.domain.errors import fail, validation_failed
from backend.services import decisions, effects, engine, materials, miit_sync, scheduling, verification, world
from backend.store import keys, pipelining, tx as store

MAX_STEPS = 500
MAX_SPAN = limits.MAX_ADVANCE_SECONDS  # "until idle" never runs the clock more than ~13 months ahead
LOCK_SECONDS = 120  # an advance's clock lock outlives a crashed holder by this much at most
VIEW_FIELDS = ("id", "app_id", "name", "state", "due_at", "mode")


def fire(r, sid, timer_id, app_id=None, clock_to=None):
    """Deliver one timer (the RQ job's body). Returns what happened, for logs and tests.

    Reads single documents: the timer, its application and that application's timers
    (known from the job's arguments), with what a review decides on (records, domain
    registry, the order's uploads), all in one round trip; never the sandbox's whole
    applications or timers."""
    return fire_and_look(r, sid, timer_id, app_id, clock_to, look=False)[0]


def fire_and_look(r, sid, timer_id, app_id=None, clock_to=None, look=True, noted=None):
    """`fire`, and the clock with the pending timers as the delivery left them (what `snapshot`
    reads), read in its MULTI after its writes: an advance's next look costs no round trip.
    `noted(tx, result)`: the caller's writes in the same MULTI (an advance's log of its deliveries).
    (result, (clock, timers) or None when that read could not ride along)."""
    wanted = [*store.BASE, *store.RECORDS, "domains", materials.COLLECTION, (store.TIMERS, timer_id)]
    if app_id:
        wanted += [("applications", app_id), (store.APP_TIMERS, app_id)]

    def deliver(tx):
        result = _fire(tx, timer_id, clock_to)
        if noted is not None:
            noted(tx, result)
        return result

    return _run_and_look(r, sid, deliver, look, prefetch=wanted)


def _run_and_look(r, sid, fn, look, **run_options):
    """store.run(fn), and when `look` the clock with the pending timers as its commit left them
    (what `snapshot` reads), read in its MULTI after the writes: (fn's result, (clock, timers)
    or None when not asked or that read could not ride along)."""
    last = {}

    def body(tx):
        if look:
            tx.read_after(_snapshot_command(sid))
            last["tx"] = tx  # the attempt that commits is the last one
        return fn(tx)

    result = store.run(r, sid, body, **run_options)
    seen = last["tx"].after_replies if look else None
    return result, (_parse_snapshot(sid, seen[0]) if seen else None)


def _remind(tx, app, at, spec, settings):
    """A timer without outcomes (the order does not move): MIIT's resend at 12:00 the next day
    (process.md §5 [M2]), or the idle reminder."""
    if spec.name == workflow.SMS_AUTO_RESEND:
        verification.auto_resend(tx, app, at)
        return "resent"
    days = durations.idle_days(spec.delay, settings)
    expiry = durations.setting(settings, "idle_expiry_days")
    idle = f"您的备案订单 {app['id']} 已 {days} 天未处理"
    effects.notify(tx, app, at, "IDLE_REMINDER", f"{idle}，请尽快完善，{expiry} 天未处理将过期。")
    # and by SMS to each responsible person (domain.md §9; process.md §6.3: reminders while waiting
    # on the user go by SMS + e-mail to the ICP 负责人 [T24, T57])
    effects.sms_people(tx, app, at, "IDLE_REMINDER", f"【腾讯云】{idle}，请尽快登录备案小程序处理。")
    return "reminded"


def _fire(tx, timer_id, clock_to=None):
    if clock_to is not None:  # an advance on a paused clock: the clock moves with the delivery
        tx.set_meta("clock", world.clock(tx).moved_to(clock_to, time.time()).to_dict())
    timer = tx.timer(timer_id)
    if timer is None:
        return "gone"  # already fired, or disarmed by a user action
    if timer.get("failed"):
        return "failed"  # its job failed before: it waits for the application to move on
    clock = world.clock(tx)
    if timer["due"] > clock.now(time.time()) + 1e-6:
        # the clock was slowed or paused since this was scheduled: the scheduled job
        # reschedules itself (workers.jobs); an advance never delivers a timer early
        return "early"
    tx.remove_timer(timer_id)
    if clock.scale > 0:  # its scheduled job goes too (left alone if it is the one running; paused: none)
        tx.after_commit.append(lambda sid=tx.sid: scheduling.unschedule(sid, timer_id))
    app = tx.get("applications", timer["app_id"])
    if app is None or (app["state"], app["version"]) != (timer["state"], timer["version"]):
        return "stale"
    spec = workflow.timer(timer["state"], timer["name"])
    at = timer["due"]  # the event happens at the due time, whenever it is delivered
    settings = world.settings(tx)
    if not spec.outcomes:  # no move: MIIT's resend of the pending codes, or an idle reminder
        return _remind(tx, app, at, spec, settings)
    if spec.review:
        synced = miit_sync.bureau(tx, app, spec, at) if spec.review == "bureau" else None
        if synced is not None:  # MIIT first, Tencent's status later (tencent_sync_hours)
            return synced
        verdict, findings = decisions.decide(tx, app, spec.review)
        action = spec.action_for(verdict)
        engine.fire(tx, app, action, spec.review, at, audit_data=findings if verdict == "reject" else None)
        return action
    action = spec.action_for("due")
    engine.fire(tx, app, action, "clock", at, audit_data=audit.for_action(action, settings))
    return action


def seconds_until_due(r, sid, timer_id):
    """Real seconds until a pending timer's virtual due time (0 when due; None when it is
    gone, failed, or the clock is paused): when its scheduled job should run again."""
    raw = r.hget(keys.timer_docs(sid), timer_id)
    timer = json.loads(raw) if raw is not None else None
    if timer is None or timer.get("failed"):
        return None
    now = time.time()
    when = scheduling.real_when(timer, world.clock(store.read(r, sid)), now)
    return None if when is None else max(0, when - now)


def mark_failed(r, sid, timer_id, error):
    """The timer's job failed for good: keep the timer, marked, with the error text; take
    it off RQ's schedule. Returns the timer (None when it is gone)."""

    def fn(tx):
        timer = tx.timer(timer_id)
        if timer is None or timer.get("failed"):
            return timer
        timer = dict(timer, failed=True, error=str(error)[-2000:], failed_at=iso(world.now(tx)))
        tx.add_timer(timer)
        return timer

    timer = store.run(r, sid, fn)
    scheduling.unschedule(sid, timer_id)
    return timer


# -- the index of timers by virtual due time ------------------------------------


def _timers(r, sid, until="+inf"):
    """Timers due at or before `until` (every one by default), earliest first, from the
    sorted set; only their documents are fetched."""
    ids = r.zrangebyscore(keys.timers(sid), "-inf", until)
    if not ids:
        return []
    docs = [json.loads(d) for d in r.hmget(keys.timer_docs(sid), ids) if d is not None]
    return sorted(docs, key=lambda t: (t["due"], len(t["id"]), t["id"]))


# The due timers' documents in one round trip (the ids from the index, then their documents),
# at most NEXT_WINDOW of them: an advance asks for the next timer once per timer it fires.
_DUE_DOCS = """
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
if #ids == 0 then return {} end
return redis.call('HMGET', KEYS[2], unpack(ids))
"""
NEXT_WINDOW = 1000
_script = {}


def _due_timers(r, sid, until):
    if "due" not in _script:
        _script["due"] = r.register_script(_DUE_DOCS)  # EVALSHA, with EVAL once if Redis lacks it
    bound = "+inf" if until == "+inf" or math.isinf(float(until)) else repr(float(until))
    raw = _script["due"](keys=[keys.timers(sid), keys.timer_docs(sid)], args=[bound, NEXT_WINDOW], client=r)
    docs = [json.loads(d) for d in raw if d is not None]
    return sorted(docs, key=lambda t: (t["due"], len(t["id"]), t["id"]))


# The sandbox's clock and its pending timers' documents (the first NEXT_WINDOW by due time) in
# one round trip: what the clock view shows, and what an advance reads before each timer.
_CLOCK_AND_DUE = """
local clock = redis.call('HGET', KEYS[3], 'clock')
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '+inf', 'LIMIT', 0, tonumber(ARGV[1]))
local out = {clock}
if #ids > 0 then
  local docs = redis.call('HMGET', KEYS[2], unpack(ids))
  for i = 1, #docs do out[i + 1] = docs[i] end
end
return out
"""


def snapshot(r, sid, before=()):
    """(the clock, the pending timers earliest first, the failed ones included): one round trip.
    `before`: scripts (text, keys, args) sent first in that round trip (e.g. a job's timer lag)."""
    if before:  # EVAL in one pipelined round trip: a failing script ahead of the read is ignored
        ahead = [("EVAL", text, len(their_keys), *their_keys, *args) for text, their_keys, args in before]
        raw = pipelining.send(r, [*ahead, _snapshot_command(sid)], raise_on_error=False)[-1]
        if isinstance(raw, Exception):
            raise raw
    else:
        if "clock_and_due" not in _script:
            _script["clock_and_due"] = r.register_script(_CLOCK_AND_DUE)
        raw = _script["clock_and_due"](keys=_snapshot_keys(sid), args=[NEXT_WINDOW], client=r)
    return _parse_snapshot(sid, raw)


def _snapshot_keys(sid):
    return [keys.timers(sid), keys.timer_docs(sid), keys.sandbox(sid)]


def _snapshot_command(sid):
    return ("EVAL", _CLOCK_AND_DUE, 3, *_snapshot_keys(sid), NEXT_WINDOW)


def _parse_snapshot(sid, raw):
    if not raw or raw[0] is None:
        raise errors.sandbox_not_found(sid)
    docs = [json.loads(d) for d in raw[1:] if d is not None]
    return Clock.from_dict(json.loads(raw[0])), sorted(docs, key=lambda t: (t["due"], len(t["id"]), t["id"]))


# -- the clock, as the control API sees it -------------------------------------


def clock_view(r, sid, seen=None):
    """The clock and its timers; `seen`: a `snapshot` taken since the last change (none read)."""
    clock, timers = seen or snapshot(r, sid)
    now = clock.now(time.time())
    return {
        "now": iso(now),
        "epoch": now,
        "scale": clock.scale,
        "paused": clock.scale == 0,
        "pending_timers": [{k: t[k] for k in VIEW_FIELDS} for t in timers if not t.get("failed")],
        "failed_timers": [
            dict({k: t[k] for k in VIEW_FIELDS}, error=t.get("error"), failed_at=t.get("failed_at"))
            for t in timers
            if t.get("failed")
        ],
    }


def _set_clock(r, sid, change, reschedule=True, advancing=False):
    clock, _ = _move_clock(r, sid, change, look=False)
    if reschedule:
        _reschedule(r, sid, clock, advancing)
    return clock


def move_and_look(r, sid, change):
    """Move the clock (no rescheduling), and read the clock with the pending timers as the move
    left them in its MULTI (what `snapshot` reads): (clock, (clock, timers) or None)."""
    return _move_clock(r, sid, change, look=True)


def _move_clock(r, sid, change, look):
    def fn(tx):
        new = change(world.clock(tx))
        tx.set_meta("clock", new.to_dict())
        return new

    return _run_and_look(r, sid, fn, look)


def _reschedule(r, sid, clock, advancing=False):
    """After a clock change, move every pending timer's scheduled job to its new real time
    (its one job is replaced, not added to). While advancing, the timers already due are
    the advance's to deliver: their scheduled jobs are cancelled instead."""
    now = clock.now(time.time())
    for t in _timers(r, sid):
        if t.get("failed"):
            continue
        # the clock change is committed: a failed hand-over is logged, the timer stays in
        # the sorted set for the next advance or rescale (store.after_commit_safely)
        if advancing and t["due"] <= now:
            store.after_commit_safely(lambda t=t: scheduling.unschedule(sid, t["id"]))
        else:
            store.after_commit_safely(lambda t=t: scheduling.hand_to_rq(sid, t, clock))


def rearm(r, sid):
    """Hand every pending timer to RQ for the sandbox's clock as it is now (a loaded snapshot)."""
    _reschedule(r, sid, world.clock(store.read(r, sid)))


def set_scale(r, sid, scale):
    problems = scale_problems(scale)
    if problems:
        raise validation_failed({"scale": problems})
    with _exclusive(r, sid):
        _set_clock(r, sid, lambda c: c.rescaled(scale, time.time()))
    mark_running(r, sid, scale)
    return clock_view(r, sid)


def mark_running(r, sid, scale):
    """The index of running clocks, which worker recovery sweeps (backend.services.recovery)."""
    if scale > 0:
        r.sadd(keys.RUNNING, sid)
    else:
        r.srem(keys.RUNNING, sid)


@contextlib.contextmanager
def _exclusive(r, sid):
    """The sandbox's clock lock held for the block (a rescale; an advance: `acquire`, `release`)."""
    lock = acquire(r, sid)
    try:
        yield lock
    finally:
        release(r, lock)


def clock_lock(r, sid):
    """The sandbox's clock lock (not taken): a second advance (or rescale) waits for the first,
    up to the job wait. It expires by itself if its holder dies; a long advance renews it."""
    return r.lock(keys.advance_lock(sid), timeout=LOCK_SECONDS, blocking_timeout=config.job_wait_seconds())


def acquire(r, sid):
    """The clock lock, waited for up to the job wait; past that 409, another advance is running."""
    lock = clock_lock(r, sid)
    if not lock.acquire():
        wait = config.job_wait_seconds()
        raise fail("ADVANCE_IN_PROGRESS", f"该沙箱的时钟正在被另一个请求推进，{wait:g} 秒内未结束；请稍后重试")
    return lock


def release(r, lock, ahead=()):
    """Release the clock lock if it is still ours (redis-py Lock's own script; expired meanwhile:
    nothing to release), `ahead` sent before it in the same round trip; their replies (an
    error among them raised, the lock released all the same)."""
    token, lock.local.token = lock.local.token, None
    if token is None:
        return []
    return pipelining.send(r, [*ahead, ("EVAL", lock.LUA_RELEASE_SCRIPT, 1, lock.name, token)])[:-1]


def _next_timer(r, sid, target, until_idle, include_deadlines):
    return pick_next(_due_timers(r, sid, target), target, until_idle, include_deadlines)


def pick_next(timers, target, until_idle, include_deadlines):
    """The timer an advance to `target` fires next, of the pending `timers` (earliest first)."""
    pending = [t for t in timers if t["due"] <= target and not t.get("failed")]
    if not pending:
        return None
    first = pending[0]
    if not until_idle or include_deadlines or first["mode"] == "progress":
        return first
    # a deadline first: fire it only if a later progress timer forces time past it
    return first if any(t["mode"] == "progress" for t in pending[1:]) else None


_DONE = (JobStatus.FINISHED, JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED)


_FINAL = {Result.Type.SUCCESSFUL, Result.Type.FAILED, Result.Type.STOPPED, Result.Type.MAX_RETRIES_EXCEEDED}


def _wait(job, deadline, adopted):
    """Block on the job's result stream (RQ writes one entry per run) until a final result:
    no polling. A retry's entry is passed over, unless the job went back on the schedule
    (an adopted scheduled job that ran early), which the caller takes over again."""
    conn, key, last = job.connection, Result.get_key(job.id), "0-0"
    while (left := deadline - time.monotonic()) > 0:
        answer = conn.xread({key: last}, block=max(1, int(min(left, 5.0) * 1000)))
        if not answer:
            if job.get_status(refresh=True) in _DONE:  # a result that was not kept (result_ttl=0)
                return job.get_status(refresh=False), None
            continue
        for entry_id, payload in answer[0][1]:
            last = entry_id
            kind = Result.Type(int(payload[b"type"]))
            if kind in _FINAL:
                final = Result.restore(job.id, entry_id.decode(), payload, connection=conn, serializer=job.serializer)
                return (JobStatus.FINISHED if kind == Result.Type.SUCCESSFUL else JobStatus.FAILED), final
        if adopted and job.get_status(refresh=True) == JobStatus.SCHEDULED:
            return JobStatus.SCHEDULED, None
    raise fail(
        "WORKER_TIMEOUT",
        timer=job.args[1] if len(job.args) > 1 else None,
    )


# what the advance (backend.services.advancing) uses
exclusive, set_clock, reschedule, wait_job = _exclusive, _set_clock, _reschedule, _wait
