"""The virtual clock of a sandbox: pure arithmetic, no I/O.

now = anchor_virtual + (real_now - anchor_real) * scale. Every change re-anchors, so
a clock can be paused (scale 0), sped up, and advanced without jumps in the past.
Virtual time is kept as epoch seconds and shown in China Standard Time.
"""

import math
import re
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta, timezone

from backend.domain import limits

CST = timezone(timedelta(hours=8), "CST")
DEFAULT_START = "2026-06-01T09:00:00+08:00"  # a Monday; fixed so runs are reproducible


STEADY, DEMO = "steady", "demo"
PACINGS = (STEADY, DEMO)


@dataclass(frozen=True)
class Clock:
    """`pacing` "steady": one speed. "demo": a clock made for people in front of it — it runs
    at `scale` only up to `fast_until` (the due time of the last timer waiting on a reviewer,
    the bureau or a hand-over, set by `hurried_until`), then at real speed (×1): the user's
    turn (typing the SMS code, fixing a rejected order) takes the real minutes a person needs.
    """

    anchor_virtual: float
    anchor_real: float
    scale: float = 0.0
    pacing: str = STEADY
    fast_until: float | None = None

    def _fast_span(self) -> float | None:
        """Virtual seconds still to run at `scale` from the anchor (None: no limit)."""
        if self.pacing != DEMO:
            return None
        if self.fast_until is None:
            return 0.0
        return max(0.0, self.fast_until - self.anchor_virtual)

    def _slow_scale(self) -> float:
        return min(self.scale, 1.0)

    def now(self, real_now: float) -> float:
        elapsed = real_now - self.anchor_real
        span = self._fast_span()
        if span is None or self.scale <= 0 or elapsed * self.scale <= span:
            return self.anchor_virtual + elapsed * self.scale
        return self.anchor_virtual + span + (elapsed - span / self.scale) * self._slow_scale()

    def _anchored(self, virtual: float, real_now: float, **changes) -> "Clock":
        return replace(self, anchor_virtual=virtual, anchor_real=real_now, **changes)

    def rescaled(self, scale: float, real_now: float) -> "Clock":
        return self._anchored(self.now(real_now), real_now, scale=scale)

    def advanced(self, seconds: float, real_now: float) -> "Clock":
        if seconds < 0:
            raise ValueError("the clock never goes back")
        return self._anchored(self.now(real_now) + seconds, real_now)

    def moved_to(self, virtual: float, real_now: float) -> "Clock":
        return self._anchored(max(virtual, self.now(real_now)), real_now)

    def paced(self, pacing: str, real_now: float) -> "Clock":
        if pacing not in PACINGS:
            raise ValueError(f"unknown pacing: {pacing!r}")
        return self._anchored(self.now(real_now), real_now, pacing=pacing)

    def hurried_until(self, virtual: float, real_now: float) -> "Clock":
        """Demo pacing: something now waits on a reviewer until `virtual`; run fast until then."""
        now = self.now(real_now)
        keep = self.fast_until if self.fast_until is not None and self.fast_until > now else virtual
        return self._anchored(now, real_now, fast_until=max(keep, virtual))

    def real_time_for(self, virtual: float, real_now: float):
        """When, in real epoch seconds, `virtual` arrives; None while paused."""
        now = self.now(real_now)
        ahead = virtual - now
        if ahead <= 0:
            return real_now
        if self.scale <= 0:
            return None
        span = self._fast_span()
        if span is None:
            return real_now + ahead / self.scale
        # from now: fast up to fast_until, then the slow rest
        fast = max(0.0, min(ahead, (self.fast_until or now) - now))
        return real_now + fast / self.scale + (ahead - fast) / self._slow_scale()

    def to_dict(self):
        """Steady clocks keep their three fields (documents written before pacing existed)."""
        d = asdict(self)
        if self.pacing == STEADY:
            d.pop("pacing")
            d.pop("fast_until")
        return d

    @classmethod
    def from_dict(cls, d):
        fast_until = d.get("fast_until")
        return cls(
            float(d["anchor_virtual"]),
            float(d["anchor_real"]),
            float(d.get("scale", 0)),
            d.get("pacing") or STEADY,
            None if fast_until is None else float(fast_until),
        )

    def with_scale(self, scale):
        return replace(self, scale=scale)


def parse_instant(text: str) -> float:
    """ISO 8601; a date or a time without zone is read as China Standard Time."""
    dt = datetime.fromisoformat(text)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=CST)
    return dt.timestamp()


# Where a sandbox clock may start: far enough from datetime's limits (year 1 to 9999) that
# advancing it, running it and adding a year of deadlines never leaves them.
EARLIEST_START = "2000-01-01T00:00:00+08:00"
LATEST_START = "2100-01-01T00:00:00+08:00"


def start_problems(text) -> list:
    """zh-CN problems of a clock start (ISO 8601 text), empty when it is usable."""
    try:
        epoch = parse_instant(text)
    except (TypeError, ValueError, OverflowError):
        return ["时间格式须为 ISO 8601，例如 2026-06-01T09:00:00+08:00"]
    if not parse_instant(EARLIEST_START) <= epoch <= parse_instant(LATEST_START):
        return ["虚拟时钟起点须在 2000-01-01 到 2100-01-01 之间"]
    return []


# A running clock's slowest and fastest speeds. Slower than 1/1000 would put timers more
# than a millennium of real time away (past what datetime holds once a year of deadlines
# is added); 0 pauses the clock instead.
MIN_RUNNING_SCALE = limits.MIN_RUNNING_CLOCK_SCALE
MAX_SCALE = limits.MAX_CLOCK_SCALE


def scale_problems(scale) -> list:
    """zh-CN problems of a clock speed, empty when it is usable: 0 (paused) or 0.001 … 10^7."""
    if isinstance(scale, bool) or not isinstance(scale, (int, float)) or not math.isfinite(scale):
        return ["倍率须为数字"]
    if scale != 0 and not MIN_RUNNING_SCALE <= scale <= MAX_SCALE:
        return [f"倍率须为 0（暂停）或 {MIN_RUNNING_SCALE:g} 到 {MAX_SCALE:.0f} 之间"]
    return []


def to_datetime(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, CST)


def iso(epoch: float) -> str:
    return to_datetime(epoch).isoformat(timespec="seconds")


_UNITS = {"w": 7 * 86400, "d": 86400, "h": 3600, "m": 60, "s": 1}
# ASCII digits only: `\d` and float() also take full-width and Arabic-Indic digits ("１d", "٣d")
_PART = re.compile(r"([0-9]+(?:\.[0-9]+)?)([wdhms])")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")


def parse_duration(text) -> float:
    """'2d', '36h', '1d12h', '90m', '45s' or a number of seconds (ASCII digits)."""
    if isinstance(text, bool):
        raise ValueError(f"not a duration: {text!r}")
    if isinstance(text, (int, float)):
        if not math.isfinite(text):
            raise ValueError(f"not a duration: {text!r}")
        return float(text)
    s = str(text).strip().lower().replace(" ", "")
    if _NUMBER.fullmatch(s):
        return float(s)
    parts = _PART.findall(s)
    if not parts or "".join(n + u for n, u in parts) != s:
        raise ValueError(f"not a duration: {text!r} (examples: 2d, 36h, 1d12h, 90m)")
    return sum(float(n) * _UNITS[u] for n, u in parts)


def advance_problems(duration) -> list[str]:
    """zh-CN problems of a clock advance's duration, empty when it is usable: a duration
    (parse_duration), forwards, at most limits.MAX_ADVANCE_DAYS (a huge one would store a
    virtual time past year 9999 and break every later request to the sandbox)."""
    try:
        seconds = parse_duration(duration)
    except (TypeError, ValueError):
        return [f"时长格式不正确：{str(duration)[:40]!r}，例如 2d、36h、1d12h、90m。"]
    if not seconds <= limits.MAX_ADVANCE_SECONDS:  # also NaN
        return [f"一次最多推进 {limits.MAX_ADVANCE_DAYS} 天。"]
    if seconds < 0:
        return ["时钟不能倒退"]
    return []


# How far (virtual seconds) the clock may read behind an advance's planned start before the
# advance takes it for a clock that went back (a sandbox reset, a restored snapshot).
WENT_BACK = 1.0


def advance_target(planned_start, now, seconds) -> tuple[float, float]:
    """(start, target) of a clock advance by `seconds` whose run reads the clock at `now`.

    `planned_start`: the virtual time the advance's request read when it took the clock lock.
    An advance aims at planned_start + seconds however late its run starts, and however many
    times it runs: a re-run (its worker died mid-run) reads a clock the first run already
    moved part of the way, and still stops at the same target, never past it. A running
    clock's time that passed meanwhile is not added to the move (the clock ran; `moved_to`
    never goes back). From `now` when nothing was planned, or when the clock went back since.
    """
    if planned_start is None or now < planned_start - WENT_BACK:
        planned_start = now
    return planned_start, planned_start + seconds
