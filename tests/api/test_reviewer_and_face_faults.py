"""Issue #12, the gaps before submission: a face check failed through the /faults API (effect
face_fail), its result pushed to webhooks like WeChat's notify_icpfiling_verify_result, and the
seeded provider reviewer rejecting an uploaded material by itself (blur measured at upload, a
seeded rate for the rest) — the user then uploads that slot again, and only that one."""

import pytest
from support.images import blank_jpeg, blurry_png, jpeg, png
from support.webhook_receiver import Receiver, signature_ok

from api.flows import CONTROL, assert_error, confirm_contacts, field_errors, new_sandbox, ok, outbox, until_idle
from api.test_materials_and_face_check import draft, pass_face_check, upload

PERSONAL_SLOTS = ("entity_owner_id_front", "entity_owner_id_back", "commitment_letter")


@pytest.fixture
def uploads(tmp_path, monkeypatch):
    monkeypatch.setenv("ICPSIM_UPLOADS_DIR", str(tmp_path / "uploads"))
    return tmp_path / "uploads"


def strict_sandbox(control, **settings):
    return new_sandbox(control, seed=7, settings={"pre_submit_checks": True, **settings})


def fault(sb, **rule):
    return ok(sb.post("~/faults", json=rule, token=CONTROL), 201)


def result(sb, task_id, passed=True, reason=None):
    body = {"passed": passed} | ({"reason": reason} if reason else {})
    return ok(sb.post(f"~/face-checks/{task_id}/result", json=body))


# -- face_fail through /faults ---------------------------------------------------------------


def test_a_face_fail_rule_fails_the_next_attempt_once(control, uploads):
    sb = strict_sandbox(control)
    rule = fault(sb, effect="face_fail", reason="another_person")
    assert rule["stage"] == "face" and rule["times"] == 1 and rule["reason"] == "another_person"
    app = draft(sb)
    [task] = ok(sb.post(f"~/applications/{app['id']}/face-checks"), 201)
    first = result(sb, task["id"])
    assert first["status"] == 2 and not first["is_finish"] and first["reason"] == "another_person"
    assert "其他人" in first["reason_zh"]
    assert [f["used"] for f in ok(sb.get("~/faults", token=CONTROL))] == [1]
    assert result(sb, task["id"])["status"] == 3  # once: the retry passes
    texts = [m["text"] for m in outbox(sb) if m["code"] == "FACE_CHECK_RESULT"]
    assert "未通过" in texts[0] and "通过" in texts[1]


def test_a_face_fail_rule_never_turns_a_reported_failure_into_another(control, uploads):
    sb = strict_sandbox(control)
    fault(sb, effect="face_fail", reason="background")
    app = draft(sb)
    [task] = ok(sb.post(f"~/applications/{app['id']}/face-checks"), 201)
    assert result(sb, task["id"], passed=False, reason="occlusion")["reason"] == "occlusion"
    assert [f["used"] for f in ok(sb.get("~/faults", token=CONTROL))] == [0]  # kept for a passing attempt
    assert result(sb, task["id"])["reason"] == "background"


def test_face_fail_filters_and_the_setting_goes_first(control, uploads):
    sb = strict_sandbox(control, face_check_faults=["permission_denied"])
    fault(sb, effect="face_fail", reason="occlusion", app_id="A0999")  # another order: never matches
    fault(sb, effect="face_fail", reason="orientation", kind="first_filing", times=2)
    app = draft(sb)
    [task] = ok(sb.post(f"~/applications/{app['id']}/face-checks"), 201)
    reasons = [result(sb, task["id"])["reason"] for _ in range(3)]
    assert reasons == ["permission_denied", "orientation", "orientation"]
    assert result(sb, task["id"])["status"] == 3
    assert [f["used"] for f in ok(sb.get("~/faults", token=CONTROL))] == [0, 2]


def test_face_fail_probability_comes_from_the_seed(control, uploads):
    runs = []
    for _ in range(2):
        sb = strict_sandbox(control)  # the same seed each time (new_sandbox's)
        fault(sb, effect="face_fail", reason="background", probability=0.5, times="always")
        app = draft(sb)
        [task] = ok(sb.post(f"~/applications/{app['id']}/face-checks"), 201)
        outcome = []
        for _ in range(6):
            done = result(sb, task["id"])
            outcome.append(done["status"])
            if done["is_finish"]:
                break
        runs.append(outcome)
    assert runs[0] == runs[1] and runs[0][-1] == 3


def test_face_fail_rules_are_validated_with_zh_messages(sandbox):
    field_errors(sandbox.post("~/faults", json={"effect": "face_fail"}, token=CONTROL), "reason")
    field_errors(sandbox.post("~/faults", json={"effect": "face_fail", "reason": "expired"}, token=CONTROL), "reason")
    field_errors(
        sandbox.post("~/faults", json={"effect": "face_fail", "reason": "occlusion", "stage": "sms"}, token=CONTROL),
        "stage",
    )
    field_errors(sandbox.post("~/faults", json={"effect": "reject", "reason": "occlusion"}, token=CONTROL), "reason")
    field_errors(
        sandbox.post("~/faults", json={"effect": "face_fail", "reason": "occlusion", "probability": 2}, token=CONTROL),
        "probability",
    )


# -- the face-check result as a webhook ----------------------------------------------------


def test_face_check_results_are_pushed_like_notify_icpfiling_verify_result(control, uploads, monkeypatch):
    monkeypatch.setenv("ICPSIM_WEBHOOK_ALLOW_LOOPBACK", "1")
    sb = strict_sandbox(control)
    with Receiver() as rec:
        secret = ok(sb.post("~/webhooks", json={"url": rec.url, "events": ["face_check.result"]}), 201)["secret"]
        fault(sb, effect="face_fail", reason="occlusion")
        app = draft(sb)
        [task] = ok(sb.post(f"~/applications/{app['id']}/face-checks"), 201)
        result(sb, task["id"])
        result(sb, task["id"])
        events = rec.events()
    assert all(signature_ok(c, secret) for c in rec.calls)
    assert [e["type"] for e in events] == ["face_check.result"] * 2
    failed, passed = events
    for e in events:
        assert e["InfoType"] == "notify_icpfiling_verify_result" and e["AppId"] == "icpsim"
        assert e["task_id"] == task["id"] and e["verify_appid"] == sb.sid and isinstance(e["CreateTime"], int)
    assert failed["result"] == 2 and passed["result"] == 3
    assert failed["icpsim"]["is_finish"] is False and failed["icpsim"]["reason"] == "occlusion"
    assert "遮挡" in failed["icpsim"]["reason_zh"] and failed["icpsim"]["face_status"] == 2
    assert passed["icpsim"]["is_finish"] is True and passed["icpsim"]["attempts"] == 2
    assert passed["icpsim"]["application_id"] == app["id"] and passed["icpsim"]["person"]["name"] == "张三"
    log = ok(sb.get("~/webhooks/deliveries"))
    assert {d["app_id"] for d in log} == {app["id"]} and all(d["state"] == "delivered" for d in log)


def test_the_face_check_event_type_can_be_subscribed_and_unknown_ones_cannot(sandbox):
    field_errors(sandbox.post("~/webhooks", json={"url": "https://example.com/x", "events": ["face.nope"]}), "events.0")


# -- the seeded reviewer's own material rejections -------------------------------------------


def ready_order(sb, images):
    app = draft(sb)
    confirm_contacts(sb, app["id"])
    pass_face_check(sb, app["id"])
    for slot in PERSONAL_SLOTS:
        ok(upload(sb, app["id"], slot, images.get(slot, png())), 201)
    return app


def submit_and_review(sb, app_id, action="submit"):
    ok(sb.post(f"~/applications/{app_id}/actions/{action}"))
    until_idle(sb)
    return ok(sb.get(f"~/applications/{app_id}"))


def test_a_blurry_upload_is_rejected_by_the_reviewer_and_only_that_slot_comes_back(control, uploads):
    sb = strict_sandbox(control)
    app = ready_order(sb, {"entity_owner_id_back": blurry_png()})
    doc = ok(sb.get(f"~/applications/{app['id']}/materials"))["slots"][1]["upload"]
    assert doc["sharpness"] < 40  # measured at upload, kept in the metadata
    got = submit_and_review(sb, app["id"])
    assert got["state"] == "provider_rejected"
    [entry] = got["audit_data"]
    assert entry["code"] == "MATERIAL_BLURRY" and entry["field"] == "materials.entity_owner_id_back"
    assert entry["key_name"] == "主体负责人证件反面" and "不清晰" in entry["error"]
    need = ok(sb.get(f"~/applications/{app['id']}/requirements"))["missing"]
    assert [(m["code"], m["path"]) for m in need] == [("MATERIAL_REJECTED", "entity_owner_id_back")]
    assert_error(sb.post(f"~/applications/{app['id']}/actions/resubmit"), 409, "SUBMIT_NOT_READY")
    ok(upload(sb, app["id"], "entity_owner_id_back", jpeg(), "id-back.jpg"), 201)
    assert submit_and_review(sb, app["id"], "resubmit")["state"] == "sms_verification"


def test_a_large_blurry_scan_is_judged_at_screen_size_and_rejected(control, uploads):
    """Large images are judged shrunk (materials.sharpness; a JPEG decoded at that scale): out
    of focus a scan stays blurry, in focus a scan or a 4000×3000 photo passes."""
    sb = strict_sandbox(control)
    big = {
        "entity_owner_id_front": jpeg(4000, 3000),
        "entity_owner_id_back": blurry_png(2400, 1800, radius=6),
        "commitment_letter": png(2400, 1800),
    }
    app = ready_order(sb, big)
    slots = {row["slot"]: row["upload"] for row in ok(sb.get(f"~/applications/{app['id']}/materials"))["slots"]}
    assert (slots["entity_owner_id_front"]["width"], slots["entity_owner_id_front"]["height"]) == (4000, 3000)
    assert slots["entity_owner_id_front"]["sharpness"] >= 60
    assert slots["entity_owner_id_back"]["width"] == 2400 and slots["entity_owner_id_back"]["sharpness"] < 30
    assert slots["commitment_letter"]["sharpness"] == 255
    got = submit_and_review(sb, app["id"])
    assert [(e["code"], e["field"]) for e in got["audit_data"]] == [
        ("MATERIAL_BLURRY", "materials.entity_owner_id_back")
    ]


def test_a_blank_photo_is_blurry_too_unless_the_setting_is_off(control, uploads):
    rejected = strict_sandbox(control)
    app = ready_order(rejected, {"entity_owner_id_front": blank_jpeg()})
    assert submit_and_review(rejected, app["id"])["audit_data"][0]["code"] == "MATERIAL_BLURRY"
    lenient = strict_sandbox(control, material_min_sharpness=0)
    app = ready_order(lenient, {"entity_owner_id_front": blank_jpeg()})
    assert submit_and_review(lenient, app["id"])["state"] == "sms_verification"


def test_the_seeded_rate_rejects_for_reasons_a_machine_cannot_see(control, uploads):
    sb = strict_sandbox(control, material_rejection_rate=1)
    app = ready_order(sb, {})
    got = submit_and_review(sb, app["id"])
    assert got["state"] == "provider_rejected"
    codes = {e["field"]: e["code"] for e in got["audit_data"]}
    assert set(codes) == {f"materials.{s}" for s in PERSONAL_SLOTS}
    assert codes["materials.commitment_letter"] in (
        "MATERIAL_WRONG_TEMPLATE",
        "MATERIAL_UNSIGNED",
        "MATERIAL_WRONG_WATERMARK",
    )
    assert codes["materials.entity_owner_id_front"] == "MATERIAL_WRONG_WATERMARK"


def test_material_settings_are_validated(control):
    for bad in ({"material_min_sharpness": 256}, {"material_min_sharpness": -1}, {"material_rejection_rate": 1.5}):
        resp = control.post("/api/v1/sandboxes", json={"settings": bad})
        field_errors(resp, f"settings.{next(iter(bad))}")


def test_an_id_photo_needs_more_sharpness_than_a_signed_letter_unless_the_setting_says_one_value(control, uploads):
    soft = blurry_png(radius=1.5)  # about 46: a readable letter, too soft for OCR of an ID
    sb = strict_sandbox(control)
    app = ready_order(sb, {"entity_owner_id_front": soft, "commitment_letter": soft})
    got = submit_and_review(sb, app["id"])
    assert [(e["code"], e["field"]) for e in got["audit_data"]] == [
        ("MATERIAL_BLURRY", "materials.entity_owner_id_front")
    ]
    one_value = strict_sandbox(control, material_min_sharpness=40)  # the global override: every slot 40
    app = ready_order(one_value, {"entity_owner_id_front": soft, "commitment_letter": soft})
    assert submit_and_review(one_value, app["id"])["state"] == "sms_verification"
