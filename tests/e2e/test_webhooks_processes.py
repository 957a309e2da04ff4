"""Webhooks with real processes (issue #13): gunicorn + two `rq worker`s deliver a first
filing's events to a loopback receiver that answers 500, then stalls past the timeout, then
200: the first event is retried with backoff until it lands, the rest wait behind it and
arrive in order, every request signed; the delivery log shows each attempt."""

import pytest
import requests
from support.people import ZHANG_SAN_ID, personal_payload
from support.procs import running_stack, timeout_for
from support.webhook_receiver import Receiver, signature_ok

CONTROL = "e2e-webhooks-control"
LENIENT = {"pre_submit_checks": False}  # straight to the reviews: this test is about what follows the submit
ENV = {
    "ICPSIM_JOB_WAIT": "60",
    "ICPSIM_WEBHOOK_ALLOW_LOOPBACK": "1",
    "ICPSIM_WEBHOOK_BACKOFF_S": "0.5",
    "ICPSIM_WEBHOOK_TIMEOUT_S": "1",
    "ICPSIM_WEBHOOK_MAX_ATTEMPTS": "4",
}


@pytest.fixture
def stack(r, redis_url, tmp_path):
    with running_stack(redis_url, CONTROL, tmp_path / "processes.log", workers=2, **ENV) as s:
        yield s


def call(method, url, token, **kw):
    resp = requests.request(method, url, headers={"Authorization": f"Bearer {token}"}, timeout=timeout_for(url), **kw)
    assert resp.status_code < 400, (resp.status_code, resp.text)
    return resp.json() if resp.content else None


def test_retries_order_and_log_with_real_workers(stack):
    with Receiver(script=[500, "stall"]) as rec:
        sb = call("POST", f"{stack.base}/sandboxes", CONTROL, json={"seed": 42, "settings": LENIENT})
        home, token = f"{stack.base}/sandboxes/{sb['id']}", sb["token"]
        secret = call("POST", f"{home}/webhooks", token, json={"url": rec.url})["secret"]
        ip = call("GET", f"{home}/eligibility", token)["usable_ips"][0]["ip"]
        call(
            "POST",
            f"{home}/domains",
            token,
            json={"name": "zhangsan-blog.cn", "holder_name": "张三", "holder_certificate_number": ZHANG_SAN_ID},
        )
        app = call("POST", f"{home}/applications", token, json={"payload": personal_payload(ip)})
        call("POST", f"{home}/applications/{app['id']}/actions/submit", token, json={})
        call("POST", f"{home}/clock/advance", CONTROL, json={"until_idle": True})
        sms = call("GET", f"{home}/outbox", token, params={"channel": "sms"})
        code = sms[-1]["text"].split("核验码为 ")[1][:6]
        call("POST", f"{home}/applications/{app['id']}/sms-verification", token, json={"code": code})
        call("POST", f"{home}/clock/advance", CONTROL, json={"until_idle": True})
        assert call("GET", f"{home}/applications/{app['id']}", token)["state"] == "approved"

        def settled(_):
            log = call("GET", f"{home}/webhooks/deliveries", token, params={"limit": 500})
            return log and all(d["state"] != "pending" for d in log)

        assert rec.wait_for(settled, timeout=90), call("GET", f"{home}/webhooks/deliveries", token)

        log = list(reversed(call("GET", f"{home}/webhooks/deliveries", token, params={"limit": 500})))
        assert all(d["state"] == "delivered" for d in log)
        first = log[0]
        assert [a["status"] for a in first["attempts"]] == [500, None, 200]
        assert first["attempts"][1]["error"] == "timeout"
        assert all(len(d["attempts"]) == 1 for d in log[1:])
        # what arrived: the first event three times (500, timeout, ok), then each event once, in order
        assert all(signature_ok(c, secret) for c in rec.calls)
        ids = [e["id"] for e in rec.events()]
        assert ids[:3] == [first["event"]["id"]] * 3
        assert ids[2:] == [d["event"]["id"] for d in log] and ids[2:] == sorted(ids[2:])
        states = [e["icpsim"]["state"] for e in rec.events()[2:] if e["type"] == "application.state_changed"]
        assert states == ["provider_review", "provider_approved", "sms_verification", "bureau_review", "approved"]


def test_face_check_fault_and_result_push_with_real_workers(stack):
    """A face_fail rule posted over HTTP fails the owner's first attempt; both results reach the
    receiver from the rq workers as notify_icpfiling_verify_result, in order, signed."""
    with Receiver() as rec:
        sb = call("POST", f"{stack.base}/sandboxes", CONTROL, json={"seed": 42, "settings": LENIENT})
        home, token = f"{stack.base}/sandboxes/{sb['id']}", sb["token"]
        secret = call("POST", f"{home}/webhooks", token, json={"url": rec.url, "events": ["face_check.result"]})[
            "secret"
        ]
        rule = call("POST", f"{home}/faults", CONTROL, json={"effect": "face_fail", "reason": "permission_denied"})
        assert rule["stage"] == "face" and rule["times"] == 1
        ip = call("GET", f"{home}/eligibility", token)["usable_ips"][0]["ip"]
        app = call("POST", f"{home}/applications", token, json={"payload": personal_payload(ip)})
        [task] = call("POST", f"{home}/applications/{app['id']}/face-checks", token)
        first = call("POST", f"{home}/face-checks/{task['id']}/result", token, json={"passed": True})
        assert first["status"] == 2 and first["reason"] == "permission_denied"
        assert call("POST", f"{home}/face-checks/{task['id']}/result", token, json={"passed": True})["status"] == 3
        assert rec.wait_for(lambda got: len(got.events()) >= 2, timeout=90), call(
            "GET", f"{home}/webhooks/deliveries", token
        )
        events = rec.events()
        assert all(signature_ok(c, secret) for c in rec.calls)
        assert [(e["InfoType"], e["task_id"], e["result"]) for e in events] == [
            ("notify_icpfiling_verify_result", task["id"], 2),
            ("notify_icpfiling_verify_result", task["id"], 3),
        ]
        assert events[0]["icpsim"]["reason"] == "permission_denied" and events[1]["icpsim"]["is_finish"]
