"""How long each stage takes (domain.md §5). Defaults here; every one is a sandbox setting."""

from datetime import timedelta

from backend.domain import calendar, kinds, timeline
from backend.domain.clock import to_datetime

DEFAULTS = {
    "provider_review_wd": 1,
    "to_bureau_wd_min": 1,
    "to_bureau_wd_max": 3,
    "sms_window_hours": 24,
    "sms_max_wrong": 5,
    "change_wd": (15, 20, 25),
    "cancel_wd": (1, 3, 5),
    "bureau_wd": None,  # None: by province (provinces.csv); a number fixes it for every province
    "idle_reminder_days": (7, 15, 30),
    "idle_expiry_days": 45,
}


def setting(settings, key):
    return (settings or {}).get(key, DEFAULTS[key])


def bureau_working_days(province, kind, settings, rand):
    """Drawn from a triangular law over (min, typical, max), rounded; seeded."""
    fixed = setting(settings, "bureau_wd")
    if fixed is not None:
        return int(fixed)
    which = kinds.KINDS[kind].bureau_duration  # an order's kind is known by now
    if which == "filing":
        lo, mode, hi = province.bureau_wd_min, province.bureau_wd_typical, province.bureau_wd_max
    else:
        lo, mode, hi = setting(settings, f"{which}_wd")
    return max(lo, min(hi, round(rand.triangular(lo, hi, mode))))


def due(delay, start, *, province, kind, settings, rand):
    """The virtual epoch at which a timer with this delay key fires."""
    at = to_datetime(start)
    if delay == "provider_review":
        end = calendar.add_working_days(at, setting(settings, "provider_review_wd"))
    elif delay == "to_bureau":
        n = rand.randint(setting(settings, "to_bureau_wd_min"), setting(settings, "to_bureau_wd_max"))
        end = calendar.add_working_days(at, n)
    elif delay == "sms_window":
        end = at + timedelta(hours=setting(settings, "sms_window_hours"))
    elif delay == "bureau_review":
        end = calendar.add_working_days(at, bureau_working_days(province, kind, settings, rand))
    elif delay == "sms_resubmit":  # process.md §5: Tencent resubmits 24 h after the SMS timeout
        end = at + timedelta(hours=timeline.resubmit_hours(settings) or timeline.RESUBMIT_HOURS_PROCESS_MD)
    elif delay == "sms_next_noon":  # process.md §5 [M2]: MIIT re-sends at 12:00 the next day
        end = to_datetime(timeline.auto_resend_at(start))
    elif delay.startswith("idle_"):
        end = at + timedelta(days=_idle_days(delay, settings))
    else:
        raise KeyError(delay)
    return end.timestamp()


def _idle_days(delay, settings):
    reminders = setting(settings, "idle_reminder_days")
    table = {
        "idle_7d": reminders[0],
        "idle_15d": reminders[1],
        "idle_30d": reminders[2],
        "idle_45d": setting(settings, "idle_expiry_days"),
    }
    return table[delay]


def idle_days(delay, settings):
    """Days of an idle timer's delay key (idle_7d … idle_45d) under the sandbox's settings."""
    return _idle_days(delay, settings)


def hours_zh(hours):
    """A window in hours as users read it: "24 小时", "30 天" (whole days from 48 h on)."""
    hours = float(hours)
    if hours >= 48 and hours % 24 == 0:
        return f"{int(hours // 24)} 天"
    return f"{int(hours) if hours == int(hours) else hours:g} 小时"


def working_days_zh(lo, hi=None):
    """ "1 个工作日", "1–3 个工作日"."""
    return f"{lo} 个工作日" if hi is None or hi == lo else f"{lo}–{hi} 个工作日"
