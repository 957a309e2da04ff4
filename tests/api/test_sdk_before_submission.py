"""The SDK's calls for the stages before submission (mock_miniprogram/sdk.py; README "Before
submission"): a strict first filing goes from create to approved through the SDK alone —
requirements, the agreement, the phone's OTP read on the simulated phone, the face check, the
materials as multipart uploads — and the phone-locality registry is read and replaced."""

import pytest
from conftest import CONTROL
from support.flask_http import BASE_URL, FlaskSession
from support.images import png
from support.people import personal_payload

from mock_miniprogram.sdk import Control, IcpsimError


@pytest.fixture
def uploads(tmp_path, monkeypatch):
    monkeypatch.setenv("ICPSIM_UPLOADS_DIR", str(tmp_path / "uploads"))


def full_personal(ip):
    payload = personal_payload(ip)
    payload["entity"].update(
        certificate_address="广东省深圳市南山区科技园路 1 号",
        mailing_address={
            "province_code": "440000",
            "city_code": "440300",
            "district_code": "440305",
            "street": "科技园路 1 号",
        },
    )
    payload["entity"]["responsible"].update(emergency_phone="13900001111", id_valid_until="长期")
    payload["websites"][0]["languages"] = ["1"]
    return payload


def stages(sb, app_id):
    return {row["stage"] for row in sb.requirements(app_id)["missing"]}


def test_a_strict_filing_through_the_sdk_alone(app, uploads):
    control = Control(BASE_URL, CONTROL, session=FlaskSession(app))
    sb = control.new_sandbox(seed=5, settings={"pre_submit_checks": True})
    sb.create_domain("zhangsan-blog.cn", "张三", "440305199001010018")
    verified = sb.verify_filing_type(
        province="44",
        entity_type="personal",
        certificate_type="resident_id",
        certificate_number="440305199001010018",
        domains=["zhangsan-blog.cn"],
    )
    assert verified["scenario"] == "first_filing"
    order = sb.create_application("first_filing", full_personal(sb.eligibility()["usable_ips"][0]["ip"]))
    app_id = order["id"]
    assert stages(sb, app_id) == {"agreement", "phone", "face_check", "materials"}

    assert sb.accept_agreement(app_id)["accepted"] is True
    assert sb.agreement(app_id)["accepted"] is True
    assert [c["state"] for c in sb.phone_checks(app_id)] == [None]
    sent = sb.send_phone_code(app_id, "13800138000")
    assert sent["state"] == "sent" and "code" not in sent
    code = sb.phone_code("13800138000")  # read on the simulated phone (the outbox)
    with pytest.raises(IcpsimError) as wrong:
        sb.verify_phone(app_id, "13800138000", "000000" if code != "000000" else "111111")
    assert wrong.value.status == 422 and wrong.value.code == "PHONE_CODE_WRONG"
    assert sb.verify_phone(app_id, "13800138000", code)["verified"] is True
    assert stages(sb, app_id) == {"face_check", "materials"}

    # 视频核身 → 上传材料: an upload before the face check is refused
    with pytest.raises(IcpsimError) as early:
        sb.upload_material(app_id, "commitment_letter", png())
    assert early.value.code == "FACE_CHECK_FIRST"
    tasks = sb.start_face_checks(app_id)
    failed = sb.face_check_result(tasks[0]["id"], False, "occlusion")
    assert (failed["status"], failed["is_finish"]) == (2, False)
    assert sb.face_check_result(tasks[0]["id"], True)["status"] == 3
    assert sb.face_check(tasks[0]["id"])["is_finish"] is True
    assert [t["status"] for t in sb.face_checks(app_id)] == [3]

    for slot in ("entity_owner_id_front", "entity_owner_id_back", "commitment_letter"):
        doc = sb.upload_material(app_id, slot, png(), filename=f"{slot}.png")
        assert doc["slot"] == slot and doc["width"] >= 300
    with pytest.raises(IcpsimError) as renamed:
        sb.upload_material(app_id, "commitment_letter", b"%PDF-1.4 not an image", filename="fake.png")
    assert renamed.value.status == 422
    assert sb.materials(app_id)["missing"] == []
    assert sb.requirements(app_id)["ready"] is True

    sb.act(app_id, "submit")
    sb.advance(until_idle=True)
    sb.verify_sms(app_id, sb.sms_code(app_id))
    sb.advance(until_idle=True)
    assert sb.application(app_id)["state"] == "approved"


def test_the_mobile_registry_is_read_with_the_sandbox_and_replaced_with_the_control_token(app):
    control = Control(BASE_URL, CONTROL, session=FlaskSession(app))
    sb = control.new_sandbox(seed=5, settings={"mobile_registry": {"13800138000": "32"}})
    assert sb.mobile_registry() == {"13800138000": "32"}
    assert sb.set_mobile_registry({"13900139000": "江苏省"}) == {"13900139000": "江苏省"}
    assert sb.mobile_registry() == {"13900139000": "江苏省"}
    alone = type(sb)(BASE_URL, sb.sid, sb.token, session=FlaskSession(app))  # no control token
    with pytest.raises(IcpsimError) as refused:
        alone.set_mobile_registry({})
    assert refused.value.status in (401, 403)
