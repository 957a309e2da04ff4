"""Status cards: an application as the chat shows it, derived from the workflow table."""

from backend.chat.texts import ACTION_HINTS, NEXT_STEPS, STATE_EN, pick, say
from backend.domain import kinds, workflow
from backend.services import applications


def next_step(locale, app):
    """What happens next: who the state waits on (the table's `waits_on`) and, when it is
    the user, the actions the table allows."""
    st = workflow.state(app["state"])
    template = pick(locale, NEXT_STEPS[st.waits_on])
    if st.waits_on != "user":
        return template
    sep = "、" if locale != "en" else ", "
    actions = sep.join(
        pick(locale, ACTION_HINTS.get(a, (t.zh, t.action)))
        for a in app["allowed_actions"]
        for t in [workflow.find(app["state"], a, app["kind"])]
        if t
    )
    return template.format(actions=actions)


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
    }
    text = say(
        locale,
        "STATUS_CARD",
        app_id=app["id"],
        state_zh=app["state_zh"],
        state_en=STATE_EN.get(app["state"], app["state"]),
        next_step=nxt,
    )
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
