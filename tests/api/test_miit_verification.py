"""MIIT's SMS check per responsible person (issue #13): one code per distinct mobile, each
person verifies with mobile + last six ID digits + code; the bureau starts when all have."""

import re

import pytest
from support.people import personal_payload

from api.flows import (
    CONTROL,
    ORG_NAME,
    ORG_USCC,
    SMS_SENDER,
    act,
    advance,
    assert_error,
    create_app,
    get_app,
    latest_codes,
    ok,
    org_payload,
    register_domain,
    sms_messages,
    to_sms,
    usable_ip,
    verify,
    wrong_code,
)
from api.kinds_flows import ORG_BOSS, SITE_OWNER

BOSS, SITE = ORG_BOSS["mobile"], SITE_OWNER["mobile"]


def last6(person):
    return person["certificate_number"][-6:]


@pytest.fixture
def two(sandbox):
    """An organisation's first filing whose website owner has their own mobile, at the SMS step."""
    register_domain(sandbox, "moumou-tech.cn", holder_name=ORG_NAME, holder_cert=ORG_USCC)
    payload = org_payload([usable_ip(sandbox)], [("moumou-tech.cn", "某某科技官网")])
    payload["entity"]["responsible"] = ORG_BOSS
    payload["websites"][0]["responsible"] = SITE_OWNER
    app = create_app(sandbox, payload)
    act(sandbox, app["id"], "submit")
    to_sms(sandbox, app["id"])
    return sandbox, app["id"]


def check(sb, app_id, who, code, **over):
    body = {"code": code, "mobile": who["mobile"], "id_last6": last6(who), **over}
    return sb.post(f"~/applications/{app_id}/sms-verification", json=body)


def test_each_person_gets_their_own_code_from_miit(two):
    sb, app_id = two
    msgs = sms_messages(sb, app_id)
    assert sorted(m["to"] for m in msgs) == sorted([BOSS, SITE])
    assert all(m["sender"] == SMS_SENDER for m in msgs)
    for m in msgs:  # MIIT's SMS points to MIIT's own site, not the mini-program
        assert "beian.miit.gov.cn" in m["text"] and "小程序" not in m["text"]
    codes = latest_codes(sb, app_id)
    assert len(set(codes.values())) == 2 and all(re.fullmatch(r"\d{6}", c) for c in codes.values())
    listed = ok(sb.get(f"~/applications/{app_id}/verifications"))
    assert listed == get_app(sb, app_id)["verifications"]
    assert [(v["person"], v["name"], v["mobile_masked"], v["state"], v["attempts_left"]) for v in listed] == [
        ("P1", "王五", "139****9000", "pending", 6),
        ("P2", "李四", "137****7000", "pending", 6),
    ]
    assert listed[0]["roles"] == ["entity"] and listed[1]["roles"] == ["website"]
    assert all(v["expires_at"] == "2026-06-04T09:00:00+08:00" for v in listed), listed
    assert "code" not in str(listed)


def test_one_verified_still_waits_both_go_to_the_bureau(two):
    sb, app_id = two
    codes = latest_codes(sb, app_id)
    app = ok(check(sb, app_id, ORG_BOSS, codes[BOSS]))
    assert app["state"] == "sms_verification" and app["wechat"] == {"status": 4, "sms_verify_status": 1}
    assert [v["state"] for v in app["verifications"]] == ["verified", "pending"]
    assert app["message"] == "您的短信核验完成，请等待其他核验人进行短信核验"  # MIIT's words [T8]
    assert_error(check(sb, app_id, ORG_BOSS, codes[BOSS]), 409, "ALREADY_VERIFIED")
    app = ok(check(sb, app_id, SITE_OWNER, codes[SITE], person="P2"))
    assert app["state"] == "bureau_review" and app["wechat"] == {"status": 4, "sms_verify_status": 2}
    assert app["message"] == "您的短信核验已全部完成，该请求将提交管局审核"
    assert "message" not in get_app(sb, app_id)  # the answer's, not the order's


def test_someone_elses_code_is_wrong(two):
    sb, app_id = two
    codes = latest_codes(sb, app_id)
    body = assert_error(check(sb, app_id, ORG_BOSS, codes[SITE]), 422, "SMS_CODE_WRONG")
    assert list(body["errors"]) == ["code"] and body["attempts_left"] == 5 and body["person"] == "P1"


def test_wrong_id_digits(two):
    sb, app_id = two
    codes = latest_codes(sb, app_id)
    body = assert_error(check(sb, app_id, ORG_BOSS, codes[BOSS], id_last6="000000"), 422, "SMS_CODE_WRONG")
    assert list(body["errors"]) == ["id_last6"] and body["attempts_left"] == 5
    assert body["state"] == "sms_verification"
    assert get_app(sb, app_id)["verifications"][0]["attempts_left"] == 5
    assert ok(check(sb, app_id, ORG_BOSS, codes[BOSS]))["verifications"][0]["state"] == "verified"


def test_a_wrong_mobile_is_a_wrong_entry(two):
    """A mobile that is nobody's on the order counts like a wrong code [T8]: against the
    person whose code it carries."""
    sb, app_id = two
    codes = latest_codes(sb, app_id)
    body = assert_error(check(sb, app_id, dict(SITE_OWNER, mobile="13111111111"), codes[SITE]), 422, "SMS_CODE_WRONG")
    assert list(body["errors"]) == ["mobile"] and body["person"] == "P2" and body["attempts_left"] == 5
    assert [v["attempts_left"] for v in get_app(sb, app_id)["verifications"]] == [6, 5]


def test_five_wrong_entries_of_any_field_then_the_sixth_returns_the_order(two):
    sb, app_id = two
    code = latest_codes(sb, app_id)[SITE]
    entries = [  # (who as typed, code)
        (SITE_OWNER, wrong_code(code)),
        (dict(SITE_OWNER, mobile="13111111111"), code),
        (dict(SITE_OWNER, certificate_number="000000"), code),
        (dict(SITE_OWNER, mobile="13111111112"), code),
        (SITE_OWNER, wrong_code(code)),
    ]
    for left, (who, typed) in zip((5, 4, 3, 2, 1), entries, strict=True):
        body = assert_error(check(sb, app_id, who, typed), 422, "SMS_CODE_WRONG")
        assert (body["person"], body["attempts_left"]) == ("P2", left), body
    body = assert_error(check(sb, app_id, SITE_OWNER, code, id_last6="000000"), 422, "SMS_CODE_WRONG")
    assert body["attempts_left"] == 0 and body["state"] == "provider_rejected"


def test_bad_fields_are_422(two):
    sb, app_id = two
    resp = sb.post(
        f"~/applications/{app_id}/sms-verification",
        json={"code": "123456", "mobile": "12", "id_last6": "abc", "person": "x"},
    )
    body = assert_error(resp, 422)
    assert {"mobile", "id_last6", "person"} <= set(body["errors"]), body


def test_the_sixth_wrong_code_answers_422_with_the_new_state(two):
    sb, app_id = two
    bad = wrong_code(latest_codes(sb, app_id)[SITE])
    for left in (5, 4, 3, 2, 1):
        assert assert_error(check(sb, app_id, SITE_OWNER, bad), 422, "SMS_CODE_WRONG")["attempts_left"] == left
    body = assert_error(check(sb, app_id, SITE_OWNER, bad), 422, "SMS_CODE_WRONG")
    assert body["attempts_left"] == 0 and body["state"] == "provider_rejected"
    assert body["application"]["wechat"] == {"status": 3, "sms_verify_status": None}  # only with status 4 [W1]
    assert get_app(sb, app_id)["state"] == "provider_rejected"


def test_resend_is_rate_limited_and_invalidates_the_old_code(two):
    sb, app_id = two
    old = latest_codes(sb, app_id)[BOSS]
    resp = sb.post(f"~/applications/{app_id}/verifications/resend", json={"mobile": BOSS})
    body = assert_error(resp, 429, "SMS_RESEND_REFUSED")
    assert body["reason"] == "TOO_SOON" and body["retry_after_s"] == 60
    advance(sb, duration="61s")
    listed = ok(sb.post(f"~/applications/{app_id}/verifications/resend", json={"person": "P1"}))
    assert listed[0]["sends"] == 2 and listed[1]["sends"] == 1
    new = latest_codes(sb, app_id)[BOSS]
    assert new != old and len(sms_messages(sb, app_id)) == 3
    assert_error(check(sb, app_id, ORG_BOSS, old), 422, "SMS_CODE_WRONG")
    assert ok(check(sb, app_id, ORG_BOSS, new))["verifications"][0]["state"] == "verified"
    # a verified person gets no more codes
    advance(sb, duration="61s")
    body = assert_error(
        sb.post(f"~/applications/{app_id}/verifications/resend", json={"person": "P1"}), 409, "SMS_RESEND_REFUSED"
    )
    assert body["message"] == NOTHING_PENDING and body["reason"] == "NOT_PENDING"


NOTHING_PENDING = "暂无待短信核验的备案申请，无需重发短信"
NO_RECORD = "该条验证库里找不到记录"


def resend(sb, app_id, **body):
    return sb.post(f"~/applications/{app_id}/verifications/resend", json=body)


def test_resend_refusals_in_miits_words(two):
    sb, app_id = two
    advance(sb, duration="61s")
    for body in ({"mobile": "13111111111"}, {"mobile": SITE, "id_last6": "000000"}):  # wrong or changed phone
        assert assert_error(resend(sb, app_id, **body), 404, "VERIFICATION_NOT_FOUND")["message"] == NO_RECORD
    listed = ok(resend(sb, app_id, mobile=SITE, id_last6=last6(SITE_OWNER)))  # MIIT's form: phone + ID digits
    assert [v["sends"] for v in listed] == [1, 2]
    ok(check(sb, app_id, ORG_BOSS, latest_codes(sb, app_id)[BOSS]))
    ok(check(sb, app_id, SITE_OWNER, latest_codes(sb, app_id)[SITE]))
    body = assert_error(resend(sb, app_id, mobile=SITE), 409, "SMS_RESEND_REFUSED")  # at the bureau now
    assert body["message"] == NOTHING_PENDING and body["reason"] == "NOT_PENDING"


def test_resend_has_a_cap(two):
    sb, app_id = two
    for _ in range(4):
        advance(sb, duration="61s")
        ok(sb.post(f"~/applications/{app_id}/verifications/resend", json={"person": "P2"}))
    advance(sb, duration="61s")
    body = assert_error(sb.post(f"~/applications/{app_id}/verifications/resend", json={"person": "P2"}), 429)
    assert body["reason"] == "TOO_MANY"


def test_timeout_when_one_has_not_verified(two):
    sb, app_id = two
    ok(check(sb, app_id, ORG_BOSS, latest_codes(sb, app_id)[BOSS]))
    advance(sb, duration="25h")
    app = get_app(sb, app_id)
    assert app["state"] == "provider_rejected" and app["audit_data"][0]["code"] == "SMS_TIMEOUT"
    assert app["wechat"] == {"status": 3, "sms_verify_status": None}  # returned to the provider (§5)
    info = ok(sb.get(f"~/applications/{app_id}/wechat"))["info"]
    assert info["status"] == 3 and info["sms_verify_status"] is None
    assert [e["key_name"] for e in info["audit_data"]] == [app["audit_data"][0]["key_name"]]  # the reason
    assert info["audit_data"] and set(info["audit_data"][0]) == {"key_name", "error", "suggest"}


def test_shared_mobile_gets_one_code(sandbox):
    register_domain(sandbox, "zhangsan-blog.cn")
    app = create_app(sandbox, personal_payload(usable_ip(sandbox)))
    act(sandbox, app["id"], "submit")
    app = to_sms(sandbox, app["id"])
    assert len(sms_messages(sandbox, app["id"])) == 1
    assert [(v["person"], v["roles"]) for v in app["verifications"]] == [("P1", ["entity", "website"])]
    code = latest_codes(sandbox, app["id"])["13800138000"]
    assert ok(verify(sandbox, app["id"], code))["state"] == "bureau_review"  # the one-box form: the code alone


def test_codes_are_deterministic(control):
    from api.flows import new_sandbox

    got = []
    for _ in range(2):
        sb = new_sandbox(control, seed=11)
        register_domain(sb, "moumou-tech.cn", holder_name=ORG_NAME, holder_cert=ORG_USCC)
        payload = org_payload([usable_ip(sb)], [("moumou-tech.cn", "某某科技官网")])
        payload["websites"][0]["responsible"] = SITE_OWNER
        app = create_app(sb, payload)
        act(sb, app["id"], "submit")
        to_sms(sb, app["id"])
        got.append(latest_codes(sb, app["id"]))
    assert got[0] == got[1]


def test_token_needed(two):
    sb, app_id = two
    assert_error(sb.get(f"~/applications/{app_id}/verifications", token="nope"), 401)
    assert_error(sb.post(f"~/applications/{app_id}/verifications/resend", json={}, token="nope"), 401)
    assert sb.get(f"~/applications/{app_id}/verifications", token=CONTROL).status_code == 200


def test_miit_page_is_served(app):
    client = app.test_client()
    page = client.get("/miit/verify")
    assert page.status_code == 200 and "短信核验" in page.get_data(as_text=True)
    assert client.get("/miit/verify.js").status_code == 200
    assert client.get("/miit/nope.js").status_code == 404


def test_an_order_from_before_per_person_checks_still_verifies(sandbox, r):
    """An order stored by an older version (one code for everybody) is upgraded when answered."""
    import json

    from backend.store import keys, tx as store

    register_domain(sandbox, "zhangsan-blog.cn")
    app = create_app(sandbox, personal_payload(usable_ip(sandbox)))
    act(sandbox, app["id"], "submit")
    to_sms(sandbox, app["id"])
    key = keys.collection(sandbox.sid, "applications")
    doc = store.decode(r.hget(key, app["id"]))
    code = doc["sms"]["people"][0]["code"]
    doc["sms"] = {"code": code, "sent_at": doc["sms"]["sent_at"], "wrong": 0, "recipients": ["13800138000"]}
    r.hset(key, app["id"], json.dumps(doc, ensure_ascii=False))
    assert_error(verify(sandbox, app["id"], wrong_code(code)), 422, "SMS_CODE_WRONG")
    assert ok(verify(sandbox, app["id"], code))["state"] == "bureau_review"
