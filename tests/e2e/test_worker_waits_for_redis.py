"""A worker started before Redis exists waits for it, and one that loses Redis comes back
(issue #8, item 6): the Procfile's `python -m workers.run`, a real process, a real Redis."""

import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from rq import Queue
from rq.job import Job, JobStatus
from support.procs import ROOT, child_env

from backend.runtime.embedded_redis import EmbeddedRedis


def wait_for(condition, timeout=30.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def finished(server, job_id):
    def check():
        try:
            return (
                Job.fetch(job_id, connection=server.client(decode_responses=False)).get_status() == JobStatus.FINISHED
            )
        except Exception:
            return False

    return check


@pytest.fixture
def data_dir():
    path = Path(tempfile.mkdtemp(prefix="icpsim-w-"))  # short: a unix socket path lives there
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_a_worker_started_before_redis_waits_and_reconnects(data_dir):
    server = EmbeddedRedis(data_dir)
    env = child_env(server.url, "ctl")
    log_path = data_dir / "worker.log"
    with open(log_path, "w") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "workers.run", "icpsim"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for(lambda: "waiting for it" in log_path.read_text(), what="the worker to say it waits")
        assert worker.poll() is None  # `rq worker` would have exited here
        server.start()
        queue = Queue("icpsim", connection=server.client(decode_responses=False))
        # a timer of a sandbox that does not exist: the job runs and finds nothing to do
        job = queue.enqueue("workers.jobs.fire_timer", "nosuch", "T000001", job_id="probe-1")
        wait_for(finished(server, job.id), what="the first job")
        assert job.return_value() == "gone"

        server.stop()  # Redis goes away under a running worker, then comes back (its AOF kept)
        time.sleep(1.5)
        assert worker.poll() is None
        server.start()
        queue = Queue("icpsim", connection=server.client(decode_responses=False))
        job = queue.enqueue("workers.jobs.fire_timer", "nosuch", "T000002", job_id="probe-2")
        wait_for(finished(server, job.id), timeout=60, what="a job after the Redis restart")
        assert worker.poll() is None
    except BaseException:
        print(log_path.read_text()[-4000:])
        raise
    finally:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
            try:
                assert worker.wait(20) == 0  # asked to stop: a clean exit
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait(5)
        server.stop()
