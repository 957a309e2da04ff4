"""Uploads and the people they show (process.md §3.1, §3.3; audit #21): an ID image belongs to the
owner it was uploaded for, and a rejected material is not cleared by sending the same bytes again."""

import pytest
from support.images import jpeg, png
from support.people import person, resident_id

from api.flows import (
    CONTROL,
    ORG_NAME,
    ORG_USCC,
    assert_error,
    create_app,
    new_sandbox,
    ok,
    org_payload,
    register_domain,
    until_idle,
    usable_ip,
)
from api.test_materials_and_face_check import pass_face_check, ready_order, upload

ZHAO = person(name="赵六", cert=resident_id("44030519850505001"), mobile="13700137000")


@pytest.fixture
def strict(control, tmp_path, monkeypatch):
    monkeypatch.setenv("ICPSIM_UPLOADS_DIR", str(tmp_path / "uploads"))
    return new_sandbox(control, settings={"pre_submit_checks": True})


def slot_upload(sb, app_id, slot):
    rows = ok(sb.get(f"~/applications/{app_id}/materials"))["slots"]
    return next(row["upload"] for row in rows if row["slot"] == slot)


def test_a_new_entity_owner_needs_new_id_images(strict):
    register_domain(strict, "example-org.cn", holder_name=ORG_NAME, holder_cert=ORG_USCC)
    app = create_app(strict, org_payload([usable_ip(strict)], [("example-org.cn", "示例官网")]))
    pass_face_check(strict, app["id"])
    doc = ok(upload(strict, app["id"], "entity_owner_id_front", png()), 201)
    assert doc["person"] == org_payload([""], [("x", "y")])["entity"]["responsible"]["certificate_number"]
    ok(upload(strict, app["id"], "entity_certificate", png()), 201)
    ok(strict.patch(f"~/applications/{app['id']}", json={"payload": {"entity": {"responsible": ZHAO}}}))
    assert slot_upload(strict, app["id"], "entity_owner_id_front") is None  # 王五's ID is not 赵六's
    assert slot_upload(strict, app["id"], "entity_certificate") is not None  # not a person's
    missing = ok(strict.get(f"~/applications/{app['id']}/requirements"))["missing"]
    assert ("MATERIAL_MISSING", "entity_owner_id_front") in [(m["code"], m["path"]) for m in missing]
    pass_face_check(strict, app["id"])  # 赵六 is now the website owner too: his own face check first
    assert ok(upload(strict, app["id"], "entity_owner_id_front", jpeg()), 201)["person"] == ZHAO["certificate_number"]
    assert slot_upload(strict, app["id"], "entity_owner_id_front") is not None


def test_the_same_bytes_do_not_clear_a_rejection(strict):
    rule = {"effect": "reject", "stage": "provider", "times": 1}
    rule["audit_data"] = [{"code": "MATERIAL_BLURRY", "field": "materials.commitment_letter"}]
    ok(strict.post("~/faults", token=CONTROL, json=rule), 201)
    app = ready_order(strict)  # every slot uploaded with png()
    ok(strict.post(f"~/applications/{app['id']}/actions/submit"))
    until_idle(strict)
    assert ok(strict.get(f"~/applications/{app['id']}"))["state"] == "provider_rejected"
    body = assert_error(upload(strict, app["id"], "commitment_letter", png()), 422, "MATERIAL_UNCHANGED")
    assert "完全相同" in body["message"] and body["errors"]["file"]
    assert slot_upload(strict, app["id"], "commitment_letter")["status"] == "rejected"
    assert not ok(strict.get(f"~/applications/{app['id']}/requirements"))["ready"]
    ok(upload(strict, app["id"], "entity_owner_id_front", png()), 201)  # an accepted slot: the same bytes are fine
    ok(upload(strict, app["id"], "commitment_letter", jpeg()), 201)
    assert ok(strict.get(f"~/applications/{app['id']}/requirements"))["ready"]
