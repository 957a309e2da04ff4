"""The worker class of the Procfile: RQ's SimpleWorker, with icpsim's scheduler beside it.

SimpleWorker runs each job in the worker process: the backend is imported once, not
re-imported by a forked horse per job (7× the job's own cost with RQ's forking Worker).
A job that crashes the process takes the worker with it, which the scheduler's repair
(backend.services.recovery) and honcho's restart cover.

RQ's `--with-scheduler` is replaced by `recovery.Scheduler` in a thread: a lock of seconds,
not a minute, so a killed worker does not stall running clocks.
"""

import threading

from rq.worker import SimpleWorker

from backend.services import recovery
from backend.store import keys
from workers.jobs import client


class Worker(SimpleWorker):
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
