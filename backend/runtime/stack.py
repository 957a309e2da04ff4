"""The real processes of a stack, started from Python: an embedded Redis (append-only file
on), gunicorn serving the app, and workers (`python -m workers.run`, as in the Procfile).

For the soak (`python -m bench.soak`) and anything else that needs a stack it can kill
pieces of. Every process gets its own session, so a signal reaches it and its children;
every wait is bounded in time.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from backend.runtime.embedded_redis import EmbeddedRedis

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def reserved_socket():
    """A socket bound to a free port of 127.0.0.1, not listening (a connection is refused). gunicorn
    is handed the socket itself (`web_command`): a port found free, closed and bound again by the
    child could be taken by another process in between (address in use)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    return sock


def web_command(sock):
    """gunicorn serving the app on `sock`, inherited (Popen's pass_fds); the command line's bind
    wins over gunicorn_conf's (PORT). gunicorn listens on it and keeps its own copy."""
    bind = f"fd://{sock.fileno()}"
    return [str(BIN / "gunicorn"), "-c", "backend/gunicorn_conf.py", "--bind", bind, "backend.app:create_app()"]


def wait_http(url, proc, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before answering {url}")
        try:
            if requests.get(url, timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise TimeoutError(url)


def stop(proc, sig=signal.SIGTERM, timeout=10.0):
    """Signal the process's group, wait; SIGKILL it when it does not go. Returns its code."""
    if proc.poll() is not None:
        return proc.returncode
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass
    try:
        return proc.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        return proc.wait(timeout)


class Stack:
    """`with Stack(data_dir, control_token, log_path) as s:` — Redis, web and `workers` workers."""

    def __init__(self, data_dir, control, log_path, workers=2, **env_extra):
        self.data_dir = Path(data_dir)
        self.redis = EmbeddedRedis(self.data_dir)
        self.control, self.log_path, self.n_workers = control, Path(log_path), workers
        self.env = {k: v for k, v in os.environ.items() if k not in ("ICPSIM_SYNC_JOBS", "REDIS_URL")}
        self.env.update(
            REDIS_URL=self.redis.url,
            ICPSIM_CONTROL_TOKEN=control,
            PYTHONUNBUFFERED="1",
            ICPSIM_DATA_DIR=str(self.data_dir),
            **env_extra,
        )
        self._socket = reserved_socket()  # the web's, until it starts
        self.port = self._socket.getsockname()[1]
        self.origin = f"http://127.0.0.1:{self.port}"
        self.base = f"{self.origin}/api/v1"
        self.web, self.workers, self._log = None, [], None

    def _start(self, cmd, env=None, pass_fds=()):
        return subprocess.Popen(
            cmd,
            cwd=ROOT,
            env=env or self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            pass_fds=pass_fds,
        )

    def start(self):
        self._log = open(self.log_path, "a")  # noqa: SIM115 — held by the child processes until stop()
        self.redis.start()
        self.web = self._start(
            web_command(self._socket), dict(self.env, PORT=str(self.port)), pass_fds=(self._socket.fileno(),)
        )
        self._socket.close()  # gunicorn has it
        wait_http(f"{self.origin}/openapi.json", self.web)
        for _ in range(self.n_workers):
            self.add_worker()
        return self

    def add_worker(self):
        self.workers.append(self._start([sys.executable, "-m", "workers.run", "icpsim"]))
        return self.workers[-1]

    def kill_worker(self, index):
        """SIGKILL one worker (and its scheduler and job children): a crash, not a shutdown."""
        proc = self.workers.pop(index)
        stop(proc, signal.SIGKILL)
        return proc

    def restart_redis(self, down_seconds=1.0):
        """SHUTDOWN (the append-only file is flushed), stay down a moment, start again."""
        self.redis.stop()
        time.sleep(down_seconds)
        self.redis.start()

    def close(self):
        for proc in self.workers:
            stop(proc)
        if self.web is not None:
            stop(self.web)
        self._socket.close()  # a start that failed before the web's
        self.redis.stop()
        if self._log is not None:
            self._log.close()

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(self, *exc):
        self.close()
        return False
