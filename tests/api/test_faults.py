"""Fault injection, teleport, resets and the session recording through the control API (issue #5)."""

import json

import pytest
import yaml
from support.people import personal_payload

from api.flows import (
    CONTROL,
    act,
    assert_error,
    create_app,
    field_errors,
    get_app,
    history,
    new_sandbox,
    ok,
    outbox,
    register_domain,
    sms_code,
    sms_messages,
    until_idle,
    usable_ip,
    verify,
)


@pytest.fixture
def filing(sandbox):
    """The sandbox with 张三's domain and a draft first filing."""
    register_domain(sandbox, "zhangsan-blog.cn")
    app = create_app(sandbox, personal_payload(usable_ip(sandbox)))
    return sandbox, app["id"]


def fault(sb, **rule):
    return ok(sb.post("~/faults", json=rule, token=CONTROL), 201)


def faults(sb):
    return ok(sb.get("~/faults", token=CONTROL))


def to_bureau(sb, app_id):
    until_idle(sb)
    assert ok(verify(sb, app_id, sms_code(sb, app_id)))["state"] == "bureau_review"


# -- rules: data, listed, cleared --------------------------------------------------------


def test_rules_are_validated_listed_and_cleared(sandbox):
    errors = field_errors(
        sandbox.post("~/faults", json={"effect": "delay", "stage": "moon"}, token=CONTROL), "stage", "delay"
    )
    assert errors
    field_errors(sandbox.post("~/faults", json={"effect": "reject", "codes": ["NO_SUCH_RULE"]}, token=CONTROL), "codes")
    field_errors(sandbox.post("~/faults", json={"effect": "reject", "probability": 1.5}, token=CONTROL), "probability")
    first = fault(sandbox, effect="reject", stage="provider", times="once", codes=["DOMAIN_NOT_REAL_NAME"])
    assert first["id"] == "F0001" and first["times"] == 1 and first["used"] == 0
    assert first["audit_data"][0]["key_name"] == "网站域名" and first["audit_data"][0]["field"] == "websites.0.domain"
    second = fault(sandbox, effect="delay", stage="bureau", delay="3d")
    assert second["delay_seconds"] == 3 * 86400 and second["times"] is None
    assert [f["id"] for f in faults(sandbox)] == ["F0001", "F0002"]
    assert sandbox.delete("~/faults/F0001", token=CONTROL).status_code == 204
    assert_error(sandbox.delete("~/faults/F0001", token=CONTROL), 404, "FAULT_NOT_FOUND")
    assert ok(sandbox.delete("~/faults", token=CONTROL)) == {"cleared": 1}
    assert faults(sandbox) == []


def test_faults_need_the_control_token(sandbox):
    assert_error(sandbox.get("~/faults"), 401, "CONTROL_TOKEN_INVALID")
    assert_error(sandbox.post("~/faults", json={"effect": "reject"}), 401)


def test_first_match_wins_and_once_means_once(filing):
    sb, app_id = filing
    fault(sb, effect="reject", stage="provider", times=1, audit_data=[{"code": "CUSTOM", "error": "材料不全"}])
    fault(sb, effect="approve", stage="provider")  # always, but only reached once the first is used up
    act(sb, app_id, "submit")
    until_idle(sb)
    app = get_app(sb, app_id)
    assert app["state"] == "provider_rejected"
    assert app["audit_data"][0]["code"] == "CUSTOM" and app["audit_data"][0]["error"] == "材料不全"
    assert [f["used"] for f in faults(sb)] == [1, 0]
    act(sb, app_id, "resubmit")
    until_idle(sb)
    assert get_app(sb, app_id)["state"] == "sms_verification"
    assert [f["used"] for f in faults(sb)] == [1, 1]


def test_a_forced_approval_skips_the_review_rules(sandbox):
    register_domain(sandbox, "zhangsan-blog.cn", real_name_status="pending")  # would be rejected
    app = create_app(sandbox, personal_payload(usable_ip(sandbox)))
    fault(sandbox, effect="approve", stage="any", app_id=app["id"])
    act(sandbox, app["id"], "submit")
    until_idle(sandbox)
    assert get_app(sandbox, app["id"])["state"] == "sms_verification"


def test_filters_app_kind_attempt(filing):
    sb, app_id = filing
    fault(sb, effect="reject", stage="provider", app_id="A9999")
    fault(sb, effect="reject", stage="provider", kind="cancel_access")
    fault(sb, effect="reject", stage="provider", attempt=2)
    act(sb, app_id, "submit")
    until_idle(sb)
    assert get_app(sb, app_id)["state"] == "sms_verification"  # attempt 1 matched none
    assert [f["used"] for f in faults(sb)] == [0, 0, 0]


def test_probability_comes_from_the_seed(control):
    outcomes = []
    for _ in range(2):
        sb = new_sandbox(control, seed=3)
        register_domain(sb, "zhangsan-blog.cn")
        app = create_app(sb, personal_payload(usable_ip(sb)))
        fault(sb, effect="reject", stage="provider", probability=0.5)
        act(sb, app["id"], "submit")
        until_idle(sb)
        first = get_app(sb, app["id"])["state"]
        act(sb, app["id"], "resubmit")
        until_idle(sb)
        outcomes.append((first, get_app(sb, app["id"])["state"]))
    assert outcomes == [("provider_rejected", "sms_verification")] * 2


def test_forced_sms_timeout(filing):
    sb, app_id = filing
    fault(sb, effect="sms_timeout")
    act(sb, app_id, "submit")
    view = until_idle(sb)  # the window runs out even without include_deadlines
    assert [f["name"] for f in view["fired"]][-1] == "sms_timeout"
    app = get_app(sb, app_id)
    assert app["state"] == "provider_rejected" and app["audit_data"][0]["code"] == "SMS_TIMEOUT"
    assert sms_messages(sb, app_id) == []  # the code never arrived
    act(sb, app_id, "resubmit")
    until_idle(sb)
    assert get_app(sb, app_id)["state"] == "sms_verification" and len(sms_messages(sb, app_id)) == 1


def test_delay_a_stage(filing):
    sb, app_id = filing
    fault(sb, effect="delay", stage="provider", delay="2d", times=1)
    act(sb, app_id, "submit")
    pending = ok(sb.get("~/clock"))["pending_timers"]
    # 1 working day from Monday 09:00 is Tuesday 09:00; two more days: Thursday
    assert pending[0]["name"] == "provider_review" and pending[0]["due_at"] == "2026-06-04T09:00:00+08:00"


# -- teleport ---------------------------------------------------------------------------


def test_teleport_runs_the_target_effects_and_is_in_the_history(filing):
    sb, app_id = filing
    resp = sb.post(f"~/applications/{app_id}/teleport", json={"to": "sms_verification"}, token=CONTROL)
    app = ok(resp)
    assert app["state"] == "sms_verification" and app["wechat"] == {"status": 4, "sms_verify_status": 1}
    assert len(sms_messages(sb, app_id)) == 1  # entering the state sent MIIT's code
    event = history(sb, app_id)[-1]
    assert (event["action"], event["actor"], event["from"], event["to"]) == (
        "teleport",
        "system",
        "draft",
        "sms_verification",
    )
    to = ok(sb.post(f"~/applications/{app_id}/teleport", json={"to": "approved"}, token=CONTROL))
    assert to["state"] == "approved" and to["result"]["website_numbers"][0].endswith("-1")


def test_teleport_only_where_the_table_goes(filing):
    sb, app_id = filing
    act(sb, app_id, "withdraw")
    body = assert_error(
        sb.post(f"~/applications/{app_id}/teleport", json={"to": "draft"}, token=CONTROL), 409, "TELEPORT_NOT_ALLOWED"
    )
    assert body["allowed_targets"] == []
    field_errors(sb.post(f"~/applications/{app_id}/teleport", json={"to": "nowhere"}, token=CONTROL), "to")
    assert_error(sb.post(f"~/applications/{app_id}/teleport", json={"to": "draft"}), 401)


def test_teleport_with_audit_data_of_an_unknown_code_labels_its_own_field(filing):
    """Issue 9 item 5: an unknown code is not labelled 主体信息 whatever its field."""
    sb, app_id = filing
    ok(sb.post(f"~/applications/{app_id}/teleport", json={"to": "provider_review"}, token=CONTROL))
    audit = [
        {"code": "MY_DOMAIN_CHECK", "field": "websites.0.domain", "error": "域名不符"},
        {"code": "MY_SITE_CHECK", "field": "websites.0.name"},
        {"code": "MY_OTHER_CHECK"},
    ]
    app = ok(
        sb.post(
            f"~/applications/{app_id}/teleport", json={"to": "provider_rejected", "audit_data": audit}, token=CONTROL
        )
    )
    got = [(a["code"], a["field"], a["key_name"]) for a in app["audit_data"]]
    assert got == [
        ("MY_DOMAIN_CHECK", "websites.0.domain", "网站域名"),
        ("MY_SITE_CHECK", "websites.0.name", "网站名称"),
        ("MY_OTHER_CHECK", "application", "备案信息"),
    ]
    assert app["audit_data"][0]["error"] == "域名不符"


# -- resets -----------------------------------------------------------------------------


def test_reset_application_back_to_draft(filing):
    sb, app_id = filing
    act(sb, app_id, "submit")
    until_idle(sb)
    app = ok(sb.post(f"~/applications/{app_id}/reset", json={"reason": "QA"}, token=CONTROL))
    assert app["state"] == "draft" and app["attempt"] == 0 and app["audit_data"] == []
    assert history(sb, app_id)[-1]["action"] == "reset" and history(sb, app_id)[-1]["reason"] == "QA"
    assert [t["name"] for t in ok(sb.get("~/clock"))["pending_timers"]][:1] == ["remind_7d"]
    act(sb, app_id, "submit")
    assert get_app(sb, app_id)["attempt"] == 1


def test_reset_sandbox_keeps_id_and_token(filing, control):
    sb, app_id = filing
    fault(sb, effect="reject")
    act(sb, app_id, "submit")
    until_idle(sb)
    before = ok(sb.get(f"/api/v1/sandboxes/{sb.sid}", token=CONTROL))
    after = ok(sb.post("~/reset", token=CONTROL))
    assert (after["id"], after["token"], after["seed"]) == (before["id"], before["token"], before["seed"])
    assert after["clock"]["now"] == "2026-06-01T09:00:00+08:00"
    assert ok(sb.get("~/applications")) == [] and ok(sb.get("~/domains")) == [] and outbox(sb) == []
    assert faults(sb) == [] and ok(sb.get("~/recording?format=json"))["steps"][-1]["expect"]["clock"]
    assert ok(sb.get("~/eligibility"))["eligible"] is True  # the preset's world is back
    assert_error(sb.post("~/reset"), 401)


def test_reset_everything(control, sandbox):
    other = new_sandbox(control)
    body = ok(control.post("/api/v1/reset"))
    assert body["deleted"] == 2
    assert ok(control.get("/api/v1/sandboxes")) == []
    assert_error(sandbox.get("~/applications"), 401, "TOKEN_INVALID")
    assert_error(other.get("~/applications"), 401)
    assert_error(sandbox.post("/api/v1/reset"), 401)


# -- the recording ------------------------------------------------------------------------


def test_the_journal_keeps_mutating_calls_only(filing):
    sb, app_id = filing
    sb.get("~/applications")
    assert_error(sb.post(f"~/applications/{app_id}/actions/resubmit"), 409)
    act(sb, app_id, "submit")
    until_idle(sb)
    scenario = ok(sb.get("~/recording?format=json"))
    steps = scenario["steps"]
    assert scenario["version"] == 1 and scenario["seed"] == 7 and scenario["world"]["preset"] == "eligible"
    assert steps[0]["call"]["path"] == "/domains" and steps[1]["call"]["path"] == "/applications"
    # the refused resubmit changed nothing: a replay does not need it (issue #8: not journaled)
    assert steps[2] == {"call": {"method": "POST", "path": f"/applications/{app_id}/actions/submit", "body": {}}}
    assert steps[3] == {"advance": "until_idle"}
    assert steps[-1]["expect"]["applications"] == {app_id: {"state": "sms_verification"}}


def test_refused_calls_are_not_recorded(sandbox):
    """A refused call changed nothing, so a replay does not need it; journaling it would let
    refused calls fill the journal (issue #8). Wrong SMS codes are the exception (tests/growth)."""
    assert sandbox.post("~/clock/advance", json={"duration": "soon"}, token=CONTROL).status_code == 422
    assert sandbox.post("~/faults", json={"effect": "reject", "stage": None}, token=CONTROL).status_code == 201
    steps = ok(sandbox.get("~/recording?format=json"))["steps"]
    assert steps[0] == {"fault": {"effect": "reject"}}


def test_the_recording_is_yaml_by_default(filing):
    sb, app_id = filing
    resp = sb.get("~/recording")
    assert resp.status_code == 200 and resp.mimetype == "application/yaml"
    assert "attachment" in resp.headers["Content-Disposition"]
    data = yaml.safe_load(resp.get_data(as_text=True))
    assert data["version"] == 1 and data["steps"]
    assert json.loads(sb.client.get("/api/v1/scenario-schema").get_data(as_text=True))["title"] == "icpsim scenario"
