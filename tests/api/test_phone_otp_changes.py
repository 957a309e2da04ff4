"""A change order's new mobiles are OTP-verified too (process.md §2.1 "手机号码: OTP-verified on
entry", §5 "Changed phone: change filing / new site: the new number may be verified"): with
`pre_submit_checks`, the 主体负责人 / 网站负责人 mobile a 变更备案 or 变更网站 sets anew is a
PHONE_NOT_VERIFIED requirement until its code is typed back; an unchanged mobile asks nothing,
and no agreement, face check or material is added for the change kinds."""

import pytest

from api.chat_flows import Chat, one, start_kind
from api.flows import act, assert_error, confirm_contacts, create_app, get_app, new_sandbox, ok, otp_code, outbox
from api.kinds_flows import ORG_BOSS, SITE_OWNER, seed_org

NEW = "13600136000"
SITE = "粤ICP备19000123号-1"


@pytest.fixture
def strict(control):
    """A strict sandbox (the server's default) whose account has 王五's organisation, with one
    website, filed at Tencent."""
    sb = new_sandbox(control, settings={"pre_submit_checks": True})
    seed_org(sb, provider="tencent", account="self")
    return sb


def requirements(sb, app_id):
    return ok(sb.get(f"~/applications/{app_id}/requirements"))


def missing(sb, app_id):
    return [(m["stage"], m["code"], m["path"]) for m in requirements(sb, app_id)["missing"]]


def phones(sb, app_id):
    return ok(sb.get(f"~/applications/{app_id}/phone-checks"))


def test_a_new_entity_owner_mobile_is_verified_before_the_submit(strict):
    app = create_app(strict, {"entity": {"responsible": {"mobile": NEW}}}, kind="change_filing")
    assert missing(strict, app["id"]) == [("phone", "PHONE_NOT_VERIFIED", "entity.responsible.mobile")]
    [phone] = phones(strict, app["id"])  # the name and e-mail the change leaves out: the record's
    assert (phone["mobile"], phone["name"], phone["verified"]) == (NEW, ORG_BOSS["name"], False)
    body = assert_error(strict.post(f"~/applications/{app['id']}/actions/submit"), 409, "SUBMIT_NOT_READY")
    assert NEW in body["message"] and [m["stage"] for m in body["missing"]] == ["phone"]
    # the old mobile is not asked for: the change does not type it
    assert_error(strict.post(f"~/applications/{app['id']}/phone-checks/{ORG_BOSS['mobile']}/send"), 404)

    ok(strict.post(f"~/applications/{app['id']}/phone-checks/{NEW}/send"), 201)
    [sms] = [m for m in outbox(strict, channel="sms") if m["code"] == "PHONE_OTP_CODE"]
    assert sms["to"] == NEW and sms["sender"] == "腾讯云备案" and "5 分钟内有效" in sms["text"]
    code = otp_code(strict, app["id"], NEW)
    [mail] = [m for m in outbox(strict, channel="email") if m["code"] == "PHONE_OTP_CODE"]
    assert mail["to"] == ORG_BOSS["email"] and code in mail["text"]
    ok(strict.post(f"~/applications/{app['id']}/phone-checks/{NEW}/verify", json={"code": code}))
    ready = requirements(strict, app["id"])
    assert ready["ready"] and ready["missing"] == []
    assert act(strict, app["id"], "submit")["state"] == "provider_review"


def test_an_unchanged_mobile_or_no_mobile_asks_nothing(strict):
    same = create_app(
        strict,
        {"entity": {"address": "广东省深圳市福田区深南大道 100 号", "responsible": {"mobile": ORG_BOSS["mobile"]}}},
        kind="change_filing",
    )
    assert missing(strict, same["id"]) == [] and phones(strict, same["id"]) == []
    assert act(strict, same["id"], "submit")["state"] == "provider_review"


def test_a_website_keeping_its_owner_mobile_asks_nothing(strict):
    # the seeded website names no owner of its own: the entity's 王五 is its owner on record
    keep = {"websites": [{"website_number": SITE, "name": "某某科技", "responsible": {"mobile": ORG_BOSS["mobile"]}}]}
    app = create_app(strict, keep, kind="change_website")
    assert "website_id" in app["payload"]["websites"][0]  # the record the mobile is compared with
    assert missing(strict, app["id"]) == [] and phones(strict, app["id"]) == []


def test_a_change_without_a_mobile_submits_as_before(strict):
    app = create_app(strict, {"entity": {"address": "广东省深圳市福田区深南大道 100 号"}}, kind="change_filing")
    assert requirements(strict, app["id"])["ready"] and phones(strict, app["id"]) == []
    assert act(strict, app["id"], "submit")["state"] == "provider_review"


def test_a_website_owner_change_verifies_the_new_mobile(strict):
    app = create_app(strict, {"websites": [{"website_number": SITE, "responsible": SITE_OWNER}]}, kind="change_website")
    assert missing(strict, app["id"]) == [("phone", "PHONE_NOT_VERIFIED", "websites.0.responsible.mobile")]
    assert_error(strict.post(f"~/applications/{app['id']}/actions/submit"), 409, "SUBMIT_NOT_READY")
    confirm_contacts(strict, app["id"])  # the helper the first filing's tests use
    assert act(strict, app["id"], "submit")["state"] == "provider_review"


def test_one_code_for_a_mobile_two_changed_people_share(strict):
    payload = {
        "entity": {"responsible": {"mobile": NEW}},
        "websites": [{"website_number": SITE, "responsible": {"mobile": NEW}}],
    }
    app = create_app(strict, payload, kind="change_filing")
    [phone] = phones(strict, app["id"])
    assert phone["paths"] == ["entity.responsible", "websites.0.responsible"]
    assert missing(strict, app["id"]) == [("phone", "PHONE_NOT_VERIFIED", "entity.responsible.mobile")]


def test_an_edit_back_to_the_recorded_mobile_drops_the_step(strict):
    app = create_app(strict, {"entity": {"responsible": {"mobile": NEW}}}, kind="change_filing")
    assert [m[0] for m in missing(strict, app["id"])] == ["phone"]
    patch = {"payload": {"entity": {"responsible": {"mobile": ORG_BOSS["mobile"]}}}}
    ok(strict.patch(f"~/applications/{app['id']}", json=patch))
    assert missing(strict, app["id"]) == []


def test_a_lenient_sandbox_asks_nothing(control):
    sb = new_sandbox(control)  # pre_submit_checks false
    seed_org(sb, provider="tencent", account="self")
    app = create_app(sb, {"entity": {"responsible": {"mobile": NEW}}}, kind="change_filing")
    assert not requirements(sb, app["id"])["enforced"]
    assert act(sb, app["id"], "submit")["state"] == "provider_review"


def test_the_chat_asks_for_the_new_mobile_code(strict):
    chat = Chat(strict)
    start_kind(chat, "change_filing")
    assert chat.form(responsible=True)["step"] == "form.responsible_change"
    assert chat.form(mobile=NEW)["step"] == "confirm", chat.last
    listed = chat.choose("submit")
    assert listed["step"] == "checklist", [(m["code"], m.get("text")) for m in listed["messages"]]
    msg = one(listed, "CHECKLIST")
    assert [row["stage"] for row in msg["checklist"]["missing"]] == ["phone"]
    assert [c["value"] for c in msg["choices"]] == [f"otp:{NEW}", "refresh", "back"]
    asked = chat.choose(f"otp:{NEW}")
    assert asked["step"] == "checklist.otp" and "136****6000" in one(asked, "CHECKLIST_OTP")["text"]
    verified = chat.send(text=otp_code(strict, listed["application_id"], NEW))
    assert verified["step"] == "checklist" and one(verified, "CHECKLIST")["checklist"]["missing"] == []
    assert chat.choose("refresh")["step"] == "tracking"
    assert get_app(strict, listed["application_id"])["state"] == "provider_review"
