"""Issue 9 item 11: `icpsim replay --watch FILE` re-runs the file when it changes (the
authoring loop against a running simulator); Ctrl-C stops it."""

import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from support.procs import running_stack

CONTROL = "qa-watch-control"
SCENARIO = """version: 1
name: watched
seed: 1
world: {preset: eligible, clock_start: "2026-06-01T09:00:00+08:00"}
steps:
  - expect: {clock: "%s"}
"""


@pytest.fixture
def stack(r, redis_url, tmp_path):
    with running_stack(redis_url, CONTROL, tmp_path / "processes.log") as s:
        yield s


class Lines:
    """stdout of a process, read by a thread; wait_for() is bounded."""

    def __init__(self, stream):
        self.lines, self.cond = [], threading.Condition()
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream):
        for line in stream:
            with self.cond:
                self.lines.append(line)
                self.cond.notify_all()

    def wait_for(self, text, count=1, timeout=90):
        deadline = time.monotonic() + timeout
        with self.cond:
            while sum(text in line for line in self.lines) < count:
                left = deadline - time.monotonic()
                assert left > 0, f"no {count}x {text!r} in {self.lines}"
                self.cond.wait(left)


def test_watch_runs_again_when_the_file_changes_and_stops_on_ctrl_c(stack, tmp_path):
    scenario = tmp_path / "watched.yaml"
    scenario.write_text(SCENARIO % "2026-06-01T09:00:00+08:00", encoding="utf-8")
    env = dict(os.environ, ICPSIM_CONTROL_TOKEN=CONTROL)
    proc = subprocess.Popen(
        [sys.executable, "-m", "icpsim_cli", "replay", "--watch", str(scenario), "--url", stack.origin, "-q"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        out = Lines(proc.stdout)
        out.wait_for("1 passed")
        out.wait_for("watching")
        time.sleep(0.05)
        scenario.write_text(SCENARIO % "2030-01-01T09:00:00+08:00", encoding="utf-8")  # now it fails
        out.wait_for("1 failed")
        out.wait_for("watching", count=2)
        proc.send_signal(signal.SIGINT)
        assert proc.wait(30) == 0
        out.wait_for("stopped watching")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
