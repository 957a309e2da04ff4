"""Phone OTP while filling the forms (process.md §2.1, §6.3, §9 item 2) and the agreement step
(§1.1, §9 item 5): REST, the outbox, and the pre-submission readiness when pre_submit_checks is on."""

import pytest
from support.images import png

from api.flows import (
    advance,
    assert_error,
    confirm_contacts,
    create_app,
    new_sandbox,
    ok,
    otp_code,
    outbox,
    register_domain,
    usable_ip,
    wrong_code,
)
from api.test_materials_and_face_check import full_personal, pass_face_check, upload

MOBILE = "13800138000"  # 张三's mobile (support/people.py)


@pytest.fixture
def uploads(tmp_path, monkeypatch):
    monkeypatch.setenv("ICPSIM_UPLOADS_DIR", str(tmp_path / "uploads"))


@pytest.fixture
def strict(control):
    return new_sandbox(control, settings={"pre_submit_checks": True})


def draft(sb):
    register_domain(sb, "zhangsan-blog.cn")
    return create_app(sb, full_personal(usable_ip(sb)))


def phones(sb, app_id):
    return ok(sb.get(f"~/applications/{app_id}/phone-checks"))


def test_a_code_goes_to_the_mobile_and_the_email_and_verifies_the_phone(strict):
    app = draft(strict)
    [phone] = phones(strict, app["id"])
    assert phone["mobile"] == MOBILE and phone["verified"] is False and phone["state"] is None
    sent = ok(strict.post(f"~/applications/{app['id']}/phone-checks/{MOBILE}/send"), 201)
    assert sent["state"] == "sent" and sent["attempts_left"] == 5 and "code" not in sent
    [sms] = [m for m in outbox(strict, channel="sms") if m["code"] == "PHONE_OTP_CODE"]
    assert sms["to"] == MOBILE and sms["sender"] == "腾讯云备案" and "5 分钟内有效" in sms["text"]
    code = otp_code(strict, app["id"], MOBILE)
    [mail] = [m for m in outbox(strict, channel="email") if m["code"] == "PHONE_OTP_CODE"]
    assert code in mail["text"] and mail["to"] == "zhangsan@example.com"
    done = ok(strict.post(f"~/applications/{app['id']}/phone-checks/{MOBILE}/verify", json={"code": code}))
    assert done["verified"] is True and done["verified_at"]
    assert phones(strict, app["id"])[0]["verified"] is True
    assert_error(strict.post(f"~/applications/{app['id']}/phone-checks/{MOBILE}/send"), 409, "PHONE_ALREADY_VERIFIED")


def test_the_code_is_drawn_from_the_seed(control):
    codes = []
    for _ in range(2):
        sb = new_sandbox(control, seed=7)
        app = draft(sb)
        ok(sb.post(f"~/applications/{app['id']}/phone-checks/{MOBILE}/send"), 201)
        codes.append(otp_code(sb, app["id"], MOBILE))
    assert codes[0] == codes[1]


def test_a_code_lives_five_virtual_minutes(strict):
    app = draft(strict)
    ok(strict.post(f"~/applications/{app['id']}/phone-checks/{MOBILE}/send"), 201)
    code = otp_code(strict, app["id"], MOBILE)
    advance(strict, duration="5m")
    assert phones(strict, app["id"])[0]["state"] == "void"
    assert_error(
        strict.post(f"~/applications/{app['id']}/phone-checks/{MOBILE}/verify", json={"code": code}),
        409,
        "PHONE_CODE_EXPIRED",
    )
    ok(strict.post(f"~/applications/{app['id']}/phone-checks/{MOBILE}/send"), 201)  # a new code
    fresh = otp_code(strict, app["id"], MOBILE)
    assert fresh != code
    ok(strict.post(f"~/applications/{app['id']}/phone-checks/{MOBILE}/verify", json={"code": fresh}))


def test_five_wrong_entries_spend_the_code(strict):
    app = draft(strict)
    url = f"~/applications/{app['id']}/phone-checks/{MOBILE}"
    assert_error(strict.post(url + "/verify", json={"code": "123456"}), 409, "PHONE_CODE_NOT_SENT")
    ok(strict.post(url + "/send"), 201)
    code = otp_code(strict, app["id"], MOBILE)
    for left in (4, 3, 2, 1):
        body = assert_error(strict.post(url + "/verify", json={"code": wrong_code(code)}), 422, "PHONE_CODE_WRONG")
        assert body["attempts_left"] == left and body["errors"]["code"]
    assert_error(strict.post(url + "/verify", json={"code": wrong_code(code)}), 409, "PHONE_CODE_SPENT")
    # after it, a code (wrong or the spent one) is answered as spent, not as never sent
    assert_error(strict.post(url + "/verify", json={"code": wrong_code(code)}), 409, "PHONE_CODE_SPENT")
    assert_error(strict.post(url + "/verify", json={"code": code}), 409, "PHONE_CODE_SPENT")


def test_resend_waits_sixty_seconds_and_stops_after_five_codes_a_day(strict):
    app = draft(strict)
    url = f"~/applications/{app['id']}/phone-checks/{MOBILE}/send"
    ok(strict.post(url), 201)
    assert_error(strict.post(url), 429, "PHONE_CODE_TOO_SOON")
    for _ in range(4):
        advance(strict, duration="1m")
        ok(strict.post(url), 201)
    advance(strict, duration="1m")
    assert_error(strict.post(url), 429, "PHONE_CODE_TOO_MANY_SENDS")
    advance(strict, duration="24h")
    ok(strict.post(url), 201)


def test_a_mobile_the_order_does_not_name_is_refused(strict):
    app = draft(strict)
    assert_error(strict.post(f"~/applications/{app['id']}/phone-checks/13900001111/send"), 404, "PHONE_NOT_IN_ORDER")
    bad = strict.post(f"~/applications/{app['id']}/phone-checks/{MOBILE}/verify", json={"code": "12ab"})
    assert bad.status_code == 422


def test_an_edited_mobile_must_be_verified_again(strict):
    app = draft(strict)
    confirm_contacts(strict, app["id"])
    assert not [
        m for m in ok(strict.get(f"~/applications/{app['id']}/requirements"))["missing"] if m["stage"] == "phone"
    ]
    ok(
        strict.patch(
            f"~/applications/{app['id']}", json={"payload": {"entity": {"responsible": {"mobile": "13700137000"}}}}
        )
    )
    need = ok(strict.get(f"~/applications/{app['id']}/requirements"))["missing"]
    assert [(m["code"], m["path"]) for m in need if m["stage"] == "phone"] == [
        ("PHONE_NOT_VERIFIED", "entity.responsible.mobile")
    ]


def test_the_agreement_is_recorded_on_the_order(strict):
    app = draft(strict)
    got = ok(strict.get(f"~/applications/{app['id']}/agreement"))
    assert got == {"title": "腾讯云备案服务信息收集及使用说明", "accepted": False, "accepted_at": None}
    accepted = ok(strict.post(f"~/applications/{app['id']}/agreement"))
    assert accepted["accepted"] and accepted["accepted_at"]
    again = ok(strict.post(f"~/applications/{app['id']}/agreement"))
    assert again["accepted_at"] == accepted["accepted_at"]  # the first acceptance is kept
    assert ok(strict.get(f"~/applications/{app['id']}"))["agreement"]["accepted_at"] == accepted["accepted_at"]


def test_submit_needs_the_agreement_and_the_verified_phones(strict, uploads):
    app = draft(strict)
    pass_face_check(strict, app["id"])
    for slot in ("entity_owner_id_front", "entity_owner_id_back", "commitment_letter"):
        ok(upload(strict, app["id"], slot, png()), 201)
    need = ok(strict.get(f"~/applications/{app['id']}/requirements"))["missing"]
    assert [(m["stage"], m["code"], m["path"]) for m in need] == [
        ("agreement", "AGREEMENT_NOT_ACCEPTED", "agreement"),
        ("phone", "PHONE_NOT_VERIFIED", "entity.responsible.mobile"),
    ]
    body = assert_error(strict.post(f"~/applications/{app['id']}/actions/submit"), 409, "SUBMIT_NOT_READY")
    assert MOBILE in body["message"] and "腾讯云备案服务信息收集及使用说明" in body["message"]
    confirm_contacts(strict, app["id"])
    assert ok(strict.get(f"~/applications/{app['id']}/requirements"))["ready"]
    assert ok(strict.post(f"~/applications/{app['id']}/actions/submit"))["state"] == "provider_review"


def test_without_pre_submit_checks_nothing_is_asked(sandbox):
    app = draft(sandbox)
    assert ok(sandbox.post(f"~/applications/{app['id']}/actions/submit"))["state"] == "provider_review"
