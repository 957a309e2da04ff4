"""Handing timers to RQ. The timers themselves live in Redis (virtual due time);
RQ only delivers them: a scheduled job when the sandbox clock runs, or an
immediate job when the clock is moved past them by the control API.

Each timer has ONE scheduled job, with a deterministic id (`job_id`): handing a
timer again (the clock was rescaled, moved, or the job ran early) replaces that
job's time instead of adding a job, and a timer that fires or is disarmed takes
its scheduled job with it (`unschedule`). The control API's own deliveries
(`run_now`) are separate jobs, each waited for by the advance that made it.
"""

import math
import time
from datetime import datetime, timezone

import redis
from rq import Queue, Retry
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from rq.registry import ScheduledJobRegistry

from backend import config, observability
from backend.store.connection import connect

_queue: tuple[config.Settings, Queue] | None = None  # the queue of one settings object

# a job in these states is (about to be) running: it reads the clock itself, so it is
# neither replaced nor cancelled under the worker's feet (its id stays one job)
IN_FLIGHT = {JobStatus.QUEUED.value, JobStatus.STARTED.value}
# a result is read only by the advance waiting for it, within seconds: kept a minute, not ten
RESULT_TTL = 60
MAX_EARLY_RETRIES = 10_000  # a scheduled job that ran early reschedules itself (see workers.jobs)


def queue():
    """The RQ queue of this process's settings (config.settings()): built once per settings
    object, so rebuilding the settings (another Redis, synchronous jobs) gives a new queue."""
    global _queue
    settings = config.settings()
    if _queue is None or _queue[0] is not settings:
        _queue = (
            settings,
            Queue(
                config.QUEUE_NAME,
                connection=connect(settings.redis_url, decode_responses=False),
                is_async=not settings.sync_jobs,
            ),
        )
    return _queue[1]


def reset_queue():
    """Read the environment again (tests switch Redis servers or job modes): new settings,
    hence a new queue on next use."""
    config.rebuild()


def job_id(sid, timer_id):
    """The id of the timer's scheduled job: one per timer, whatever the clock does."""
    return f"icpsim-{sid}-{timer_id}"


def registry():
    return ScheduledJobRegistry(queue=queue())


def real_when(timer, clock, real_now=None):
    """The real epoch second at which the scheduler should deliver `timer` (None while paused).

    Rounded *up*: RQ's scheduled registry keeps whole seconds, and a job delivered in
    the second before its virtual due time would only find itself early."""
    real = clock.real_time_for(timer["due"], time.time() if real_now is None else real_now)
    return None if real is None else math.ceil(real)


def hand_to_rq(sid, timer, clock):
    """Schedule the timer's job at the real moment its virtual due time arrives, replacing
    any earlier schedule of it; while the clock is paused there is none."""
    when = real_when(timer, clock)
    if when is None:
        unschedule(sid, timer["id"])
        return None
    q, jid = queue(), job_id(sid, timer["id"])
    key = Job.key_for(jid)
    with q.connection.pipeline() as pipe:
        while True:
            try:
                pipe.watch(key)
                status = pipe.hget(key, "status")
                if status is not None and status.decode() in IN_FLIGHT:
                    pipe.unwatch()
                    return None  # being delivered now: it reads the new clock itself
                pipe.multi()
                pipe.delete(key)  # a finished run of the same id leaves an expiring hash behind
                q.enqueue_at(
                    datetime.fromtimestamp(when, timezone.utc),
                    "workers.jobs.fire_timer",
                    sid,
                    timer["id"],
                    timer["app_id"],
                    job_id=jid,
                    retry=Retry(max=3),
                    result_ttl=config.rq_result_ttl(),
                    failure_ttl=config.rq_failure_ttl(),
                    pipeline=pipe,
                    meta=observability.job_meta(due_real=when),
                )
                pipe.execute()
                return jid
            except redis.WatchError:
                continue


def unschedule(sid, timer_id):
    """Cancel the timer's scheduled job (the timer fired, was disarmed, or failed).

    A job already handed to a worker is left alone: the timer's state and version make
    its delivery change nothing. Returns True when a scheduled job was removed."""
    q, jid = queue(), job_id(sid, timer_id)
    key = Job.key_for(jid)
    reg = registry()
    with q.connection.pipeline(transaction=False) as peek:  # the usual case, one round trip: none
        status, score = peek.hget(key, "status").zscore(reg.key, jid).execute()
    if score is None and status != JobStatus.SCHEDULED.value.encode():
        return False
    with q.connection.pipeline() as pipe:
        while True:
            try:
                pipe.watch(key, reg.key)
                status = pipe.hget(key, "status")
                if status is not None and status.decode() in IN_FLIGHT:
                    pipe.unwatch()
                    return False
                scheduled = pipe.zscore(reg.key, jid) is not None
                pipe.multi()
                pipe.zrem(reg.key, jid)
                if status is not None and status.decode() == JobStatus.SCHEDULED.value:
                    pipe.delete(key)
                pipe.execute()
                return scheduled
            except redis.WatchError:
                continue


def take_over(sid, timer_id):
    """Before an advance delivers a timer itself: cancel the timer's scheduled job. When a
    worker has it already, that job is returned: the advance waits for it instead of
    delivering the timer a second time."""
    if unschedule(sid, timer_id):
        return None
    try:
        job = Job.fetch(job_id(sid, timer_id), connection=queue().connection)
    except NoSuchJobError:
        return None
    status = job.get_status(refresh=False)
    return job if getattr(status, "value", status) in IN_FLIGHT else None


def run_now(sid, timer_id, tag, app_id=None):
    """An immediate delivery for the control API's advance (its own job, waited for)."""
    return queue().enqueue(
        "workers.jobs.fire_timer",
        sid,
        timer_id,
        app_id,
        job_id=f"{job_id(sid, timer_id)}-{tag}",
        retry=Retry(max=3),
        result_ttl=config.rq_result_ttl(),
        failure_ttl=config.rq_failure_ttl(),
        meta=observability.job_meta(due_real=time.time()),
    )


def take_back(job):
    """Remove a job still waiting in the queue (the advance fires its timer itself).
    True when it was taken back; False when a worker dequeued it meanwhile."""
    q = queue()
    if not q.connection.lrem(q.key, 1, job.id):
        return False
    job.delete()
    return True
