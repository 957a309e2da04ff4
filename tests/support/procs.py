"""Real processes for end-to-end tests: gunicorn serving the app, `rq worker` with its scheduler."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def child_env(redis_url, control, **extra):
    env = {k: v for k, v in os.environ.items() if k != "ICPSIM_SYNC_JOBS"}  # real workers here
    env.update(REDIS_URL=redis_url, ICPSIM_CONTROL_TOKEN=control, PYTHONUNBUFFERED="1", **extra)
    return env


def start(cmd, env, log):
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def start_web(env, port, log):
    env = dict(env, PORT=str(port))
    proc = start([str(BIN / "gunicorn"), "-c", "backend/gunicorn_conf.py", "backend.app:create_app()"], env, log)
    wait_http(f"http://127.0.0.1:{port}/openapi.json", proc)
    return proc


def start_worker(env, log):
    return start(
        [str(BIN / "rq"), "worker", "-w", "workers.worker.Worker", "--url", env["REDIS_URL"], "icpsim"], env, log
    )


def wait_http(url, proc, timeout=120):
    """Until `url` answers 200; a process that exits first fails at once. The bound only
    catches a hung start: gunicorn booting its workers on a loaded 2-core CI machine (beside
    the other test processes and their stacks) can take far longer than on a quiet one."""
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


def stop(proc, sig=signal.SIGTERM, timeout=10):
    if proc.poll() is not None:
        return proc.returncode
    os.killpg(proc.pid, sig)
    try:
        return proc.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        return proc.wait(timeout)


class Stack:
    """A running web (gunicorn) and workers on one Redis; `with running_stack(...) as s:`."""

    def __init__(self, env, port, logs):
        self.env, self.port, self.logs = env, port, logs
        self.origin = f"http://127.0.0.1:{port}"
        self.base = f"{self.origin}/api/v1"
        self.workers = []

    def add_worker(self):
        self.workers.append(start_worker(self.env, self.logs))
        return self.workers[-1]


@contextlib.contextmanager
def running_stack(redis_url, control, log_path, workers=1, **env_extra):
    """Start gunicorn and `workers` rq workers; stop them all on exit, whatever happened."""
    env = child_env(redis_url, control, **env_extra)
    with open(log_path, "w") as logs:
        stack = Stack(env, free_port(), logs)
        web = start_web(env, stack.port, logs)
        try:
            for _ in range(workers):
                stack.add_worker()
            yield stack
        finally:
            for w in stack.workers:
                stop(w)
            stop(web)
