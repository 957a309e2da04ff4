"""Issue #14 over the API: live versions (ETag / 304), classes of trainee sandboxes with
links and QR codes, resets that keep tokens, and a demo sandbox that holds for a year."""

import pytest
from conftest import Api
from support.people import full_personal_payload, personal_payload

from api.flows import (
    CONTROL,
    act,
    advance,
    assert_error,
    complete_the_stages,
    create_app,
    eligibility,
    field_errors,
    get_app,
    ok,
    to_sms,
    usable_ip,
    verify_and_finish,
)


def conditional_get(api, path, etag=None, token=None):
    """GET with If-None-Match (the conftest client sends only the token header)."""
    token = api.token if token is None else token
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if etag:
        headers["If-None-Match"] = etag
    return api.client.get(path, headers=headers)


def version(sb, etag=None, token=None):
    return conditional_get(sb, f"/api/v1/sandboxes/{sb.sid}/version", etag, token)


# -- live versions ----------------------------------------------------------------------


def test_version_answers_304_until_something_changes(sandbox):
    first = version(sandbox)
    assert first.status_code == 200 and first.headers["ETag"]
    assert first.headers["Cache-Control"] == "no-cache"
    tag = first.headers["ETag"]
    again = version(sandbox, tag)
    assert again.status_code == 304 and again.get_data() == b""
    create_app(sandbox, personal_payload(usable_ip(sandbox)))
    moved = version(sandbox, tag)
    assert moved.status_code == 200 and moved.headers["ETag"] != tag
    assert moved.get_json()["version"] > first.get_json()["version"]


def test_reads_do_not_move_the_version(sandbox):
    tag = version(sandbox).headers["ETag"]
    eligibility(sandbox)
    sandbox.get("~/applications")
    assert version(sandbox, tag).status_code == 304


def test_a_timer_firing_moves_the_version(sandbox):
    app = create_app(sandbox, personal_payload(usable_ip(sandbox)))
    act(sandbox, app["id"], "submit")
    tag = version(sandbox).headers["ETag"]
    advance(sandbox, until_idle=True)
    assert get_app(sandbox, app["id"])["state"] != "provider_review"  # the review fired
    assert version(sandbox, tag).status_code == 200


def test_version_needs_a_token_of_the_sandbox(control, sandbox):
    assert_error(version(sandbox, token=""), 401)
    other = Api(control.client, sandbox.sid, "sbt_not-a-token")
    assert_error(version(other), 401)
    assert version(sandbox, token=CONTROL).status_code == 200


def test_console_versions_and_overview_are_conditional(control, sandbox):
    assert_error(control.get("/api/v1/console/versions", token=sandbox.token), 401)
    assert_error(control.get("/api/v1/console/sandboxes", token=""), 401)
    first = control.get("/api/v1/console/versions")
    assert first.status_code == 200 and sandbox.sid in first.get_json()["versions"]
    tag = first.headers["ETag"]
    assert conditional_get(control, "/api/v1/console/versions", tag).status_code == 304
    overview = ok(control.get("/api/v1/console/sandboxes"))
    assert [s["id"] for s in overview["sandboxes"]] == [sandbox.sid]
    create_app(sandbox, personal_payload(usable_ip(sandbox)))
    assert conditional_get(control, "/api/v1/console/sandboxes", tag).status_code == 200
    apps = ok(control.get("/api/v1/console/sandboxes"))["sandboxes"][0]["applications"]
    assert apps[0]["state"] == "draft" and apps[0]["progress"]["step"] == 0


def test_workflow_graph_comes_from_the_table(control):
    graph = ok(control.get("/api/v1/console/workflow"))
    names = {s["name"] for s in graph["states"]}
    assert graph["main_path"][0] == "draft" and graph["main_path"][-1] == "approved"
    assert all(t["source"] in names and t["target"] in names for t in graph["transitions"])
    assert {"source": "draft", "target": "provider_review"}.items() <= next(
        t for t in graph["transitions"] if t["source"] == "draft" and t["target"] == "provider_review"
    ).items()
    assert graph["mermaid"].startswith("stateDiagram-v2")
    assert_error(control.get("/api/v1/console/workflow", token=""), 401)


def test_the_graph_names_the_face_fail_reasons_the_faults_endpoint_accepts(control, sandbox):
    from backend.domain import faults

    reasons = ok(control.get("/api/v1/console/workflow"))["face_fail_reasons"]
    assert [r["code"] for r in reasons] == list(faults.FACE_REASONS) and all(r["zh"] for r in reasons)
    for r in reasons:  # each is a rule the console's button can create
        rule = ok(
            control.post(f"/api/v1/sandboxes/{sandbox.sid}/faults", json={"effect": "face_fail", "reason": r["code"]}),
            201,
        )
        assert rule["reason"] == r["code"]


# -- classes -------------------------------------------------------------------------


def make_class(control, **body):
    return ok(control.post("/api/v1/classes", json=body), 201)


def test_a_class_makes_one_sandbox_per_trainee(control):
    klass = make_class(control, size=3, seed_base=100, names=["李雷", "韩梅梅"], name="周一上午班")
    trainees = klass["trainees"]
    assert [t["name"] for t in trainees] == ["李雷", "韩梅梅", "学员03"]
    assert [t["seed"] for t in trainees] == ["100", "101", "102"]
    assert len({t["sandbox_id"] for t in trainees}) == 3
    for t in trainees:
        assert t["link"].endswith(f"/miniprogram/?sandbox={t['sandbox_id']}#token={t['token']}")
        assert t["clock"]["pacing"] == "demo"
        trainee = Api(control.client, t["sandbox_id"], t["token"])
        assert eligibility(trainee)["eligible"] is True
        settings = ok(control.get(f"/api/v1/sandboxes/{t['sandbox_id']}"))["settings"]
        assert settings == {"pre_submit_checks": True}  # the server's default: the real stages
    listed = ok(control.get("/api/v1/classes"))
    assert [c["id"] for c in listed] == [klass["id"]]


def test_an_unnamed_class_is_named_with_china_s_time(control):
    """The trainer reads the default name in China (the console, the clocks: +08:00), so the
    name's time is Beijing time, not the server's UTC."""
    from datetime import datetime, timedelta, timezone

    beijing = [datetime.now(timezone(timedelta(hours=8))) + timedelta(minutes=m) for m in (0, 1)]
    klass = make_class(control, size=1)
    assert klass["name"] in [f"培训班 {t:%m-%d %H:%M}" for t in beijing]


def test_the_class_view_shows_each_trainees_progress(control):
    klass = make_class(control, size=2, pre_submit_checks=False)  # straight to the reviews
    for t in klass["trainees"]:
        assert ok(control.get(f"/api/v1/sandboxes/{t['sandbox_id']}"))["settings"] == {"pre_submit_checks": False}
    first = klass["trainees"][0]
    trainee = Api(control.client, first["sandbox_id"], first["token"])
    app = create_app(trainee, personal_payload(usable_ip(trainee)))
    act(trainee, app["id"], "submit")
    view = ok(control.get(f"/api/v1/classes/{klass['id']}"))
    assert view["trainees"][0]["application"]["state"] == "provider_review"
    assert view["trainees"][0]["application"]["progress"]["step"] == 1
    assert view["trainees"][1]["application"] is None


def test_qr_codes_of_the_trainees_links(control):
    klass = make_class(control, size=1)
    sid = klass["sandboxes"][0]
    svg = control.get(f"/api/v1/classes/{klass['id']}/qr/{sid}")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml" and b"<svg" in svg.get_data()
    png = control.get(f"/api/v1/classes/{klass['id']}/qr/{sid}?format=png")
    assert png.mimetype == "image/png" and png.get_data()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.headers["Cache-Control"] == "no-store"
    assert_error(control.get(f"/api/v1/classes/{klass['id']}/qr/sb_nope"), 404, "SANDBOX_NOT_FOUND")
    assert_error(control.get(f"/api/v1/classes/{klass['id']}/qr/{sid}", token=""), 401)


@pytest.mark.parametrize(
    "body, field",
    [
        ({"size": 0}, "size"),
        ({"size": 61}, "size"),
        ({}, "size"),
        ({"size": 1, "preset": "nope"}, "preset"),
        ({"size": 1, "names": ["甲", "乙"]}, "names"),
        ({"size": 1, "pacing": "fast"}, "pacing"),
        ({"size": 1, "names": ["x" * 65]}, "names.0"),
        ({"size": 1, "scale": -1}, "scale"),
    ],
)
def test_bad_class_bodies_get_422(control, body, field):
    field_errors(control.post("/api/v1/classes", json=body), field)


def test_classes_need_the_control_token(control, sandbox):
    assert_error(control.post("/api/v1/classes", json={"size": 1}, token=sandbox.token), 401)
    assert_error(control.get("/api/v1/classes", token=""), 401)
    assert_error(control.get("/api/v1/classes/cls_nope"), 404, "CLASS_NOT_FOUND")


def test_deleting_a_class_deletes_its_sandboxes(control):
    klass = make_class(control, size=2)
    assert control.delete(f"/api/v1/classes/{klass['id']}").status_code == 204
    for sid in klass["sandboxes"]:
        assert_error(control.get(f"/api/v1/sandboxes/{sid}"), 404)
    assert_error(control.get(f"/api/v1/classes/{klass['id']}"), 404, "CLASS_NOT_FOUND")


# -- resets keep tokens ---------------------------------------------------------------


@pytest.fixture
def demo(control, r):
    from backend.services import bootstrap

    tokens = bootstrap.prepare(r)
    return Api(control.client, tokens["demo_sandbox_id"], tokens["demo_token"])


def test_resetting_the_simulator_keeps_the_demo_token(control, demo):
    create_app(demo, personal_payload(usable_ip(demo)))
    before = version(demo).get_json()["version"]
    klass = make_class(control, size=1)
    body = ok(control.post("/api/v1/reset"))
    assert body["recreated"] == ["demo"]
    assert ok(demo.get("~/applications")) == []  # fresh, and the old token still opens it
    assert version(demo).get_json()["version"] > before  # open pages notice the reset
    assert_error(control.get(f"/api/v1/classes/{klass['id']}"), 404, "CLASS_NOT_FOUND")
    assert_error(control.get(f"/api/v1/sandboxes/{klass['sandboxes'][0]}"), 404)


def test_simulator_resets_at_once_all_succeed_and_keep_the_demo(control, demo):
    """An outside probe sent 4 `POST /reset` at once: three answered 404 SANDBOX_NOT_FOUND (each
    deleted a sandbox another had deleted) and the demo sandbox was gone for good (the one that
    finished read no demo token to recreate it with). Resets of the simulator run one at a time."""
    from concurrent.futures import ThreadPoolExecutor

    for seed in range(12):
        ok(control.post("/api/v1/sandboxes", json={"seed": seed}), 201)

    def reset(_):
        return control.client.post("/api/v1/reset", headers={"Authorization": f"Bearer {CONTROL}"}).status_code

    with ThreadPoolExecutor(4) as pool:
        assert set(pool.map(reset, range(4))) == {200}
    assert [sb["id"] for sb in ok(control.get("/api/v1/sandboxes"))] == ["demo"]
    assert ok(demo.get("~/applications")) == []  # the old token still opens it


def test_a_sandbox_deleted_while_the_simulator_resets_is_no_404(control, demo, monkeypatch):
    from backend.services import sandboxes

    other = ok(control.post("/api/v1/sandboxes", json={"seed": 1}), 201)["id"]
    delete = sandboxes.delete

    def deleted_meanwhile(r, sid):
        if sid == "demo":
            delete(r, other)  # another client's DELETE, between the reset's list and its delete
        return delete(r, sid)

    monkeypatch.setattr(sandboxes, "delete", deleted_meanwhile)
    assert ok(control.post("/api/v1/reset"))["recreated"] == ["demo"]


def test_resetting_a_sandbox_keeps_its_token_and_moves_its_version(control, sandbox):
    create_app(sandbox, personal_payload(usable_ip(sandbox)))
    tag = version(sandbox).headers["ETag"]
    ok(control.post(f"/api/v1/sandboxes/{sandbox.sid}/reset"))
    assert ok(sandbox.get("~/applications")) == []
    assert version(sandbox, tag).status_code == 200


def test_a_class_sandbox_reset_keeps_its_pacing(control):
    sid = make_class(control, size=1)["sandboxes"][0]
    assert ok(control.post(f"/api/v1/sandboxes/{sid}/reset"))["clock"]["pacing"] == "demo"


# -- the demo holds ---------------------------------------------------------------------


def test_the_demo_is_demo_paced(demo):
    clock = ok(demo.get(f"/api/v1/sandboxes/{demo.sid}"))["clock"]
    assert clock["pacing"] == "demo" and clock["scale"] == 20000


def test_a_year_later_the_demo_is_still_eligible_and_files(control, demo, tmp_path, monkeypatch):
    """…through the real stages (the server's default): forms, face check, materials, then the reviews."""
    monkeypatch.setenv("ICPSIM_UPLOADS_DIR", str(tmp_path / "uploads"))
    ok(demo.put("~/clock/scale", json={"scale": 0}, token=CONTROL))
    advance(demo, duration="365d")
    result = eligibility(demo)
    assert result["eligible"] is True, result
    domain = ok(demo.get("~/domains/zhangsan-blog.cn"))
    assert domain["expires_on"] >= result["date"]
    assert ok(control.get(f"/api/v1/sandboxes/{demo.sid}"))["settings"]["pre_submit_checks"] is True
    app = create_app(demo, full_personal_payload(usable_ip(demo)))
    complete_the_stages(demo, app["id"])
    act(demo, app["id"], "submit")
    to_sms(demo, app["id"])
    app = verify_and_finish(demo, app["id"])
    assert app["state"] == "approved" and app["result"]["website_numbers"]


# -- the order view: what the timeline settings left on an order ------------------------------


def overview_app(control, sb, app_id):
    sandboxes = ok(control.get("/api/v1/console/sandboxes"))["sandboxes"]
    [mine] = [s for s in sandboxes if s["id"] == sb.sid]
    return next(a for a in mine["applications"] if a["id"] == app_id)


def test_the_overview_shows_a_pending_resubmission_then_its_cancellation_by_an_edit(control):
    from api.flows import new_sandbox, register_domain, to_sms

    sb = new_sandbox(control, settings={"sms_timeout_resubmit_hours": 24})
    register_domain(sb, "zhangsan-blog.cn")
    app = create_app(sb, personal_payload(usable_ip(sb)))
    act(sb, app["id"], "submit")
    assert "sms_resubmit" not in overview_app(control, sb, app["id"])  # nothing yet: absent
    to_sms(sb, app["id"])
    advance(sb, duration="25h")  # MIIT's 24 h window closes
    mark = get_app(sb, app["id"])["sms_resubmit"]
    shown = overview_app(control, sb, app["id"])["sms_resubmit"]
    assert shown["pending"] is True and shown["returned_at"] == mark["returned_at"]
    assert shown["due_at"][:10] > mark["returned_at"][:10]  # 24 h later
    payload = get_app(sb, app["id"])["payload"]
    ok(sb.patch(f"~/applications/{app['id']}", json={"payload": payload}))  # an edit cancels it
    assert overview_app(control, sb, app["id"])["sms_resubmit"]["pending"] is False


def test_the_overview_shows_miit_s_result_pending_then_synced(control):
    from api.flows import new_sandbox, register_domain, sms_code, to_sms, verify

    sb = new_sandbox(control, settings={"tencent_sync_hours": 6})
    register_domain(sb, "zhangsan-blog.cn")
    app = create_app(sb, personal_payload(usable_ip(sb)))
    act(sb, app["id"], "submit")
    to_sms(sb, app["id"])
    ok(verify(sb, app["id"], sms_code(sb, app["id"])))
    from datetime import datetime

    clock = ok(sb.get("~/clock", token=CONTROL))
    due = datetime.fromisoformat(clock["pending_timers"][0]["due_at"]).timestamp()
    fired = advance(sb, duration=f"{round(due - clock['epoch'])}s")["fired"]
    assert [f["result"] for f in fired] == ["miit_decided"]  # the sync is 6 h after the decision
    shown = overview_app(control, sb, app["id"])["miit_result"]
    assert shown["verdict"] == "approve" and shown["pending"] is True and shown["codes"] == []
    advance(sb, until_idle=True)
    assert overview_app(control, sb, app["id"])["miit_result"]["pending"] is False
