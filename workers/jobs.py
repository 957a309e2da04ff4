"""RQ job functions: thin wrappers that call the services.

Each job names the timer it delivers; the timer carries the state and version it
expects, so a duplicate or stale delivery changes nothing (exactly-once effects
on top of RQ's at-least-once delivery).
"""

import math

from rq import Retry, get_current_job

from backend import config, observability
from backend.services import advancing, scheduling, timers
from backend.store.connection import connect

_clients = {}


def client():
    """One Redis client (and its connection pool) per process and Redis URL, not one per job."""
    url = config.redis_url()
    if url not in _clients:
        _clients[url] = connect(url)
    return _clients[url]


def fire_timer(sid, timer_id, app_id=None):
    r = client()
    job = get_current_job()
    observability.job_started(job, sid, timer_id, r)  # logs the request id that caused it, and the lag
    try:
        result = timers.fire(r, sid, timer_id, app_id)
    except Exception as exc:
        if job is None or not job.retries_left:  # RQ will not run it again: the timer failed
            timers.mark_failed(r, sid, timer_id, f"{type(exc).__name__}: {exc}")
        raise
    if result == "early" and job is not None and job.id == scheduling.job_id(sid, timer_id):
        # the timer's scheduled job ran before its virtual due time (the clock was slowed
        # since): it goes back on the schedule under its own id, for the clock as it is now
        delay = timers.seconds_until_due(r, sid, timer_id)
        if delay is not None:
            return Retry(max=scheduling.MAX_EARLY_RETRIES, interval=max(1, math.ceil(delay)))
    return result


def advance_clock(sid, duration, until_idle, include_deadlines, max_steps, start=None):
    """A whole clock advance (backend.services.advancing): the view, or the domain error.
    `start`: the virtual time the request read with the clock lock (a re-run aims at the same
    target); None from a job queued before it was passed."""
    r, job = client(), get_current_job()
    lag = observability.job_started(job, sid, "advance")  # the timers it delivers: the request's id
    before = [observability.timer_lag_script(lag)] if lag is not None else []  # counted with its first read
    log = advancing.fired_log(r, sid, job)  # a re-run answers the timers of its earlier runs too
    return advancing.run(r, sid, duration, until_idle, include_deadlines, max_steps, before, start, log)
