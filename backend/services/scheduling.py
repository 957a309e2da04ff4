"""Handing timers to RQ. The timers themselves live in Redis (virtual due time);
RQ only delivers them: a scheduled job when the sandbox clock runs, or an
immediate job when the clock is moved past them by the control API.
"""
import time
from datetime import datetime, timezone

from rq import Queue, Retry

from backend import config
from backend.store.connection import connect

_queue = None


def queue():
    global _queue
    if _queue is None:
        _queue = Queue(config.QUEUE_NAME, connection=connect(decode_responses=False),
                       is_async=not config.sync_jobs())
    return _queue


def reset_queue():
    """Forget the cached queue (tests switch Redis servers between sessions)."""
    global _queue
    _queue = None


def job_id(sid, timer_id, tag="run"):
    return f"icpsim-{sid}-{timer_id}-{tag}"


def hand_to_rq(sid, timer, clock):
    """Schedule delivery at the real moment the virtual due time arrives; none while paused."""
    real = clock.real_time_for(timer["due"], time.time())
    if real is None:
        return None
    when = datetime.fromtimestamp(real, timezone.utc)
    return queue().enqueue_at(when, "workers.jobs.fire_timer", sid, timer["id"],
                              job_id=job_id(sid, timer["id"], f"at{int(real * 1000)}"),
                              retry=Retry(max=3), result_ttl=600, failure_ttl=86400)


def run_now(sid, timer_id, tag):
    return queue().enqueue("workers.jobs.fire_timer", sid, timer_id, job_id=job_id(sid, timer_id, tag),
                           retry=Retry(max=3), result_ttl=600, failure_ttl=86400)
