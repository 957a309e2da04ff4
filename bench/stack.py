"""The processes the benchmark measures, started as the Procfile starts them."""

import contextlib
import os
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def procfile():
    """{name: argv} of the Procfile, $REDIS_URL left for the environment to fill."""
    out = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        if ":" in line and not line.lstrip().startswith("#"):
            name, cmd = line.split(":", 1)
            out[name.strip()] = shlex.split(cmd)
    return out


def _argv(argv, env):
    return [a.replace("$REDIS_URL", env["REDIS_URL"]) for a in argv]


class Stack:
    """Embedded Redis, icpsim's web and worker (Procfile), the floor web app, and a forking
    worker for comparison; all on loopback, all stopped on exit."""

    def __init__(self, log_dir, workers=1):
        self.log_dir, self.workers = Path(log_dir), workers
        self.procs = []

    def _start(self, name, argv, env):
        log = open(self.log_dir / f"{name}.log", "w")  # noqa: SIM115 — the child writes it until __exit__ closes it
        proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.procs.append((proc, log))
        return proc

    def __enter__(self):
        from backend.runtime.embedded_redis import EmbeddedRedis

        self.redis = EmbeddedRedis(Path(tempfile.mkdtemp(prefix="icpsim-bench-redis-")))
        self.url = self.redis.start()
        self.control = "bench-control"
        env = {k: v for k, v in os.environ.items() if k != "ICPSIM_SYNC_JOBS"}
        env.update(
            REDIS_URL=self.url,
            ICPSIM_CONTROL_TOKEN=self.control,
            PYTHONUNBUFFERED="1",
            PYTHONPATH=str(ROOT),
            ICPSIM_JOB_WAIT="60",
            PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        )
        self.env = env
        procs = procfile()
        self.port, self.floor_port = free_port(), free_port()
        web = self._start("web", _argv(procs["web"], env), dict(env, PORT=str(self.port)))
        worker_argv = _argv(procs["worker"], env)
        for i in range(self.workers):
            self._start(f"worker{i}", worker_argv, env)  # the no-op floor jobs use its queue too
        # for comparison, RQ's own worker command on queues of their own: its default (forking)
        # worker class, and a forking one whose parent preloads the job module. (The Procfile's
        # worker is `python -m workers.run`, a wrapper; these are spelled out.)
        rq = [str(BIN / "rq"), "worker", "--url", self.url]
        self._start("fork-worker", rq + ["bench-fork"], env)
        self._start("preload-worker", rq + ["-w", "bench.preload.PreloadingWorker", "bench-preload"], env)
        floor_cmd = [a if a != "backend.app:create_app()" else "bench.floor:create_app()" for a in procs["web"]]
        floor = self._start("floor", _argv(floor_cmd, env), dict(env, PORT=str(self.floor_port)))
        self.base = f"http://127.0.0.1:{self.port}/api/v1"
        self.floor_url = f"http://127.0.0.1:{self.floor_port}/floor"
        _wait_http(f"http://127.0.0.1:{self.port}/openapi.json", web)
        _wait_http(self.floor_url, floor)
        return self

    def __exit__(self, *exc):
        for proc, _log in reversed(self.procs):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        for proc, log in self.procs:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(5)
            log.close()
        self.redis.stop()


def _wait_http(url, proc, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited ({proc.returncode}) before answering {url}")
        with contextlib.suppress(requests.RequestException):
            if requests.get(url, timeout=1).status_code == 200:
                return
        time.sleep(0.1)
    raise TimeoutError(url)
