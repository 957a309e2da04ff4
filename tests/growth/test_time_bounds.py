"""Every input that becomes a time is bounded, and nothing after a commit turns it into an
error answer (issue #8, items 4 and 10)."""

import pytest
from api.flows import CONTROL, act, create_app, field_errors, get_app, ok, register_domain, usable_ip
from support.people import personal_payload

from backend.domain.clock import parse_duration
from backend.services import scheduling
from backend.store import keys, tx as store


@pytest.mark.parametrize("scale", [1e-9, 0.0009, 1e8, -1])
def test_a_clock_speed_out_of_range_is_refused(sandbox, control, scale):
    resp = sandbox.put("~/clock/scale", json={"scale": scale}, token=CONTROL)
    field_errors(resp, "scale")
    field_errors(control.post("/api/v1/sandboxes", json={"scale": scale}), "scale")
    assert ok(sandbox.get("~/clock"))["scale"] == 0  # nothing was saved


@pytest.mark.parametrize("scale", [0, 0.001, 1, 1e7])
def test_the_bounds_themselves_are_accepted(sandbox, scale):
    assert ok(sandbox.put("~/clock/scale", json={"scale": scale}, token=CONTROL))["scale"] == scale


def test_the_slowest_clock_still_arms_timers(sandbox):
    """At 1/1000 speed a 45-day deadline is more than a century away in real time: still a date."""
    ok(sandbox.put("~/clock/scale", json={"scale": 0.001}, token=CONTROL))
    register_domain(sandbox, "zhangsan-blog.cn")
    app = create_app(sandbox, personal_payload(usable_ip(sandbox)))["id"]
    assert act(sandbox, app, "submit")["state"] == "provider_review"


@pytest.mark.parametrize("delay", ["99999999999d", "366d", "１d", "٣d", "1e400"])
def test_a_fault_delay_out_of_range_or_not_ascii_is_refused(sandbox, delay):
    resp = sandbox.post("~/faults", json={"effect": "delay", "stage": "provider", "delay": delay}, token=CONTROL)
    field_errors(resp, "delay")
    assert ok(sandbox.get("~/faults", token=CONTROL)) == []


def test_a_year_of_fault_delay_still_submits(sandbox):
    ok(sandbox.post("~/faults", json={"effect": "delay", "stage": "provider", "delay": "365d"}, token=CONTROL), 201)
    register_domain(sandbox, "zhangsan-blog.cn")
    app = create_app(sandbox, personal_payload(usable_ip(sandbox)))["id"]
    assert act(sandbox, app, "submit")["state"] == "provider_review"


@pytest.mark.parametrize("duration", ["１d", "٣d", "１２h", "2d٣h", "𝟐d"])
def test_durations_take_ascii_digits_only(sandbox, duration):
    with pytest.raises(ValueError):
        parse_duration(duration)
    field_errors(sandbox.post("~/clock/advance", json={"duration": duration}, token=CONTROL), "duration")


def test_a_failing_after_commit_hook_does_not_undo_the_answer(r, sandbox):
    def fn(tx):
        tx.set_meta("probe", "committed")
        tx.after_commit.append(lambda: 1 / 0)
        tx.after_commit.append(lambda: tx.r.hset(keys.sandbox(tx.sid), "second", "ran"))
        return "answer"

    assert store.run(r, sandbox.sid, fn) == "answer"
    assert r.hget(keys.sandbox(sandbox.sid), "probe") == "committed"
    assert r.hget(keys.sandbox(sandbox.sid), "second") == "ran"  # one failing hook stops no other


def test_a_failed_hand_over_to_rq_still_answers_and_the_timer_waits(sandbox, r, monkeypatch):
    """The submit commits, the hand-over to RQ fails: 200 all the same, and the timer stays in
    the sandbox's sorted set, so the next advance delivers it."""
    ok(sandbox.put("~/clock/scale", json={"scale": 1}, token=CONTROL))
    register_domain(sandbox, "zhangsan-blog.cn")
    app = create_app(sandbox, personal_payload(usable_ip(sandbox)))["id"]

    def broken(*args, **kwargs):
        raise OverflowError("date value out of range")

    monkeypatch.setattr(scheduling, "hand_to_rq", broken)
    assert act(sandbox, app, "submit")["state"] == "provider_review"
    assert r.zcard(keys.timers(sandbox.sid)) >= 1
    monkeypatch.undo()
    ok(sandbox.put("~/clock/scale", json={"scale": 0}, token=CONTROL))
    ok(sandbox.post("~/clock/advance", json={"duration": "2d"}, token=CONTROL))
    assert get_app(sandbox, app)["state"] != "provider_review"
