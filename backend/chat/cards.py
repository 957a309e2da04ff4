"""Status cards: an application as the chat shows it, derived from the workflow table."""

from datetime import datetime, timedelta

from backend.chat.texts import ACTION_HINTS, EDIT_UNREJECTED, NEXT_STEPS, STATE_EN, pick, say
from backend.domain import kinds, timeline, workflow
from backend.services import applications


def next_step(locale, app):
    """What happens next: who the state waits on (the table's `waits_on`) and, when it is
    the user, the actions the table allows."""
    st = workflow.state(app["state"])
    template = pick(locale, NEXT_STEPS[st.waits_on])
    miit = miit_pending(app)
    if miit:  # MIIT told the user first; Tencent's status follows (process.md §6.1, §6.3)
        return miit_text(locale, app, miit)
    if st.waits_on != "user":
        return template
    sep = "、" if locale != "en" else ", "
    hints = dict(ACTION_HINTS)
    if app["state"] not in workflow.REJECTED_STATES:
        hints[workflow.EDIT] = EDIT_UNREJECTED
    actions = sep.join(
        pick(locale, hints.get(a, (t.zh, t.action)))
        for a in app["allowed_actions"]
        for t in [workflow.find(app["state"], a, app["kind"])]
        if t
    )
    return template.format(actions=actions)


# -- after submission as process.md tells it (domain/timeline.py; absent with default settings) --


def when(value):
    """'2026-12-01T10:00:00+08:00' -> '2026-12-01 10:00' (the sandbox clock's own zone)."""
    return value.replace("T", " ")[:16] if value else "—"


def miit_pending(app):
    """MIIT's result (`tencent_sync_hours` > 0) while Tencent's status has not synced it yet."""
    miit = app.get("miit_result")
    if miit and app.get("state") == workflow.BUREAU_REVIEW and miit.get("attempt") == app.get("attempt"):
        return miit
    return None


def miit_numbers(app):
    result = app.get("result") or {}
    numbers = [result.get("entity_number"), *(result.get("website_numbers") or [])]
    return [n for n in numbers if n] or list(result.get("revoked_numbers") or [])


def miit_text(locale, app, miit):
    sep = "、" if locale != "en" else ", "
    reasons = "；".join(a.get("error", "") for a in miit.get("audit_data") or [])
    code = "MIIT_RESULT_approve" if miit.get("verdict") == "approve" else "MIIT_RESULT_reject"
    numbers = sep.join(miit_numbers(app)) or "—"
    return say(locale, code, numbers=numbers, reasons=reasons or "—", sync_at=when(miit.get("tencent_sync_at")))


def resubmit_due_at(app):
    """When Tencent resubmits an order an SMS timeout returned (`sms_timeout_resubmit_hours`):
    pending while the order is 初审驳回 and unedited since (timeline.resubmit_due)."""
    mark = app.get("sms_resubmit") or {}
    if app.get("state") != workflow.PROVIDER_REJECTED or not timeline.resubmit_due(app):
        return None
    try:
        at = datetime.fromisoformat(mark["returned_at"]) + timedelta(hours=float(mark["hours"]))
    except (KeyError, TypeError, ValueError):
        return None
    return at.isoformat(timespec="seconds")


def pending_fields(locale, app):
    """The card's structured view of what is pending (only keys that apply: a default sandbox's
    cards are unchanged)."""
    out = {}
    miit = miit_pending(app)
    if miit:
        out["miit_result"] = {
            "verdict": miit.get("verdict"),
            "at": miit.get("at"),
            "tencent_sync_at": miit.get("tencent_sync_at"),
            "numbers": _numbers(app) if miit.get("verdict") == "approve" else {},
            "audit_data": miit.get("audit_data") or [],
        }
    due = resubmit_due_at(app)
    if due:
        out["sms_resubmit"] = {
            "due_at": due,
            "returned_at": app["sms_resubmit"].get("returned_at"),
            "text": say(locale, "SMS_RESUBMIT_PENDING", due=when(due)),
        }
    return out


def _numbers(app):
    """The numbers MIIT issued (or revoked), keyed as the card's `result`."""
    result = app.get("result") or {}
    keys = ("entity_number", "website_numbers", "revoked_numbers")
    return {k: result[k] for k in keys if result.get(k)}


def _at_path(payload, path):
    node = payload
    for part in (path or "").split("."):
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, dict):
            node = node.get(part)
        else:
            return None
    return node if isinstance(node, str) else None


def rejection_hints(locale, app):
    """What to do for the rejections that are not fixed by editing the form: the reviewer's
    unanswered call (process.md §6.1 "Call") and a site online during the bureau's review (§6.1
    "Bureau"); then a pending automatic resubmission (§5 "Timeout / failure")."""
    audit = app.get("audit_data") or []
    payload = app.get("payload") or {}
    sep = "、" if locale != "en" else ", "
    hints = []
    calls = [a for a in audit if a.get("code") == "CALL_UNREACHABLE"]
    if calls:
        mobile = _at_path(payload, calls[0].get("field")) or _at_path(payload, timeline.called_path(app)) or "—"
        hints.append(say(locale, "HINT_CALL_UNREACHABLE", mobile=mobile, numbers=sep.join(timeline.REVIEWER_NUMBERS)))
    online = [a for a in audit if a.get("code") == "SITE_REACHABLE_DURING_REVIEW"]
    if online:
        domains = sep.join(dict.fromkeys(d for a in online for d in [_at_path(payload, a.get("field"))] if d)) or "—"
        hints.append(say(locale, "HINT_SITE_REACHABLE", domains=domains))
    due = resubmit_due_at(app)
    if due:
        hints.append(say(locale, "SMS_RESUBMIT_PENDING", due=when(due)))
    return hints


def status_card(r, sid, locale, app):
    """(text, card) of the application as it is now."""
    timeline = [
        {"at": e["at"], "action": e["action"], "actor": e.get("actor"), "reason": e.get("reason")}
        for e in applications.history(r, sid, app["id"])
    ]
    nxt = next_step(locale, app)
    card = {
        "application_id": app["id"],
        "kind": app["kind"],
        "kind_zh": app["kind_zh"],
        "state": app["state"],
        "state_zh": app["state_zh"],
        "version": app["version"],
        "wechat": app["wechat"],
        "allowed_actions": app["allowed_actions"],
        "timeline": timeline,
        "next_step": nxt,
        "audit_data": app.get("audit_data") or [],
        "result": app.get("result") or {},
        **pending_fields(locale, app),
    }
    text = say(
        locale,
        "STATUS_CARD",
        app_id=app["id"],
        state_zh=app["state_zh"],
        state_en=STATE_EN.get(app["state"], app["state"]),
        next_step=nxt,
    )
    if "sms_resubmit" in card:  # the order waits on the user, and on Tencent's resubmission unless edited
        text += "\n" + card["sms_resubmit"]["text"]
    return text, card


def record_numbers(locale, app):
    """What approval gave, in the words of the kind: numbers issued, kept or revoked."""
    result = app.get("result") or {}
    sep = "、" if locale != "en" else ", "
    code = kinds.get(app["kind"]).chat.result_text  # checked against TEXTS when chat.forms is imported
    return say(
        locale,
        code,
        entity_number=result.get("entity_number", "—"),
        website_numbers=sep.join(result.get("website_numbers") or []) or "—",
        revoked_numbers=sep.join(result.get("revoked_numbers") or []) or "—",
    )


def audit_lines(locale, audit_data):
    return "\n".join(
        say(
            locale,
            "AUDIT_LINE",
            key_name=a.get("key_name") or a.get("field", ""),
            error=a.get("error", ""),
            suggest=a.get("suggest", ""),
        )
        for a in audit_data
    )
