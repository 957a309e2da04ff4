"""The e2e helpers themselves: a client waits for a clock move as long as the server may take
to answer it, and a port handed to a web process cannot be taken by another process first."""

import errno
import socket

import pytest
from support.procs import CALL_TIMEOUT, free_port, timeout_for

from backend import config
from backend.services import advancing


def test_a_clock_move_is_waited_for_as_long_as_the_server_may_take(monkeypatch):
    base = "http://127.0.0.1:5000/api/v1/sandboxes/sb_x"
    for wait in ("30", "60", "120"):  # the default job wait, and the e2e stacks' longer ones
        monkeypatch.setenv("ICPSIM_JOB_WAIT", wait)
        # the clock lock (one job wait), then the job: picked up, requeued, run, within JOB_TIMEOUT + 30
        worst = config.job_wait_seconds() + advancing.JOB_TIMEOUT + 30
        assert timeout_for(f"{base}/clock/advance") > worst
        assert timeout_for(f"{base}/clock/scale") > worst
    assert timeout_for(f"{base}/applications") == timeout_for(f"{base}/clock") == CALL_TIMEOUT


def test_a_free_port_stays_taken_until_the_web_gets_it():
    port = free_port()
    with socket.socket() as other, pytest.raises(OSError) as refused:
        other.bind(("127.0.0.1", port))  # another process looking for a port: not this one
    assert refused.value.errno == errno.EADDRINUSE
    with pytest.raises(ConnectionRefusedError):  # bound, not listening: nothing answers there yet
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
