"""Keeping running-clock timers moving when workers crash.

RQ's own scheduler holds its per-queue lock for a minute (`interval + 60` s) and a worker
without it retries only every two minutes, so a SIGKILLed worker stalled every running
clock for 60–160 s. Here one worker at a time (a lock of a few seconds, refreshed every
tick) moves due scheduled jobs to the queue; when it dies another takes over within
`LOCK_TTL` seconds. The same holder also repairs what a crash leaves behind:

* a job left STARTED by a worker that no longer exists goes back on the queue (RQ would
  only notice when the job's timeout ran out);
* a job a worker dequeued and died before starting (RQ moves it to the queue's intermediate
  list first; RQ's own clean-up fails it after a minute, at its 10-minute maintenance) goes
  back on the queue once its worker is known dead, or unclaimed on two sweeps. The claim
  (`claim`, the worker's first step) and the take-back are one script each on that list: a
  job runs once, whichever comes first;
* a timer of a running clock whose scheduled job is missing (the worker died between the
  timer's commit and its hand-over to RQ) is handed again. Timer job ids are deterministic
  (`scheduling.job_id`), so handing a timer twice replaces, never duplicates.

Both are idempotent, and run when a worker starts and every few seconds after.
"""

import json
import logging
import os
import socket
import time

from rq.job import Job, JobStatus
from rq.registry import StartedJobRegistry
from rq.scheduler import RQScheduler
from rq.scripts import acquire_or_refresh_lock
from rq.utils import parse_composite_key
from rq.worker import Worker

from backend.domain.clock import Clock
from backend.services import scheduling
from backend.store import keys

log = logging.getLogger("icpsim.recovery")

LOCK_TTL = 3  # seconds: how long a dead worker can keep the others from scheduling
TICK = 0.5  # seconds between two moves of due scheduled jobs
SWEEP_EVERY = 6  # ticks between two repairs (~3 s)
MAX_ORPHANS = 1000  # bounded work per sweep; the next sweep continues
MAX_SANDBOXES = 2000
ALIVE = {JobStatus.SCHEDULED.value, JobStatus.QUEUED.value, JobStatus.STARTED.value, JobStatus.DEFERRED.value}
RERUN = "icpsim_rerun"  # in a requeued job's meta: it ran before (an advance then reads what it fired)


def _text(v):
    return v.decode() if isinstance(v, bytes) else v


def worker_alive(conn, name):
    """Whether the worker that took a job still exists: its registration is gone, or it ran
    on this host and its process is gone. (On another host only its registration tells.)"""
    if not name:
        return True  # not taken by any worker we can name: leave it to RQ
    host, pid = (_text(v) for v in conn.hmget(Worker.redis_worker_namespace_prefix + name, "hostname", "pid"))
    if host is None:
        return False
    if host != socket.gethostname() or not pid:
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except (PermissionError, ValueError):
        return True
    return True


def rescue_orphans(queue):
    """Jobs STARTED by a dead worker go back on the queue (same id, so the advance that
    waits on one still sees its result). Returns their ids."""
    conn = queue.connection
    registry = StartedJobRegistry(queue=queue)
    entries = conn.zrange(registry.key, 0, MAX_ORPHANS - 1)  # "{job id}:{execution id}" each
    ids = [parse_composite_key(_text(e))[0] for e in entries]
    rescued = []
    for entry, jid, job in zip(entries, ids, Job.fetch_many(ids, connection=conn)):
        if job is not None and (
            job.get_status(refresh=False) != JobStatus.STARTED or worker_alive(conn, job.worker_name)
        ):
            continue
        conn.zrem(registry.key, entry)  # the dead execution; a vanished job leaves only this
        if job is not None:
            requeue_started(queue, job)
            rescued.append(jid)
    if rescued:
        log.warning("requeued %d job(s) left started by a dead worker: %s", len(rescued), ", ".join(rescued[:10]))
    return rescued


def requeue_started(queue, job):
    """A job its dead worker had started, back on the queue (same id), marked as run before."""
    job.meta[RERUN] = True
    queue.enqueue_job(job)


# KEYS: the queue's intermediate list, the job's hash. ARGV: job id, worker name.
# A worker's claim of a job it dequeued: its name on the job while the job is still in the list.
_CLAIM = """
if redis.call('LPOS', KEYS[1], ARGV[1]) == false then return 0 end
redis.call('HSET', KEYS[2], 'worker_name', ARGV[2])
return 1
"""
# Recovery's take-back: out of the list only if it is still there (then back on the queue).
_TAKE_BACK = "return redis.call('LREM', KEYS[1], 1, ARGV[1])"


def claim(queue, job_id, worker_name):
    """The worker's claim of a dequeued job, before anything else: False when recovery took it
    back meanwhile (it is on the queue again: another worker, or this one, runs it)."""
    job_key = Job.key_for(job_id)
    return bool(queue.connection.eval(_CLAIM, 2, queue.intermediate_queue_key, job_key, job_id, worker_name))


def rescue_dequeued(queue, seen, now=None):
    """Jobs dequeued (in the intermediate list) by a worker that died before starting them go
    back on the queue: claimed by a dead worker, or unclaimed on two sweeps in a row (`seen`:
    job id → when first seen unclaimed; a live worker claims within milliseconds). Returns their ids."""
    conn = queue.connection
    ids = [_text(v) for v in conn.lrange(queue.intermediate_queue_key, 0, MAX_ORPHANS - 1)]
    now = time.monotonic() if now is None else now
    for gone in set(seen) - set(ids):
        seen.pop(gone, None)
    rescued = []
    for jid, job in zip(ids, Job.fetch_many(ids, connection=conn)):
        if job is None or job.get_status(refresh=False) not in (JobStatus.QUEUED, None):
            continue  # gone, or started (rescue_orphans' part), or ended
        name = _text(conn.hget(job.key, "worker_name"))
        dead = bool(name) and not worker_alive(conn, name)
        if not dead and (name or seen.setdefault(jid, now) == now):
            continue  # claimed by a live worker, or first seen unclaimed now
        if conn.eval(_TAKE_BACK, 1, queue.intermediate_queue_key, jid):
            seen.pop(jid, None)
            conn.hdel(job.key, "worker_name")
            queue.enqueue_job(job)
            rescued.append(jid)
    if rescued:
        log.warning("requeued %d job(s) dequeued by a worker that died before starting: %s", len(rescued), rescued[:10])
    return rescued


def rehand_running(r, advance_lock):
    """Every running-clock sandbox's pending timers that have no live job get one again.
    A sandbox in the middle of an advance is skipped (the advance delivers its due timers).
    Returns the (sandbox, timer) pairs handed again."""
    handed = []
    sids = list(r.sscan_iter(keys.RUNNING, count=500))[:MAX_SANDBOXES]
    for sid in sids:
        batch = r.pipeline(transaction=False)
        batch.hget(keys.sandbox(sid), "clock").exists(advance_lock(sid)).hgetall(keys.timer_docs(sid))
        raw_clock, advancing, docs = batch.execute()
        clock = Clock.from_dict(json.loads(raw_clock)) if raw_clock else None
        if clock is None or clock.scale == 0:
            r.srem(keys.RUNNING, sid)
            continue
        timers = [t for t in (json.loads(d) for d in docs.values()) if not t.get("failed")]
        if advancing or not timers:
            continue
        peek = r.pipeline(transaction=False)
        for t in timers:
            peek.hget(Job.key_for(scheduling.job_id(sid, t["id"])), "status")
        for t, status in zip(timers, peek.execute()):
            if _text(status) not in ALIVE and scheduling.hand_to_rq(sid, t, clock):
                handed.append((sid, t["id"]))
    if handed:
        log.warning("handed %d timer(s) without a job to RQ again: %s", len(handed), handed[:10])
    return handed


class Scheduler:
    """What one worker runs beside its jobs (a thread; see workers.worker)."""

    def __init__(self, conn, queue, r, advance_lock):
        self.conn, self.queue, self.r, self.advance_lock = conn, queue, r, advance_lock
        self.name = f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self.rq_scheduler = RQScheduler([queue.name], connection=conn)
        self.ticks = 0
        self.unclaimed = {}  # rescue_dequeued's memory: job id → first seen unclaimed

    def tick(self):
        """Move due scheduled jobs while holding the lock; repair now and then. True when held."""
        held = acquire_or_refresh_lock(self.conn, keys.SCHEDULER_LOCK, self.name, LOCK_TTL) != "taken"
        if held:
            self.rq_scheduler.prepare_registries([self.queue.name])
            self.rq_scheduler.enqueue_scheduled_jobs()
            if self.ticks % SWEEP_EVERY == 0:
                rescue_orphans(self.queue)
                rescue_dequeued(self.queue, self.unclaimed)
                rehand_running(self.r, self.advance_lock)
        self.ticks += 1
        return held

    def run(self, stop, tick=TICK):
        while not stop.is_set():
            started = time.monotonic()
            try:
                self.tick()
            except Exception:  # noqa: BLE001 — Redis away, a bad document: log, keep ticking
                log.exception("scheduler tick failed")
            stop.wait(max(0.05, tick - (time.monotonic() - started)))
