"""A first filing over HTTP against gunicorn and a real `rq worker`, with the worker
killed (SIGKILL) and restarted in the middle: nothing lost, nothing done twice."""

import threading
import time

import pytest
import requests
from support.people import ZHANG_SAN_ID, personal_payload
from support.procs import running_stack, stop, timeout_for

CONTROL = "e2e-control"
LENIENT = {"pre_submit_checks": False}  # straight to the reviews: this test is about what follows the submit


@pytest.fixture
def stack(r, redis_url, tmp_path):
    with running_stack(redis_url, CONTROL, tmp_path / "processes.log", ICPSIM_JOB_WAIT="60") as s:
        yield s


def call(method, url, token, **kw):
    resp = requests.request(method, url, headers={"Authorization": f"Bearer {token}"}, timeout=timeout_for(url), **kw)
    assert resp.headers["Content-Type"].startswith("application/json"), resp.text
    return resp


def wait_for_state(url, token, wanted, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        app = call("GET", url, token).json()
        if app["state"] == wanted:
            return app
        time.sleep(0.2)
    raise AssertionError(f"still {app['state']} after {timeout}s, wanted {wanted}")


def test_first_filing_survives_worker_kill(stack, r):
    base = stack.base
    sb = call("POST", f"{base}/sandboxes", CONTROL, json={"seed": 42, "settings": LENIENT}).json()
    sid, token = sb["id"], sb["token"]
    home = f"{base}/sandboxes/{sid}"
    ip = call("GET", f"{home}/eligibility", token).json()["usable_ips"][0]["ip"]
    call(
        "POST",
        f"{home}/domains",
        token,
        json={"name": "zhangsan-blog.cn", "holder_name": "张三", "holder_certificate_number": ZHANG_SAN_ID},
    )
    created = call("POST", f"{home}/applications", token, json={"payload": personal_payload(ip)})
    assert created.status_code == 201, created.json()
    app_url = f"{home}/applications/{created.json()['id']}"
    assert call("POST", f"{app_url}/actions/submit", token, json={}).json()["state"] == "provider_review"

    # 1. the running clock: RQ's scheduler delivers provider review and the hand-over
    call("PUT", f"{home}/clock/scale", CONTROL, json={"scale": 400000})
    app = wait_for_state(app_url, token, "sms_verification")
    assert app["wechat"] == {"status": 4, "sms_verify_status": 1}
    call("PUT", f"{home}/clock/scale", CONTROL, json={"scale": 0})

    # 2. the worker dies hard; the user answers the SMS meanwhile (web only)
    stop(stack.workers[0], sig=9)
    sms = call("GET", f"{home}/outbox", token, params={"channel": "sms"}).json()
    code = sms[-1]["text"].split("核验码为 ")[1][:6]
    assert call("POST", f"{app_url}/sms-verification", token, json={"code": code}).json()["state"] == "bureau_review"

    # 3. advancing waits for a worker; a new one starts while it waits
    result = {}
    advancing = threading.Thread(
        target=lambda: result.update(resp=call("POST", f"{home}/clock/advance", CONTROL, json={"until_idle": True}))
    )
    advancing.start()
    time.sleep(1.0)
    stack.add_worker()
    advancing.join(timeout=timeout_for(f"{home}/clock/advance"))
    assert not advancing.is_alive()
    assert result["resp"].status_code == 200, result["resp"].json()
    assert [f["name"] for f in result["resp"].json()["fired"]] == ["bureau_review"]

    app = call("GET", app_url, token).json()
    assert app["state"] == "approved" and app["wechat"]["status"] == 6
    number = app["result"]["entity_number"]
    assert app["result"]["website_numbers"] == [number + "-1"]

    # nothing duplicated: one of each move, one entity, one website, one approval message
    history = [e["action"] for e in call("GET", f"{app_url}/history", token).json()]
    assert history == ["create", "submit", "provider_approve", "send_to_bureau", "verify_sms", "bureau_approve"]
    assert [e["number"] for e in call("GET", f"{home}/entities", token).json()] == [number]
    assert len(call("GET", f"{home}/websites", token).json()) == 1
    outbox = call("GET", f"{home}/outbox", token, params={"channel": "site"}).json()  # (e-mail copies it)
    assert [m["code"] for m in outbox].count("BUREAU_APPROVED") == 1
    assert call("GET", f"{home}/clock", token).json()["pending_timers"] == []
