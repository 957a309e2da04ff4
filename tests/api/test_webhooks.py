"""Webhooks (issue #13) through the API, jobs run in-process (RQ's synchronous mode): a loopback
receiver gets every state change, verification result and outbox message, signed, in order."""

import pytest
from support.people import personal_payload
from support.webhook_receiver import Receiver, signature_ok

from api.flows import (
    CONTROL,
    act,
    assert_error,
    create_app,
    latest_codes,
    ok,
    register_domain,
    to_sms,
    until_idle,
    usable_ip,
    verify_all,
)


@pytest.fixture
def loopback(monkeypatch):
    monkeypatch.setenv("ICPSIM_WEBHOOK_ALLOW_LOOPBACK", "1")


@pytest.fixture
def receiver(loopback):
    with Receiver() as rec:
        yield rec


def hook(sb, url, **body):
    return ok(sb.post("~/webhooks", json={"url": url, **body}), 201)


def filed(sb):
    register_domain(sb, "zhangsan-blog.cn")
    app = create_app(sb, personal_payload(usable_ip(sb)))
    act(sb, app["id"], "submit")
    to_sms(sb, app["id"])
    verify_all(sb, app["id"])
    until_idle(sb)
    return app["id"]


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/x",
        "http://localhost/x",
        "http://10.1.2.3/x",
        "http://169.254.169.254/latest",
        "http://192.168.0.1/",
        "http://[::1]/x",
    ],
)
def test_private_and_loopback_refused_by_default(sandbox, url, monkeypatch):
    monkeypatch.delenv("ICPSIM_WEBHOOK_ALLOW_LOOPBACK", raising=False)
    body = assert_error(sandbox.post("~/webhooks", json={"url": url}), 422, "WEBHOOK_URL_REFUSED")
    assert "url" in body["errors"]
    assert ok(sandbox.get("~/webhooks")) == []


@pytest.mark.parametrize(
    "url", ["ftp://example.com/x", "http://user:pw@127.0.0.1/x", "not a url", "http://10.0.0.1/" + "a" * 600]
)
def test_bad_urls_422(sandbox, url, loopback):
    assert_error(sandbox.post("~/webhooks", json={"url": url}), 422)


def test_private_still_refused_with_loopback_allowed(sandbox, loopback):
    assert_error(sandbox.post("~/webhooks", json={"url": "http://10.0.0.8/x"}), 422, "WEBHOOK_URL_REFUSED")


def test_every_event_signed_and_in_order(sandbox, receiver):
    created = hook(sandbox, receiver.url)
    assert len(created["secret"]) == 64 and created["events"] is None
    app_id = filed(sandbox)
    events = receiver.events()
    assert all(signature_ok(c, created["secret"]) for c in receiver.calls)
    assert not signature_ok(dict(receiver.calls[0], body=receiver.calls[0]["body"] + b" "), created["secret"])
    changes = [e for e in events if e["type"] == "application.state_changed"]
    assert [e["icpsim"]["state"] for e in changes] == [
        "provider_review",
        "provider_approved",
        "sms_verification",
        "bureau_review",
        "approved",
    ]
    assert [e["beian_status"] for e in changes] == [2, 2, 4, 4, 6]
    assert all(
        e["InfoType"] == "notify_apply_icpfiling_result" and e["authorizer_appid"] == sandbox.sid for e in changes
    )
    ids = [e["id"] for e in events]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)  # in order, once each
    # the state change comes before the messages its transition wrote
    first_msg = next(i for i, e in enumerate(events) if e["type"] == "outbox.message")
    assert events[first_msg - 1]["type"] == "application.state_changed"
    ended = [e for e in events if e["type"] == "verification.result"]
    assert [(e["InfoType"], e["result"]) for e in ended] == [("notify_icpfiling_verify_result", 3)]
    assert [e["icpsim"]["result"] for e in events if e["type"] == "verification.person"] == ["verified"]
    sms = [
        e["icpsim"]["message"]
        for e in events
        if e["type"] == "outbox.message" and e["icpsim"]["message"]["code"] == "MIIT_SMS_CODE"
    ]
    assert len(sms) == 1 and sms[0]["to"] == "13800138000"
    assert changes[-1]["icpsim"]["result"]["website_numbers"]
    log = ok(sandbox.get("~/webhooks/deliveries", query_string={"limit": 500}))
    assert len(log) == len(events) and all(d["state"] == "delivered" for d in log)
    assert all(d["attempts"][0]["status"] == 200 and d["attempts"][0]["response_excerpt"] == "ok" for d in log)
    assert {d["app_id"] for d in log} == {app_id}


def test_event_filter(sandbox, receiver):
    hook(sandbox, receiver.url, events=["application.state_changed"])
    filed(sandbox)
    assert {e["type"] for e in receiver.events()} == {"application.state_changed"}


def test_failed_attempt_is_logged_and_redelivered(sandbox, loopback):
    with Receiver(script=[500]) as rec:
        hook(sandbox, rec.url, events=["application.state_changed"])
        register_domain(sandbox, "zhangsan-blog.cn")
        app = create_app(sandbox, personal_payload(usable_ip(sandbox)))
        act(sandbox, app["id"], "submit")
        log = ok(sandbox.get("~/webhooks/deliveries"))
        assert len(log) == 1 and log[0]["state"] == "pending" and log[0]["next_attempt_at"]
        attempt = log[0]["attempts"][0]
        assert attempt["status"] == 500 and attempt["ok"] is False and len(attempt["response_excerpt"]) == 300
        # the chain waits for the retry: a later event of the application stays behind it
        until_idle(sandbox)
        assert len(rec.calls) == 1
        assert {d["state"] for d in ok(sandbox.get("~/webhooks/deliveries"))} == {"pending"}
        again = ok(sandbox.post(f"~/webhooks/deliveries/{log[0]['id']}/redeliver"), 202)
        assert again["redelivery_of"] == log[0]["id"] and again["event"]["id"] == log[0]["event"]["id"]
        assert_error(sandbox.post("~/webhooks/deliveries/D99999999/redeliver"), 404, "DELIVERY_NOT_FOUND")


def test_register_list_delete(sandbox, receiver):
    a = hook(sandbox, receiver.url)
    b = hook(sandbox, receiver.url + "2", events=["outbox.message"])
    assert a["secret"] == b["secret"]
    assert [h["id"] for h in ok(sandbox.get("~/webhooks"))] == [a["id"], b["id"]]
    assert sandbox.delete(f"~/webhooks/{a['id']}").status_code == 204
    assert_error(sandbox.delete(f"~/webhooks/{a['id']}"), 404, "WEBHOOK_NOT_FOUND")
    assert [h["id"] for h in ok(sandbox.get("~/webhooks"))] == [b["id"]]
    assert_error(sandbox.get("~/webhooks", token="nope"), 401)
    assert sandbox.get("~/webhooks", token=CONTROL).status_code == 200
    assert_error(sandbox.post("~/webhooks", json={"url": receiver.url, "events": ["nope"]}), 422)


def test_no_webhook_no_events(sandbox, r):
    filed(sandbox)
    assert not r.keys("*webhook_deliveries*")


def test_transcripts_unchanged_by_webhooks(control, receiver):
    """Determinism: the same filing with and without a webhook has the same outbox and history."""
    from api.flows import history, new_sandbox, outbox

    runs = []
    for with_hook in (False, True):
        sb = new_sandbox(control, seed=5)
        if with_hook:
            hook(sb, receiver.url)
        app_id = filed(sb)
        runs.append((outbox(sb), history(sb, app_id), latest_codes(sb, app_id)))
    assert runs[0] == runs[1]


def test_teleport_and_reset_are_state_changes_too(sandbox, receiver):
    hook(sandbox, receiver.url, events=["application.state_changed"])
    register_domain(sandbox, "zhangsan-blog.cn")
    app = create_app(sandbox, personal_payload(usable_ip(sandbox)))
    act(sandbox, app["id"], "submit")
    ok(sandbox.post(f"~/applications/{app['id']}/teleport", json={"to": "bureau_rejected"}, token=CONTROL))
    ok(sandbox.post(f"~/applications/{app['id']}/reset", json={}, token=CONTROL))
    moves = [(e["icpsim"]["action"], e["icpsim"]["state"], e["beian_status"]) for e in receiver.events()]
    assert moves == [("submit", "provider_review", 2), ("teleport", "bureau_rejected", 5), ("reset", "draft", 1024)]
