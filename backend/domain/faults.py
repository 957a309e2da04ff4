"""Fault injection rules (issue #5), as data: pure matching, no I/O.

A sandbox keeps an ordered list of rules. Where the simulator decides something
(a review stage, sending the MIIT SMS, arming a stage's timer) it asks for the
first rule that matches; the first match wins, and a rule that has fired its
`times` is skipped from then on. A rule:

    {"id": "F0001",
     "effect": "reject" | "approve" | "sms_timeout" | "delay" | "face_fail",
     "stage": "provider" | "bureau" | "any"          (reject, approve)
              "sms"                                  (sms_timeout)
              "provider" | "handover" | "sms" | "bureau"   (delay: which stage's timer)
              "face"                                 (face_fail: a face-check attempt)
     "times": 1 | 2 | … | None (always),  "used": how often it fired,
     "probability": None | 0 < p ≤ 1    (reject, approve, face_fail: drawn from the seeded RNG;
                                          a draw that misses counts as no match),
     "reason": "occlusion" | …          (face_fail: a face_check.FAILURE_REASONS key),
     "audit_data": [{code, field, key_name, error, suggest}],   (reject)
     "delay": "3d" (a duration), "delay_seconds": 259200.0,     (delay)
     "app_id": None | "A0001", "kind": None | "first_filing", "attempt": None | 2,
     "note": free text}
"""

from backend.domain import audit, face_check, materials, review
from backend.domain.clock import parse_duration
from backend.domain.errors import validation_failed

EFFECTS = ("reject", "approve", "sms_timeout", "delay", "face_fail")
DECISION_STAGES = ("provider", "bureau", "any")
DELAY_STAGES = ("provider", "handover", "sms", "bureau")
# the timer of each stage (workflow.TIMERS names)
STAGE_TIMERS = {
    "provider": "provider_review",
    "handover": "send_to_bureau",
    "sms": "sms_timeout",
    "bureau": "bureau_review",
}
TIMER_STAGES = {v: k for k, v in STAGE_TIMERS.items()}
FILTERS = ("app_id", "kind", "attempt")
# what a phone may report (an expiry is the clock's, never an attempt's)
FACE_REASONS = tuple(r for r in face_check.FAILURE_REASONS if r in face_check.REPORTABLE_REASONS)
DEFAULT_ONCE = ("sms_timeout", "face_fail")  # effects whose `times` defaults to 1
PROBABLE = ("reject", "approve", "face_fail")  # effects that may carry a probability
MAX_DELAY_SECONDS = 365 * 86400  # a delayed stage's timer stays well inside datetime's range
FIELDS = ("effect", "stage", "times", "probability", "audit_data", "codes", "delay", "reason", "note") + FILTERS

INJECTED = {
    "code": "FAULT_INJECTED",
    "field": "entity",
    "key_name": "主体信息",
    "error": "审核未通过（模拟的故障注入）",
    "suggest": "请按驳回意见修改后重新提交",
}
AUDIT_KEYS = ("code", "field", "key_name", "error", "suggest")


def _audit_from_codes(codes, errors):
    """audit_data entries for review-rule codes (their texts from the rule table)."""
    out = []
    for code in codes:
        r = review.rule(code) if isinstance(code, str) else None
        if r is None:
            errors.setdefault("codes", []).append(f"未知的审核规则代码：{code}")
            continue
        out.append(review.audit_entry(r, r.example_path))
    return out


def _unknown_code(item):
    """A code no review rule knows: the field is the one given (or none in particular), and
    its label comes from that field, never "主体信息" for whatever it is."""
    field = item.get("field") or audit.UNSPECIFIED_FIELD
    return dict(INJECTED, field=field, key_name=audit.key_name(field))


def audit_entries(items, errors):
    """audit_data as given, completed from the review rule table (or the injected default)."""
    out = []
    for i, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("code"), str) or not item["code"]:
            errors.setdefault(f"audit_data.{i}", []).append("每条驳回意见须为含 code 的对象")
            continue
        rule = review.rule(item["code"])
        base = (
            review.audit_entry(rule, rule.example_path)
            if rule
            else (materials.rejection_entry(item["code"], item.get("field")) or _unknown_code(item))
        )  # issue #12
        entry = {k: str(item.get(k, base[k])) for k in AUDIT_KEYS}
        out.append(entry)
    return out


def normalize(data, rule_id):
    """A rule as stored, from what a client sent; Unprocessable with per-field errors.

    Each part is checked by its own function below, in the order its errors are reported."""
    if not isinstance(data, dict):
        raise validation_failed({"_schema": ["故障规则须为对象"]})
    errors = {}
    unknown = sorted(set(data) - set(FIELDS) - {"id", "used", "delay_seconds"})
    if unknown:
        errors["_schema"] = [f"未知的字段：{', '.join(unknown)}"]
    effect = data.get("effect")
    if effect not in EFFECTS:
        errors.setdefault("effect", []).append(f"须为以下之一：{', '.join(EFFECTS)}")
    stage = _stage(effect, data.get("stage"), errors)
    times = _times(data.get("times", 1 if effect in DEFAULT_ONCE else None), errors)
    probability = _probability(effect, data.get("probability"), errors)
    audit = _audit(effect, data, errors)
    delay_seconds = _delay(effect, data.get("delay"), errors)
    reason = _reason(effect, data.get("reason"), errors)
    attempt = _filters(data, errors)
    if errors:
        raise validation_failed(errors)
    rule = {
        "id": rule_id,
        "effect": effect,
        "stage": stage,
        "times": times,
        "used": 0,
        "probability": float(probability) if probability is not None else None,
        "app_id": data.get("app_id"),
        "kind": data.get("kind"),
        "attempt": attempt,
        "note": data.get("note"),
    }
    return rule | _extras(effect, audit, data.get("delay"), delay_seconds, reason)


def _extras(effect, audit, delay, delay_seconds, reason):
    """The fields of one effect: a reject's audit_data, a delay's duration, a face_fail's reason."""
    if effect == "reject":
        return {"audit_data": audit}
    if effect == "delay":
        return {"delay": str(delay), "delay_seconds": delay_seconds}
    if effect == "face_fail":
        return {"reason": reason}
    return {}


def _stage(effect, stage, errors):
    """The stage a rule applies at (defaults: any decision, the SMS)."""
    if effect in ("reject", "approve"):
        stage = stage or "any"
        if stage not in DECISION_STAGES:
            errors.setdefault("stage", []).append(f"须为以下之一：{', '.join(DECISION_STAGES)}")
    elif effect == "sms_timeout":
        stage = stage or "sms"
        if stage != "sms":
            errors.setdefault("stage", []).append("短信核验超时的阶段只能是 sms")
    elif effect == "delay" and stage not in DELAY_STAGES:
        errors.setdefault("stage", []).append(f"须为以下之一：{', '.join(DELAY_STAGES)}")
    elif effect == "face_fail":
        stage = stage or "face"
        if stage != "face":
            errors.setdefault("stage", []).append("真实性核验失败的阶段只能是 face")
    return stage


def _times(times, errors):
    """How often the rule fires: a positive integer, or None (always)."""
    if times in ("always", None):
        return None
    if times == "once":
        return 1
    if not isinstance(times, int) or isinstance(times, bool) or times < 1:
        errors.setdefault("times", []).append('须为正整数、"once" 或 "always"（省略即 always）')
    return times


def _probability(effect, probability, errors):
    if probability is None:
        return None
    if effect not in PROBABLE:
        errors.setdefault("probability", []).append("只有 reject、approve 和 face_fail 规则可以设置概率")
    elif isinstance(probability, bool) or not isinstance(probability, (int, float)) or not 0 < probability <= 1:
        errors.setdefault("probability", []).append("须为大于 0、不大于 1 的数")
    return probability


def _nonempty_list(value, field, message, errors):
    if not isinstance(value, list) or not value:
        errors.setdefault(field, []).append(message)
        return False
    return True


def _audit(effect, data, errors):
    """The audit_data a reject rule gives: as given, from review-rule codes, or the default."""
    audit = []
    given, codes = data.get("audit_data"), data.get("codes")
    if (given is not None or codes is not None) and effect != "reject":
        errors.setdefault("audit_data", []).append("只有 reject 规则可以带驳回意见")
    if given is not None and _nonempty_list(given, "audit_data", "须为非空列表", errors):
        audit += audit_entries(given, errors)
    if codes is not None and _nonempty_list(codes, "codes", "须为非空列表，例如 [DOMAIN_NOT_REAL_NAME]", errors):
        audit += _audit_from_codes(codes, errors)
    if effect == "reject" and not audit:
        audit = [dict(INJECTED)]
    return audit


def _delay(effect, delay, errors):
    """A delay rule's duration in seconds (None for other effects)."""
    if effect != "delay":
        if delay is not None:
            errors.setdefault("delay", []).append("只有 delay 规则可以设置时长")
        return None
    try:
        seconds = parse_duration(delay)
        if seconds <= 0:
            raise ValueError
    except (ValueError, TypeError, OverflowError):
        errors.setdefault("delay", []).append("须为正的时长，例如 2d、36h、90m")
        return None
    if not seconds <= MAX_DELAY_SECONDS:  # it becomes a timer's due time
        errors.setdefault("delay", []).append(f"延迟最多 {MAX_DELAY_SECONDS // 86400} 天")
        return None
    return seconds


def _reason(effect, reason, errors):
    """A face_fail rule's failure reason (required there, refused elsewhere)."""
    if effect != "face_fail":
        if reason is not None:
            errors.setdefault("reason", []).append("只有 face_fail 规则可以设置失败原因")
        return None
    if reason not in FACE_REASONS:
        errors.setdefault("reason", []).append(f"须为以下之一：{', '.join(FACE_REASONS)}")
    return reason


def _filters(data, errors):
    """Check the filters (app_id, kind, attempt) and the note; returns the attempt."""
    for name in ("app_id", "kind", "note"):
        if data.get(name) is not None and not isinstance(data[name], str):
            errors.setdefault(name, []).append("须为文字")
    attempt = data.get("attempt")
    if attempt is not None and (not isinstance(attempt, int) or isinstance(attempt, bool) or attempt < 1):
        errors.setdefault("attempt", []).append("须为正整数（第几次提交）")
    return attempt


def exhausted(rule):
    return rule.get("times") is not None and rule.get("used", 0) >= rule["times"]


def _filters_pass(rule, app):
    return (
        (rule.get("app_id") is None or rule["app_id"] == app.get("id"))
        and (rule.get("kind") is None or rule["kind"] == app.get("kind"))
        and (rule.get("attempt") is None or rule["attempt"] == app.get("attempt"))
    )


def candidates(rules, app, effects, stage):
    """Indexes of the rules that may apply at this point, in order (first match wins)."""
    out = []
    for i, rule in enumerate(rules):
        if rule["effect"] not in effects or exhausted(rule) or not _filters_pass(rule, app):
            continue
        if rule["stage"] == stage or (rule["stage"] == "any" and stage in ("provider", "bureau")):
            out.append(i)
    return out


def used(rules, index):
    """The rules with rule `index` counted as fired once more."""
    out = [dict(r) for r in rules]
    out[index]["used"] = out[index].get("used", 0) + 1
    return out
