"""After submission: following the order (status, MIIT's SMS code, a rejection, the end, expiry)."""

import copy

from backend.chat import cards, forms
from backend.chat.step_kit import SAME, SMS_CODE, choice, first_form_step, invalid, refused, sync
from backend.chat.steps_start import not_available
from backend.domain import durations, workflow
from backend.domain.errors import DomainError, Unprocessable
from backend.services import applications, effects, world
from backend.store import tx as store

# -- after submission -----------------------------------------------------------------------


def tracking_enter(ctx):
    ctx.ask_nothing()


def sms_enter(ctx):
    app = ctx.app()
    hours = durations.setting(world.settings(store.read(ctx.r, ctx.sid)), "sms_window_hours")
    mobiles = "、".join(effects.sms_recipients(app))
    ctx.ask_text(
        "SMS_CODE_PROMPT", ctx.t("SMS_CODE_PROMPT", mobiles=mobiles, hours=hours), "sms_code", pattern=SMS_CODE.pattern
    )


def sms_handle(ctx, text):
    code = text.strip()
    if not SMS_CODE.fullmatch(code):
        said = ctx.t("SMS_CODE_FORMAT")  # said as the answer too: the generic "重新提交" reads as the order's resubmit
        invalid(ctx, {"code": [said]}, text=said)
        return SAME
    try:
        applications.verify_sms(ctx.r, ctx.sid, ctx.conv["application_id"], code)
    except Unprocessable as exc:
        if exc.details.get("state", workflow.SMS_VERIFICATION) != workflow.SMS_VERIFICATION:
            return sync(ctx, force=True)  # the wrong code too many: the order went back (rejected)
        invalid(ctx, exc.errors, text=exc.message if ctx.locale != "en" else None)
        ctx.conv["app_version"] = ctx.app(refresh=True)["version"]  # a wrong code is no news
        return SAME
    except DomainError as exc:
        refused(ctx, exc)
        return sync(ctx, force=True)
    return sync(ctx, force=True)


def rejected_enter(ctx):
    app = ctx.app()
    who = ctx.t("REJECTED_BY_bureau" if app["state"] == workflow.BUREAU_REJECTED else "REJECTED_BY_provider")
    choices = []
    if app["kind"] in forms.FLOWS:
        choices.append(choice(ctx, workflow.EDIT))
    choices += [choice(ctx, workflow.RESUBMIT), choice(ctx, workflow.WITHDRAW)]
    text = ctx.t("REJECTED", who=who, reasons=cards.audit_lines(ctx.locale, app["audit_data"]))
    hints = cards.rejection_hints(ctx.locale, app)  # none for the rejections an edit fixes
    ctx.ask_choices(
        "REJECTED",
        "\n".join([text, *hints]),
        choices,
        audit_data=app["audit_data"],
    )


def _act(ctx, action):
    try:
        applications.act(ctx.r, ctx.sid, ctx.conv["application_id"], action)
    except DomainError as exc:
        refused(ctx, exc)
    return sync(ctx, force=True)


def rejected_handle(ctx, value):
    if value != workflow.EDIT:
        return _act(ctx, value)
    app = ctx.app()
    fl = forms.FLOWS[app["kind"]]
    audit = {}
    for entry in app["audit_data"]:
        audit.setdefault(entry["field"], []).append(f"{entry['error']}（{entry['suggest']}）")
    by_form = forms.errors_by_form(fl, audit, keep_unplaced=False)
    ctx.conv.update(
        kind=app["kind"], answers=copy.deepcopy(app["payload"]), form_errors=by_form, return_to_confirm=False
    )
    return first_form_step(fl, by_form)


def done_enter(ctx):
    app = ctx.app()
    code = "DONE_withdrawn" if app and app["state"] == workflow.WITHDRAWN else "DONE_approved"
    ctx.ask_choices("DONE", ctx.t(code), [choice(ctx, "restart")])


def expired_enter(ctx):
    ctx.ask_choices("EXPIRED", ctx.t("EXPIRED"), [choice(ctx, workflow.REOPEN), choice(ctx, "restart")])


def expired_handle(ctx, value):
    try:
        app = applications.act(ctx.r, ctx.sid, ctx.conv["application_id"], workflow.REOPEN)
    except DomainError as exc:
        refused(ctx, exc)
        return sync(ctx, force=True)
    ctx.conv.update(kind=app["kind"], answers=copy.deepcopy(app["payload"]), form_errors={})
    sync(ctx, force=True)  # the card of the draft
    return "confirm" if app["kind"] in forms.FLOWS else not_available(ctx, app["kind"])


def restart_handle(ctx, value):
    return "restart"  # the engine's restart (the same as the command)
