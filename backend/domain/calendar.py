"""Working days of China's official calendar (weekends, holidays, 调休 make-up days).

`chinese-calendar` carries the State Council's table for the years it knows. For a
year it does not know yet (the table is published each November), we fall back to
Monday–Friday and say so through `covered()`; the README documents the choice.
"""

from datetime import date, datetime, timedelta
from functools import lru_cache

import chinese_calendar


def covered(day: date) -> bool:
    try:
        chinese_calendar.is_workday(day)
        return True
    except NotImplementedError:
        return False


@lru_cache(maxsize=8192)  # a review's deadline walks ~10 days; the table never changes in a process
def is_workday(day: date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def add_working_days(start: datetime, n: int) -> datetime:
    """The same time of day, n working days later (n=0: the same moment)."""
    day, left = start.date(), n
    while left > 0:
        day += timedelta(days=1)
        if is_workday(day):
            left -= 1
    return datetime.combine(day, start.timetz())


def working_days_between(a: date, b: date) -> int:
    """Working days in (a, b], for status cards ("3 working days in")."""
    count, day = 0, a
    while day < b:
        day += timedelta(days=1)
        count += is_workday(day)
    return count
