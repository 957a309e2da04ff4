"""Demo pacing of the virtual clock (issue #14) and auto-renewing fixtures: pure arithmetic."""

from datetime import date

import pytest

from backend.domain import clock as K, renewal
from backend.domain.clock import DEMO, Clock

START = K.parse_instant(K.DEFAULT_START)
DAY = 86400


def test_demo_clock_with_nothing_to_wait_for_runs_at_real_speed():
    c = Clock(START, 1000.0, 20000, DEMO)
    assert c.now(1060.0) == START + 60


def test_demo_clock_hurries_up_to_the_review_then_runs_at_real_speed():
    c = Clock(START, 1000.0, 20000, DEMO).hurried_until(START + 2 * DAY, 1000.0)
    assert c.now(1000.0 + 2 * DAY / 20000) == pytest.approx(START + 2 * DAY)
    later = 1000.0 + 2 * DAY / 20000 + 600  # ten real minutes of the user's turn
    assert c.now(later) == pytest.approx(START + 2 * DAY + 600)


def test_real_time_for_is_the_inverse_of_now_across_the_bend():
    c = Clock(START, 1000.0, 20000, DEMO).hurried_until(START + DAY, 1000.0)
    for virtual in (START + 3600, START + DAY, START + DAY + 3600, START + 2 * DAY):
        real = c.real_time_for(virtual, 1000.0)
        assert c.now(real) == pytest.approx(virtual)
    assert c.real_time_for(START + DAY + 3600, 1000.0) == pytest.approx(1000.0 + DAY / 20000 + 3600)


def test_hurrying_again_later_keeps_continuity_and_the_later_bound():
    c = Clock(START, 1000.0, 20000, DEMO).hurried_until(START + DAY, 1000.0)
    at = 1000.0 + DAY / 20000 + 100  # 100 s into the user's turn
    before = c.now(at)
    h = c.hurried_until(before + 5 * DAY, at)
    assert h.now(at) == pytest.approx(before)
    assert h.now(at + 5 * DAY / 20000) == pytest.approx(before + 5 * DAY)
    assert c.hurried_until(START + 10, 1000.0).fast_until == START + DAY  # an earlier due keeps the later bound


def test_demo_clock_pauses_rescales_and_advances_keeping_its_pacing():
    c = Clock(START, 1000.0, 20000, DEMO).hurried_until(START + DAY, 1000.0)
    paused = c.rescaled(0, 1001.0)
    assert paused.now(5000.0) == paused.now(1001.0)
    assert paused.real_time_for(START + DAY, 1001.0) is None
    moved = c.advanced(365 * DAY, 1001.0)
    assert moved.pacing == DEMO and moved.now(1001.0) == pytest.approx(c.now(1001.0) + 365 * DAY)
    assert Clock.from_dict(moved.to_dict()) == moved


def test_steady_clocks_are_unchanged_and_old_documents_load():
    c = Clock.from_dict({"anchor_virtual": START, "anchor_real": 1000.0, "scale": 60})
    assert c.pacing == K.STEADY and c.now(1010.0) == START + 600
    assert c.hurried_until(START + DAY, 1000.0).now(1010.0) == START + 600


def test_auto_renewing_fixtures_never_run_out():
    pack = {"id": "pack-0001", "expires_on": "2027-06-01", "auto_renew": True}
    assert renewal.renewed(pack, date(2026, 6, 1)) == pack
    assert renewal.renewed(pack, date(2027, 6, 1))["expires_on"] == "2028-05-31"
    plain = dict(pack, auto_renew=False)
    assert renewal.renewed(plain, date(2027, 6, 1)) == plain
