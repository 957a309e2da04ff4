"""Materials (multipart uploads checked with Pillow, bytes on disk, metadata in Redis), the face-check
task, and the submit guard of the stages before submission (pre_submit_checks)."""

import pytest
from conftest import Api
from support.images import FAKE_PDF, huge_png, jpeg, png
from support.people import full_personal_payload, personal_payload

from api.flows import (
    advance,
    assert_error,
    confirm_contacts,
    create_app,
    field_errors,
    new_sandbox,
    ok,
    outbox,
    pass_face_check,
    register_domain,
    upload,
    usable_ip,
)


@pytest.fixture
def uploads(tmp_path, monkeypatch):
    monkeypatch.setenv("ICPSIM_UPLOADS_DIR", str(tmp_path / "uploads"))
    return tmp_path / "uploads"


def default_sandbox(control):
    """A sandbox whose creator says nothing about the stages (the server's default decides)."""
    resp = control.post("/api/v1/sandboxes", json={"seed": 7})
    data = ok(resp, 201)
    return Api(control.client, data["id"], data["token"])


@pytest.fixture
def strict(control):
    """The real stages: the server's default for a sandbox whose creator says nothing."""
    return default_sandbox(control)


def full_personal(ip):
    return full_personal_payload(ip)


def draft(sb, payload=None):
    register_domain(sb, "zhangsan-blog.cn")
    return create_app(sb, payload or full_personal(usable_ip(sb)))


def test_a_personal_order_needs_the_owner_id_and_the_commitment_letter(strict, uploads):
    app = draft(strict)
    slots = [row["slot"] for row in ok(strict.get(f"~/applications/{app['id']}/materials"))["slots"]]
    assert slots == ["entity_owner_id_front", "entity_owner_id_back", "commitment_letter"]


def test_an_upload_pillow_accepts_goes_to_disk_with_its_hash(strict, uploads):
    app = draft(strict)
    pass_face_check(strict, app["id"])  # 视频核身 → 上传材料 (process.md §4.1)
    data = png()
    doc = ok(upload(strict, app["id"], "entity_owner_id_front", data), 201)
    assert doc["width"] == 800 and doc["format"] == "PNG" and doc["status"] == "uploaded"
    import hashlib

    assert doc["sha256"] == hashlib.sha256(data).hexdigest()
    on_disk = uploads / doc["path"]
    assert on_disk.read_bytes() == data
    back = strict.get(f"~/applications/{app['id']}/materials/entity_owner_id_front")
    assert back.status_code == 200 and back.data == data and back.mimetype == "image/png"
    # replaced: one file per slot
    doc2 = ok(upload(strict, app["id"], "entity_owner_id_front", jpeg(), "id.jpg"), 201)
    assert doc2["version"] == 2 and not on_disk.exists() and (uploads / doc2["path"]).exists()


@pytest.mark.parametrize(
    "data,code",
    [
        (FAKE_PDF, "MATERIAL_NOT_IMAGE"),  # a PDF renamed .png
        (png(1, 1), "MATERIAL_RESOLUTION_TOO_LOW"),
        (png(800, 600)[:200], "MATERIAL_NOT_IMAGE"),  # truncated
        (b"", "MATERIAL_NOT_IMAGE"),
        (huge_png(30000, 30000), "MATERIAL_RESOLUTION_TOO_HIGH"),  # past Pillow's bomb cap: was "not an image"
        (huge_png(8000, 6251), "MATERIAL_RESOLUTION_TOO_HIGH"),  # under it: was decoded (150 MB) first
    ],
    ids=["renamed-pdf", "1x1", "truncated", "empty", "30000x30000", "50-megapixels"],
)
def test_uploads_pillow_refuses(strict, uploads, data, code):
    app = draft(strict)
    body = assert_error(upload(strict, app["id"], "commitment_letter", data, "letter.png"), 422, code)
    assert body["errors"]["file"]
    assert not list(uploads.rglob("*.png"))


def test_too_large_and_unknown_slot_and_no_file(strict, uploads):
    app = draft(strict)
    from backend.domain import limits

    big = b"\x89PNG" + b"0" * (limits.MAX_UPLOAD_BYTES + 10)
    resp = upload(strict, app["id"], "commitment_letter", big)
    assert resp.status_code in (413, 422), resp.status_code
    assert_error(upload(strict, app["id"], "entity_certificate", png()), 404, "MATERIAL_SLOT_NOT_REQUIRED")
    resp = strict.call(
        "POST", f"~/applications/{app['id']}/materials/commitment_letter", data={}, content_type="multipart/form-data"
    )
    assert_error(resp, 422, "UPLOAD_FILE_MISSING")


def test_uploads_go_with_the_sandbox(control, uploads):
    sb = default_sandbox(control)
    app = draft(sb)
    pass_face_check(sb, app["id"])
    ok(upload(sb, app["id"], "commitment_letter", png()), 201)
    assert (uploads / sb.sid).exists()
    assert control.delete(f"/api/v1/sandboxes/{sb.sid}").status_code == 204
    assert not (uploads / sb.sid).exists()


def test_no_upload_before_every_website_owner_passed_the_face_check(strict, uploads):
    app = draft(strict)
    body = assert_error(upload(strict, app["id"], "commitment_letter", png()), 409, "FACE_CHECK_FIRST")
    assert body["pending"] == ["websites.0.responsible"] and "真实性核验" in body["message"]
    assert not list(uploads.rglob("*.png"))  # nothing written
    [task] = ok(strict.post(f"~/applications/{app['id']}/face-checks"), 201)
    ok(strict.post(f"~/face-checks/{task['id']}/result", json={"passed": False, "reason": "occlusion"}))
    assert_error(upload(strict, app["id"], "commitment_letter", png()), 409, "FACE_CHECK_FIRST")  # failed: not yet
    ok(strict.post(f"~/face-checks/{task['id']}/result", json={"passed": True}))
    ok(upload(strict, app["id"], "commitment_letter", png()), 201)


def test_the_order_can_be_lifted_per_sandbox(control, uploads):
    sb = new_sandbox(control, settings={"pre_submit_checks": True, "face_check_before_materials": False})
    app = draft(sb)
    ok(upload(sb, app["id"], "commitment_letter", png()), 201)


def test_submit_is_refused_until_forms_face_check_and_materials_are_done(strict, uploads):
    register_domain(strict, "zhangsan-blog.cn")
    app = create_app(strict, personal_payload(usable_ip(strict)))  # the old, short form
    need = ok(strict.get(f"~/applications/{app['id']}/requirements"))
    stages = {m["stage"] for m in need["missing"]}
    assert (
        stages == {"agreement", "form", "phone", "face_check", "materials"} and need["enforced"] and not need["ready"]
    )
    body = assert_error(strict.post(f"~/applications/{app['id']}/actions/submit"), 409, "SUBMIT_NOT_READY")
    assert any(m["code"] == "FACE_CHECK_PENDING" for m in body["missing"])
    ok(strict.patch(f"~/applications/{app['id']}", json={"payload": full_personal(usable_ip(strict))}))
    confirm_contacts(strict, app["id"])
    pass_face_check(strict, app["id"])
    for slot in ("entity_owner_id_front", "entity_owner_id_back"):
        ok(upload(strict, app["id"], slot, png()), 201)
    body = assert_error(strict.post(f"~/applications/{app['id']}/actions/submit"), 409, "SUBMIT_NOT_READY")
    assert [m["path"] for m in body["missing"]] == ["commitment_letter"]
    ok(upload(strict, app["id"], "commitment_letter", png()), 201)
    assert ok(strict.get(f"~/applications/{app['id']}/requirements"))["ready"]
    assert ok(strict.post(f"~/applications/{app['id']}/actions/submit"))["state"] == "provider_review"


def test_with_the_stages_off_submission_works_as_before(sandbox, uploads):
    app = draft(sandbox, personal_payload(usable_ip(sandbox)))
    assert not ok(sandbox.get(f"~/applications/{app['id']}/requirements"))["enforced"]
    assert ok(sandbox.post(f"~/applications/{app['id']}/actions/submit"))["state"] == "provider_review"


def test_a_sandbox_created_without_settings_gets_the_real_stages_written_in(control, strict):
    """`strict` is such a sandbox: the tests above walk its stages (SUBMIT_NOT_READY until done)."""
    assert ok(control.get(f"/api/v1/sandboxes/{strict.sid}"))["settings"] == {"pre_submit_checks": True}


def test_icpsim_pre_submit_checks_0_makes_the_server_default_lenient(control, uploads, monkeypatch):
    monkeypatch.setenv("ICPSIM_PRE_SUBMIT_CHECKS", "0")
    sb = default_sandbox(control)
    assert "pre_submit_checks" not in ok(control.get(f"/api/v1/sandboxes/{sb.sid}"))["settings"]
    app = draft(sb, personal_payload(usable_ip(sb)))
    assert not ok(sb.get(f"~/applications/{app['id']}/requirements"))["enforced"]
    assert ok(sb.post(f"~/applications/{app['id']}/actions/submit"))["state"] == "provider_review"


def test_an_explicit_false_keeps_the_direct_submit_whatever_the_server_default(control, uploads, monkeypatch):
    monkeypatch.setenv("ICPSIM_PRE_SUBMIT_CHECKS", "1")
    resp = control.post("/api/v1/sandboxes", json={"seed": 7, "settings": {"pre_submit_checks": False}})
    data = ok(resp, 201)
    assert data["settings"] == {"pre_submit_checks": False}
    lenient = Api(control.client, data["id"], data["token"])
    app = draft(lenient, personal_payload(usable_ip(lenient)))
    assert ok(lenient.post(f"~/applications/{app['id']}/actions/submit"))["state"] == "provider_review"


# -- the face check ------------------------------------------------------------------------


def test_face_check_fails_with_a_reason_then_passes_and_reports_to_the_outbox(strict, uploads):
    app = draft(strict)
    [task] = ok(strict.post(f"~/applications/{app['id']}/face-checks"), 201)
    assert task["status"] == 0 and task["is_finish"] is False and task["notice_valid"]
    assert task["link"].startswith("/miniprogram/face.html?")
    failed = ok(strict.post(f"~/face-checks/{task['id']}/result", json={"passed": False, "reason": "occlusion"}))
    assert failed["status"] == 2 and not failed["is_finish"] and "遮挡" in failed["reason_zh"]
    passed = ok(strict.post(f"~/face-checks/{task['id']}/result", json={"passed": True}))
    assert passed["status"] == 3 and passed["is_finish"] and passed["attempts"] == 2
    assert_error(strict.post(f"~/face-checks/{task['id']}/result", json={"passed": True}), 409, "FACE_CHECK_FINISHED")
    texts = [m["text"] for m in outbox(strict) if m["code"].startswith("FACE_CHECK")]
    assert len(texts) == 3 and "通过" in texts[-1]
    sms = [m for m in outbox(strict) if m["code"] == "FACE_CHECK_NOTICE"]
    assert sms[0]["channel"] == "sms" and sms[0]["to"] == "13800138000"


def test_face_check_notice_expires_after_24h_and_can_be_resent_then_the_task_after_3_days(strict, uploads):
    app = draft(strict)
    [task] = ok(strict.post(f"~/applications/{app['id']}/face-checks"), 201)
    advance(strict, duration="25h")
    late = ok(strict.get(f"~/face-checks/{task['id']}"))
    assert late["status"] == 0 and not late["notice_valid"] and not late["is_finish"]
    assert_error(
        strict.post(f"~/face-checks/{task['id']}/result", json={"passed": True}), 409, "FACE_CHECK_NOTICE_EXPIRED"
    )
    fresh = ok(strict.post(f"~/face-checks/{task['id']}/resend"))  # after the 24 h: a new task (W5)
    assert fresh["notice_valid"] and fresh["id"] != task["id"]
    advance(strict, duration="3d")
    gone = ok(strict.get(f"~/face-checks/{fresh['id']}"))
    assert gone["status"] == 2 and gone["is_finish"] and gone["reason"] == "expired"
    # a new task for the same owner
    [again] = ok(strict.post(f"~/applications/{app['id']}/face-checks"), 201)
    assert again["id"] not in (task["id"], fresh["id"]) and again["status"] == 0


def test_face_check_fault_fails_the_first_attempt(control, uploads):
    sb = new_sandbox(control, settings={"pre_submit_checks": True, "face_check_faults": ["another_person"]})
    app = draft(sb)
    [task] = ok(sb.post(f"~/applications/{app['id']}/face-checks"), 201)
    first = ok(sb.post(f"~/face-checks/{task['id']}/result", json={"passed": True}))
    assert first["status"] == 2 and first["reason"] == "another_person"
    assert ok(sb.post(f"~/face-checks/{task['id']}/result", json={"passed": True}))["status"] == 3


def test_letter_templates_download(control):
    resp = control.client.get("/api/v1/templates/commitment_letter")
    assert resp.status_code == 200 and "attachment" in resp.headers["Content-Disposition"]
    assert "承诺书" in resp.get_data(as_text=True)
    assert_error(control.client.get("/api/v1/templates/nope"), 404, "TEMPLATE_NOT_FOUND")
    cities = ok(control.client.get("/api/v1/reference/divisions?parent=440000"))
    assert {"code": "440300", "name": "深圳市"} in cities


def test_the_real_forms_are_checked_at_entry(sandbox):
    register_domain(sandbox, "zhangsan-blog.cn")
    payload = full_personal(usable_ip(sandbox))
    payload["entity"]["mailing_address"]["district_code"] = "440106"  # 天河区 is in 广州, not 深圳
    payload["entity"]["responsible"]["emergency_phone"] = "13800138000"  # the owner's own mobile
    payload["entity"]["responsible"]["id_valid_until"] = "2026-06-10"  # under a month left
    payload["websites"][0]["languages"] = ["99"]
    resp = sandbox.post("~/applications", json={"kind": "first_filing", "payload": payload})
    field_errors(
        resp,
        "payload.entity.mailing_address.district_code",
        "payload.entity.responsible.emergency_phone",
        "payload.entity.responsible.id_valid_until",
        "payload.websites.0.languages.0",
    )


def ready_order(sb):
    app = draft(sb)
    confirm_contacts(sb, app["id"])
    pass_face_check(sb, app["id"])
    for slot in ("entity_owner_id_front", "entity_owner_id_back", "commitment_letter"):
        ok(upload(sb, app["id"], slot, png()), 201)
    return app


@pytest.mark.parametrize(
    "code", ["MATERIAL_BLURRY", "MATERIAL_WRONG_TEMPLATE", "MATERIAL_UNSIGNED", "MATERIAL_WRONG_WATERMARK"]
)
def test_the_reviewer_rejects_one_material_and_only_that_slot_is_uploaded_again(strict, uploads, code):
    from api.flows import CONTROL, until_idle

    ok(
        strict.post(
            "~/faults",
            token=CONTROL,
            json={
                "effect": "reject",
                "stage": "provider",
                "times": 1,
                "audit_data": [{"code": code, "field": "materials.commitment_letter"}],
            },
        ),
        201,
    )
    app = ready_order(strict)
    ok(strict.post(f"~/applications/{app['id']}/actions/submit"))
    until_idle(strict)
    got = ok(strict.get(f"~/applications/{app['id']}"))
    assert got["state"] == "provider_rejected"
    [entry] = got["audit_data"]
    assert entry["code"] == code and entry["field"] == "materials.commitment_letter" and entry["key_name"] != "主体信息"
    need = ok(strict.get(f"~/applications/{app['id']}/requirements"))["missing"]
    assert [(m["code"], m["path"]) for m in need] == [("MATERIAL_REJECTED", "commitment_letter")]
    assert_error(strict.post(f"~/applications/{app['id']}/actions/resubmit"), 409, "SUBMIT_NOT_READY")
    ok(upload(strict, app["id"], "commitment_letter", jpeg(), "letter-signed.jpg"), 201)
    assert ok(strict.get(f"~/applications/{app['id']}/requirements"))["ready"]
    assert ok(strict.post(f"~/applications/{app['id']}/actions/resubmit"))["state"] == "provider_review"
    until_idle(strict)  # the rule fired once; the reviewer finds the new, sharp photo fine
    assert ok(strict.get(f"~/applications/{app['id']}"))["state"] == "sms_verification"


def test_nothing_is_written_for_an_unknown_order_or_slot(strict, uploads):
    app = draft(strict)
    assert_error(upload(strict, "A0999", "commitment_letter", png()), 404, "APPLICATION_NOT_FOUND")
    assert_error(upload(strict, "..%2F..%2Fescape", "commitment_letter", png()), 404)
    assert_error(upload(strict, app["id"], "..%2Fentity_certificate", png()), 404)
    assert not uploads.exists() or not list(uploads.rglob("*.*"))
