"""The alternative to the Procfile's SimpleWorker that the benchmark compares: RQ's forking
Worker whose parent imports the job module (and so the backend) once, before any fork, so a
work horse inherits it instead of importing it per job. It still forks per job."""

from rq.worker import Worker

import workers.jobs  # noqa: F401 — the preload: imported in the parent, inherited by each horse


class PreloadingWorker(Worker):
    pass
