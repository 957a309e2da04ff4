"""The timers after submission that process.md adds (the audit's items 11 and 13) against gunicorn
and a real `rq worker --with-scheduler`: on a running clock RQ's scheduler delivers Tencent's
resubmission 24 h after an SMS timeout (sms_timeout_resubmit_hours), then the bureau's decision
(MIIT first) and Tencent's sync 6 h later (tencent_sync_hours); an advance by the control API
delivers the SMS timeout itself through a worker job, and MIIT's automatic resend at 12:00 the
next day (miit_auto_resend)."""

import math
import re
import time
from datetime import datetime

import pytest
import requests
from support.people import submitted_first_filing
from support.procs import running_stack, timeout_for

CONTROL = "e2e-control"
FAST = 200000  # a virtual day in about 0.4 s of real time


@pytest.fixture
def stack(r, redis_url, tmp_path):
    with running_stack(redis_url, CONTROL, tmp_path / "processes.log", ICPSIM_JOB_WAIT="60") as s:
        yield {"base": s.base}


def call(method, url, token, **kw):
    resp = requests.request(method, url, headers={"Authorization": f"Bearer {token}"}, timeout=timeout_for(url), **kw)
    assert resp.headers["Content-Type"].startswith("application/json"), resp.text
    return resp


def wait_for(check, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"not reached in {timeout}s")


def test_resubmission_and_miit_first_sync_delivered_by_the_workers(stack):
    base = stack["base"]
    settings = {
        "pre_submit_checks": False,
        "sms_timeout_resubmit_hours": 24,
        "tencent_sync_hours": 6,
        "sms_window_hours": 720,
        "miit_auto_resend": False,  # a 720 h window would arm MIIT's noon resend (its own test below)
    }
    sb = call("POST", f"{base}/sandboxes", CONTROL, json={"seed": 42, "settings": settings}).json()
    sid, token = sb["id"], sb["token"]
    home = f"{base}/sandboxes/{sid}"
    scale = lambda value: call("PUT", f"{home}/clock/scale", CONTROL, json={"scale": value})  # noqa: E731
    app_url = submitted_first_filing(call, home, token)
    state = lambda: call("GET", app_url, token).json()["state"]  # noqa: E731
    actions = lambda: [e["action"] for e in call("GET", f"{app_url}/history", token).json()]  # noqa: E731

    def codes():
        sms = call("GET", f"{home}/outbox", token, params={"channel": "sms"}).json()
        return [re.search(r"\d{6}", m["text"]).group(0) for m in sms if m["code"] == "MIIT_SMS_CODE"]

    # 1. the scheduler delivers the reviews up to the SMS prompt; paused there
    scale(FAST)
    wait_for(lambda: state() == "sms_verification")
    scale(0)
    # 2. the SMS window runs out in an advance (a worker job fires the timer)
    clock = call("GET", f"{home}/clock", token).json()
    [window] = clock["pending_timers"]
    # rounded up: the paused clock may stand a fraction of a second past a whole second
    left = math.ceil(datetime.fromisoformat(window["due_at"]).timestamp() - clock["epoch"])
    fired = call("POST", f"{home}/clock/advance", CONTROL, json={"duration": f"{left}s"}).json()["fired"]
    assert [f["result"] for f in fired] == ["sms_timeout"]
    assert state() == "provider_rejected"
    pending = call("GET", f"{home}/clock", token).json()["pending_timers"]
    assert pending[0]["name"] == "auto_resubmit"
    # 3. running again: the scheduler delivers Tencent's resubmission, MIIT texts a new code
    scale(FAST)
    wait_for(lambda: state() == "sms_verification")
    scale(0)
    assert actions()[-2:] == ["sms_timeout", "auto_resubmit"]
    first, second = codes()
    assert first != second
    body = {"code": second}
    assert call("POST", f"{app_url}/sms-verification", token, json=body).json()["state"] == "bureau_review"
    # 4. running again: the bureau decides (MIIT first), Tencent syncs 6 h later, both by the scheduler
    scale(FAST)
    wait_for(lambda: state() == "approved")
    scale(0)
    history = call("GET", f"{app_url}/history", token).json()
    decided, synced = history[-2], history[-1]
    assert (decided["action"], synced["action"]) == ("miit_decided", "bureau_approve")
    seconds = datetime.fromisoformat(synced["at"]) - datetime.fromisoformat(decided["at"])
    assert seconds.total_seconds() == 6 * 3600
    outbox = call("GET", f"{home}/outbox", token).json()
    miit = [m for m in outbox if m["code"] == "MIIT_RESULT"]
    tencent = [m for m in outbox if m["code"] == "BUREAU_APPROVED" and m["channel"] == "site"]
    assert [m["at"] for m in miit] == [decided["at"]] and [m["at"] for m in tencent] == [synced["at"]]
    assert call("GET", f"{home}/clock", token).json()["pending_timers"] == []


def test_miit_noon_resend_delivered_by_a_worker(stack):
    """An afternoon submission: the code goes out at 15:00 and MIIT texts it again at 12:00 the next
    day; an advance on the paused clock delivers that timer through a worker job."""
    base = stack["base"]
    body = {"seed": 42, "clock_start": "2026-06-01T15:00:00+08:00", "settings": {"pre_submit_checks": False}}
    sb = call("POST", f"{base}/sandboxes", CONTROL, json=body).json()
    sid, token = sb["id"], sb["token"]
    home = f"{base}/sandboxes/{sid}"
    app_url = submitted_first_filing(call, home, token)
    assert call("POST", f"{home}/clock/advance", CONTROL, json={"until_idle": True}).status_code == 200
    clock = call("GET", f"{home}/clock", token).json()
    resend, window = clock["pending_timers"]
    assert (resend["name"], window["name"]) == ("sms_auto_resend", "sms_timeout")
    assert resend["due_at"].endswith("T12:00:00+08:00")
    left = math.ceil(datetime.fromisoformat(resend["due_at"]).timestamp() - clock["epoch"])
    fired = call("POST", f"{home}/clock/advance", CONTROL, json={"duration": f"{left}s"}).json()["fired"]
    assert [(f["name"], f["result"]) for f in fired] == [("sms_auto_resend", "resent")]
    sms = call("GET", f"{home}/outbox", token, params={"channel": "sms", "app_id": app_url.rsplit("/", 1)[-1]}).json()
    texts = [m["text"] for m in sms if m["code"] == "MIIT_SMS_CODE"]
    assert len(texts) == 2 and texts[0] == texts[1]
    code = re.search(r"\d{6}", texts[1]).group(0)
    assert call("POST", f"{app_url}/sms-verification", token, json={"code": code}).json()["state"] == "bureau_review"
