"""The control API's clock advance, delivered by a worker as ONE job.

The web request takes the sandbox's clock lock, hands the whole advance to a worker
(`workers.jobs.advance_clock`) and blocks on the job's result stream: no polling. The
worker walks the due timers in virtual-time order and fires each itself (the same
`timers.fire` its timer jobs run), so workers stay the ones that move applications, and a
timer costs its own transaction plus one read of the due index — not an RQ job and a web
round trip each. (Measured by `make bench`: see the README's performance section.)

A running clock keeps its timers on RQ's schedule: before firing a due timer the advance
cancels its scheduled job, or, when a worker has that job already, waits for it instead
of delivering the timer twice.
"""

import json
import logging
import secrets
import time

import redis
from rq.job import JobStatus
from rq.results import Result

from backend import config, observability
from backend.domain.clock import advance_problems, advance_target, iso, parse_duration
from backend.domain.errors import DomainError, fail, validation_failed
from backend.services import recording, recovery, scheduling, timers, world
from backend.store import keys, pipelining, tx as store

log = logging.getLogger("icpsim")

ATTEMPTS = 3  # a timer that raises is tried this many times before it is marked failed
JOB_TIMEOUT = 600  # seconds a worker may spend on one advance (max_steps timers)


# -- the web side ---------------------------------------------------------------


def advance(
    r,
    sid,
    duration=None,
    until_idle=False,
    include_deadlines=False,
    max_steps=timers.MAX_STEPS,
    begun=None,
    journal=None,
):
    """Move the clock forward, firing every timer that falls due, in virtual-time order.

    With a duration: fire what is due within it, then stop at now + duration (now: read here).
    Until idle: fire timers until no progress timer is left (reviews, hand-over);
    deadlines (SMS window, idle expiry) fire only when time must pass them to
    reach a later progress timer, or when include_deadlines is set.

    Advances of one sandbox run one at a time (the clock lock): 20 parallel advances of a
    day move the clock 20 days, in turn, each firing what falls due in its own day.
    `begun`: an AdvanceStart whose lock the token check took (api/begun.py), else it is
    taken here. `journal`: the request's journal entry (api/journal.with_commit), appended
    with the answer's epoch (`now`) in the lock's release round trip, and only on success.
    """
    lock = begun.lock if begun is not None else None
    try:
        _check_span(duration, until_idle)
        lock = lock if lock is not None else timers.acquire(r, sid)
        start = _planned_start(r, sid, begun)  # every run of the job aims at start + duration
        job = _enqueue(scheduling.queue(), sid, duration, until_idle, include_deadlines, max_steps, start)
        answer = _wait(job, lock)
    except BaseException:
        if lock is not None:
            timers.release(r, lock, [_forget(sid)])  # a failed advance leaves the clock free
        raise
    if "error" in answer:
        timers.release(r, lock, [_forget(sid)])
        err = answer["error"]
        raise fail(err.pop("code"), err.pop("message"), status=answer["status"], **err)
    _release_journaled(r, sid, lock, answer["view"], journal)
    return answer["view"]


def _planned_start(r, sid, begun):
    """The virtual time the advance starts from, read with its clock lock taken: its job aims
    at this + the duration (domain.clock.advance_target), so a re-run of the job after its
    worker died mid-run stops where the first run would have. The lock's round trip read it
    (`begun`); a lock waited for reads it once taken (the slow way, not the hot path)."""
    raw = begun.clock() if begun is not None else recording.UNREAD
    return recording.clock_now(r, sid, raw)


def _release_journaled(r, sid, lock, view, journal):
    """The lock's release with the journal's entry appended before it, in one round trip: the
    entries of one sandbox's advances stay in the order the lock gave them."""
    if journal is None:
        timers.release(r, lock, [_forget(sid)])
        return
    journal["entry"]["now"] = view["epoch"]
    try:
        timers.release(r, lock, [recording.append_command(sid, journal["entry"]), _forget(sid)])
        journal["done"] = True
    except redis.ResponseError:  # the append's error (the lock was released): the hook tries again
        log.exception("journal: cannot append the advance")


def _forget(sid):
    """The advance's log of deliveries (FiredLog) goes with its lock: its answer is given."""
    return ("DEL", keys.advance_fired(sid))


class AdvanceStart:
    """An advance's clock lock taken by its token check (api/begun.py): the lock's SET NX runs
    only when the check passes, in the check's round trip, with the sandbox's clock field
    (the journal notes a change's virtual time). `drop` releases it (a 4xx before the view)."""

    def __init__(self, r, sid):
        self.r, self.sid, self.held, self.raw_clock = r, sid, False, None
        self.lock = timers.clock_lock(r, sid)
        self.lock.local.token = secrets.token_hex(16).encode()

    def take(self):
        return ("SET", self.lock.name, self.lock.local.token, "NX", "PX", timers.LOCK_SECONDS * 1000)

    def send(self, ahead):
        *replies, self.raw_clock = pipelining.send(self.r, [*ahead, ("HGET", keys.sandbox(self.sid), "clock")])
        return replies

    def hold(self, took):
        self.held = took

    def clock(self):
        return self.raw_clock

    def drop(self):
        if self.held:
            self.held = False
            timers.release(self.r, self.lock)


def _enqueue(q, *args):
    """The advance's job, in ONE round trip: RQ's enqueue on a pipeline of ours (by itself it
    sends the queue's registration and the job in two). The request id follows into the
    worker's log."""
    options = {
        "job_timeout": JOB_TIMEOUT,
        "result_ttl": scheduling.RESULT_TTL,
        "failure_ttl": 86400,
        "meta": observability.job_meta(due_real=time.time()),
    }
    if not q.is_async:  # jobs run in this process (tests, the profile): RQ runs it at once
        return q.enqueue("workers.jobs.advance_clock", *args, **options)
    with q.connection.pipeline() as pipe:
        job = q.enqueue("workers.jobs.advance_clock", *args, pipeline=pipe, **options)
        pipe.execute()
    return job


def _check_span(duration, until_idle):
    # judged before anything is queued or saved (the API schema checks only its type)
    problems = advance_problems(duration) if not until_idle and duration is not None else []
    if problems:
        raise validation_failed({"duration": problems})


def _wait(job, lock):
    """Block on the job's result stream. A job no worker starts within the job wait is
    cancelled (503, nothing changed); a started one is waited for, the lock renewed."""
    conn, key, last = job.connection, Result.get_key(job.id), "0-0"
    wait_start = time.monotonic() + config.job_wait_seconds()
    give_up = time.monotonic() + JOB_TIMEOUT + 30
    orphaned = status = None  # since when the worker that started the job is gone; its last status
    while time.monotonic() < give_up:
        block = max(1, int(min(5.0, max(0.001, wait_start - time.monotonic())) * 1000))
        answer = conn.xread({key: last}, block=block)
        for entry_id, payload in answer[0][1] if answer else []:
            last = entry_id
            if int(payload[b"type"]) == Result.Type.SUCCESSFUL.value:
                return Result.restore(
                    job.id, entry_id.decode(), payload, connection=conn, serializer=job.serializer
                ).return_value
            if int(payload[b"type"]) != Result.Type.RETRIED.value:
                result = Result.restore(job.id, entry_id.decode(), payload, connection=conn, serializer=job.serializer)
                text = (result.exc_string or "").strip().splitlines()
                raise fail("ADVANCE_FAILED", error=text[-1] if text else "failed")
        status, was = job.get_status(refresh=True), status
        if status == JobStatus.QUEUED and was == JobStatus.STARTED:  # its dead worker's job, requeued:
            wait_start = time.monotonic() + config.job_wait_seconds()  # a job wait for a worker to take it
        if status in (JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED) and time.monotonic() > wait_start:
            _cancel(job)
            raise fail("WORKER_TIMEOUT")
        if status in (JobStatus.FINISHED, JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED) and not answer:
            raise fail("ADVANCE_FAILED", f"推进时钟的任务结束为 {status.value}，没有结果")
        orphaned = _orphaned_since(job, status, orphaned)
        if orphaned is not None and time.monotonic() > orphaned + config.job_wait_seconds():
            # its worker died mid-advance and no worker took it up again within the job wait
            # (recovery requeues it once one runs): cancelled, so it does not run after the 503
            _cancel(job)
            raise fail(
                "WORKER_TIMEOUT",
                "执行时钟推进的 worker 已退出，且在等待时间内没有其他 worker 接手：请确认 worker 进程在运行",
            )
        lock.reacquire()
    raise fail("WORKER_TIMEOUT")


def _cancel(job):
    try:
        job.cancel()
    except Exception:  # noqa: BLE001 — a worker took it meanwhile: it runs, we still answer
        pass


def _orphaned_since(job, status, since):
    """When the job is STARTED by a worker that is gone: since when (first seen now), else None.
    (A round trip, only on a wait past one block: the usual advance answers on the first.)"""
    if status != JobStatus.STARTED:
        return None
    name = job.connection.hget(job.key, "worker_name")  # set by the worker: not on our copy of the job
    if recovery.worker_alive(job.connection, name.decode() if isinstance(name, bytes) else name):
        return None
    return since if since is not None else time.monotonic()


# -- the worker side ------------------------------------------------------------


def run(r, sid, duration, until_idle, include_deadlines, max_steps, before=(), start=None, log=None):
    """The advance itself (the job's body): the clock view with `fired`, or the domain error
    as {"error", "status"} so the web answers it unchanged. `before`: scripts sent with its
    first read (timers.snapshot), e.g. the job's lag for /metrics. `start`: the virtual time
    the request read with the clock lock (`_planned_start`): every run of the job aims at the
    same target from it, a re-run after a worker's death included; None: the clock's now.
    `log`: the job's FiredLog (its deliveries kept as it goes), None outside a job."""
    how = (duration, until_idle, start)
    try:
        return {"view": _advance(r, sid, how, include_deadlines, max_steps, before, log)}
    except DomainError as err:
        return {"error": err.to_dict(), "status": err.status}


def _span(duration, until_idle):
    """Virtual seconds the advance may move the clock."""
    if until_idle:
        return timers.MAX_SPAN
    problems = advance_problems(duration)
    if problems:
        raise validation_failed({"duration": problems})
    return parse_duration(duration)


def _advance(r, sid, how, include_deadlines, max_steps, before=(), log=None):
    """The first step reads the clock and the pending timers in one round trip (timers.snapshot),
    each later one reads them in the MULTI of the delivery before it (timers.fire_and_look), and
    the clock's final move reads them in its own (timers.move_and_look): the last look is the
    answer's view (on a paused clock: on a running one the view is read again, time has run).
    `how`: (duration, until_idle, planned start)."""
    duration, until_idle, planned = how
    clock, pending = timers.snapshot(r, sid, before)
    start, target = advance_target(planned, clock.now(time.time()), _span(duration, until_idle))
    running = clock.scale > 0
    fired = log.earlier() if log is not None else []  # a re-run's answer lists its first runs' too
    try:
        for _ in range(max_steps):
            nxt = timers.pick_next(pending, target, until_idle, include_deadlines)
            if nxt is None:
                break
            entry, seen = _deliver(r, sid, nxt, running, fired, log)
            fired.append(entry)
            clock, pending = seen or timers.snapshot(r, sid)
        else:
            raise fail("ADVANCE_STEP_LIMIT", f"推进时钟时触发的定时器超过 {max_steps} 个，已停止", fired=fired)
        if not until_idle:
            _, seen = timers.move_and_look(r, sid, lambda c: c.moved_to(target, time.time()))
            clock, pending = seen or timers.snapshot(r, sid)
    finally:
        if running:  # what is still ahead goes back on RQ's schedule for the clock as it is now
            timers.reschedule(r, sid, world.clock(store.read(r, sid)))
    view = timers.clock_view(r, sid, seen=None if running else (clock, pending))
    view["fired"] = fired
    view["started_at"] = iso(start)
    return view


def _deliver(r, sid, timer, running, fired, log=None):
    """Fire one due timer here, the clock moved to its due time in the same transaction
    (paused clock); on a running clock its scheduled job is cancelled first, or waited for.
    (its entry in `fired`, the clock and pending timers as its commit left them or None).
    `log`: the entry is kept in the delivery's own MULTI (an adopted job's: just after)."""
    if running:
        timers.set_clock(
            r, sid, lambda c, due=timer["due"]: c.moved_to(due, time.time()), reschedule=True, advancing=True
        )
        adopted = _adopted_result(r, sid, timer)
        if adopted is not None:
            if log is not None:
                log.note(_entry(timer, adopted))
            return _entry(timer, adopted), None
    error = None
    for _ in range(ATTEMPTS):
        try:
            clock_to, noted = None if running else timer["due"], log.noter(timer) if log is not None else None
            result, seen = timers.fire_and_look(r, sid, timer["id"], timer["app_id"], clock_to, noted=noted)
            return _entry(timer, result), seen
        except (redis.WatchError, DomainError):
            raise
        except Exception as exc:  # noqa: BLE001 — a broken timer is reported, never a 500
            error = f"{type(exc).__name__}: {exc}"
    timers.mark_failed(r, sid, timer["id"], error)
    raise fail(
        "TIMER_FAILED",
        f"订单 {timer['app_id']} 的定时任务「{timer['name']}」（{timer['id']}）执行失败，"
        "已标记为失败，之后推进时钟时会跳过它；请查看 worker 日志",
        timer=timer["id"],
        application_id=timer["app_id"],
        name=timer["name"],
        error=error,
        fired=fired,
    )


def _adopted_result(r, sid, timer):
    """When a worker already has the timer's scheduled job: its result (None when the
    advance is to fire the timer itself). A job still waiting in the queue is taken back."""
    for _ in range(5):
        job = scheduling.take_over(sid, timer["id"])
        if job is None:
            return None
        if job.get_status(refresh=True) == JobStatus.QUEUED and scheduling.take_back(job):
            return None
        status, final = timers.wait_job(job, time.monotonic() + config.job_wait_seconds(), adopted=True)
        if status == JobStatus.FINISHED:
            result = final.return_value if final is not None else job.return_value()
            if result != "early":
                return result
        elif status != JobStatus.SCHEDULED:
            return None  # it failed: the advance fires the timer itself (and reports a failure)
    return None


def _entry(timer, result):
    return {
        "timer": timer["id"],
        "name": timer["name"],
        "app_id": timer["app_id"],
        "at": timer["due_at"],
        "result": result,
    }


class FiredLog:
    """The timers an advance's job delivered, kept as it goes, so that a re-run of the job (its
    worker died mid-run; recovery requeued it) answers every timer the advance fired, not only
    its own. Each delivery adds its `fired` entry, tagged with the job's id, to the sandbox's
    list (keys.advance_fired: advances of a sandbox run one at a time) in the delivery's own
    MULTI: an entry is there exactly when its delivery committed. A first run reads nothing; a
    re-run reads its job's entries once. The web deletes the list with the clock lock."""

    def __init__(self, r, sid, job_id, rerun=False):
        self.r, self.key, self.job_id, self.rerun = r, keys.advance_fired(sid), job_id, rerun

    def earlier(self):
        if not self.rerun:
            return []
        lines = (json.loads(raw) for raw in self.r.lrange(self.key, 0, -1))
        return [line["entry"] for line in lines if line["job"] == self.job_id]  # not a dead web's advance

    def _line(self, entry):
        return json.dumps({"job": self.job_id, "entry": entry}, ensure_ascii=False, default=str)

    def noter(self, timer):
        """What `timers.fire_and_look` calls in the delivery's transaction, with its result."""
        return lambda tx, result: tx.append(self.key, self._line(_entry(timer, result)))

    def note(self, entry):
        self.r.rpush(self.key, self._line(entry))


def fired_log(r, sid, job):
    """The FiredLog of the RQ job running an advance (None outside a job); `recovery.RERUN` in its
    meta: recovery requeued it after a worker died while running it."""
    if getattr(job, "id", None) is None:
        return None
    meta = getattr(job, "meta", None) or {}
    return FiredLog(r, sid, job.id, rerun=bool(meta.get(recovery.RERUN)))
