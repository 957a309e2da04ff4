"""The stages before submission in the conversation (issue #12): in a sandbox that enforces them
(`pre_submit_checks`), the chat's submit leads to the `checklist` step — the missing form fields
asked as a form (checked by the services like REST), links to the upload and face pages, a
re-check — and from there to a submit that succeeds."""

import io

import pytest
from support.images import png

from api.chat_flows import Chat, fields, one, to_confirm
from api.flows import new_sandbox, ok, otp_code, register_domain, wrong_code


@pytest.fixture
def uploads(tmp_path, monkeypatch):
    monkeypatch.setenv("ICPSIM_UPLOADS_DIR", str(tmp_path / "uploads"))
    return tmp_path / "uploads"


@pytest.fixture
def strict(control):
    return new_sandbox(control, settings={"pre_submit_checks": True})


def stages(body):
    return {row["stage"] for row in one(body, "CHECKLIST")["checklist"]["missing"]}


def to_checklist(sb):
    register_domain(sb, "zhangsan-blog.cn")
    chat = to_confirm(Chat(sb))
    body = chat.choose("submit")
    assert body["step"] == "checklist", [(m["code"], m.get("text")) for m in body["messages"]]
    return chat, body


def test_a_strict_sandbox_walks_the_checklist_to_a_submit(strict, uploads):
    chat, body = to_checklist(strict)
    app_id = body["application_id"]
    assert stages(body) == {"agreement", "form", "phone", "face_check", "materials"}
    msg = one(body, "CHECKLIST")
    values = [c["value"] for c in msg["choices"]]
    assert values[:3] == ["agree", "fields", "otp:13800138000"]
    assert "face" in values and "refresh" in values and "back" in values
    prepare = msg["checklist"]["links"]["prepare"]
    assert prepare == f"/miniprogram/prepare.html?sandbox={strict.sid}&app={app_id}"
    # 视频核身 → 上传材料 (process.md §4.1): no upload reply while the face check is pending
    assert not [v for v in values if v.startswith("upload:")] and "请上传" in msg["text"]

    # the form fields: a form of just the missing ones, checked by the services like REST
    form = chat.choose("fields")
    assert form["step"] == "form.checklist"
    asked = set(fields(one(form, "FORM_CHECKLIST")))
    assert {"certificate_address", "emergency_phone", "id_valid_until", "province_code", "street", "languages"} <= asked
    assert "investor" not in asked  # a person's investor is themselves (process.md §2.1)
    bad = chat.form(
        emergency_phone="12",
        id_valid_until="长期",
        province_code="440000",
        city_code="440300",
        district_code="440305",
        street="科技园路 1 号",
        languages="1",
    )
    assert bad["step"] == "form.checklist" and "emergency_phone" in one(bad, "INVALID_ANSWER")["errors"]
    good = chat.form(
        certificate_address="广东省深圳市南山区科技园路 1 号",
        emergency_phone="13900001111",
        id_valid_until="长期",
        province_code="440000",
        city_code="440300",
        district_code="440305",
        street="科技园路 1 号",
        languages="1",
    )
    assert good["step"] == "checklist", [(m["code"], m.get("errors")) for m in good["messages"]]
    assert stages(good) == {"agreement", "phone", "face_check", "materials"}

    # the agreement (process.md §1.1), then the mobile's OTP read from the simulated phone (§2.1)
    agreed = chat.choose("agree")
    assert agreed["step"] == "checklist" and stages(agreed) == {"phone", "face_check", "materials"}
    asked = chat.choose("otp:13800138000")
    assert asked["step"] == "checklist.otp" and "138****8000" in one(asked, "CHECKLIST_OTP")["text"]
    malformed = one(chat.send(text="12 34"), "INVALID_ANSWER")
    assert "验证码为 6 位数字" in malformed["text"] and "重新提交" not in malformed["text"]
    code = otp_code(strict, app_id, "13800138000")
    wrong = chat.send(text=wrong_code(code))
    assert wrong["step"] == "checklist.otp" and one(wrong, "INVALID_ANSWER")["errors"]["code"]
    verified = chat.send(text=code)
    assert verified["step"] == "checklist" and stages(verified) == {"face_check", "materials"}
    assert "otp:13800138000" not in [c["value"] for c in one(verified, "CHECKLIST")["choices"]]

    # the face check: the reply starts the task and shows the face page; the phone passes it (REST)
    face = chat.choose("face")
    tasks = one(face, "FACE_CHECK_SENT")["tasks"]
    assert tasks and all(t["link"].startswith("/miniprogram/face.html?") for t in tasks)
    for task in tasks:
        ok(strict.post(f"~/face-checks/{task['id']}/result", json={"passed": True}))
    msg = one(chat.choose("refresh"), "CHECKLIST")
    slots = [c["value"].split(":", 1)[1] for c in msg["choices"] if c["value"].startswith("upload:")]
    assert slots == ["entity_owner_id_front", "entity_owner_id_back", "commitment_letter"]
    assert all(c["action"]["open"] == prepare for c in msg["choices"] if c["value"].startswith("upload:"))

    # an upload cannot travel in a chat reply: its reply says where to upload
    said = chat.choose("upload:commitment_letter")
    assert said["step"] == "checklist" and prepare in one(said, "UPLOAD_HOW")["text"]

    # the materials through the REST multipart endpoint, then "check again"
    for slot in slots[:-1]:
        ok(
            strict.call(
                "POST",
                f"~/applications/{app_id}/materials/{slot}",
                data={"file": (io.BytesIO(png()), "x.png")},
                content_type="multipart/form-data",
            ),
            201,
        )
    again = chat.choose("refresh")
    assert again["step"] == "checklist" and stages(again) == {"materials"}
    ok(
        strict.call(
            "POST",
            f"~/applications/{app_id}/materials/{slots[-1]}",
            data={"file": (io.BytesIO(png()), "x.png")},
            content_type="multipart/form-data",
        ),
        201,
    )
    done = chat.choose("refresh")
    assert done["step"] == "tracking", [(m["code"], m.get("text")) for m in done["messages"]]
    assert ok(strict.get(f"~/applications/{app_id}"))["state"] == "provider_review"


def test_back_from_the_checklist_returns_to_the_recap(strict, uploads):
    chat, _ = to_checklist(strict)
    assert chat.choose("back")["step"] == "confirm"
    assert chat.choose("submit")["step"] == "checklist"  # the order is still not ready


def test_a_lenient_sandbox_never_shows_the_checklist(sandbox, uploads):
    register_domain(sandbox, "zhangsan-blog.cn")
    chat = to_confirm(Chat(sandbox))
    assert chat.choose("submit")["step"] == "tracking"


def test_icpsim_chat_prints_the_checklist_links(strict, uploads):
    """`icpsim chat` renders the checklist: its replies numbered and the pages' addresses."""
    from types import SimpleNamespace

    from mock_miniprogram.terminal import Terminal

    chat, body = to_checklist(strict)
    face = chat.choose("face")
    out = io.StringIO()
    term = Terminal(SimpleNamespace(base_url="http://127.0.0.1:1", sid=strict.sid), stdout=out)
    for msg in body["messages"] + face["messages"]:
        term.render(msg)
    text = out.getvalue()
    assert f"http://127.0.0.1:1/miniprogram/prepare.html?sandbox={strict.sid}&app={body['application_id']}" in text
    assert "http://127.0.0.1:1/miniprogram/face.html?sandbox=" in text and "2) 填写缺少的信息" in text
    assert "1) 我已阅读并同意《腾讯云备案服务信息收集及使用说明》" in text and "3) 获取验证码：张三 138****8000" in text


def test_the_fields_answered_at_the_checklist_survive_a_trip_back_to_the_recap(strict, uploads):
    chat, _ = to_checklist(strict)
    chat.choose("fields")
    body = chat.form(
        certificate_address="广东省深圳市南山区科技园路 1 号",
        emergency_phone="13900001111",
        id_valid_until="长期",
        province_code="440000",
        city_code="440300",
        district_code="440305",
        street="科技园路 1 号",
        languages="1",
    )
    assert stages(body) == {"agreement", "phone", "face_check", "materials"}
    assert chat.choose("back")["step"] == "confirm"
    again = chat.choose("submit")
    assert again["step"] == "checklist" and stages(again) == {"agreement", "phone", "face_check", "materials"}
