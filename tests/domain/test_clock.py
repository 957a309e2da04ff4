"""The virtual clock (pure arithmetic): scale, re-anchoring, durations, CST display."""

from datetime import datetime, timezone

import pytest

from backend.domain import clock as K
from backend.domain.clock import Clock

START = K.parse_instant(K.DEFAULT_START)


def test_paused_clock_does_not_move():
    c = Clock(anchor_virtual=START, anchor_real=1000.0, scale=0)
    assert c.now(1000.0) == START
    assert c.now(5000.0) == START
    assert c.now(1e9) == START


def test_running_clock_moves_at_its_scale():
    c = Clock(START, 1000.0, 60)
    assert c.now(1000.0) == START
    assert c.now(1010.0) == START + 600
    assert Clock(START, 1000.0, 1).now(1100.0) == START + 100


def test_default_scale_is_paused():
    assert Clock(START, 0.0).scale == 0.0


def test_rescaled_keeps_continuity():
    c = Clock(START, 1000.0, 60)
    r = c.rescaled(2, 1010.0)
    assert r.now(1010.0) == c.now(1010.0) == START + 600
    assert r.now(1020.0) == START + 600 + 20
    assert r.scale == 2 and r.anchor_real == 1010.0


def test_pausing_freezes_the_current_time():
    c = Clock(START, 1000.0, 60).rescaled(0, 1010.0)
    assert c.now(99999.0) == START + 600


def test_advanced_moves_forward_without_changing_scale():
    c = Clock(START, 1000.0, 10)
    a = c.advanced(3600, 1005.0)
    assert a.now(1005.0) == START + 50 + 3600
    assert a.scale == 10
    assert a.now(1006.0) == START + 60 + 3600
    assert c.advanced(0, 1005.0).now(1005.0) == c.now(1005.0)


def test_advanced_refuses_negative():
    with pytest.raises(ValueError):
        Clock(START, 0.0).advanced(-1, 0.0)


def test_moved_to_never_goes_back():
    c = Clock(START, 1000.0, 0)
    assert c.moved_to(START + 86400, 1000.0).now(1000.0) == START + 86400
    assert c.moved_to(START - 86400, 1000.0).now(1000.0) == START
    running = Clock(START, 1000.0, 10)
    assert running.moved_to(START, 1100.0).now(1100.0) == START + 1000  # now, not the target


def test_real_time_for():
    paused = Clock(START, 1000.0, 0)
    assert paused.real_time_for(START + 10, 1000.0) is None
    assert paused.real_time_for(START - 10, 1000.0) == 1000.0  # due in the past: now
    assert paused.real_time_for(START, 1000.0) == 1000.0  # due now: now
    running = Clock(START, 1000.0, 2)
    assert running.real_time_for(START + 100, 1000.0) == 1050.0  # half the distance
    assert running.real_time_for(START - 100, 1000.0) == 1000.0
    # From a later real instant, only the remaining distance counts.
    assert running.real_time_for(START + 100, 1020.0) == 1020.0 + 30.0


def test_dict_round_trip():
    c = Clock(START, 1000.5, 3)
    d = c.to_dict()
    assert d == {"anchor_virtual": START, "anchor_real": 1000.5, "scale": 3}
    assert Clock.from_dict(d) == c
    assert Clock.from_dict({"anchor_virtual": "1", "anchor_real": "2"}) == Clock(1.0, 2.0, 0.0)
    assert c.with_scale(0) == Clock(START, 1000.5, 0)


@pytest.mark.parametrize(
    "text, seconds",
    [
        ("2d", 2 * 86400),
        ("36h", 36 * 3600),
        ("1d12h", 36 * 3600),
        ("90m", 5400),
        ("45s", 45),
        ("1w", 7 * 86400),
        ("1.5h", 5400),
        (" 2D ", 2 * 86400),
        ("1d 12h", 36 * 3600),
        ("3600", 3600),
        (3600, 3600),
        (2.5, 2.5),
    ],
)
def test_parse_duration(text, seconds):
    assert K.parse_duration(text) == seconds


@pytest.mark.parametrize("bad", ["", "abc", "2x", "d2", "2d3", "1d-2h", "-5", "2dd", "h", None, "1y"])
def test_parse_duration_rejects_bad_input(bad):
    with pytest.raises(ValueError):
        K.parse_duration(bad)


def test_iso_is_china_standard_time():
    assert K.iso(START) == "2026-06-01T09:00:00+08:00"
    assert K.iso(0) == "1970-01-01T08:00:00+08:00"
    assert K.iso(START + 0.7) == "2026-06-01T09:00:00+08:00"


def test_default_start_is_a_monday_9am_cst():
    dt = K.to_datetime(START)
    assert dt.weekday() == 0 and (dt.hour, dt.minute) == (9, 0)
    assert dt.utcoffset().total_seconds() == 8 * 3600


def test_parse_instant_reads_zone_less_text_as_cst():
    midnight_cst = datetime(2026, 5, 31, 16, 0, tzinfo=timezone.utc).timestamp()
    assert K.parse_instant("2026-06-01") == midnight_cst
    assert K.parse_instant("2026-06-01T00:00:00") == midnight_cst
    assert K.parse_instant("2026-06-01T00:00:00+08:00") == midnight_cst
    assert K.parse_instant("2026-06-01T00:00:00+00:00") == midnight_cst + 8 * 3600
    assert K.iso(K.parse_instant("2026-06-01")) == "2026-06-01T00:00:00+08:00"


def test_parse_instant_rejects_garbage():
    with pytest.raises(ValueError):
        K.parse_instant("not a date")


def test_an_advance_s_duration_is_judged_by_the_domain():
    from backend.domain import limits

    assert K.advance_problems("2d") == [] and K.advance_problems(f"{limits.MAX_ADVANCE_DAYS}d") == []
    assert K.advance_problems("soon") == ["时长格式不正确：'soon'，例如 2d、36h、1d12h、90m。"]
    assert K.advance_problems("x" * 100)[0].startswith("时长格式不正确：'" + "x" * 40 + "'")
    assert K.advance_problems(f"{limits.MAX_ADVANCE_DAYS + 1}d") == [f"一次最多推进 {limits.MAX_ADVANCE_DAYS} 天。"]
    assert K.advance_problems(-60) == ["时钟不能倒退"]  # a number of seconds, from a direct call


def test_an_advance_aims_at_its_planned_start_plus_its_span_however_late_it_runs():
    """A re-run of an advance (its worker died mid-run) reads a clock the first run moved part of
    the way: it still aims at the first run's target, not past it."""
    day = 86400.0
    assert K.advance_target(START, START, 2 * day) == (START, START + 2 * day)
    assert K.advance_target(START, START + 1.5 * day, 2 * day) == (START, START + 2 * day)  # the re-run
    assert K.advance_target(START, START + 3 * day, 2 * day) == (START, START + 2 * day)  # moved_to keeps now
    # nothing planned (a job queued without it): from the clock as the run reads it
    assert K.advance_target(None, START + 5.0, 60.0) == (START + 5.0, START + 65.0)
    # the clock went back since the request read it (a reset, a restored snapshot): from there
    assert K.advance_target(START, START - day, 60.0) == (START - day, START - day + 60.0)
    assert K.advance_target(START, START - K.WENT_BACK / 2, 60.0) == (START, START + 60.0)
