"""The worker class of the Procfile: RQ's SimpleWorker, with icpsim's scheduler beside it.

SimpleWorker runs each job in the worker process: the backend is imported once, not
re-imported by a forked horse per job (7× the job's own cost with RQ's forking Worker).
A job that crashes the process takes the worker with it, which the scheduler's repair
(backend.services.recovery) and honcho's restart cover.

RQ's `--with-scheduler` is replaced by `recovery.Scheduler` in a thread: a lock of seconds,
not a minute, so a killed worker does not stall running clocks.
"""

import threading

from rq.utils import get_version
from rq.worker import SimpleWorker

from backend.services import recovery
from backend.store import keys
from workers.jobs import client


class Worker(SimpleWorker):
    def execute_job(self, job, queue):
        """The job dequeued is claimed first (recovery.claim): a worker killed before its claim
        leaves the job to recovery, which may have put it back on the queue; then not run here."""
        # RQ moves a job to the intermediate list only from one queue on Redis ≥ 6.2 (else LPOP)
        moved = len(self.queues) == 1 and get_version(self.connection) >= (6, 2, 0)  # (cached)
        if moved and not recovery.claim(queue, job.id, self.name):
            self.log.warning("job %s was taken back by recovery before this worker claimed it: not run", job.id)
            return None
        return super().execute_job(job, queue)

    def work(self, *args, **kwargs):
        kwargs["with_scheduler"] = False  # ours instead: RQ's and ours would both move jobs
        stop = threading.Event()
        scheduler = recovery.Scheduler(self.connection, self.queues[0], client(), keys.advance_lock)
        thread = threading.Thread(target=scheduler.run, args=(stop,), name="icpsim-scheduler", daemon=True)
        thread.start()
        try:
            return super().work(*args, **kwargs)
        finally:
            stop.set()
            thread.join(timeout=2)
