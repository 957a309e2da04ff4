"""Real processes for end-to-end tests: gunicorn serving the app, `rq worker` with its scheduler."""
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
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)


def start_web(env, port, log):
    env = dict(env, PORT=str(port))
    proc = start([str(BIN / "gunicorn"), "-c", "backend/gunicorn_conf.py", "backend.app:create_app()"], env, log)
    wait_http(f"http://127.0.0.1:{port}/openapi.json", proc)
    return proc


def start_worker(env, log):
    return start([str(BIN / "rq"), "worker", "--with-scheduler", "--url", env["REDIS_URL"], "icpsim"], env, log)


def wait_http(url, proc, timeout=30):
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
