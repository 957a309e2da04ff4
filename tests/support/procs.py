"""Real processes for end-to-end tests: gunicorn serving the app, `rq worker` with its scheduler."""

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from backend.runtime.stack import reserved_socket, web_command
from mock_miniprogram.sdk import CLOCK_MOVE_TIMEOUT

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


# A call's client-side bound: a clock move waits as long as the server may take to answer it (the
# clock lock, a worker to take the job, a requeue after a worker's death, each up to the job wait,
# then the job itself: the SDK's CLOCK_MOVE_TIMEOUT), so a slow machine answers late, not wrong;
# any other call answers within seconds, and 90 s only catches a hung server.
CALL_TIMEOUT = 90
_CLOCK_MOVE = re.compile(r"/clock/(advance|scale)/?$")


def timeout_for(url):
    """The client-side timeout of a call to `url` (no query string)."""
    return CLOCK_MOVE_TIMEOUT if _CLOCK_MOVE.search(url) else CALL_TIMEOUT


_RESERVED = {}  # port -> its socket, bound here until start_web hands it to gunicorn


def free_port():
    """A free port of 127.0.0.1, kept bound in this process (not listening: a connection is refused)
    until `start_web` gives gunicorn the socket itself: no other process can take the port between
    this call and the web's start (closed and bound again by the child, it could: address in use)."""
    sock = reserved_socket()
    port = sock.getsockname()[1]
    _RESERVED[port] = sock
    return port


def child_env(redis_url, control, **extra):
    env = {k: v for k, v in os.environ.items() if k != "ICPSIM_SYNC_JOBS"}  # real workers here
    env.update(REDIS_URL=redis_url, ICPSIM_CONTROL_TOKEN=control, PYTHONUNBUFFERED="1", **extra)
    return env


def start(cmd, env, log, pass_fds=()):
    return subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, pass_fds=pass_fds
    )


def start_web(env, port, log):
    """gunicorn on `port`, a port of `free_port` (its socket, passed down)."""
    sock = _RESERVED.pop(port)
    with sock:  # gunicorn keeps its own copy
        proc = start(web_command(sock), dict(env, PORT=str(port)), log, pass_fds=(sock.fileno(),))
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
