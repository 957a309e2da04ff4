"""A change's journal entry rides in its own commit (api/journal.py, store.tx.RIDER): the
entry the recording exports is the one the answer says, whatever happens after the commit."""

from support.people import ZHANG_SAN_ID, personal_payload

from api.flows import act, create_app, register_domain, sms_code, until_idle, usable_ip, verify, wrong_code
from backend.api import errors
from backend.services import domains, recording
from backend.store import keys, tx as store


def _journal_bytes(r, sid):
    return int(r.hget(keys.dropped(sid), "journal_bytes") or 0)


def _texts(r, sid):
    return [store.dumps(e) for e in recording.entries(r, sid)]


def test_a_change_is_journaled_once_with_the_status_it_answered(sandbox, r):
    register_domain(sandbox, "zhangsan-blog.cn")
    app = create_app(sandbox, personal_payload(usable_ip(sandbox)))["id"]
    journal = recording.entries(r, sandbox.sid)
    assert [(e["method"], e["path"], e["status"]) for e in journal] == [
        ("POST", "/domains", 201),
        ("POST", "/applications", 201),
    ]
    assert journal[1]["body"]["payload"]["websites"] and journal[1]["who"] == "user"
    assert _journal_bytes(r, sandbox.sid) == sum(len(t.encode()) for t in _texts(r, sandbox.sid))
    assert store.RIDER.get() is None  # never left for the next request
    act(sandbox, app, "submit")
    assert recording.entries(r, sandbox.sid)[-1]["path"] == f"/applications/{app}/actions/submit"


def test_a_call_that_fails_after_its_commit_takes_its_entry_back(sandbox, r, monkeypatch):
    """A refused call is never journaled, even one whose change was committed before the
    refusal: the entry that rode in the commit (its view's 201) is taken back."""
    register_domain(sandbox, "first.cn")
    original = domains.create

    def committed_then_refused(*args, **kwargs):
        original(*args, **kwargs)
        raise errors.fail("CONVERSATION_BUSY")  # a 503 after the commit

    monkeypatch.setattr(domains, "create", committed_then_refused)
    body = {"name": "second.cn", "holder_name": "张三", "holder_certificate_number": ZHANG_SAN_ID}
    resp = sandbox.post("~/domains", json=body)
    assert resp.status_code == 503, resp.get_json()
    assert r.hexists(keys.collection(sandbox.sid, "domains"), "second.cn")  # the change stands
    assert [e["path"] for e in recording.entries(r, sandbox.sid)] == ["/domains"]  # first.cn's only
    assert _journal_bytes(r, sandbox.sid) == sum(len(t.encode()) for t in _texts(r, sandbox.sid))


def test_a_wrong_sms_code_is_journaled_after_its_commit_as_its_422(sandbox, r):
    register_domain(sandbox, "zhangsan-blog.cn")
    app = create_app(sandbox, personal_payload(usable_ip(sandbox)))["id"]
    act(sandbox, app, "submit")
    until_idle(sandbox)
    code = sms_code(sandbox, app)
    assert verify(sandbox, app, wrong_code(code)).status_code == 422
    assert verify(sandbox, app, code).status_code == 200
    tail = recording.entries(r, sandbox.sid)[-2:]
    assert [(e["status"], e["body"]) for e in tail] == [(422, {"code": wrong_code(code)}), (200, {"code": code})]
    assert _journal_bytes(r, sandbox.sid) == sum(len(t.encode()) for t in _texts(r, sandbox.sid))


def test_a_wrong_phone_otp_code_is_journaled_like_a_wrong_sms_code(control, r):
    """The phone OTP while filling counts wrong codes as MIIT's check does (5 per code, the
    5th spends it): each wrong entry is journaled with its refusal, as the code alone; a
    refusal that changed nothing (no code sent) is not. An entry after the code is spent answers
    PHONE_CODE_SPENT too and is journaled with it (replayed, it is refused the same way)."""
    from conftest import new_sandbox

    from api.flows import otp_code
    from api.test_phone_otp_and_agreement import MOBILE, draft

    sb = new_sandbox(control, settings={"pre_submit_checks": True})
    app = draft(sb)["id"]
    url = f"~/applications/{app}/phone-checks/{MOBILE}"
    assert sb.post(url + "/verify", json={"code": "123456"}).status_code == 409  # PHONE_CODE_NOT_SENT: nothing
    assert sb.post(url + "/send").status_code == 201
    code = otp_code(sb, app, MOBILE)
    statuses = [sb.post(url + "/verify", json={"code": wrong_code(code)}).status_code for _ in range(5)]
    assert statuses == [422, 422, 422, 422, 409]  # the 5th: PHONE_CODE_SPENT
    assert sb.post(url + "/verify", json={"code": code}).status_code == 409  # still PHONE_CODE_SPENT
    verifies = [e for e in recording.entries(r, sb.sid) if e["path"].endswith("/verify")]
    assert [(e["status"], e["body"]) for e in verifies] == [(422, {"code": wrong_code(code)})] * 4 + [
        (409, {"code": wrong_code(code)}),
        (409, {"code": code}),
    ]
    steps = [s for s in recording.export(r, sb.sid)["steps"] if "call" in s and s["call"]["path"].endswith("/verify")]
    assert [s["expect"]["status"] for s in steps] == [422, 422, 422, 422, 409, 409]
    assert _journal_bytes(r, sb.sid) == sum(len(t.encode()) for t in _texts(r, sb.sid))


def test_the_status_a_change_rides_with_is_its_own_route_and_methods(sandbox, r):
    """The declared 2xx is found once per route and method (api/journal._success_status): one
    route's POST and DELETE keep their own, and a second call of each reads what the first found."""
    from flask import request

    from backend.api import journal

    app = sandbox.client.application
    path = f"/api/v1/sandboxes/{sandbox.sid}/faults"
    found = app.extensions[journal.SUCCESS_STATUSES]
    for _ in range(2):
        for method, status in (("POST", 201), ("DELETE", 200)):
            with app.test_request_context(path, method=method):
                assert journal._success_status(request._get_current_object()) == status
                assert found[(request.url_rule.endpoint, method)] == status
