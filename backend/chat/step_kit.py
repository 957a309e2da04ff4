"""What the conversation's steps share: the Step record, the kinds of answer a step
accepts, the helpers that say things and map the services' errors, and where the
application's state puts a submitted conversation (`state_step`, `sync`)."""

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from backend.chat import cards, forms
from backend.chat.texts import CHOICE_LABELS, SEED_WHY, pick
from backend.domain import kinds, workflow
from backend.domain.errors import DomainError

SAME = "<same>"
CHOICE, FORM, TEXT, NONE, AUTO = "choice", "form", "text", "none", "auto"
SMS_CODE = re.compile(r"^\d{6}$")  # the format only; the code itself is the services' to check


@dataclass(frozen=True)
class Step:
    id: str
    accepts: str  # choice | form | text | none | auto (runs on entering, asks nothing)
    enter: Callable
    handle: Callable | None = None
    next: tuple = ()
    anchor: bool = False  # entering it clears the way back (the order was submitted)
    form_id: str | None = None
    # choices accepted without being offered (a recorded conversation's older answers): {value: (zh, en) label}
    also: dict = field(default_factory=dict)


# -- helpers the steps share ------------------------------------------------------------


def label(ctx, key, **values):
    return pick(ctx.locale, CHOICE_LABELS[key]).format(**values)


def choice(ctx, value, key=None, label_values=None, **extra):
    return {"value": value, "label": label(ctx, key or value, **(label_values or {})), **extra}


def flow(ctx):
    return forms.FLOWS.get(ctx.conv.get("kind"))


def available(kind):
    """Offered for real: implemented by the services and described by a chat flow."""
    return kind in kinds.IMPLEMENTED and kind in forms.FLOWS


def why_notice(ctx):
    ctx.say(
        "notice",
        "WHY_FILING",
        ctx.t("WHY_FILING"),
        notice={"level": "info", "title": ctx.t("WHY_TITLE"), "rules": [], "quote": SEED_WHY},
    )


def screen_step(screen):
    """The step asking a screen (forms.screens): `form.<screen>`, or `pick.<screen>` for a pick."""
    return ("pick." if forms.screen_form(screen).ask == forms.PICK else "form.") + screen


def first_form_step(fl, errors=None):
    """The first screen with errors ({screen: ...} in the flow's order), else the flow's first."""
    for screen in errors or ():
        return screen_step(screen)
    return screen_step(fl.forms[0])


def editable_app(ctx):
    """The conversation's application when the table still lets the user edit it."""
    app = ctx.app()
    if app and workflow.EDIT in app["allowed_actions"]:
        return app
    return None


def refused(ctx, error: DomainError):
    suggest = error.details.get("suggest") or ""
    ctx.say(
        "notice",
        "ACTION_REFUSED",
        ctx.t("ACTION_REFUSED", message=error.message, suggest=ctx.t("SUGGEST", suggest=suggest) if suggest else ""),
        notice={
            "level": "error",
            "title": ctx.t("ACTION_REFUSED_TITLE"),
            "rules": [],
            "error_code": error.code,
            "suggest": suggest,
            "quote": "",
        },
    )


def refused_fields(fl, error: DomainError):
    """{form id: {field: [msg]}} of the payload fields a refusal names (its `field`/`fields`)."""
    paths = list(error.details.get("fields") or []) or ([error.details["field"]] if error.details.get("field") else [])
    suggest = error.details.get("suggest")
    message = error.message + (f"（{suggest}）" if suggest else "")
    return forms.errors_by_form(fl, {p: [message] for p in paths}, keep_unplaced=False)


def invalid(ctx, errors, form_id=None, text=None):
    extra = {"errors": errors}
    if form_id:
        extra["form_id"] = form_id
    ctx.say("text", "INVALID_ANSWER", text or ctx.t("INVALID_ANSWER"), **extra)


# -- the application's state decides where a submitted conversation stands --------------


def state_step(app):
    """From the workflow table: terminal -> done; someone else's turn -> tracking; the user's
    turn -> what the table lets them do (verify the SMS, resubmit, reopen)."""
    st = workflow.state(app["state"])
    if st.terminal:
        return "done"
    if st.waits_on != "user":
        return "tracking"
    actions = app["allowed_actions"]
    if workflow.VERIFY_SMS in actions:
        return "sms"
    if workflow.RESUBMIT in actions:
        return "rejected"
    if workflow.REOPEN in actions:
        return "expired"
    return None  # a draft: the user is still filling it in


SYNC_TARGETS = ("tracking", "sms", "rejected", "done", "expired")


def sync(ctx, force=False):
    """When the application moved since the last card (or `force`): a status card, the
    record numbers on approval, and the step its state calls for (None: stay)."""
    if not ctx.conv.get("application_id"):
        return None
    app = ctx.app(refresh=True)
    if app is None or (not force and app["version"] == ctx.conv.get("app_version")):
        return None
    ctx.conv["app_version"] = app["version"]
    text, card = cards.status_card(ctx.r, ctx.sid, ctx.locale, app)
    ctx.say("status_card", "STATUS_CARD", text, card=card)
    if app["state"] == workflow.APPROVED:
        ctx.say("text", "RECORD_NUMBERS", cards.record_numbers(ctx.locale, app), result=app.get("result") or {})
    return state_step(app)
