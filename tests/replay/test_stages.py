"""The scenario steps of the stages before submission: accept_agreement, verify_phones,
pass_face_checks, upload_materials, prepare_submission (parser, runner, recording)."""

import hashlib

import pytest
import yaml
from api.flows import (
    act,
    create_app,
    get_app,
    new_sandbox,
    ok,
    otp_code,
    register_domain,
    sms_code,
    until_idle,
    upload,
    usable_ip,
    verify,
)
from support.people import full_personal_payload

from backend.domain import material_review, materials
from mock_miniprogram.replay import parser, schema_source, stages
from mock_miniprogram.replay.parser import ScenarioError

HEAD = """
version: 1
name: stages
seed: 7
world:
  preset: eligible
  domains: [{name: zhangsan-blog.cn, holder_name: 张三, holder_certificate_number: "440305199001010018"}]
steps:
  - create_application:
      payload:
        entity: {type: personal, name: 张三, certificate_type: resident_id, certificate_number: "440305199001010018",
                 province: "44", address: 广东省深圳市南山区科技园路 1 号,
                 certificate_address: 广东省深圳市南山区科技园路 1 号,
                 mailing_address: {province_code: "440000", city_code: "440300", district_code: "440305",
                                   street: 科技园路 1 号},
                 responsible: {name: 张三, certificate_type: resident_id, certificate_number: "440305199001010018",
                               mobile: "13800138000", email: zhangsan@example.com, emergency_phone: "13900001111",
                               id_valid_until: 长期}}
        websites: [{name: 张三的个人博客, domain: zhangsan-blog.cn, service_content: blog, nat_ip: "${nat_ip}",
                    languages: ["1"]}]
    as: app
"""


def steps(text):
    return HEAD + text


# --- the parser -----------------------------------------------------------------------------


def test_the_stage_steps_parse_in_each_form():
    sc = parser.loads(
        steps(
            """
  - accept_agreement:
  - accept_agreement: app
  - verify_phones: {app: app, mobile: "13800138000"}
  - pass_face_checks: {passed: false, reason: occlusion}
  - pass_face_checks: {app: app, task: "A0001:1"}
  - upload_materials: {slots: [entity_owner_id_front, commitment_letter]}
  - upload_materials: {app: app, slots: all_required}
  - prepare_submission: app
"""
        )
    )
    assert [next(iter(s)) for s in sc.steps[1:]] == [
        "accept_agreement",
        "accept_agreement",
        "verify_phones",
        "pass_face_checks",
        "pass_face_checks",
        "upload_materials",
        "upload_materials",
        "prepare_submission",
    ]


@pytest.mark.parametrize(
    "step, where",
    [
        ("upload_materials: {slots: []}", "steps[1].upload_materials"),
        ("upload_materials: {slots: every}", "steps[1].upload_materials"),
        ("pass_face_checks: {passed: false, reason: sunglasses}", "steps[1].pass_face_checks"),
        ("verify_phones: {app: app, code: '123456'}", "steps[1].verify_phones"),
        ("prepare_submission: {app: app, slots: all_required}", "steps[1].prepare_submission"),
        ("accept_agreement: [app]", "steps[1].accept_agreement"),
    ],
)
def test_bad_stage_steps_are_refused_with_their_place(step, where):
    with pytest.raises(ScenarioError) as info:
        parser.loads(steps(f"  - {step}\n"), "x.yaml")
    assert any(p.startswith(where) for p in info.value.problems), info.value.problems


def test_the_face_reasons_are_the_api_s():
    from backend.domain import face_check

    assert sorted(schema_source.FACE_REASONS) == sorted(face_check.REPORTABLE_REASONS)


# --- the generated image --------------------------------------------------------------------


def test_the_generated_material_is_the_same_bytes_and_passes_every_check():
    first = stages.material_png()
    stages.material_png.cache_clear()
    again = stages.material_png()
    assert first == again and first is not again  # drawn anew, byte for byte the same
    # encoded by the runner itself: the same bytes with any Pillow or zlib (the goldens show the hash)
    assert hashlib.sha256(first).hexdigest() == "321a7fb4b13d7bd3c3d628a6f476c5cec8900ebf4048af43f3e46b41a2d558f2"
    facts = materials.check_image(first, 4 * 1024 * 1024, 300)  # colour, decodable, large enough
    strictest = max(int(row["min_sharpness"]) for row in material_review.QUALITY.values())
    assert facts["sharpness"] >= strictest, (facts["sharpness"], strictest)


# --- the runner -----------------------------------------------------------------------------


def test_each_stage_step_then_the_submit_passes(replay):
    result = replay(
        steps(
            """
  - submit: app
    expect: {status: 409, error: SUBMIT_NOT_READY}
  - accept_agreement: app
    expect: {status: 200, response: {accepted: true, accepted_at: {$regex: "2026-.*"}}}
  - verify_phones: app
    expect:
      response: {ready: false, missing: {$not: {$contains: {stage: phone}}}}
      outbox: [{code: PHONE_OTP_CODE, to: "13800138000", count: 1}]
  - name: a failed face check, with the API's reason
    pass_face_checks: {app: app, passed: false, reason: occlusion}
    expect: {response: {missing: {$contains: {stage: face_check}}}}
  - pass_face_checks: app
    expect: {response: {missing: {$not: {$contains: {stage: face_check}}}}}
  - upload_materials: {slots: [entity_owner_id_front]}
    expect: {response: {ready: false}}
  - upload_materials:
    expect: {response: {ready: true, missing: []}}
  - submit: app
    expect: {state: provider_review}
"""
        )
    )
    assert result.ok, result.report()
    uploads = [
        x
        for step in result.transcript
        for x in step.get("exchanges", [])
        if x.get("method") == "POST" and "/materials/" in x.get("path", "")
    ]
    digest = hashlib.sha256(stages.material_png()).hexdigest()
    assert len(uploads) >= 2 and all(x["status"] == 201 for x in uploads)
    assert all(
        x["body"] == {"file": {"name": "material.png", "bytes": len(stages.material_png()), "sha256": digest}}
        for x in uploads
    )


def test_prepare_submission_walks_every_stage_and_is_deterministic(replay):
    text = steps(
        """
  - prepare_submission:
    expect: {response: {ready: true}}
  - submit: app
    expect: {state: provider_review}
"""
    )
    first, second = replay(text), replay(text)
    assert first.ok, first.report()
    assert first.transcript[1:] == second.transcript[1:]  # the sandbox line carries real time
    (prepared,) = [t for t in first.transcript if t.get("do") == "prepare_submission"]
    done = [x["path"] for x in prepared["exchanges"]]
    assert done[0].endswith("/agreement") and "/phone-checks/13800138000/send" in done[1]
    faces = done.index("/applications/A0001/face-checks")
    assert faces < min(i for i, p in enumerate(done) if "/materials/" in p)  # §4.1: the face check first


def test_a_refused_stage_call_ends_the_step_and_expect_sees_it(replay):
    bad = replay(steps("  - upload_materials: {slots: [no_such_slot]}\n"))
    assert not bad.ok and "unexpected error answer" in bad.report()
    result = replay(
        steps(
            """
  - upload_materials: {slots: [no_such_slot]}
    expect: {status: 404, error: MATERIAL_SLOT_NOT_REQUIRED}
"""
        )
    )
    assert result.ok, result.report()
    wrong = replay(steps("  - accept_agreement: app\n    expect: {status: 201}\n"))
    assert not wrong.ok and "status" in wrong.report()


# --- a recorded strict session ------------------------------------------------------------


def test_a_recorded_session_with_the_stages_and_uploads_replays(control, replay):
    sb = new_sandbox(control, settings={"pre_submit_checks": True})
    register_domain(sb, "zhangsan-blog.cn")
    app = create_app(sb, full_personal_payload(usable_ip(sb)))["id"]
    ok(sb.post(f"~/applications/{app}/agreement"))
    ok(sb.post(f"~/applications/{app}/phone-checks/13800138000/send"), 201)
    code = otp_code(sb, app, "13800138000")
    ok(sb.post(f"~/applications/{app}/phone-checks/13800138000/verify", json={"code": code}))
    (task,) = ok(sb.post(f"~/applications/{app}/face-checks"), 201)
    ok(sb.post(f"~/face-checks/{task['id']}/result", json={"passed": False, "reason": "background"}))
    ok(sb.post(f"~/face-checks/{task['id']}/result", json={"passed": True}))
    slots = ok(sb.get(f"~/applications/{app}/materials"))["missing"]
    for slot in slots:
        ok(upload(sb, app, slot), 201)
    act(sb, app, "submit")
    until_idle(sb)
    ok(verify(sb, app, sms_code(sb, app)))
    until_idle(sb)
    assert get_app(sb, app)["state"] == "approved"

    text = sb.get("~/recording").get_data(as_text=True)
    parser.loads(text, "recorded.yaml")  # valid against the published schema
    recorded = yaml.safe_load(text)["steps"]
    assert {"accept_agreement": app} in recorded
    assert {"verify_phones": {"app": app, "mobile": "13800138000"}} in recorded  # the code read from the outbox
    tid = task["id"]
    assert {"pass_face_checks": {"app": app, "task": tid, "passed": False, "reason": "background"}} in recorded
    assert {"pass_face_checks": {"app": app, "task": tid}} in recorded
    assert {"upload_materials": {"app": app, "slots": slots}} in recorded  # one step for the run of uploads
    assert not any("call" in s and "/materials/" in s["call"]["path"] for s in recorded)

    result = replay(text, "recorded.yaml")
    assert result.ok, result.report()
