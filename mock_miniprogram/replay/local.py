"""A simulator of our own, for `icpsim replay` without --url and for the pytest plugin:
`icpsim up` run as a subprocess on a free loopback port, with its embedded Redis in a
temporary folder and N RQ workers — the client talks to it over HTTP only and imports
nothing of the backend.

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

# what the user's environment must not decide for a simulator of our own
_NOT_INHERITED = ("ICPSIM_SYNC_JOBS", "REDIS_URL", "ICPSIM_PUBLIC_HOST", "ICPSIM_HOSTS", "ICPSIM_DATA_DIR")


class LocalSimulatorError(RuntimeError):
    pass


def free_port(host="127.0.0.1"):
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def icpsim_command():
    """The `icpsim` console script beside this interpreter, else `python -m icpsim_cli`."""
    script = Path(sys.executable).parent / "icpsim"
    return [str(script)] if script.exists() else [sys.executable, "-m", "icpsim_cli"]


class LocalSimulator:
    def __init__(self, workers=2, control_token=None, job_wait=120, keep_logs=False):
        self.workers = max(1, int(workers))
        self.control_token = control_token or "ict_" + secrets.token_urlsafe(18)
        self.job_wait = job_wait
        self.keep_logs = keep_logs
        self.url = None
        self.tmp = None
        self.proc = None
        self._log = None

    @property
    def log_path(self):
        return Path(self.tmp) / "processes.log" if self.tmp else None

    def _env(self, port):
        env = {k: v for k, v in os.environ.items() if k not in _NOT_INHERITED}
        env.update(
            ICPSIM_CONTROL_TOKEN=self.control_token,
            PORT=str(port),
            ICPSIM_BIND="127.0.0.1",
            ICPSIM_JOB_WAIT=str(self.job_wait),
            PYTHONUNBUFFERED="1",
            ICPSIM_DATA_DIR=str(Path(self.tmp) / "redis"),
            # no fork per job: many short timer jobs in a row
            ICPSIM_RQ_WORKER_CLASS="rq.worker.SimpleWorker",
        )
        env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
        return env

    def start(self):
        # short: the embedded Redis's unix socket path must stay under ~100 bytes
        self.tmp = tempfile.mkdtemp(prefix="icpsim-", dir="/tmp" if os.path.isdir("/tmp") else None)
        try:
            self._log = open(self.log_path, "ab")  # noqa: SIM115 — the child writes it until stop() closes it
            port = free_port()
            self.proc = subprocess.Popen(
                icpsim_command() + ["up", "--port", str(port), "--workers", str(self.workers)],
                cwd=self.tmp,
                env=self._env(port),
                stdin=subprocess.DEVNULL,
                stdout=self._log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            self.url = f"http://127.0.0.1:{port}"
            self._wait_http(f"{self.url}/openapi.json")
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_http(self, url, timeout=90):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise LocalSimulatorError(
                    f"`icpsim up` exited with {self.proc.returncode} before answering; log: {self.log_tail()}"
                )
            try:
                if requests.get(url, timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise LocalSimulatorError(f"`icpsim up` did not answer {url} within {timeout} s; log: {self.log_tail()}")

    def log_tail(self, lines=30):
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except (OSError, AttributeError):
            return "(no log)"

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        if self.proc is not None:
            _stop(self.proc)
            self.proc = None
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


def _stop(proc, timeout=30):
    """SIGTERM to `icpsim up` alone: it stops its web and workers, then flushes and stops its
    Redis. Whatever is left after `timeout` seconds is killed with its process group."""
    if proc.poll() is None:
        try:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # stragglers of the group, if any
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        pass
