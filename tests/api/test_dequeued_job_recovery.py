"""A job a worker dequeued (RQ moves it to the queue's intermediate list) and died before
starting: recovery puts it back on the queue, and a job runs once whoever moves first
(recovery.claim / rescue_dequeued). Real Redis; the worker's moves made by hand."""

import os
import socket

import pytest
import redis
from rq import Queue
from rq.worker import Worker

from backend.services import recovery


@pytest.fixture
def raw(r, redis_url):
    """RQ's connection: bytes, not the decoded replies of `r` (which flushed the database)."""
    conn = redis.Redis.from_url(redis_url)
    yield conn
    conn.close()


def dequeued(q):
    job = q.enqueue("workers.jobs.advance_clock", "sb_x", "1d", False, False, 10)
    assert q.connection.lmove(q.key, q.intermediate_queue_key) is not None  # what a worker's dequeue does
    return job


def test_an_unclaimed_dequeued_job_goes_back_on_the_second_sweep(raw):
    r = raw
    q = Queue("t_dequeued", connection=r)
    job, seen = dequeued(q), {}
    assert recovery.rescue_dequeued(q, seen, now=0.0) == []  # first seen: a live worker may claim it yet
    assert recovery.rescue_dequeued(q, seen, now=3.0) == [job.id]
    assert q.get_job_ids() == [job.id] and r.llen(q.intermediate_queue_key) == 0 and seen == {}
    assert not recovery.claim(q, job.id, "late")  # the slow worker that dequeued it does not run it
    assert r.hget(job.key, "worker_name") in (None, b"")


def test_a_job_claimed_by_a_dead_worker_goes_back_at_once_and_a_live_ones_stays(raw):
    r = raw
    q = Queue("t_dequeued", connection=r)
    job = dequeued(q)
    assert recovery.claim(q, job.id, "ghost")  # registered nowhere: gone
    assert recovery.rescue_dequeued(q, {}, now=0.0) == [job.id]
    assert q.get_job_ids() == [job.id]
    q.remove(job.id)
    r.lpush(q.intermediate_queue_key, job.id)
    alive = "alive-worker"
    r.hset(Worker.redis_worker_namespace_prefix + alive, mapping={"hostname": socket.gethostname(), "pid": os.getpid()})
    assert recovery.claim(q, job.id, alive)
    assert recovery.rescue_dequeued(q, {}, now=0.0) == [] and recovery.rescue_dequeued(q, {}, now=9.0) == []
    assert r.lrange(q.intermediate_queue_key, 0, -1) == [job.id.encode()]


def test_a_started_or_ended_job_is_not_taken_back(raw):
    from rq.job import JobStatus

    q = Queue("t_dequeued", connection=raw)
    job = dequeued(q)
    job.set_status(JobStatus.STARTED)
    seen = {}
    assert recovery.rescue_dequeued(q, seen, now=0.0) == [] and recovery.rescue_dequeued(q, seen, now=9.0) == []


def test_the_worker_does_not_run_a_job_recovery_took_back_and_runs_it_once_from_the_queue(raw):
    """The Procfile's worker class: the stale copy a slow worker dequeued is not run (its claim
    fails), the copy back on the queue runs, once."""
    from workers.worker import Worker as IcpWorker

    q = Queue("t_dequeued", connection=raw)
    job = q.enqueue("builtins.len", "abc")
    raw.lmove(q.key, q.intermediate_queue_key)
    seen = {}
    recovery.rescue_dequeued(q, seen, now=0.0)
    assert recovery.rescue_dequeued(q, seen, now=3.0) == [job.id]
    worker = IcpWorker([q], connection=raw)
    worker.execute_job(job, q)  # what the slow worker would do with the job it dequeued
    assert job.get_status(refresh=True) == "queued" and job.results() == []
    worker.work(burst=True, with_scheduler=False)
    assert job.get_status(refresh=True) == "finished" and [res.return_value for res in job.results()] == [3]
    assert q.get_job_ids() == [] and raw.llen(q.intermediate_queue_key) == 0
