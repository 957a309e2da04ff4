"""The one transition function: every move of an application — API actions, timers, the SMS
check (right and wrong codes), teleports and resets — is one history event per
apply_transition, and the after-commit hooks see each committed move once."""

import pytest
from support.people import personal_payload

from api.flows import (
    CONTROL,
    act,
    create_app,
    file_and_approve,
    history,
    new_sandbox,
    ok,
    sms_code,
    to_sms,
    usable_ip,
    verify,
    wrong_code,
)
from backend.services import engine


@pytest.fixture
def moves():
    seen = []
    engine.AFTER_COMMIT.append(seen.append)
    yield seen
    engine.AFTER_COMMIT.remove(seen.append)


def test_every_history_event_is_a_committed_move(control, moves):
    demo = new_sandbox(control, preset="demo")
    payload = personal_payload(usable_ip(demo))
    app = file_and_approve(demo, payload)
    events = history(demo, app["id"])
    mine = [m for m in moves if m.app_id == app["id"]]
    assert [(m.action, m.source, m.target, m.version) for m in mine] == [
        (e["action"], e["from"], e["to"], e["version"]) for e in events
    ]
    assert mine[0].action == "create" and mine[-1].target == "approved"
    assert {m.sandbox for m in mine} == {demo.sid}


def test_wrong_codes_resets_and_teleports_go_through_it(control, moves):
    demo = new_sandbox(control, preset="demo")
    app = create_app(demo, personal_payload(usable_ip(demo)))
    act(demo, app["id"], "submit")
    to_sms(demo, app["id"])
    before = ok(demo.get(f"~/applications/{app['id']}"))
    assert verify(demo, app["id"], wrong_code(sms_code(demo, app["id"]))).status_code == 422
    after = ok(demo.get(f"~/applications/{app['id']}"))
    # a wrong code is counted, not activity: same updated_at, same timers, version + 1
    assert after["version"] == before["version"] + 1 and after["updated_at"] == before["updated_at"]
    ok(demo.post(f"~/applications/{app['id']}/teleport", json={"to": "bureau_rejected"}, token=CONTROL))
    ok(demo.post(f"~/applications/{app['id']}/reset", json={}, token=CONTROL))
    actions = [m.action for m in moves if m.app_id == app["id"]]
    assert actions[-3:] == ["verify_sms_wrong", "teleport", "reset"]
    assert [e["action"] for e in history(demo, app["id"])] == actions
