"""Issue 9: state snapshots — export a sandbox's whole state and import it into a fresh one."""

import json

from support.people import personal_payload

from api.flows import (
    CONTROL,
    act,
    assert_error,
    create_app,
    field_errors,
    get_app,
    new_sandbox,
    ok,
    register_domain,
    sms_code,
    until_idle,
    usable_ip,
    verify,
)


def snapshot_of(sb):
    resp = sb.get("~/snapshot", token=CONTROL)
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    return resp.get_json()


def world(sb):
    return {
        "applications": ok(sb.get("~/applications")),
        "entities": ok(sb.get("~/entities")),
        "websites": ok(sb.get("~/websites")),
        "outbox": ok(sb.get("~/outbox")),
        "clock": {k: v for k, v in ok(sb.get("~/clock")).items() if k != "epoch"},
        "domains": ok(sb.get("~/domains")),
        "eligibility": ok(sb.get("~/eligibility")),
    }


def test_round_trip_into_a_fresh_sandbox_and_the_flow_goes_on(sandbox, control):
    sb = sandbox
    register_domain(sb, "zhangsan-blog.cn")
    app = create_app(sb, personal_payload(usable_ip(sb)))["id"]
    act(sb, app, "submit")
    until_idle(sb)  # provider review passed, the SMS code sent: a timer (the SMS window) pending
    assert get_app(sb, app)["state"] == "sms_verification"
    snap = snapshot_of(sb)
    assert snap["format"] == "icpsim-snapshot" and snap["version"] == 1
    assert sb.sid not in json.dumps(snap["keys"]) and sb.token not in json.dumps(snap)

    fresh = new_sandbox(control, seed=99, preset="empty")
    restored = ok(fresh.post("~/snapshot", json=snap, token=CONTROL))
    assert restored["id"] == fresh.sid and restored["token"] == fresh.token  # its own id and token
    assert world(fresh) == world(sb)
    assert ok(fresh.get("~/clock"))["pending_timers"]  # the timers came along

    # the flow goes on in the copy: the code MIIT sent, then the bureau; the original is untouched
    ok(verify(fresh, app, sms_code(fresh, app)))
    until_idle(fresh)
    done = get_app(fresh, app)
    assert done["state"] == "approved" and done["result"]["entity_number"]
    assert get_app(sb, app)["state"] == "sms_verification"
    # the same moves in the original give the same numbers: the sequences came along too
    ok(verify(sb, app, sms_code(sb, app)))
    until_idle(sb)
    assert get_app(sb, app)["result"] == done["result"]


def test_a_running_clock_goes_on_from_the_snapshot(control):
    sb = new_sandbox(control, seed=5, scale=0)
    snap = snapshot_of(sb)
    snap["keys"][""]["value"]["clock"] = json.dumps(
        {"anchor_virtual": 1780275600.0, "anchor_real": 0.0, "scale": 100.0}
    )
    fresh = new_sandbox(control, seed=6)
    ok(fresh.post("~/snapshot", json=snap, token=CONTROL))
    clock = ok(fresh.get("~/clock"))
    assert clock["scale"] == 100.0 and clock["now"] >= "2026-06-01T09:00:00+08:00"


def test_snapshots_need_the_control_token(sandbox):
    assert_error(sandbox.get("~/snapshot"), 401)
    assert_error(sandbox.post("~/snapshot", json={}), 401)
    assert_error(sandbox.get("/api/v1/sandboxes/sb_nope/snapshot", token=CONTROL), 404, "SANDBOX_NOT_FOUND")


def test_a_bad_snapshot_is_a_422_per_field(sandbox):
    snap = snapshot_of(sandbox)
    for bad, field in [
        ({**snap, "version": 2}, "version"),
        ({**snap, "format": "x"}, "format"),
        ({**snap, "keys": {**snap["keys"], ":journal": {"type": "list", "value": ["x"]}}}, "keys.:journal"),
        ({**snap, "keys": {**snap["keys"], ":outbox": {"type": "hash", "value": {}}}}, "keys.:outbox"),
        ({**snap, "keys": {":seq": {"type": "hash", "value": {}}}}, "keys."),
    ]:
        field_errors(sandbox.post("~/snapshot", json=bad, token=CONTROL), field)
    resp = sandbox.client.post(
        f"/api/v1/sandboxes/{sandbox.sid}/snapshot",
        data="[1]",
        content_type="application/json",
        headers={"Authorization": f"Bearer {CONTROL}"},
    )
    field_errors(resp, "_schema")
    assert ok(sandbox.get("~/applications")) == []  # nothing was written


def test_a_snapshot_over_the_body_cap_is_refused(sandbox):
    snap = snapshot_of(sandbox)
    snap["keys"][":outbox"] = {"type": "list", "value": ["x" * 200_000] * 6}  # > 1 MiB
    resp = sandbox.post("~/snapshot", json=snap, token=CONTROL)
    assert resp.status_code == 413 and resp.get_json()["code"] == "PAYLOAD_TOO_LARGE"


def test_a_restored_sandbox_keeps_its_key_index_and_application_timers(sandbox, control, r):
    """What the snapshot writes joins the sandbox's key index (a delete leaves nothing), and an
    application's own timer set comes along (a move after the restore disarms its timers)."""
    from backend.store import keys

    sb = sandbox
    register_domain(sb, "zhangsan-blog.cn")
    app = create_app(sb, personal_payload(usable_ip(sb)))["id"]
    act(sb, app, "submit")
    until_idle(sb)
    snap = snapshot_of(sb)
    assert any(k.startswith(":apptimers:") for k in snap["keys"])
    fresh = new_sandbox(control, seed=99, preset="empty")
    ok(fresh.post("~/snapshot", json=snap, token=CONTROL))
    stored = set(r.scan_iter(match=keys.children_of(fresh.sid)))
    assert stored <= set(keys.indexed(fresh.sid, r)), stored - set(keys.indexed(fresh.sid, r))
    ok(verify(fresh, app, sms_code(fresh, app)))  # the SMS window timer is disarmed by the move
    assert [t["name"] for t in ok(fresh.get("~/clock"))["pending_timers"]] != ["sms_timeout"]
    assert fresh.delete(f"/api/v1/sandboxes/{fresh.sid}", token=CONTROL).status_code == 204
    assert not list(r.scan_iter(match=keys.children_of(fresh.sid)))
