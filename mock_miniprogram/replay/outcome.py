"""What a replay run gives back: the result of a scenario, the step that failed and why,
and the small helpers a run and its report share (instants, step labels)."""

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

CST = timezone(timedelta(hours=8))


class StepError(Exception):
    """A step that could not be carried out (not an expectation mismatch)."""


@dataclass
class StepFailure:
    index: int  # 0-based position in `steps`; -1 for the starting world
    label: str
    mismatches: list = field(default_factory=list)
    error: str = None

    def render(self):
        where = "world" if self.index < 0 else f"step {self.index + 1}"
        lines = [f"{where} ({self.label})"]
        if self.error:
            lines.append(f"  {self.error}")
        lines += [f"  {m.render()}" for m in self.mismatches]
        return "\n".join(lines)


@dataclass
class Result:
    path: str
    name: str
    status: str  # passed | failed | error (the file could not be read or run)
    duration: float = 0.0
    failure: StepFailure = None
    message: str = ""
    steps_run: int = 0
    steps_total: int = 0
    transcript: list = field(default_factory=list)
    sandbox: str = None

    @property
    def ok(self):
        return self.status == "passed"

    def report(self):
        if self.ok:
            return ""
        head = f"{self.name}  [{self.path}]"
        body = self.failure.render() if self.failure else self.message
        return head + "\n" + "\n".join("  " + line for line in body.splitlines())

    def transcript_text(self):
        return "".join(
            json.dumps(e, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n" for e in self.transcript
        )


def parse_instant(text):
    dt = datetime.fromisoformat(str(text))
    return (dt if dt.tzinfo else dt.replace(tzinfo=CST)).timestamp()


def same_instant(expected, actual):
    try:
        return parse_instant(expected) == parse_instant(actual)
    except (TypeError, ValueError):
        return str(expected) == str(actual)


def step_label(step):
    if step.get("name"):
        return step["name"]
    for key, value in step.items():
        if key in ("name", "as", "expect"):
            continue
        if value is None or isinstance(value, (str, int, float, bool)):
            return f"{key}: {value}" if value is not None else key
        if isinstance(value, dict):
            hint = (
                value.get("app")
                or value.get("path")
                or value.get("to")
                or value.get("name")
                or value.get("effect")
                or value.get("resource")
                or value.get("kind")
                or ""
            )
            method = value.get("method")
            return " ".join(str(x) for x in (key, method, hint) if x)
        return key
    return "expect"
