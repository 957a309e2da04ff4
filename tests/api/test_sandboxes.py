"""Sandboxes: presets, seed, clock start, delete, list (control token)."""

import pytest

from api.flows import CONTROL, assert_error, eligibility, field_errors, new_sandbox, ok
from backend.store import keys


def create(control, **body):
    return control.post("/api/v1/sandboxes", json=body)


def test_create_defaults(control):
    body = ok(create(control), 201)
    assert body["id"].startswith("sb_")
    assert body["token"] and body["token"] != CONTROL
    assert body["preset"] == "eligible"
    assert body["seed"]  # a random seed is drawn and shown
    assert body["clock"] == {"now": "2026-06-01T09:00:00+08:00", "scale": 0.0, "pacing": "steady"}
    assert body["settings"] == {"pre_submit_checks": True}  # the real stages before submission


def test_preset_eligible(control):
    sb = new_sandbox(control, preset="eligible")
    el = eligibility(sb)
    assert el["eligible"] is True
    assert [r["passed"] for r in el["rules"]] == [True, True, True]
    assert len(el["usable_ips"]) == 1 and el["usable_ips"][0]["slots_left"] == 2
    assert ok(sb.get("~/domains")) == []
    assert len(ok(sb.get("~/cloud/environments"))) == 1
    packs = ok(sb.get("~/cloud/resource-packs"))
    assert len(packs) == 1 and packs[0]["expires_on"] == "2027-06-01"


def test_preset_empty(control):
    sb = new_sandbox(control, preset="empty")
    assert ok(sb.get(f"/api/v1/sandboxes/{sb.sid}"))["preset"] == "empty"
    for path in ("environments", "resource-packs", "vpcs", "services"):
        assert ok(sb.get(f"~/cloud/{path}")) == [], path
    assert ok(sb.get("~/domains")) == []
    el = eligibility(sb)
    assert el["eligible"] is False and el["usable_ips"] == []
    assert {r["code"] for r in el["rules"] if not r["passed"]} >= {"NO_RESOURCE_PACK", "NO_SYSTEM_NAT_GATEWAY"}


def test_preset_demo(control):
    sb = new_sandbox(control, preset="demo")
    assert eligibility(sb)["eligible"] is True
    domains = ok(sb.get("~/domains"))
    assert [d["name"] for d in domains] == ["zhangsan-blog.cn"]
    d = domains[0]
    assert d["holder_name"] == "张三" and d["real_name_status"] == "verified"


def test_unknown_preset(control):
    errors = field_errors(create(control, preset="martian"), "preset")
    assert any("eligible" in m for m in errors["preset"])
    assert ok(control.get("/api/v1/sandboxes")) == []  # nothing was created


@pytest.mark.parametrize(
    "body,field",
    [
        ({"clock_start": "yesterday-ish"}, "clock_start"),
        ({"scale": -1}, "scale"),
        ({"seed": 1, "name": 12}, "name"),
    ],
)
def test_bad_create_fields(control, body, field):
    field_errors(create(control, **body), field)


@pytest.mark.parametrize("seed,shown", [(42, "42"), ("abc-123", "abc-123"), (0, "0")])
def test_seed_is_echoed(control, seed, shown):
    body = ok(create(control, seed=seed), 201)
    assert body["seed"] == shown
    assert ok(control.get(f"/api/v1/sandboxes/{body['id']}"))["seed"] == shown


def test_clock_start_is_honoured(control):
    body = ok(create(control, seed=1, clock_start="2026-09-15T10:30:00+08:00"), 201)
    assert body["clock"]["now"] == "2026-09-15T10:30:00+08:00"
    sid = body["id"]
    clock = ok(control.get(f"/api/v1/sandboxes/{sid}/clock"))
    assert clock["now"] == "2026-09-15T10:30:00+08:00" and clock["paused"] is True
    el = ok(control.get(f"/api/v1/sandboxes/{sid}/eligibility"))
    assert el["date"] == "2026-09-15"
    # the preset's pack is relative to the virtual date
    packs = ok(control.get(f"/api/v1/sandboxes/{sid}/cloud/resource-packs"))
    assert packs[0]["bought_on"] == "2026-09-15" and packs[0]["expires_on"] == "2027-09-15"


def test_clock_start_date_only_is_read_in_china_time(control):
    body = ok(create(control, seed=1, clock_start="2026-07-01"), 201)
    assert body["clock"]["now"] == "2026-07-01T00:00:00+08:00"


def test_name_and_settings_are_kept(control):
    body = ok(create(control, seed=5, name="qa-run", settings={"sms_max_wrong": 3}), 201)
    assert body["name"] == "qa-run" and body["settings"] == {"sms_max_wrong": 3, "pre_submit_checks": True}


def test_list(control):
    assert ok(control.get("/api/v1/sandboxes")) == []
    a = new_sandbox(control, seed=1, preset="empty")
    b = new_sandbox(control, seed=2, preset="demo")
    listed = ok(control.get("/api/v1/sandboxes"))
    assert sorted(s["id"] for s in listed) == sorted([a.sid, b.sid])
    by_id = {s["id"]: s for s in listed}
    assert by_id[a.sid]["preset"] == "empty" and by_id[b.sid]["preset"] == "demo"
    assert by_id[a.sid]["seed"] == "1" and by_id[b.sid]["seed"] == "2"


def test_delete_removes_everything(control, r):
    sb = new_sandbox(control, preset="demo")
    ip = eligibility(sb)["usable_ips"][0]["ip"]
    from support.people import personal_payload

    ok(sb.post("~/applications", json={"payload": personal_payload(ip)}), 201)
    assert list(r.scan_iter(match=keys.children_of(sb.sid))) and r.exists(keys.sandbox(sb.sid))

    resp = control.delete(f"/api/v1/sandboxes/{sb.sid}")
    assert resp.status_code == 204 and resp.get_data() == b""

    assert not list(r.scan_iter(match=keys.children_of(sb.sid))) and not r.exists(keys.sandbox(sb.sid))
    assert ok(control.get("/api/v1/sandboxes")) == []
    for path in ("", "/applications", "/domains", "/clock", "/eligibility", "/outbox", "/applications/A0001"):
        assert_error(control.get(f"/api/v1/sandboxes/{sb.sid}{path}"), 404, "SANDBOX_NOT_FOUND")
    # the sandbox's own token is dead
    assert_error(sb.get("~/applications"), 401, "TOKEN_INVALID")
    assert_error(sb.get(f"/api/v1/sandboxes/{sb.sid}"), 401, "TOKEN_INVALID")
    # deleting twice: 404
    assert_error(control.delete(f"/api/v1/sandboxes/{sb.sid}"), 404, "SANDBOX_NOT_FOUND")


def test_delete_leaves_other_sandboxes_alone(control):
    a = new_sandbox(control, seed=1)
    b = new_sandbox(control, seed=1)
    assert control.delete(f"/api/v1/sandboxes/{a.sid}").status_code == 204
    assert ok(b.get(f"/api/v1/sandboxes/{b.sid}"))["id"] == b.sid
    assert eligibility(b)["eligible"] is True
    assert [s["id"] for s in ok(control.get("/api/v1/sandboxes"))] == [b.sid]


def test_each_sandbox_has_its_own_token(control):
    a = new_sandbox(control, seed=1)
    b = new_sandbox(control, seed=1)
    assert a.sid != b.sid and a.token != b.token


def test_same_seed_same_world(control):
    a = new_sandbox(control, seed=99)
    b = new_sandbox(control, seed=99)
    c = new_sandbox(control, seed=100)
    assert eligibility(a) == eligibility(b)
    assert eligibility(a)["usable_ips"][0]["ip"] != eligibility(c)["usable_ips"][0]["ip"]


@pytest.mark.parametrize("body", [{"duration": "-1d"}, {"duration": "soon"}, {}])
def test_bad_advance_is_422(sandbox, body):
    field_errors(sandbox.post("~/clock/advance", json=body, token=CONTROL), "duration")
    assert ok(sandbox.get("~/clock"))["now"] == "2026-06-01T09:00:00+08:00"


def test_advance_moves_the_virtual_clock(sandbox):
    view = ok(sandbox.post("~/clock/advance", json={"duration": "1d12h"}, token=CONTROL))
    assert view["started_at"] == "2026-06-01T09:00:00+08:00"
    assert view["now"] == "2026-06-02T21:00:00+08:00" and view["fired"] == []
    assert ok(sandbox.get("~/clock"))["now"] == "2026-06-02T21:00:00+08:00"
    assert ok(sandbox.get(f"/api/v1/sandboxes/{sandbox.sid}"))["clock"]["now"] == "2026-06-02T21:00:00+08:00"


def test_deleting_a_sandbox_leaves_one_whose_id_extends_it(control):
    """Deleting `demo` must not touch `demo2` (key patterns are exact)."""
    from backend.services import sandboxes

    r = control.client.application.extensions["icpsim.redis"]
    sandboxes.create(r, seed=1, sid="demo")
    sandboxes.create(r, seed=1, sid="demo2")
    assert control.delete("/api/v1/sandboxes/demo").status_code == 204
    kept = control.get("/api/v1/sandboxes/demo2")
    assert kept.status_code == 200
    assert control.get("/api/v1/sandboxes/demo2/eligibility").get_json()["eligible"] is True
    assert control.get("/api/v1/sandboxes/demo").status_code == 404


def test_a_reset_waits_for_the_clock_lock_and_leaves_it_alone(control, sandbox, r, monkeypatch):
    """A reset deletes the sandbox's keys, then populates them again: two at once interleaved
    (an outside probe: 10 parallel resets, 8 answered 422 "IP … 已被另一个 NAT 网关使用"), and
    one under an advance's timers would wipe what they write. It takes the clock lock, as an
    advance does: while another holds it, 409 ADVANCE_IN_PROGRESS after the job wait, nothing
    reset; and it does not delete that lock with the sandbox's other keys."""
    from backend.services import timers

    ok(
        sandbox.post(
            "~/domains",
            json={"name": "zhangsan-blog.cn", "holder_name": "张三", "holder_certificate_number": "440305199001010018"},
        ),
        201,
    )
    monkeypatch.setenv("ICPSIM_JOB_WAIT", "0.2")
    held = timers.acquire(r, sandbox.sid)  # an advance running
    try:
        assert_error(control.post(f"/api/v1/sandboxes/{sandbox.sid}/reset"), 409, "ADVANCE_IN_PROGRESS")
        assert ok(sandbox.get("~/domains/zhangsan-blog.cn"))  # nothing reset
        assert r.exists(keys.advance_lock(sandbox.sid))
    finally:
        timers.release(r, held)
    ok(control.post(f"/api/v1/sandboxes/{sandbox.sid}/reset"))
    assert_error(sandbox.get("~/domains/zhangsan-blog.cn"), 404, "DOMAIN_NOT_FOUND")
    assert not r.exists(keys.advance_lock(sandbox.sid))  # released


def test_resets_at_once_all_succeed(control, sandbox):
    from concurrent.futures import ThreadPoolExecutor

    def reset(_):
        return control.client.post(
            f"/api/v1/sandboxes/{sandbox.sid}/reset", headers={"Authorization": f"Bearer {CONTROL}"}
        ).status_code

    with ThreadPoolExecutor(6) as pool:
        assert set(pool.map(reset, range(6))) == {200}
    assert len(ok(sandbox.get("~/cloud/nat-gateways"))) == 1


def test_a_sandbox_deleted_while_it_resets_stays_deleted(control, sandbox, r, monkeypatch):
    """A DELETE that lands while a reset runs (an outside probe: reset ×3 and DELETE at once)
    was undone by the reset's populate, which wrote the meta hash and the cloud collections
    back: keys of a sandbox no list names and no token opens. The populate finds it gone: 404."""
    from backend.services import sandboxes

    remove_uploads, deletes = sandboxes._remove_uploads, []

    def deleted_meanwhile(sid):
        if not deletes:  # another client's DELETE, after the reset's own deletes (once: it removes uploads too)
            deletes.append(sid)
            sandboxes.delete(r, sid)
        remove_uploads(sid)

    monkeypatch.setattr(sandboxes, "_remove_uploads", deleted_meanwhile)
    assert_error(control.post(f"/api/v1/sandboxes/{sandbox.sid}/reset"), 404, "SANDBOX_NOT_FOUND")
    assert list(r.scan_iter(match=f"{keys.sandbox(sandbox.sid)}*")) == []
