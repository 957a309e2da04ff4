"""China's official working-day calendar (domain.md §5), with a Mon–Fri fallback."""

from datetime import date, datetime, time, timedelta, timezone

import chinese_calendar
import pytest

from backend.domain import calendar as C

CST = timezone(timedelta(hours=8))


def makeup_saturdays(year):
    """Weekend days that are official working days (调休), from chinese_calendar itself."""
    return [d for d in chinese_calendar.get_workdays(date(year, 1, 1), date(year, 12, 31)) if d.weekday() >= 5]


def test_normal_weekday_is_a_workday():
    assert date(2026, 6, 2).weekday() == 1
    assert C.is_workday(date(2026, 6, 2)) is True


def test_weekend_is_not_a_workday():
    assert C.is_workday(date(2026, 6, 6)) is False  # Saturday
    assert C.is_workday(date(2026, 6, 7)) is False  # Sunday


def test_national_day_is_a_holiday():
    assert date(2026, 10, 1).weekday() == 3  # a Thursday
    assert C.is_workday(date(2026, 10, 1)) is False
    for d in range(1, 8):
        assert C.is_workday(date(2026, 10, d)) is False


def test_makeup_working_weekend_days_of_2026_are_workdays():
    days = makeup_saturdays(2026)
    assert days, "2026 has make-up working days in chinese_calendar"
    for d in days:
        assert d.weekday() >= 5
        assert C.is_workday(d) is True
    saturdays = [d for d in days if d.weekday() == 5]
    assert saturdays and all(C.is_workday(d) for d in saturdays)


def test_weekday_holidays_of_2026_are_not_workdays():
    holidays = [d for d in chinese_calendar.get_holidays(date(2026, 1, 1), date(2026, 12, 31)) if d.weekday() < 5]
    assert holidays
    assert not any(C.is_workday(d) for d in holidays)


def test_is_workday_agrees_with_chinese_calendar_over_2026():
    day = date(2026, 1, 1)
    while day.year == 2026:
        assert C.is_workday(day) == chinese_calendar.is_workday(day), day
        day += timedelta(days=1)


def test_beyond_coverage_falls_back_to_monday_to_friday():
    assert C.covered(date(2026, 6, 1)) is True
    assert C.covered(date(2027, 3, 1)) is False
    assert date(2027, 3, 1).weekday() == 0 and C.is_workday(date(2027, 3, 1)) is True
    assert date(2027, 3, 6).weekday() == 5 and C.is_workday(date(2027, 3, 6)) is False
    assert C.is_workday(date(2027, 3, 7)) is False
    assert C.is_workday(date(2027, 3, 5)) is True


def test_add_working_days_across_a_weekend():
    fri = datetime(2026, 6, 5, 10, 30, tzinfo=CST)
    assert fri.weekday() == 4
    assert C.add_working_days(fri, 1) == datetime(2026, 6, 8, 10, 30, tzinfo=CST)
    assert C.add_working_days(fri, 2) == datetime(2026, 6, 9, 10, 30, tzinfo=CST)


def test_add_working_days_from_a_weekend_day():
    sat = datetime(2026, 6, 6, 9, 0, tzinfo=CST)
    assert C.add_working_days(sat, 1) == datetime(2026, 6, 8, 9, 0, tzinfo=CST)


def test_add_working_days_across_national_day():
    start = datetime(2026, 9, 30, 14, 0, tzinfo=CST)
    end = C.add_working_days(start, 1)
    assert end.date() > date(2026, 10, 7)
    expected = next(
        date(2026, 10, 1) + timedelta(days=i)
        for i in range(30)
        if chinese_calendar.is_workday(date(2026, 10, 1) + timedelta(days=i))
    )
    assert end == datetime.combine(expected, time(14, 0), tzinfo=CST)
    assert end == datetime(2026, 10, 8, 14, 0, tzinfo=CST)


def test_add_working_days_lands_on_a_makeup_day():
    for d in makeup_saturdays(2026):
        before = d - timedelta(days=1)
        while not C.is_workday(before):
            before -= timedelta(days=1)
        start = datetime.combine(before, time(9, 0), tzinfo=CST)
        assert C.add_working_days(start, 1).date() == d


def test_add_working_days_keeps_time_of_day_and_zone():
    start = datetime(2026, 6, 1, 23, 59, 58, 123456, tzinfo=CST)
    end = C.add_working_days(start, 7)
    assert end.timetz() == start.timetz()
    assert end.tzinfo is start.tzinfo
    assert end.date() == date(2026, 6, 10)


def test_add_zero_working_days_is_the_same_moment():
    sat = datetime(2026, 6, 6, 9, 0, tzinfo=CST)
    assert C.add_working_days(sat, 0) == sat


def test_add_working_days_beyond_coverage():
    start = datetime(2026, 12, 31, 9, 0, tzinfo=CST)
    end = C.add_working_days(start, 5)
    # 2027 is not covered: Mon–Fri, so Jan 1 (Fri) counts in the fallback.
    assert all(not C.covered(date(2027, 1, d)) for d in range(1, 8))
    assert end.date() == date(2027, 1, 7)


def test_working_days_between():
    assert C.working_days_between(date(2026, 6, 1), date(2026, 6, 8)) == 5
    assert C.working_days_between(date(2026, 6, 5), date(2026, 6, 8)) == 1
    assert C.working_days_between(date(2026, 6, 5), date(2026, 6, 7)) == 0
    assert C.working_days_between(date(2026, 9, 30), date(2026, 10, 8)) == 1
    assert C.working_days_between(date(2026, 6, 3), date(2026, 6, 3)) == 0
    assert C.working_days_between(date(2026, 6, 8), date(2026, 6, 1)) == 0


def test_working_days_between_includes_b_and_excludes_a():
    mon, tue = date(2026, 6, 1), date(2026, 6, 2)
    assert C.working_days_between(mon, tue) == 1
    assert C.working_days_between(mon - timedelta(days=1), mon) == 1


@pytest.mark.parametrize(
    "start", [date(2026, 6, 1), date(2026, 9, 20), date(2026, 9, 30), date(2026, 12, 20), date(2026, 2, 10)]
)
@pytest.mark.parametrize("n", [1, 3, 10, 30])
def test_working_days_between_inverts_add_working_days(start, n):
    at = datetime.combine(start, time(9, 0), tzinfo=CST)
    assert C.working_days_between(start, C.add_working_days(at, n).date()) == n
