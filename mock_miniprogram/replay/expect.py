"""Expectation matching: pure functions from (expected, actual) to a list of mismatches.

Values match as follows:
- a mapping matches a mapping that has (at least) its keys, each matching;
- a list matches a list of the same length, item by item;
- an operator mapping (one key starting with `$`) tests the value:
  {$regex: RE} full match of str(value) · {$contains: x} item of a list / substring /
  key of a mapping · {$len: n} · {$in: [..]} · {$absent: true} the key is missing ·
  {$not: m} · {$any: true} anything, even missing;
- anything else by equality (1 == 1.0; "6" is not 6).
"""

import json
import re
from dataclasses import dataclass
from datetime import datetime

MISSING = object()


@dataclass
class Mismatch:
    what: str
    expected: object
    actual: object
    note: str = ""

    def render(self):
        note = f" ({self.note})" if self.note else ""
        return f"{self.what}: expected {show(self.expected)}, got {show(self.actual)}{note}"


def show(value, limit=300):
    if value is MISSING:
        return "(missing)"
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def is_operator(value):
    return isinstance(value, dict) and len(value) == 1 and next(iter(value)).startswith("$")


def match(expected, actual, what="value"):
    """Mismatches of `actual` against `expected` (empty when it matches)."""
    if is_operator(expected):
        return _operator(expected, actual, what)
    if actual is MISSING:
        return [Mismatch(what, expected, actual)]
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [Mismatch(what, expected, actual, "not an object")]
        out = []
        for key, want in expected.items():
            out += match(want, actual.get(key, MISSING), f"{what}.{key}")
        return out
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return [Mismatch(what, expected, actual, "not a list")]
        if len(expected) != len(actual):
            return [Mismatch(what, expected, actual, f"{len(actual)} items instead of {len(expected)}")]
        out = []
        for i, (want, got) in enumerate(zip(expected, actual)):
            out += match(want, got, f"{what}[{i}]")
        return out
    if isinstance(expected, bool) or isinstance(actual, bool):
        same = expected is actual
    else:
        same = expected == actual
    return [] if same else [Mismatch(what, expected, actual)]


def _operator(op, actual, what):
    name, arg = next(iter(op.items()))
    if name == "$any":
        return []
    if name == "$absent":
        absent = actual is MISSING or actual is None
        return [] if absent == bool(arg) else [Mismatch(what, op, actual)]
    if actual is MISSING:
        return [Mismatch(what, op, actual)]
    if name == "$regex":
        ok = isinstance(actual, (str, int, float)) and regex_full(arg, str(actual))
        return [] if ok else [Mismatch(what, op, actual, "does not match the pattern")]
    if name == "$contains":
        if isinstance(actual, list):
            ok = any(not match(arg, item) for item in actual)
        elif isinstance(actual, dict):
            ok = arg in actual
        else:
            ok = isinstance(actual, str) and str(arg) in actual
        return [] if ok else [Mismatch(what, op, actual)]
    if name == "$len":
        ok = hasattr(actual, "__len__") and len(actual) == arg
        return (
            [] if ok else [Mismatch(what, op, actual, f"length {len(actual) if hasattr(actual, '__len__') else '-'}")]
        )
    if name == "$in":
        return [] if any(not match(a, actual) for a in arg) else [Mismatch(what, op, actual)]
    if name == "$not":
        return [Mismatch(what, op, actual)] if not match(arg, actual) else []
    return [Mismatch(what, op, actual, f"unknown operator {name}")]


def regex_full(pattern, text):
    try:
        return re.fullmatch(pattern, text) is not None
    except re.error:
        return False


# -- the named expectations ----------------------------------------------------------


def app_mismatches(want, app, history=None, who="app"):
    """An application view against the app-level keys of an expectation."""
    out = []
    for key, expected in want.items():
        what = f"{who}.{key}"
        if key == "wechat_status":
            out += match(expected, (app.get("wechat") or {}).get("status", MISSING), what)
        elif key == "sms_verify_status":
            out += match(expected, (app.get("wechat") or {}).get("sms_verify_status", MISSING), what)
        elif key == "audit_codes":
            got = [a.get("code") for a in app.get("audit_data") or []]
            if sorted(got) != sorted(expected):
                out.append(Mismatch(what, expected, got, "audit_data codes differ"))
        elif key == "record_number":
            got = (app.get("result") or {}).get("entity_number")
            if expected is None:
                if got is not None:
                    out.append(Mismatch(what, None, got))
            elif not isinstance(got, str) or not regex_full(expected, got):
                out.append(
                    Mismatch(
                        what,
                        {"$regex": expected},
                        got if got is not None else MISSING,
                        "no record number" if got is None else "does not match the pattern",
                    )
                )
        elif key == "website_numbers":
            got = (app.get("result") or {}).get("website_numbers") or []
            if len(got) != len(expected) or not all(regex_full(p, n) for p, n in zip(expected, got)):
                out.append(Mismatch(what, expected, got, "website numbers differ"))
        elif key == "history":
            got = [e.get("action") for e in history or []]
            if got != list(expected):
                out.append(Mismatch(what, expected, got, "history actions differ"))
        else:
            out += match(expected, app.get(key, MISSING), what)
    return out


def outbox_mismatches(items, outbox, resolve_app):
    out = []
    for i, want in enumerate(items):
        want = dict(want)
        count = want.pop("count", None)
        if "app" in want:
            want["app_id"] = resolve_app(want.pop("app"))
        hits = [m for m in outbox if not match(want, m)]
        if count is None and not hits:
            out.append(
                Mismatch(
                    f"outbox[{i}]", want, [_brief(m) for m in outbox][-8:], "no such message (last messages shown)"
                )
            )
        elif count is not None and len(hits) != count:
            out.append(Mismatch(f"outbox[{i}].count", count, len(hits), f"messages matching {show(want)}"))
    return out


def _brief(message):
    return {k: message.get(k) for k in ("code", "channel", "to", "app_id")}


def eligibility_mismatches(want, result):
    out = []
    for key, expected in want.items():
        what = f"eligibility.{key}"
        if key == "failed":
            got = [r["code"] for r in result.get("rules", []) if not r.get("passed")]
            if sorted(got) != sorted(expected):
                out.append(Mismatch(what, expected, got, "failing rules differ"))
        elif key == "usable_ips":
            rows = result.get("usable_ips") or []
            if isinstance(expected, list):  # the IPs themselves, as GET …/eligibility lists them
                out += match(expected, [row["ip"] for row in rows], what)
            elif len(rows) != expected:  # a count
                out.append(Mismatch(what, expected, len(rows)))
        else:
            out += match(expected, result.get(key, MISSING), what)
    return out


def gateway_mismatches(want, answer):
    """`answer`: {status, served, reason, number} of one gateway request."""
    out = []
    for key, expected in want.items():
        if key == "domain":
            continue
        what = f"gateway[{want['domain']}].{key}"
        out += match(expected, answer.get(key, MISSING), what)
    return out


def records_mismatches(want, records, name):
    if isinstance(want, dict):
        out = []
        if "count" in want and len(records) != want["count"]:
            out.append(Mismatch(f"{name}.count", want["count"], len(records)))
        return out + records_mismatches(want.get("contains", []), records, name)
    out = []
    for i, item in enumerate(want):
        if not any(not match(item, rec) for rec in records):
            out.append(Mismatch(f"{name}[{i}]", item, records[-5:], "no such record (last records shown)"))
    return out


def same_instant(expected, actual):
    try:
        return datetime.fromisoformat(str(expected)) == datetime.fromisoformat(str(actual))
    except ValueError:
        return str(expected) == str(actual)
