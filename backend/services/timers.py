"""The sandbox clock and its timers: firing one timer, advancing, running until idle.

A timer is a document (`keys.timer_docs`) indexed by its virtual due time in a sorted
set (`keys.timers`): the clock view and the advance read the due ones from the index
(ZRANGEBYSCORE) and fetch only those documents. A timer whose job failed stays, marked
`failed` with the error, until the application moves on: it is listed apart in the
clock view and skipped by later advances.
"""
import json
import time

from rq.job import JobStatus

from backend import config
from backend.domain import audit, durations, limits, workflow
from backend.domain.clock import iso, parse_duration
from backend.domain.errors import Conflict, DomainError, Unprocessable
from backend.services import decisions, effects, engine, scheduling, world
from backend.store import keys
from backend.store import tx as store

MAX_STEPS = 500
MAX_SPAN = limits.MAX_ADVANCE_SECONDS  # "until idle" never runs the clock more than ~13 months ahead
VIEW_FIELDS = ("id", "app_id", "name", "state", "due_at", "mode")


def fire(r, sid, timer_id):
    """Deliver one timer (the RQ job's body). Returns what happened, for logs and tests."""
    # the timer, its order, and what a review decides on (records, domain registry)
    return store.run(r, sid, lambda tx: _fire(tx, timer_id), prefetch=(*store.WORKFLOW, *store.RECORDS, "domains"))


def _fire(tx, timer_id):
    timer = next((t for t in tx.timers() if t["id"] == timer_id), None)
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
    if not spec.outcomes:
        days = durations.idle_days(spec.delay, settings)
        expiry = durations.setting(settings, "idle_expiry_days")
        effects.notify(tx, app, at, "IDLE_REMINDER",
                       f"您的备案订单 {app['id']} 已 {days} 天未处理，请尽快完善，{expiry} 天未处理将过期。")
        return "reminded"
    if spec.review:
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
        timer = next((t for t in tx.timers() if t["id"] == timer_id), None)
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


# -- the clock, as the control API sees it -------------------------------------

def clock_view(r, sid):
    reader = store.read(r, sid)
    clock = world.clock(reader)
    now = clock.now(time.time())
    timers = _timers(r, sid)
    return {"now": iso(now), "epoch": now, "scale": clock.scale, "paused": clock.scale == 0,
            "pending_timers": [{k: t[k] for k in VIEW_FIELDS} for t in timers if not t.get("failed")],
            "failed_timers": [dict({k: t[k] for k in VIEW_FIELDS}, error=t.get("error"), failed_at=t.get("failed_at"))
                              for t in timers if t.get("failed")]}


def _set_clock(r, sid, change, reschedule=True, advancing=False):
    def fn(tx):
        new = change(world.clock(tx))
        tx.set_meta("clock", new.to_dict())
        return new
    clock = store.run(r, sid, fn)
    if reschedule:
        _reschedule(r, sid, clock, advancing)
    return clock


def _reschedule(r, sid, clock, advancing=False):
    """After a clock change, move every pending timer's scheduled job to its new real time
    (its one job is replaced, not added to). While advancing, the timers already due are
    the advance's to deliver: their scheduled jobs are cancelled instead."""
    now = clock.now(time.time())
    for t in _timers(r, sid):
        if t.get("failed"):
            continue
        if advancing and t["due"] <= now:
            scheduling.unschedule(sid, t["id"])
        else:
            scheduling.hand_to_rq(sid, t, clock)


def set_scale(r, sid, scale):
    if scale < 0 or scale > limits.MAX_CLOCK_SCALE:
        raise Unprocessable({"scale": [limits.CLOCK_SCALE_MESSAGE]})
    _set_clock(r, sid, lambda c: c.rescaled(scale, time.time()))
    return clock_view(r, sid)


def advance(r, sid, duration=None, until_idle=False, include_deadlines=False, max_steps=MAX_STEPS):
    """Move the clock forward, firing every timer that falls due, in virtual-time order.

    With a duration: fire what is due within it, then stop at now + duration.
    Until idle: fire timers until no progress timer is left (reviews, hand-over);
    deadlines (SMS window, idle expiry) fire only when time must pass them to
    reach a later progress timer, or when include_deadlines is set.
    """
    # Bounded before anything is saved (the API schema checks it too): a huge duration would
    # store a virtual time past year 9999 and break every later request to the sandbox.
    if not until_idle and duration is not None:
        try:
            seconds = parse_duration(duration)
        except (TypeError, ValueError):
            seconds = 0  # reported as a bad format below
        if not seconds <= MAX_SPAN:  # also NaN
            raise Unprocessable({"duration": [f"一次最多推进 {MAX_SPAN // 86400} 天"]})
    start = world.now(store.read(r, sid))
    # The advance delivers each due timer itself (and waits for it). A paused clock has no
    # RQ schedule to move; a running one keeps its timers ahead on RQ's schedule, but not
    # the ones the advance delivers (their scheduled jobs are cancelled first), so no timer
    # is delivered twice and which delivery fires it never varies from run to run.
    running = world.clock(store.read(r, sid)).scale > 0
    if until_idle:
        target = start + MAX_SPAN
    else:
        try:
            seconds = parse_duration(duration)
        except ValueError:
            raise Unprocessable({"duration": [f"时长格式不正确：{duration!r}，例如 2d、36h、1d12h、90m"]}) from None
        if seconds < 0:
            raise Unprocessable({"duration": ["时钟不能倒退"]})
        target = start + seconds
    fired = []
    try:
        for _ in range(max_steps):
            nxt = _next_timer(r, sid, target, until_idle, include_deadlines)
            if nxt is None:
                break
            _set_clock(r, sid, lambda c, due=nxt["due"]: c.moved_to(due, time.time()),
                       reschedule=running, advancing=True)
            fired.append(_deliver_and_wait(r, sid, nxt, len(fired), fired))
        else:
            raise Conflict("ADVANCE_STEP_LIMIT", f"推进时钟时触发的定时器超过 {max_steps} 个，已停止", fired=fired)
        if not until_idle:
            _set_clock(r, sid, lambda c: c.moved_to(target, time.time()), reschedule=False)
    finally:
        if running:  # what is still ahead goes back on RQ's schedule for the clock as it is now
            _reschedule(r, sid, world.clock(store.read(r, sid)))
    view = clock_view(r, sid)
    view["fired"] = fired
    view["started_at"] = iso(start)
    return view


def _next_timer(r, sid, target, until_idle, include_deadlines):
    pending = [t for t in _timers(r, sid, target) if not t.get("failed")]
    if not pending:
        return None
    first = pending[0]
    if not until_idle or include_deadlines or first["mode"] == "progress":
        return first
    # a deadline first: fire it only if a later progress timer forces time past it
    return first if any(t["mode"] == "progress" for t in pending[1:]) else None


_DONE = (JobStatus.FINISHED, JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED)


def _deliver_and_wait(r, sid, timer, n, fired):
    """Deliver a due timer through a worker and wait for it: the advance's own job, or the
    timer's scheduled job when a worker already has it (never both)."""
    deadline = time.monotonic() + config.job_wait_seconds()
    for attempt in range(5):
        job = scheduling.take_over(sid, timer["id"])
        adopted = job is not None
        if not adopted:
            job = scheduling.run_now(sid, timer["id"], f"adv{int(time.time() * 1000)}-{n}-{attempt}")
        status = _wait(job, deadline, adopted)
        if status == JobStatus.FINISHED:
            result = job.return_value()
            if result == "early" and adopted:
                continue  # the scheduled job ran before the clock was moved: deliver it again
            return {"timer": timer["id"], "name": timer["name"], "app_id": timer["app_id"],
                    "at": timer["due_at"], "result": result}
        if status == JobStatus.SCHEDULED:
            continue  # the scheduled job ran early and rescheduled itself: take it over again
        error = _job_error(job, status)
        mark_failed(r, sid, timer["id"], error)
        raise Conflict("TIMER_FAILED",
                       f"订单 {timer['app_id']} 的定时任务「{timer['name']}」（{timer['id']}）执行失败，"
                       "已标记为失败，之后推进时钟时会跳过它；请查看 worker 日志",
                       timer=timer["id"], application_id=timer["app_id"], name=timer["name"], error=error,
                       fired=fired)
    raise DomainError("TIMER_NOT_DELIVERED", "定时任务多次未能送达，请重试", status=503, timer=timer["id"],
                      application_id=timer["app_id"])


def _wait(job, deadline, adopted):
    while time.monotonic() < deadline:
        status = job.get_status(refresh=True)
        if status in _DONE or (adopted and status == JobStatus.SCHEDULED):
            return status
        time.sleep(0.02)
    raise DomainError("WORKER_TIMEOUT", "等待 worker 处理定时任务超时：请确认 worker 进程在运行", status=503,
                      timer=job.args[1] if len(job.args) > 1 else None)


def _job_error(job, status):
    """The last line of the job's traceback ("RuntimeError: …"), or its status."""
    try:
        result = job.latest_result()
        text = (result.exc_string or "").strip() if result is not None else ""
    except Exception:  # noqa: BLE001 — a report, never a second failure
        text = ""
    last = text.splitlines()[-1] if text else ""
    return last or f"job {getattr(status, 'value', status)}"
