"""Demo pacing against gunicorn and a real `rq worker --with-scheduler` (issue #14): the
scheduler delivers the reviews at the fast speed by itself, then at the user's turn the clock
runs at real speed and the SMS window's job is a real day away."""

import time

import pytest
import requests
from rq import Queue
from rq.registry import ScheduledJobRegistry
from support.people import personal_payload
from support.procs import running_stack, timeout_for

CONTROL = "e2e-control"


@pytest.fixture
def stack(r, redis_url, tmp_path):
    with running_stack(redis_url, CONTROL, tmp_path / "processes.log", ICPSIM_JOB_WAIT="60") as s:
        yield {"base": s.base}


def call(method, url, token, **kw):
    resp = requests.request(method, url, headers={"Authorization": f"Bearer {token}"}, timeout=timeout_for(url), **kw)
    assert resp.status_code < 400, (resp.status_code, resp.text)
    return resp.json()


def wait_for(check, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"not reached in {timeout}s")


def test_a_demo_paced_class_sandbox_hurries_reviews_and_waits_for_people(stack, r):
    base = stack["base"]
    klass = call("POST", f"{base}/classes", CONTROL, json={"size": 1, "scale": 100000, "pre_submit_checks": False})
    trainee = klass["trainees"][0]
    sid, token = trainee["sandbox_id"], trainee["token"]
    home = f"{base}/sandboxes/{sid}"
    ip = call("GET", f"{home}/eligibility", token)["usable_ips"][0]["ip"]
    app = call("POST", f"{home}/applications", token, json={"payload": personal_payload(ip)})
    app_url = f"{home}/applications/{app['id']}"
    call("POST", f"{app_url}/actions/submit", token, json={})

    # nobody advances: the scheduler delivers the review and the hand-over at the fast speed
    wait_for(lambda: call("GET", app_url, token)["state"] == "sms_verification")

    # the user's turn: real speed. The SMS window (24 h) is a real day away on RQ's schedule
    before, real_before = call("GET", f"{home}/clock", token), time.time()
    pending = before["pending_timers"]
    assert [t["name"] for t in pending] == ["sms_timeout"]
    registry = ScheduledJobRegistry(queue=Queue("icpsim", connection=r))
    due = registry.get_scheduled_time(f"icpsim-{sid}-{pending[0]['id']}").timestamp()
    assert due > real_before + 20 * 3600, due - real_before
    time.sleep(1.0)
    after, real_after = call("GET", f"{home}/clock", token), time.time()
    moved, real = after["epoch"] - before["epoch"], real_after - real_before
    assert moved < real + 60, (moved, real)  # at 100000× a second would be more than a virtual day

    # the user answers: the bureau's review hurries again, on its own
    code = call("GET", f"{home}/outbox", token, params={"channel": "sms"})[-1]["text"].split("核验码为 ")[1][:6]
    assert call("POST", f"{app_url}/sms-verification", token, json={"code": code})["state"] == "bureau_review"
    final = wait_for(lambda: (a := call("GET", app_url, token))["state"] in ("approved", "bureau_rejected") and a)
    assert final["state"] == "approved", final
