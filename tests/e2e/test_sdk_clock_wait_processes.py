"""The SDK waits for a clock move's answer however long the server takes to give it (a busy
machine, a worker slow to take the job): the server bounds that wait itself (the job wait,
then 503 WORKER_TIMEOUT), so a client whose own per-call timeout is shorter still gets the
server's answer, not a `requests` ReadTimeout. (The pytest plugin's `until_idle` used to give
up after the SDK's 60 s while the server was still within its job wait: a flaky README test
under load.) Here: no worker at all, a 3 s job wait, a client whose calls time out after 1 s."""

import pytest
import requests
from support.procs import running_stack

from mock_miniprogram.sdk import Control, IcpsimError, SandboxClient

CONTROL = "e2e-control"


def test_a_clock_move_outlasting_the_clients_timeout_gets_the_servers_answer(r, redis_url, tmp_path):
    with running_stack(redis_url, CONTROL, tmp_path / "processes.log", workers=0, ICPSIM_JOB_WAIT="3") as s:
        made = requests.post(
            f"{s.base}/sandboxes", json={"seed": 3}, headers={"Authorization": f"Bearer {CONTROL}"}, timeout=60
        ).json()
        hasty = Control(s.origin, CONTROL, timeout=1)  # the server answers this advance after ≥ 3 s
        sb = SandboxClient(s.origin, made["id"], made["token"], control=hasty, timeout=1)
        with pytest.raises(IcpsimError) as caught:
            sb.advance(until_idle=True)
        assert (caught.value.status, caught.value.code) == (503, "WORKER_TIMEOUT")
        with pytest.raises(IcpsimError) as caught:
            sb.advance(duration="1d")
        assert (caught.value.status, caught.value.code) == (503, "WORKER_TIMEOUT")
