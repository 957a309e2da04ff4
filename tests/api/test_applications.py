"""First filings (首次备案) through the API: entry validation, the workflow, rejections,
the MIIT SMS check, determinism and idle expiry."""

import copy
import re

import pytest
from support.people import ZHANG_SAN_ID, person, personal_payload, resident_id

from api.flows import (
    SMS_SENDER,
    act,
    advance,
    assert_error,
    create_app,
    field_errors,
    file_and_approve,
    get_app,
    history,
    is_zh,
    new_sandbox,
    ok,
    outbox,
    register_domain,
    sms_code,
    sms_messages,
    to_sms,
    until_idle,
    usable_ip,
    verify,
    verify_and_finish,
    wrong_code,
)

ISO_CST = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$")
AUDIT_KEYS = {"code", "field", "key_name", "error", "suggest"}


@pytest.fixture
def demo(control):
    """`demo` preset: eligible, with zhangsan-blog.cn registered to 张三 and verified."""
    return new_sandbox(control, preset="demo")


@pytest.fixture
def payload(demo):
    return personal_payload(usable_ip(demo))


def assert_audit(entries, code, field=None):
    assert entries, "a rejection must carry audit_data"
    for e in entries:
        assert set(e) >= AUDIT_KEYS, e
        assert is_zh(e["error"]) and is_zh(e["suggest"]) and is_zh(e["key_name"]), e
    match = [e for e in entries if e["code"] == code]
    assert match, (code, entries)
    if field is not None:
        assert match[0]["field"] == field, match
    return match[0]


def actions(events):
    return [e["action"] for e in events]


# --- create ----------------------------------------------------------------------


def test_create_draft(demo, payload):
    resp = demo.post("~/applications", json={"kind": "first_filing", "payload": payload})
    app = ok(resp, 201)
    assert re.fullmatch(r"A\d{4}", app["id"])
    assert app["kind"] == "first_filing" and app["kind_zh"] == "首次备案"
    assert app["state"] == "draft" and app["state_zh"] == "待完善"
    assert app["wechat"] == {"status": 1024, "sms_verify_status": None}
    assert app["allowed_actions"] == ["edit", "submit", "withdraw"]
    assert app["version"] == 1 and app["attempt"] == 0 and app["audit_data"] == []
    assert app["created_at"] == app["updated_at"] == "2026-06-01T09:00:00+08:00"
    assert app["payload"]["entity"]["certificate_number"] == ZHANG_SAN_ID
    assert app["payload"]["websites"][0]["domain"] == "zhangsan-blog.cn"
    assert "sms" not in app
    assert ok(demo.get(f"~/applications/{app['id']}")) == app
    assert [a["id"] for a in ok(demo.get("~/applications"))] == [app["id"]]
    events = history(demo, app["id"])
    assert [(e["action"], e["from"], e["to"], e["actor"]) for e in events] == [("create", None, "draft", "user")]


def test_kind_defaults_to_first_filing(demo, payload):
    app = ok(demo.post("~/applications", json={"payload": payload}), 201)
    assert app["kind"] == "first_filing"


def _set(d, path, value):
    keys = path.split(".")
    for k in keys[:-1]:
        d = d[int(k)] if k.isdigit() else d[k]
    last = keys[-1]
    if value is DELETE:
        del d[last]
    else:
        d[last] = value


DELETE = object()
BAD_CHECKSUM = ZHANG_SAN_ID[:-1] + ("9" if ZHANG_SAN_ID[-1] != "9" else "8")


@pytest.mark.parametrize(
    "path,value,error_path",
    [
        ("entity.certificate_number", BAD_CHECKSUM, "payload.entity.certificate_number"),
        ("entity.responsible.certificate_number", BAD_CHECKSUM, "payload.entity.responsible.certificate_number"),
        ("entity.responsible.mobile", "12345", "payload.entity.responsible.mobile"),
        ("entity.responsible.mobile", "23800138000", "payload.entity.responsible.mobile"),
        ("entity.responsible.email", "zhangsan@", "payload.entity.responsible.email"),
        ("entity.responsible.email", "zhangsan.example.com", "payload.entity.responsible.email"),
        ("websites.0.domain", "zhangsan-blog.io", "payload.websites.0.domain"),
        ("websites.0.domain", "zhangsan-blog.org", "payload.websites.0.domain"),
        ("websites.0.domain", "www.zhangsan-blog.cn", "payload.websites.0.domain"),
        ("websites.0.domain", "http://zhangsan-blog.cn/", "payload.websites.0.domain"),
        ("entity.province", "99", "payload.entity.province"),
        ("entity.province", "火星省", "payload.entity.province"),
        ("entity.certificate_type", "uscc", "payload.entity.certificate_type"),
        ("entity.type", "alien", "payload.entity.type"),
        ("websites.0.nat_ip", "8.8.8.8", "payload.websites.0.nat_ip"),
        ("websites.0.nat_ip", "not-an-ip", "payload.websites.0.nat_ip"),
        ("websites.0.service_content", "casino", "payload.websites.0.service_content"),
        ("websites.0.name", "张三的个人博客!!!", "payload.websites.0.name"),
        ("entity.responsible.mobile", DELETE, "payload.entity.responsible.mobile"),
        ("entity.responsible", DELETE, "payload.entity.responsible"),
        ("entity.name", DELETE, "payload.entity.name"),
        ("entity.province", DELETE, "payload.entity.province"),
        ("websites.0.name", DELETE, "payload.websites.0.name"),
        ("websites.0.domain", DELETE, "payload.websites.0.domain"),
        ("websites.0.nat_ip", DELETE, "payload.websites.0.nat_ip"),
        ("websites", DELETE, "payload.websites"),
        ("websites", [], "payload.websites"),
        ("entity", DELETE, "payload.entity"),
    ],
)
def test_create_rejects_bad_field(demo, payload, path, value, error_path):
    bad = copy.deepcopy(payload)
    _set(bad, path, value)
    resp = demo.post("~/applications", json={"payload": bad})
    assert_error(resp, 422, "VALIDATION_FAILED")
    field_errors(resp, error_path)
    assert ok(demo.get("~/applications")) == []  # nothing stored


def test_create_reports_every_bad_field_at_once(demo, payload):
    bad = copy.deepcopy(payload)
    bad["entity"]["responsible"]["mobile"] = "123"
    bad["entity"]["responsible"]["email"] = "nope"
    bad["websites"][0]["domain"] = "zhangsan.io"
    field_errors(
        demo.post("~/applications", json={"payload": bad}),
        "payload.entity.responsible.mobile",
        "payload.entity.responsible.email",
        "payload.websites.0.domain",
    )


def test_personal_order_carries_one_website(demo, payload):
    bad = copy.deepcopy(payload)
    bad["websites"].append(dict(bad["websites"][0], domain="zhangsan-two.cn", name="张三的第二个博客"))
    field_errors(demo.post("~/applications", json={"payload": bad}), "payload.websites")


def test_create_when_not_eligible(control):
    sb = new_sandbox(control, preset="empty")
    errors = field_errors(
        sb.post("~/applications", json={"payload": personal_payload("129.1.2.3")}), "payload.websites.0.nat_ip"
    )
    assert any("资源包" in m or "云托管" in m for m in errors["payload.websites.0.nat_ip"])


def test_unknown_kind_is_422(demo, payload):
    field_errors(demo.post("~/applications", json={"kind": "teleport", "payload": payload}), "kind")


def test_payload_of_another_kind_is_422(demo, payload):
    """Each kind has its own payload: a first filing's entity and websites mean nothing to a cancellation."""
    field_errors(
        demo.post("~/applications", json={"kind": "cancel_entity", "payload": payload}),
        "payload.entity",
        "payload.websites",
    )


def test_kind_precondition_unmet_is_409(demo):
    body = assert_error(
        demo.post("~/applications", json={"kind": "cancel_entity", "payload": {}}), 409, "ENTITY_NOT_FILED_AT_TENCENT"
    )
    assert is_zh(body["suggest"])


def test_second_application_is_order_in_progress(demo, payload):
    first = create_app(demo, payload)
    other = personal_payload(payload["websites"][0]["nat_ip"], domain="zhangsan-two.cn")
    body = assert_error(demo.post("~/applications", json={"payload": other}), 409, "ORDER_IN_PROGRESS")
    assert body["application_id"] == first["id"]
    assert len(ok(demo.get("~/applications"))) == 1


def test_unknown_application(demo):
    assert_error(demo.get("~/applications/A9999"), 404, "APPLICATION_NOT_FOUND")
    assert_error(demo.get("~/applications/A9999/history"), 404, "APPLICATION_NOT_FOUND")
    assert_error(demo.post("~/applications/A9999/actions/submit"), 404, "APPLICATION_NOT_FOUND")
    assert_error(demo.patch("~/applications/A9999", json={"payload": {}}), 404, "APPLICATION_NOT_FOUND")
    assert_error(verify(demo, "A9999", "123456"), 404, "APPLICATION_NOT_FOUND")


# --- actions that the state forbids ----------------------------------------------


@pytest.mark.parametrize("action", ["resubmit", "reopen"])
def test_action_not_allowed_on_draft(demo, payload, action):
    app = create_app(demo, payload)
    body = assert_error(demo.post(f"~/applications/{app['id']}/actions/{action}"), 409, "ACTION_NOT_ALLOWED")
    assert body["state"] == "draft"
    assert body["allowed_actions"] == ["edit", "submit", "withdraw"]
    assert get_app(demo, app["id"])["version"] == 1


def test_verify_sms_on_draft(demo, payload):
    app = create_app(demo, payload)
    body = assert_error(verify(demo, app["id"], "123456"), 409, "ACTION_NOT_ALLOWED")
    assert body["state"] == "draft" and body["allowed_actions"] == ["edit", "submit", "withdraw"]


@pytest.mark.parametrize(
    "action", ["approve", "provider_approve", "bureau_approve", "sms_timeout", "expire", "edit", "verify_sms"]
)
def test_unknown_action_is_404(demo, payload, action):
    app = create_app(demo, payload)
    body = assert_error(demo.post(f"~/applications/{app['id']}/actions/{action}"), 404, "ACTION_UNKNOWN")
    assert "submit" in body["allowed"]
    assert get_app(demo, app["id"])["state"] == "draft"


def test_malformed_sms_code_is_422(demo, payload):
    app = create_app(demo, payload)
    act(demo, app["id"], "submit")
    to_sms(demo, app["id"])
    for code in ("12345", "1234567", "abcdef", ""):
        field_errors(verify(demo, app["id"], code), "code")
    assert get_app(demo, app["id"])["state"] == "sms_verification"


# --- edit ------------------------------------------------------------------------


def test_edit_draft(demo, payload):
    app = create_app(demo, payload)
    new = ok(
        demo.patch(
            f"~/applications/{app['id']}",
            json={"payload": {"entity": {"address": "广东省深圳市福田区深南大道 100 号"}}},
        )
    )
    assert new["state"] == "draft" and new["version"] == 2
    assert new["payload"]["entity"]["address"] == "广东省深圳市福田区深南大道 100 号"
    assert new["payload"]["entity"]["name"] == "张三"  # merge patch: the rest is kept
    assert new["payload"]["websites"] == app["payload"]["websites"]
    assert actions(history(demo, app["id"])) == ["create", "edit"]


def test_edit_with_bad_value_is_422_and_changes_nothing(demo, payload):
    app = create_app(demo, payload)
    field_errors(
        demo.patch(f"~/applications/{app['id']}", json={"payload": {"entity": {"responsible": {"mobile": "999"}}}}),
        "payload.entity.responsible.mobile",
    )
    assert get_app(demo, app["id"]) == app


def test_edit_not_allowed_during_review(demo, payload):
    app = create_app(demo, payload)
    act(demo, app["id"], "submit")
    body = assert_error(
        demo.patch(f"~/applications/{app['id']}", json={"payload": {"entity": {"address": "广东省广州市天河区 1 号"}}}),
        409,
        "ACTION_NOT_ALLOWED",
    )
    assert body["state"] == "provider_review" and body["allowed_actions"] == ["withdraw", "recall"]


# --- submit, withdraw ------------------------------------------------------------


def test_submit(demo, payload):
    app = create_app(demo, payload)
    app = act(demo, app["id"], "submit")
    assert app["state"] == "provider_review" and app["state_zh"] == "腾讯云审核中"
    assert app["wechat"]["status"] == 2
    assert app["allowed_actions"] == ["withdraw", "recall"]
    assert app["attempt"] == 1 and app["submitted_at"] == "2026-06-01T09:00:00+08:00"
    assert [m["code"] for m in outbox(demo, app_id=app["id"], channel="site")] == ["ORDER_SUBMITTED"]
    assert_error(demo.post(f"~/applications/{app['id']}/actions/submit"), 409, "ACTION_NOT_ALLOWED")
    pending = ok(demo.get("~/clock"))["pending_timers"]
    assert [(t["name"], t["app_id"]) for t in pending] == [("provider_review", app["id"])]


def test_withdraw_from_provider_review_then_a_new_application(demo, payload):
    app = create_app(demo, payload)
    act(demo, app["id"], "submit")
    app = act(demo, app["id"], "withdraw", reason="信息填错了")
    assert app["state"] == "withdrawn" and app["wechat"]["status"] == 1024
    assert app["allowed_actions"] == []
    last = history(demo, app["id"])[-1]
    assert (last["action"], last["from"], last["to"], last["actor"], last["reason"]) == (
        "withdraw",
        "provider_review",
        "withdrawn",
        "user",
        "信息填错了",
    )
    assert ok(demo.get("~/clock"))["pending_timers"] == []  # the review timer is gone
    until_idle(demo)
    assert get_app(demo, app["id"])["state"] == "withdrawn"
    assert_error(demo.post(f"~/applications/{app['id']}/actions/resubmit"), 409, "ACTION_NOT_ALLOWED")
    second = create_app(demo, payload)
    assert second["id"] != app["id"] and second["state"] == "draft"


def test_withdraw_draft(demo, payload):
    app = create_app(demo, payload)
    assert act(demo, app["id"], "withdraw")["state"] == "withdrawn"


def test_no_withdraw_once_at_the_bureau(demo, payload):
    app = create_app(demo, payload)
    act(demo, app["id"], "submit")
    to_sms(demo, app["id"])
    body = assert_error(demo.post(f"~/applications/{app['id']}/actions/withdraw"), 409, "ACTION_NOT_ALLOWED")
    assert body["state"] == "sms_verification" and body["allowed_actions"] == ["verify_sms"]


# --- the happy path ---------------------------------------------------------------


def test_first_filing_happy_path(demo, payload):
    mobile = payload["entity"]["responsible"]["mobile"]
    app = create_app(demo, payload)
    app_id = app["id"]
    act(demo, app_id, "submit")

    view = until_idle(demo)
    assert [f["name"] for f in view["fired"]] == ["provider_review", "send_to_bureau"]
    app = get_app(demo, app_id)
    assert app["state"] == "sms_verification"
    assert app["wechat"] == {"status": 4, "sms_verify_status": 1}
    assert app["allowed_actions"] == ["verify_sms"]
    assert "sms" not in app  # the code is never shown in the application
    sms = sms_messages(demo, app_id)
    assert len(sms) == 1
    assert sms[0]["sender"] == SMS_SENDER and sms[0]["to"] == mobile and sms[0]["channel"] == "sms"
    code = sms_code(demo, app_id)
    assert re.fullmatch(r"\d{6}", code)
    assert code not in str(app)

    app = ok(verify(demo, app_id, code))
    assert app["state"] == "bureau_review"
    assert app["wechat"] == {"status": 4, "sms_verify_status": 2}
    assert app["allowed_actions"] == []

    until_idle(demo)
    app = get_app(demo, app_id)
    assert app["state"] == "approved" and app["wechat"]["status"] == 6
    assert app["state_zh"].startswith("已完成")
    assert app["allowed_actions"] == []
    entity_number = app["result"]["entity_number"]
    assert re.fullmatch(r"粤ICP备2026\d{6}号", entity_number)
    assert app["result"]["website_numbers"] == [entity_number + "-1"]
    assert app["entity_id"]

    entities = ok(demo.get("~/entities"))
    assert len(entities) == 1
    ent = entities[0]
    assert ent["id"] == app["entity_id"] and ent["number"] == entity_number
    assert ent["name"] == "张三" and ent["status"] == "active" and ent["access_providers"] == ["tencent"]
    websites = ok(demo.get("~/websites"))
    assert len(websites) == 1
    site = websites[0]
    assert site["number"] == entity_number + "-1" and site["domain"] == "zhangsan-blog.cn"
    assert site["entity_id"] == ent["id"] and site["nat_ip"] == payload["websites"][0]["nat_ip"]
    assert site["access_providers"] == ["tencent"] and site["status"] == "active"

    events = history(demo, app_id)
    assert [(e["action"], e["from"], e["to"], e["actor"]) for e in events] == [
        ("create", None, "draft", "user"),
        ("submit", "draft", "provider_review", "user"),
        ("provider_approve", "provider_review", "provider_approved", "provider"),
        ("send_to_bureau", "provider_approved", "sms_verification", "clock"),
        ("verify_sms", "sms_verification", "bureau_review", "user"),
        ("bureau_approve", "bureau_review", "approved", "bureau"),
    ]
    stamps = [e["at"] for e in events]
    assert all(ISO_CST.match(s) for s in stamps)
    assert stamps == sorted(stamps) and stamps[0] == "2026-06-01T09:00:00+08:00"
    assert stamps[2] == "2026-06-02T09:00:00+08:00"  # provider review: 1 working day
    assert stamps[-1] == app["updated_at"] == ok(demo.get("~/clock"))["now"]
    assert all(e["reason"] and is_zh(e["reason"]) for e in events)
    assert [e["version"] for e in events] == list(range(1, 7))

    codes = [m["code"] for m in outbox(demo, app_id=app_id)]
    assert codes[0] == "ORDER_SUBMITTED" and "MIIT_SMS_CODE" in codes
    assert "BUREAU_APPROVED" in codes and "PUBLIC_SECURITY_REMINDER" in codes
    approved_msg = next(m for m in outbox(demo, app_id=app_id) if m["code"] == "BUREAU_APPROVED")
    assert entity_number in approved_msg["text"]
    assert ok(demo.get("~/clock"))["pending_timers"] == []

    # the account now has an entity: a second first filing is refused
    other = personal_payload(payload["websites"][0]["nat_ip"], domain="zhangsan-two.cn", name="张三的读书笔记")
    assert_error(demo.post("~/applications", json={"payload": other}), 409, "ENTITY_ALREADY_FILED")


def test_approval_uses_an_ip_slot(demo, payload):
    ip = payload["websites"][0]["nat_ip"]
    file_and_approve(demo, payload)
    rows = ok(demo.get("~/eligibility"))["usable_ips"]
    assert [(r["ip"], r["used"], r["slots_left"]) for r in rows] == [(ip, 1, 1)]


# --- rejections ------------------------------------------------------------------


def test_provider_rejection_then_resubmit(control):
    sb = new_sandbox(control, preset="eligible")
    register_domain(sb, "zhangsan-blog.cn", real_name_status="pending")
    app = create_app(sb, personal_payload(usable_ip(sb)))
    act(sb, app["id"], "submit")
    until_idle(sb)
    app = get_app(sb, app["id"])
    assert app["state"] == "provider_rejected" and app["wechat"]["status"] == 3
    assert app["state_zh"] == "初审驳回"
    assert app["allowed_actions"] == ["edit", "resubmit", "withdraw"]
    entry = assert_audit(app["audit_data"], "DOMAIN_NOT_REAL_NAME", "websites.0.domain")
    last = history(sb, app["id"])[-1]
    assert (last["action"], last["actor"], last["to"]) == ("provider_reject", "provider", "provider_rejected")
    assert last["audit_data"] == app["audit_data"]
    msgs = [m for m in outbox(sb, app_id=app["id"]) if m["code"] == "PROVIDER_REJECTED"]
    assert msgs and any(entry["error"] in m["text"] for m in msgs)
    assert any(m["channel"] == "sms" and m["to"] == "13800138000" for m in msgs)

    # fix the registry record, then resubmit
    ok(sb.patch("~/domains/zhangsan-blog.cn", json={"real_name_status": "verified"}))
    app = act(sb, app["id"], "resubmit")
    assert app["state"] == "provider_review" and app["attempt"] == 2 and app["audit_data"] == []
    to_sms(sb, app["id"])
    app = verify_and_finish(sb, app["id"])
    assert app["state"] == "approved"
    assert re.fullmatch(r"粤ICP备2026\d{6}号", app["result"]["entity_number"])
    assert actions(history(sb, app["id"])) == [
        "create",
        "submit",
        "provider_reject",
        "resubmit",
        "provider_approve",
        "send_to_bureau",
        "verify_sms",
        "bureau_approve",
    ]


def test_resubmit_unfixed_is_rejected_again(control):
    sb = new_sandbox(control, preset="eligible")
    register_domain(sb, "zhangsan-blog.cn", real_name_status="pending")
    app = create_app(sb, personal_payload(usable_ip(sb)))
    act(sb, app["id"], "submit")
    until_idle(sb)
    act(sb, app["id"], "resubmit")
    until_idle(sb)
    app = get_app(sb, app["id"])
    assert app["state"] == "provider_rejected" and app["attempt"] == 2
    assert_audit(app["audit_data"], "DOMAIN_NOT_REAL_NAME")


def test_edit_a_provider_rejection(control):
    """The fix can be an edit of the order: file another domain that passes."""
    sb = new_sandbox(control, preset="eligible")
    register_domain(sb, "zhangsan-blog.cn", real_name_status="pending")
    register_domain(sb, "zhangsan-notes.cn")
    app = create_app(sb, personal_payload(usable_ip(sb)))
    act(sb, app["id"], "submit")
    until_idle(sb)
    site = dict(get_app(sb, app["id"])["payload"]["websites"][0], domain="zhangsan-notes.cn")
    app = ok(sb.patch(f"~/applications/{app['id']}", json={"payload": {"websites": [site]}}))
    assert app["state"] == "provider_rejected" and app["payload"]["websites"][0]["domain"] == "zhangsan-notes.cn"
    act(sb, app["id"], "resubmit")
    to_sms(sb, app["id"])
    assert verify_and_finish(sb, app["id"])["state"] == "approved"
    assert [w["domain"] for w in ok(sb.get("~/websites"))] == ["zhangsan-notes.cn"]


HEBEI_ID = resident_id("13010219900101001")  # Shijiazhuang, born 1990-01-01


def hebei_payload(ip):
    """A person from Hebei (resident ID starting 13) filing in Hebei."""
    payload = personal_payload(
        ip,
        domain="lisi-blog.cn",
        name="李四的个人博客",
        certificate_number=HEBEI_ID,
        province="13",
        address="河北省石家庄市长安区中山东路 1 号",
        responsible=person(name="李四", cert=HEBEI_ID, mobile="13700137000", email="lisi@example.com"),
    )
    payload["entity"]["name"] = "李四"
    return payload


def test_bureau_rejection_domain_near_expiry_then_resubmit(control):
    """Hebei asks for ≥ 3 months left on the domain; 2 months is refused by the bureau."""
    sb = new_sandbox(control, preset="eligible")
    register_domain(sb, "lisi-blog.cn", holder_name="李四", holder_cert=HEBEI_ID, expires_on="2026-08-01")
    app = create_app(sb, hebei_payload(usable_ip(sb)))
    act(sb, app["id"], "submit")
    to_sms(sb, app["id"])  # the provider has no objection
    app = verify_and_finish(sb, app["id"])
    assert app["state"] == "bureau_rejected" and app["wechat"]["status"] == 5
    assert app["state_zh"] == "管局驳回"
    assert app["allowed_actions"] == ["edit", "resubmit", "withdraw"]
    assert_audit(app["audit_data"], "DOMAIN_NEAR_EXPIRY", "websites.0.domain")
    last = history(sb, app["id"])[-1]
    assert (last["action"], last["actor"], last["to"]) == ("bureau_reject", "bureau", "bureau_rejected")
    assert any(m["code"] == "BUREAU_REJECTED" for m in outbox(sb, app_id=app["id"]))

    # edit the order (allowed after a bureau rejection) and renew the domain
    new_address = "河北省石家庄市长安区中山东路 2 号"
    app = ok(sb.patch(f"~/applications/{app['id']}", json={"payload": {"entity": {"address": new_address}}}))
    assert app["state"] == "bureau_rejected" and app["payload"]["entity"]["address"] == new_address
    assert app["payload"]["entity"]["certificate_number"] == HEBEI_ID
    ok(sb.patch("~/domains/lisi-blog.cn", json={"expires_on": "2027-08-01"}))

    app = act(sb, app["id"], "resubmit")
    assert app["state"] == "provider_review" and app["attempt"] == 2
    to_sms(sb, app["id"])
    assert len(sms_messages(sb, app["id"])) == 2  # a fresh code for the new attempt
    app = verify_and_finish(sb, app["id"])
    assert app["state"] == "approved"
    assert re.fullmatch(r"冀ICP备2026\d{6}号", app["result"]["entity_number"])
    assert app["result"]["website_numbers"] == [app["result"]["entity_number"] + "-1"]
    assert actions(history(sb, app["id"])) == [
        "create",
        "submit",
        "provider_approve",
        "send_to_bureau",
        "verify_sms",
        "bureau_reject",
        "edit",
        "resubmit",
        "provider_approve",
        "send_to_bureau",
        "verify_sms",
        "bureau_approve",
    ]


def test_same_domain_expiry_passes_in_guangdong(control):
    """Guangdong sets no minimum: 2 months left is fine there."""
    sb = new_sandbox(control, preset="eligible")
    register_domain(sb, "zhangsan-blog.cn", expires_on="2026-08-01")
    app = file_and_approve(sb, personal_payload(usable_ip(sb)))
    assert app["state"] == "approved"


# --- the MIIT SMS check -------------------------------------------------------------


@pytest.fixture
def at_sms(demo, payload):
    app = create_app(demo, payload)
    act(demo, app["id"], "submit")
    to_sms(demo, app["id"])
    return demo, app["id"]


def test_five_wrong_codes_then_the_sixth_fails(at_sms):
    sb, app_id = at_sms
    bad = wrong_code(sms_code(sb, app_id))
    left = []
    for _ in range(5):
        resp = verify(sb, app_id, bad)
        body = assert_error(resp, 422, "SMS_CODE_WRONG")
        msgs = body["errors"]["code"]
        assert len(msgs) == 1 and is_zh(msgs[0])
        left.append(int(re.search(r"(\d+)\s*次", msgs[0]).group(1)))
        assert get_app(sb, app_id)["state"] == "sms_verification"
    assert left == [5, 4, 3, 2, 1]

    body = assert_error(verify(sb, app_id, bad), 422, "SMS_CODE_WRONG")  # the 6th: never a 2xx
    assert body["attempts_left"] == 0 and body["state"] == "provider_rejected"
    app = body["application"]
    assert app["state"] == "provider_rejected" and app["wechat"]["status"] == 3
    # sms_verify_status only while status 4 (W1): returned to the provider, the reason in audit_data
    assert app["wechat"]["sms_verify_status"] is None and get_app(sb, app_id)["state"] == "provider_rejected"
    assert_audit(app["audit_data"], "SMS_CODE_FAILED")
    events = history(sb, app_id)
    assert actions(events)[-6:] == ["verify_sms_wrong"] * 5 + ["sms_failed"]
    assert events[-1]["actor"] == "user" and events[-1]["to"] == "provider_rejected"
    assert ok(sb.get("~/clock"))["pending_timers"] and all(
        t["name"] != "sms_timeout" for t in ok(sb.get("~/clock"))["pending_timers"]
    )
    # the right code is useless now
    assert_error(verify(sb, app_id, sms_code(sb, app_id)), 409, "ACTION_NOT_ALLOWED")
    # resubmitting starts over, with a new code
    act(sb, app_id, "resubmit")
    to_sms(sb, app_id)
    assert verify_and_finish(sb, app_id)["state"] == "approved"


def test_wrong_codes_then_the_right_one(at_sms):
    sb, app_id = at_sms
    code = sms_code(sb, app_id)
    for _ in range(2):
        assert_error(verify(sb, app_id, wrong_code(code)), 422, "SMS_CODE_WRONG")
    app = ok(verify(sb, app_id, code))
    assert app["state"] == "bureau_review"


def test_wrong_codes_do_not_cancel_the_deadline(at_sms):
    sb, app_id = at_sms
    assert_error(verify(sb, app_id, wrong_code(sms_code(sb, app_id))), 422, "SMS_CODE_WRONG")
    advance(sb, duration="25h")
    app = get_app(sb, app_id)
    assert app["state"] == "provider_rejected"
    assert history(sb, app_id)[-1]["action"] == "sms_timeout"


def test_sms_timeout(at_sms):
    sb, app_id = at_sms
    sent_at = history(sb, app_id)[-1]["at"]
    advance(sb, duration="23h")
    assert get_app(sb, app_id)["state"] == "sms_verification"
    advance(sb, duration="2h")  # 25 h after the SMS
    app = get_app(sb, app_id)
    assert app["state"] == "provider_rejected" and app["wechat"]["status"] == 3
    last = history(sb, app_id)[-1]
    assert (last["action"], last["from"], last["to"], last["actor"]) == (
        "sms_timeout",
        "sms_verification",
        "provider_rejected",
        "clock",
    )
    assert last["reason"] == "短信核验超时"
    assert last["at"] > sent_at
    # the code has expired
    assert_error(verify(sb, app_id, sms_code(sb, app_id)), 409, "ACTION_NOT_ALLOWED")
    # the user is told
    assert any(m["code"] == "PROVIDER_REJECTED" for m in outbox(sb, app_id=app_id))


def test_sms_timeout_rejection_carries_audit_data(at_sms):
    """domain.md §4: every rejection carries audit_data ({field, error, suggest}, zh-CN)."""
    sb, app_id = at_sms
    advance(sb, duration="25h")
    app = get_app(sb, app_id)
    assert app["state"] == "provider_rejected"
    assert app["audit_data"], "an SMS-timeout rejection carries no audit_data"
    for e in app["audit_data"]:
        assert {"field", "error", "suggest"} <= set(e) and is_zh(e["error"]) and is_zh(e["suggest"])


def test_sms_timeout_in_one_advance(at_sms):
    sb, app_id = at_sms
    advance(sb, duration="25h")
    assert get_app(sb, app_id)["state"] == "provider_rejected"
    assert history(sb, app_id)[-1]["reason"] == "短信核验超时"


def test_until_idle_stops_at_the_sms_prompt(at_sms):
    sb, app_id = at_sms
    before = ok(sb.get("~/clock"))["now"]
    view = until_idle(sb)
    assert view["fired"] == [] and view["now"] == before
    assert [t["name"] for t in view["pending_timers"]] == ["sms_timeout"]
    assert get_app(sb, app_id)["state"] == "sms_verification"


def test_until_idle_with_deadlines_fires_the_sms_timeout(at_sms):
    sb, app_id = at_sms
    view = until_idle(sb, include_deadlines=True)
    assert view["fired"][0]["name"] == "sms_timeout"
    events = history(sb, app_id)
    timeout = next(e for e in events if e["action"] == "sms_timeout")
    assert timeout["to"] == "provider_rejected" and timeout["reason"] == "短信核验超时"
    # then nothing waits on anyone but the user: the rejected order idles until it expires
    assert get_app(sb, app_id)["state"] == "expired"
    assert view["pending_timers"] == []


# --- determinism -------------------------------------------------------------------


def run_filing(control, seed):
    sb = new_sandbox(control, seed=seed, preset="demo")
    app = create_app(sb, personal_payload(usable_ip(sb)))
    act(sb, app["id"], "submit")
    to_sms(sb, app["id"])
    code = sms_code(sb, app["id"])
    app = verify_and_finish(sb, app["id"])
    return {
        "app": app,
        "history": history(sb, app["id"]),
        "outbox": outbox(sb),
        "code": code,
        "clock": ok(sb.get("~/clock"))["now"],
        "entities": ok(sb.get("~/entities")),
        "websites": ok(sb.get("~/websites")),
    }


def test_same_seed_same_run(control):
    a = run_filing(control, 20260601)
    b = run_filing(control, 20260601)
    assert a["app"]["state"] == "approved"
    assert a == b


def test_other_seed_other_run(control):
    a = run_filing(control, 1)
    b = run_filing(control, 2)
    assert (a["code"], a["app"]["result"]["entity_number"]) != (b["code"], b["app"]["result"]["entity_number"])


# --- idle expiry -------------------------------------------------------------------


def test_idle_draft_expires_and_reopens(demo, payload):
    app = create_app(demo, payload)
    view = advance(demo, duration="46d")
    assert [f["name"] for f in view["fired"]] == ["remind_7d", "remind_15d", "remind_30d", "expire"]
    app = get_app(demo, app["id"])
    assert app["state"] == "expired" and app["wechat"]["status"] == 1024
    assert app["allowed_actions"] == ["reopen"]
    reminders = [m for m in outbox(demo, app_id=app["id"], channel="site") if m["code"] == "IDLE_REMINDER"]
    assert [m["at"] for m in reminders] == [
        "2026-06-08T09:00:00+08:00",
        "2026-06-16T09:00:00+08:00",
        "2026-07-01T09:00:00+08:00",
    ]
    assert all(is_zh(m["text"]) for m in reminders)
    assert any(m["code"] == "ORDER_EXPIRED" for m in outbox(demo, app_id=app["id"]))
    last = history(demo, app["id"])[-1]
    assert (last["action"], last["to"], last["actor"], last["at"]) == (
        "expire",
        "expired",
        "clock",
        "2026-07-16T09:00:00+08:00",
    )

    assert_error(demo.post(f"~/applications/{app['id']}/actions/submit"), 409, "ACTION_NOT_ALLOWED")
    app = act(demo, app["id"], "reopen")
    assert app["state"] == "draft" and app["allowed_actions"] == ["edit", "submit", "withdraw"]
    assert history(demo, app["id"])[-1]["action"] == "reopen"
    # a reopened draft can be filed
    act(demo, app["id"], "submit")
    to_sms(demo, app["id"])
    assert verify_and_finish(demo, app["id"])["state"] == "approved"


def test_no_expiry_before_45_days(demo, payload):
    app = create_app(demo, payload)
    advance(demo, duration="44d")
    assert get_app(demo, app["id"])["state"] == "draft"
    assert len([m for m in outbox(demo, channel="site") if m["code"] == "IDLE_REMINDER"]) == 3


def test_rejected_order_expires_too(control):
    sb = new_sandbox(control, preset="eligible")
    register_domain(sb, "zhangsan-blog.cn", real_name_status="pending")
    app = create_app(sb, personal_payload(usable_ip(sb)))
    act(sb, app["id"], "submit")
    until_idle(sb)
    assert get_app(sb, app["id"])["state"] == "provider_rejected"
    advance(sb, duration="46d")
    assert get_app(sb, app["id"])["state"] == "expired"


def test_edited_draft_still_expires(demo, payload):
    """Editing is not a way around the 45-day idle rule: reminders and expiry still come."""
    app = create_app(demo, payload)
    ok(
        demo.patch(
            f"~/applications/{app['id']}",
            json={"payload": {"entity": {"address": "广东省深圳市福田区深南大道 100 号"}}},
        )
    )
    advance(demo, duration="46d")
    assert len([m for m in outbox(demo, app_id=app["id"], channel="site") if m["code"] == "IDLE_REMINDER"]) == 3
    assert get_app(demo, app["id"])["state"] == "expired"


def test_edited_rejection_still_expires(control):
    sb = new_sandbox(control, preset="eligible")
    register_domain(sb, "zhangsan-blog.cn", real_name_status="pending")
    app = create_app(sb, personal_payload(usable_ip(sb)))
    act(sb, app["id"], "submit")
    until_idle(sb)
    ok(
        sb.patch(
            f"~/applications/{app['id']}",
            json={"payload": {"entity": {"address": "广东省深圳市福田区深南大道 100 号"}}},
        )
    )
    advance(sb, duration="46d")
    assert get_app(sb, app["id"])["state"] == "expired"
