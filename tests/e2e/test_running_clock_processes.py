"""A running clock against gunicorn and a real `rq worker --with-scheduler`: each timer has
one scheduled job whatever the scale does, RQ's scheduler delivers each timer once, and an
advance on a running clock never races the scheduler for the timer it delivers."""

import time

import pytest
import requests
from rq import Queue
from rq.registry import ScheduledJobRegistry
from support.people import submitted_first_filing
from support.procs import running_stack, timeout_for

CONTROL = "e2e-control"
LENIENT = {"pre_submit_checks": False}  # straight to the reviews: this test is about what follows the submit


@pytest.fixture
def stack(r, redis_url, tmp_path):
    with running_stack(redis_url, CONTROL, tmp_path / "processes.log", ICPSIM_JOB_WAIT="60") as s:
        yield {"base": s.base}


def call(method, url, token, **kw):
    resp = requests.request(method, url, headers={"Authorization": f"Bearer {token}"}, timeout=timeout_for(url), **kw)
    assert resp.headers["Content-Type"].startswith("application/json"), resp.text
    return resp


def scheduled(r, sid):
    """The sandbox's job ids in RQ's scheduled registry."""
    key = ScheduledJobRegistry(queue=Queue("icpsim", connection=r)).key
    return sorted(i for i in r.zrange(key, 0, -1) if i.startswith(f"icpsim-{sid}-"))


def wait_for(check, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"not reached in {timeout}s")


def test_running_clock_one_job_per_timer_and_no_double_delivery(stack, r):
    base = stack["base"]
    sb = call(
        "POST",
        f"{base}/sandboxes",
        CONTROL,
        json={"seed": 42, "settings": {"sms_window_hours": 720, "miit_auto_resend": False, **LENIENT}},
    ).json()  # MIIT's noon resend off: a 720 h window would arm it (its own e2e: test_timeline_processes)
    sid, token = sb["id"], sb["token"]
    home = f"{base}/sandboxes/{sid}"
    clock = lambda: call("GET", f"{home}/clock", token).json()  # noqa: E731
    scale = lambda value: call("PUT", f"{home}/clock/scale", CONTROL, json={"scale": value})  # noqa: E731
    app_url = submitted_first_filing(call, home, token)

    # 1. rescaling moves the timer's one job; it never adds one
    for value in (5, 50, 0.5, 20, 3):
        scale(value)
    pending = clock()["pending_timers"]
    assert [t["name"] for t in pending] == ["provider_review"]
    assert scheduled(r, sid) == [f"icpsim-{sid}-{pending[0]['id']}"]
    scale(0)
    assert scheduled(r, sid) == []

    # 2. fast: the scheduler delivers provider review and the hand-over, once each
    scale(200000)
    wait_for(lambda: call("GET", app_url, token).json()["state"] == "sms_verification")
    scale(1000)  # the SMS window (720 h) is 43 min of real time away
    pending = clock()["pending_timers"]
    assert [t["name"] for t in pending] == ["sms_timeout"]
    assert scheduled(r, sid) == [f"icpsim-{sid}-{pending[0]['id']}"]

    # 3. an advance on the running clock delivers the bureau review itself, once
    code = call("GET", f"{home}/outbox", token, params={"channel": "sms"}).json()[-1]["text"].split("核验码为 ")[1][:6]
    assert call("POST", f"{app_url}/sms-verification", token, json={"code": code}).json()["state"] == "bureau_review"
    assert len(scheduled(r, sid)) == 1  # the bureau review's job; the SMS window's went with its state
    result = call("POST", f"{home}/clock/advance", CONTROL, json={"until_idle": True})
    assert result.status_code == 200, result.json()
    assert [(f["name"], f["result"]) for f in result.json()["fired"]] == [("bureau_review", "bureau_approve")]
    assert call("GET", app_url, token).json()["state"] == "approved"
    scale(0)
    history = [e["action"] for e in call("GET", f"{app_url}/history", token).json()]
    assert history == ["create", "submit", "provider_approve", "send_to_bureau", "verify_sms", "bureau_approve"]
    assert clock()["pending_timers"] == [] and scheduled(r, sid) == []
