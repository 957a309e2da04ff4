"""After submission, as process.md tells it (the audit's items 11, 12, 13, 17, 24), over REST:
Tencent resubmits 24 h after an SMS timeout (setting), MIIT's result before Tencent's status
(setting), MIIT's sender (setting), the reviewer's unanswered call (fault rule and seeded rate),
the idle reminders by SMS to the responsible person."""

from datetime import datetime

from api.flows import (
    CONTROL,
    act,
    advance,
    assert_error,
    create_app,
    field_errors,
    get_app,
    history,
    new_sandbox,
    ok,
    outbox,
    personal_payload,
    register_domain,
    sms_code,
    sms_messages,
    to_sms,
    until_idle,
    usable_ip,
    verify,
)

MOBILE = "13800138000"  # the personal payload's responsible person


def filing(control, **settings):
    sb = new_sandbox(control, settings=settings)
    register_domain(sb, "zhangsan-blog.cn")
    app = create_app(sb, personal_payload(usable_ip(sb)))
    act(sb, app["id"], "submit")
    return sb, app["id"]


def actions(sb, app_id):
    return [e["action"] for e in history(sb, app_id)]


def pending(sb):
    return ok(sb.get("~/clock", token=CONTROL))["pending_timers"]


def when(iso):
    return datetime.fromisoformat(iso).timestamp()


def codes(sb, code, **query):
    return [m for m in outbox(sb, **query) if m["code"] == code]


# -- item 11: the resubmission after an SMS timeout ----------------------------------------------


def test_by_default_an_sms_timeout_waits_for_the_user(control):
    sb, app_id = filing(control)
    to_sms(sb, app_id)
    advance(sb, duration="25h")
    app = get_app(sb, app_id)
    assert app["state"] == "provider_rejected" and [a["code"] for a in app["audit_data"]] == ["SMS_TIMEOUT"]
    assert "auto_resubmit" not in [t["name"] for t in pending(sb)]
    assert not codes(sb, "SMS_RESUBMIT_SCHEDULED")
    advance(sb, duration="3d")
    assert get_app(sb, app_id)["state"] == "provider_rejected"


def test_with_the_setting_tencent_resubmits_24h_after_the_timeout_with_new_codes(control):
    sb, app_id = filing(control, sms_timeout_resubmit_hours=24)
    to_sms(sb, app_id)
    first = sms_code(sb, app_id)
    advance(sb, duration="25h")
    app = get_app(sb, app_id)
    assert app["state"] == "provider_rejected" and app["wechat"] == {"status": 3, "sms_verify_status": None}  # [W1]
    timed_out = [e for e in history(sb, app_id) if e["action"] == "sms_timeout"][0]
    [timer] = [t for t in pending(sb) if t["name"] == "auto_resubmit"]
    assert when(timer["due_at"]) - when(timed_out["at"]) == 24 * 3600
    [notice] = codes(sb, "SMS_RESUBMIT_SCHEDULED")
    assert notice["channel"] == "sms" and notice["to"] == MOBILE and "24 小时后" in notice["text"]

    fired = until_idle(sb)["fired"]  # a progress timer: the advance goes on to the new SMS prompt
    assert [f["result"] for f in fired] == ["auto_resubmit"]
    app = get_app(sb, app_id)
    assert app["state"] == "sms_verification" and app["attempt"] == 1  # no new provider review
    assert actions(sb, app_id)[-2:] == ["sms_timeout", "auto_resubmit"]
    assert [m["to"] for m in codes(sb, "SMS_RESUBMITTED")] == ["account"]
    assert len(sms_messages(sb, app_id)) == 2
    second = sms_code(sb, app_id)
    assert second != first
    assert_error(verify(sb, app_id, first), 422, "SMS_CODE_WRONG")  # the old code is gone
    assert ok(verify(sb, app_id, second))["state"] == "bureau_review"
    until_idle(sb)
    assert get_app(sb, app_id)["state"] == "approved"


def test_an_edit_after_the_timeout_cancels_the_resubmission(control):
    sb, app_id = filing(control, sms_timeout_resubmit_hours=24)
    to_sms(sb, app_id)
    advance(sb, duration="25h")
    assert "auto_resubmit" in [t["name"] for t in pending(sb)]
    ok(sb.patch(f"~/applications/{app_id}", json={"payload": {"entity": {"address": "广东省深圳市福田区 1 号"}}}))
    assert "auto_resubmit" not in [t["name"] for t in pending(sb)]
    advance(sb, duration="3d")
    assert get_app(sb, app_id)["state"] == "provider_rejected"  # data changed: the user resubmits
    act(sb, app_id, "resubmit")
    assert get_app(sb, app_id)["state"] == "provider_review"


def test_six_wrong_codes_are_resubmitted_too(control):
    sb, app_id = filing(control, sms_timeout_resubmit_hours=12, sms_max_wrong=0)
    to_sms(sb, app_id)
    code = sms_code(sb, app_id)
    assert_error(verify(sb, app_id, f"{(int(code) + 1) % 1_000_000:06d}"), 422, "SMS_CODE_WRONG")
    assert get_app(sb, app_id)["state"] == "provider_rejected"
    until_idle(sb)
    assert get_app(sb, app_id)["state"] == "sms_verification"
    assert actions(sb, app_id)[-2:] == ["sms_failed", "auto_resubmit"]


# -- item 13: MIIT's result first, Tencent's status later -----------------------------------------


def test_by_default_the_order_moves_when_the_bureau_decides(control):
    sb, app_id = filing(control)
    to_sms(sb, app_id)
    ok(verify(sb, app_id, sms_code(sb, app_id)))
    fired = until_idle(sb)["fired"]
    assert [f["result"] for f in fired] == ["bureau_approve"]
    assert not codes(sb, "MIIT_RESULT") and "miit_result" not in get_app(sb, app_id)


def test_miit_tells_the_user_first_and_tencent_syncs_6h_later(control):
    sb, app_id = filing(control, tencent_sync_hours=6)
    to_sms(sb, app_id)
    ok(verify(sb, app_id, sms_code(sb, app_id)))
    [timer] = pending(sb)
    now = ok(sb.get("~/clock", token=CONTROL))["epoch"]
    advance(sb, duration=f"{round(when(timer['due_at']) - now)}s")  # to the bureau's decision
    app = get_app(sb, app_id)
    assert app["state"] == "bureau_review" and app["wechat"]["status"] == 4  # Tencent has not synced
    miit = app["miit_result"]
    assert miit["verdict"] == "approve" and miit["applied"] and miit["at"] == timer["due_at"]
    assert when(miit["tencent_sync_at"]) - when(miit["at"]) == 6 * 3600
    numbers = app["result"]["website_numbers"]
    [sms] = codes(sb, "MIIT_RESULT")
    assert sms["channel"] == "sms" and sms["to"] == MOBILE and sms["sender"] == "12381"
    assert numbers[0] in sms["text"] and "已通过管局审核" in sms["text"]
    assert not codes(sb, "BUREAU_APPROVED")  # Tencent's notice waits for the sync
    query = ok(sb.get("~/registry/query", query_string={"domain": "zhangsan-blog.cn"}))
    assert [q["website"]["number"] for q in query] == numbers  # MIIT's portal shows the record
    assert actions(sb, app_id)[-1] == "miit_decided"
    [sync] = pending(sb)
    assert sync["name"] == "bureau_review" and sync["due_at"] == miit["tencent_sync_at"]

    fired = until_idle(sb)["fired"]
    assert [(f["result"], f["at"]) for f in fired] == [("bureau_approve", miit["tencent_sync_at"])]
    app = get_app(sb, app_id)
    assert app["state"] == "approved" and app["result"]["website_numbers"] == numbers  # numbers issued once
    [approved] = codes(sb, "BUREAU_APPROVED", channel="site")
    assert approved["at"] == miit["tencent_sync_at"]


def test_a_bureau_rejection_reaches_the_user_by_miit_first(control):
    sb, app_id = filing(control, tencent_sync_hours=6)
    ok(
        sb.post("~/faults", json={"effect": "reject", "stage": "bureau", "codes": ["DOMAIN_CONFLICT"]}, token=CONTROL),
        201,
    )
    to_sms(sb, app_id)
    ok(verify(sb, app_id, sms_code(sb, app_id)))
    fired = until_idle(sb)["fired"]
    assert [f["result"] for f in fired] == ["miit_decided", "bureau_reject"]
    assert when(fired[1]["at"]) - when(fired[0]["at"]) == 6 * 3600
    [sms] = codes(sb, "MIIT_RESULT")
    assert "未通过管局审核" in sms["text"] and "域名冲突" in sms["text"] and sms["at"] == fired[0]["at"]
    app = get_app(sb, app_id)
    assert app["state"] == "bureau_rejected" and [a["code"] for a in app["audit_data"]] == ["DOMAIN_CONFLICT"]
    assert not ok(sb.get("~/registry/query", query_string={"domain": "zhangsan-blog.cn"}))


# -- item 12: MIIT's sender --------------------------------------------------------------------------


def test_miit_sender_is_a_setting(control):
    sb, app_id = filing(control, miit_sms_sender="106598051001")
    to_sms(sb, app_id)
    assert [m["sender"] for m in sms_messages(sb, app_id)] == ["106598051001"]  # the legacy carrier sender
    sb2, app2 = filing(control)
    to_sms(sb2, app2)
    assert [m["sender"] for m in sms_messages(sb2, app2)] == ["12381"]  # process.md §5: MIIT's current one


def test_bad_timeline_settings_are_422_per_field(control):
    resp = control.post(
        "/api/v1/sandboxes",
        json={
            "settings": {
                "miit_sms_sender": "MIIT",
                "sms_timeout_resubmit_hours": 0,
                "tencent_sync_hours": -1,
                "call_unreachable_rate": 2,
            }
        },
    )
    field_errors(
        resp,
        "settings.miit_sms_sender",
        "settings.sms_timeout_resubmit_hours",
        "settings.tencent_sync_hours",
        "settings.call_unreachable_rate",
    )


# -- item 17: the reviewer's phone call ----------------------------------------------------------------


def test_a_fault_rule_rejects_with_call_unreachable(control):
    sb, app_id = filing(control)
    rule = {"effect": "reject", "stage": "provider", "times": 1, "codes": ["CALL_UNREACHABLE"]}
    ok(sb.post("~/faults", json=rule, token=CONTROL), 201)
    until_idle(sb)
    app = get_app(sb, app_id)
    assert app["state"] == "provider_rejected"
    [entry] = app["audit_data"]
    assert entry["code"] == "CALL_UNREACHABLE" and entry["field"] == "entity.responsible.mobile"
    assert "无人接听" in entry["error"] and "0755-33216425" in entry["suggest"]
    wechat = ok(sb.get(f"~/applications/{app_id}/wechat"))
    assert wechat["info"]["status"] == 3 and "无人接听" in wechat["info"]["audit_data"][0]["error"]


def test_the_seeded_reviewer_calls_and_nobody_answers_at_rate_1(control):
    sb, app_id = filing(control, call_unreachable_rate=1)
    until_idle(sb)
    app = get_app(sb, app_id)
    assert [a["code"] for a in app["audit_data"]] == ["CALL_UNREACHABLE"]
    sb0, app0 = filing(control)  # default 0: the reviewer never rejects for it
    until_idle(sb0)
    assert get_app(sb0, app0)["state"] == "sms_verification"


# -- item 24: reminders by SMS to the responsible person -------------------------------------------------


def test_idle_reminders_go_by_sms_to_the_responsible_person(control):
    sb = new_sandbox(control)
    register_domain(sb, "zhangsan-blog.cn")
    app = create_app(sb, personal_payload(usable_ip(sb)))
    advance(sb, duration="8d")
    reminders = [m for m in outbox(sb) if m["code"] == "IDLE_REMINDER"]
    by_channel = {m["channel"]: m for m in reminders}
    assert set(by_channel) == {"site", "email", "sms"}
    assert by_channel["sms"]["to"] == MOBILE and app["id"] in by_channel["sms"]["text"]
    assert "7 天未处理" in by_channel["sms"]["text"] and by_channel["sms"]["sender"] == "腾讯云备案"
