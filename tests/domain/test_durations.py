"""How long each stage takes (domain.md §5), on China's working-day calendar, seeded."""

from datetime import date, timedelta, timezone

import pytest

from backend.domain import calendar, durations, provinces
from backend.domain.clock import parse_instant, to_datetime
from backend.domain.rng import rng

CST = timezone(timedelta(hours=8))
MON = parse_instant("2026-06-01T09:00:00+08:00")  # a Monday
FRI = parse_instant("2026-06-05T16:30:00+08:00")
BEFORE_NATIONAL_DAY = parse_instant("2026-09-30T11:00:00+08:00")
GD, ZJ = provinces.get("44"), provinces.get("33")
CANCEL_KINDS = ("cancel_entity", "cancel_website", "cancel_access")
FILING_KINDS = ("first_filing", "access_filing", "add_website", "add_website_external")


def due(delay, start=MON, *, province=GD, kind="first_filing", settings=None, seed=1):
    return durations.due(delay, start, province=province, kind=kind, settings=settings, rand=rng(seed, "test", delay))


def wd(start, end):
    """Working days from `start` to `end` (epochs), checking the time of day is kept."""
    a, b = to_datetime(start), to_datetime(end)
    assert b.timetz() == a.timetz()
    return calendar.working_days_between(a.date(), b.date())


def at(text):
    return parse_instant(text)


# --- provider review ------------------------------------------------------------------


def test_provider_review_is_the_next_working_day_same_time():
    assert due("provider_review", MON) == at("2026-06-02T09:00:00+08:00")
    assert due("provider_review", FRI) == at("2026-06-08T16:30:00+08:00")
    assert due("provider_review", BEFORE_NATIONAL_DAY) == at("2026-10-08T11:00:00+08:00")


def test_provider_review_setting():
    assert due("provider_review", MON, settings={"provider_review_wd": 3}) == at("2026-06-04T09:00:00+08:00")


# --- to bureau ------------------------------------------------------------------------


def test_to_bureau_is_one_to_three_working_days():
    seen = set()
    for seed in range(60):
        n = wd(MON, due("to_bureau", MON, seed=seed))
        assert 1 <= n <= 3
        seen.add(n)
    assert seen == {1, 2, 3}


def test_to_bureau_across_national_day():
    for seed in range(20):
        end = to_datetime(due("to_bureau", BEFORE_NATIONAL_DAY, seed=seed))
        assert end.date() >= date(2026, 10, 8)
        assert end.date() <= date(2026, 10, 10)  # 10-10 is a make-up working Saturday


def test_to_bureau_settings():
    s = {"to_bureau_wd_min": 2, "to_bureau_wd_max": 2}
    for seed in range(5):
        assert wd(MON, due("to_bureau", MON, settings=s, seed=seed)) == 2


# --- SMS window -----------------------------------------------------------------------


def test_sms_window_is_24_hours_of_clock_time():
    assert due("sms_window", MON) == MON + 24 * 3600
    assert due("sms_window", FRI) == FRI + 24 * 3600  # weekends count
    assert due("sms_window", BEFORE_NATIONAL_DAY) == BEFORE_NATIONAL_DAY + 24 * 3600  # holidays too
    assert due("sms_window", MON, settings={"sms_window_hours": 48}) == MON + 48 * 3600


# --- bureau review --------------------------------------------------------------------


def bureau_days(province, kind, seeds=range(200), start=MON, settings=None):
    return [
        wd(start, due("bureau_review", start, province=province, kind=kind, settings=settings, seed=seed))
        for seed in seeds
    ]


@pytest.mark.parametrize("kind", FILING_KINDS)
def test_bureau_review_within_the_province_range(kind):
    for p in (GD, ZJ):
        days = bureau_days(p, kind)
        assert all(p.bureau_wd_min <= n <= p.bureau_wd_max for n in days)


def test_zhejiang_goes_up_to_30_working_days():
    assert (ZJ.bureau_wd_min, ZJ.bureau_wd_max) == (3, 30)
    days = bureau_days(ZJ, "first_filing", seeds=range(400))
    assert max(days) <= 30
    assert max(days) > 20  # beyond the usual ceiling of other provinces
    assert max(bureau_days(GD, "first_filing", seeds=range(400))) <= 20


def test_default_province_draws_in_3_to_20_around_7():
    days = bureau_days(GD, "first_filing", seeds=range(400))
    assert min(days) >= 3 and max(days) <= 20
    assert 6 <= sorted(days)[len(days) // 2] <= 11  # a triangular law with mode 7


@pytest.mark.parametrize("code", ["11", "21"])
def test_beijing_and_liaoning_bureau_review_is_10_to_14_working_days_typically(code):
    # domain.md §5 says "Beijing and Liaoning 10–14"; provinces.csv (the data we keep) reads it
    # as the typical range within the national 20-day limit: min 10, typical 12, max 20.
    days = bureau_days(provinces.get(code), "first_filing", seeds=range(200))
    assert min(days) >= 10 and max(days) <= 20
    typical = [d for d in days if 10 <= d <= 14]
    assert len(typical) > len(days) / 2


@pytest.mark.parametrize("kind", CANCEL_KINDS)
def test_cancellations_take_1_to_5_working_days(kind):
    for p in (GD, ZJ):
        days = bureau_days(p, kind)
        assert all(1 <= n <= 5 for n in days)
        assert len(set(days)) > 1


@pytest.mark.parametrize("kind", ["change_filing", "change_website"])
def test_changes_take_about_20_working_days(kind):
    days = bureau_days(ZJ, kind)
    assert all(15 <= n <= 25 for n in days)


def test_bureau_review_across_national_day():
    for seed in range(20):
        end = due("bureau_review", BEFORE_NATIONAL_DAY, province=GD, kind="cancel_entity", seed=seed)
        assert to_datetime(end).date() >= date(2026, 10, 8)


def test_fixed_bureau_wd_overrides_province_and_kind():
    for kind in ("first_filing", "change_filing", "cancel_access"):
        for p in (GD, ZJ):
            assert set(bureau_days(p, kind, seeds=range(10), settings={"bureau_wd": 4})) == {4}


def test_cancel_and_change_ranges_are_settings():
    assert set(bureau_days(GD, "cancel_entity", seeds=range(10), settings={"cancel_wd": (2, 2, 2)})) == {2}
    assert set(bureau_days(GD, "change_website", seeds=range(10), settings={"change_wd": (8, 9, 10)})) <= {8, 9, 10}


def test_bureau_working_days_directly():
    for seed in range(50):
        n = durations.bureau_working_days(ZJ, "first_filing", None, rng(seed))
        assert isinstance(n, int) and 3 <= n <= 30
    assert durations.bureau_working_days(ZJ, "first_filing", {"bureau_wd": "6"}, rng(0)) == 6


# --- determinism ----------------------------------------------------------------------


@pytest.mark.parametrize("delay", ["to_bureau", "bureau_review"])
def test_same_seed_same_due(delay):
    for seed in range(10):
        a = durations.due(
            delay, MON, province=ZJ, kind="first_filing", settings=None, rand=rng(seed, "app-1", delay, 1)
        )
        b = durations.due(
            delay, MON, province=ZJ, kind="first_filing", settings=None, rand=rng(seed, "app-1", delay, 1)
        )
        assert a == b


@pytest.mark.parametrize("delay", ["to_bureau", "bureau_review"])
def test_different_seeds_give_different_dues(delay):
    dues = {
        durations.due(delay, MON, province=ZJ, kind="first_filing", settings=None, rand=rng(seed, "app-1", delay, 1))
        for seed in range(30)
    }
    assert len(dues) > 1


# --- idle timers ----------------------------------------------------------------------


@pytest.mark.parametrize("key, days", [("idle_7d", 7), ("idle_15d", 15), ("idle_30d", 30), ("idle_45d", 45)])
def test_idle_keys_are_calendar_days(key, days):
    for start in (MON, FRI, BEFORE_NATIONAL_DAY):
        assert due(key, start) == start + days * 86400


def test_idle_settings():
    s = {"idle_reminder_days": (1, 2, 3), "idle_expiry_days": 10}
    assert [due(k, settings=s) - MON for k in ("idle_7d", "idle_15d", "idle_30d", "idle_45d")] == [
        86400,
        2 * 86400,
        3 * 86400,
        10 * 86400,
    ]


def test_unknown_delay_key():
    with pytest.raises(KeyError):
        due("no_such_delay")


def test_every_timer_delay_key_is_known():
    from backend.domain import workflow

    for tm in workflow.TIMERS:
        due(tm.delay)  # does not raise


def test_defaults_match_domain_md():
    d = durations.DEFAULTS
    assert d["provider_review_wd"] == 1
    assert (d["to_bureau_wd_min"], d["to_bureau_wd_max"]) == (1, 3)
    assert d["sms_window_hours"] == 24
    assert d["sms_max_wrong"] == 5
    assert d["cancel_wd"][0] == 1 and d["cancel_wd"][-1] == 5
    assert d["idle_reminder_days"] == (7, 15, 30)
    assert d["idle_expiry_days"] == 45
    assert d["bureau_wd"] is None
    assert durations.setting(None, "sms_window_hours") == 24
    assert durations.setting({"sms_window_hours": 2}, "sms_window_hours") == 2
