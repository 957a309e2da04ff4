"""The sandbox clock and its timers: firing one timer, advancing, running until idle."""
import time

from rq.job import JobStatus

from backend import config
from backend.domain import audit, workflow
from backend.domain.clock import Clock, iso, parse_duration
from backend.domain.errors import Conflict, DomainError, Unprocessable
from backend.services import decisions, engine, scheduling, world
from backend.store import tx as store

MAX_STEPS = 500
MAX_SPAN = 400 * 86400  # "until idle" never runs the clock more than ~13 months ahead


def fire(r, sid, timer_id):
    """Deliver one timer (the RQ job's body). Returns what happened, for logs and tests."""
    return store.run(r, sid, lambda tx: _fire(tx, timer_id))


def _fire(tx, timer_id):
    timer = next((t for t in tx.timers() if t["id"] == timer_id), None)
    if timer is None:
        return "gone"  # already fired, or disarmed by a user action
    clock = world.clock(tx)
    if timer["due"] > clock.now(time.time()) + 1e-6:
        # the clock was slowed or paused since this was scheduled: deliver later
        tx.after_commit.append(lambda: scheduling.hand_to_rq(tx.sid, timer, clock))
        return "early"
    tx.remove_timer(timer_id)
    app = tx.get("applications", timer["app_id"])
    if app is None or (app["state"], app["version"]) != (timer["state"], timer["version"]):
        return "stale"
    spec = workflow.timer(timer["state"], timer["name"])
    at = timer["due"]  # the event happens at the due time, whenever it is delivered
    if not spec.actions:
        days = timer["name"].removeprefix("remind_")
        engine.effects.notify(tx, app, at, "IDLE_REMINDER",
                              f"您的备案订单 {app['id']} 已 {days.rstrip('d')} 天未处理，请尽快完善，45 天未处理将过期。")
        return "reminded"
    if spec.name in ("provider_review", "bureau_review"):
        verdict, findings = decisions.decide(tx, app, spec.name.split("_")[0])
        action = f"{spec.name.split('_')[0]}_{verdict}"
        engine.fire(tx, app, action, workflow.find(app["state"], action, app["kind"]).actor, at,
                    audit_data=findings if verdict == "reject" else None)
        return action
    action = spec.actions[0]
    engine.fire(tx, app, action, "clock", at, audit_data=audit.BY_ACTION.get(action))
    return action


# -- the clock, as the control API sees it -------------------------------------

def clock_view(r, sid):
    reader = store.read(r, sid)
    clock = world.clock(reader)
    now = clock.now(time.time())
    pending = reader.timers()
    return {"now": iso(now), "epoch": now, "scale": clock.scale, "paused": clock.scale == 0,
            "pending_timers": [{k: t[k] for k in ("id", "app_id", "name", "state", "due_at", "mode")}
                               for t in pending]}


def _set_clock(r, sid, change, reschedule=True):
    def fn(tx):
        new = change(world.clock(tx))
        tx.set_meta("clock", new.to_dict())
        return new
    clock = store.run(r, sid, fn)
    if reschedule:
        _reschedule(r, sid, clock)
    return clock


def _reschedule(r, sid, clock):
    """After a clock change, hand every pending timer to RQ again for its new real time."""
    for t in store.read(r, sid).timers():
        scheduling.hand_to_rq(sid, t, clock)


def set_scale(r, sid, scale):
    if scale < 0 or scale > 1e7:
        raise Unprocessable({"scale": ["倍率须在 0 到 10000000 之间"]})
    _set_clock(r, sid, lambda c: c.rescaled(scale, time.time()))
    return clock_view(r, sid)


def advance(r, sid, duration=None, until_idle=False, include_deadlines=False, max_steps=MAX_STEPS):
    """Move the clock forward, firing every timer that falls due, in virtual-time order.

    With a duration: fire what is due within it, then stop at now + duration.
    Until idle: fire timers until no progress timer is left (reviews, hand-over);
    deadlines (SMS window, idle expiry) fire only when time must pass them to
    reach a later progress timer, or when include_deadlines is set.
    """
    start = world.now(store.read(r, sid))
    # A paused clock has no RQ schedule to move: the advance delivers each due timer itself.
    # (Rescheduling would hand the timer being delivered to RQ a second time, and which
    # delivery fires it — ours or the scheduler's — would vary from run to run.)
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
    for _ in range(max_steps):
        nxt = _next_timer(r, sid, target, until_idle, include_deadlines)
        if nxt is None:
            break
        _set_clock(r, sid, lambda c, due=nxt["due"]: c.moved_to(due, time.time()), reschedule=running)
        fired.append(_deliver_and_wait(r, sid, nxt, len(fired)))
    else:
        raise Conflict("ADVANCE_STEP_LIMIT", f"推进时钟时触发的定时器超过 {max_steps} 个，已停止", fired=fired)
    if not until_idle:
        _set_clock(r, sid, lambda c: c.moved_to(target, time.time()), reschedule=running)
    view = clock_view(r, sid)
    view["fired"] = fired
    view["started_at"] = iso(start)
    return view


def _next_timer(r, sid, target, until_idle, include_deadlines):
    pending = [t for t in store.read(r, sid).timers() if t["due"] <= target]
    if not pending:
        return None
    first = pending[0]
    if not until_idle or include_deadlines or first["mode"] == "progress":
        return first
    # a deadline first: fire it only if a later progress timer forces time past it
    return first if any(t["mode"] == "progress" for t in pending[1:]) else None


def _deliver_and_wait(r, sid, timer, n):
    job = scheduling.run_now(sid, timer["id"], f"adv{int(time.time() * 1000)}-{n}")
    deadline = time.monotonic() + config.job_wait_seconds()
    while time.monotonic() < deadline:
        status = job.get_status(refresh=True)
        if status == JobStatus.FINISHED:
            return {"timer": timer["id"], "name": timer["name"], "app_id": timer["app_id"],
                    "at": timer["due_at"], "result": job.return_value()}
        if status in (JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED):
            raise DomainError("TIMER_JOB_FAILED", "定时任务执行失败，请查看 worker 日志", status=500,
                              timer=timer["id"])
        time.sleep(0.02)
    raise DomainError("WORKER_TIMEOUT", "等待 worker 处理定时任务超时：请确认 worker 进程在运行", status=503,
                      timer=timer["id"])
