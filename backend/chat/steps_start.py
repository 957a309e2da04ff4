"""The first steps: welcome, why file, eligibility, the choice of the kind (from its spec)."""

import copy

from backend.chat import forms
from backend.chat.step_kit import SAME, available, choice, first_form_step, refused, sync, why_notice
from backend.chat.texts import SEED_REQUIREMENTS
from backend.domain import kinds, workflow
from backend.services import applications, filing_type

# -- welcome, why, eligibility, kind ------------------------------------------------------


def open_application(ctx):
    """The last order not final yet (an expired one included: the chat offers to reopen it)."""
    apps = [a for a in applications.list_all(ctx.r, ctx.sid) if not workflow.state(a["state"]).terminal]
    return apps[-1] if apps else None


def welcome_enter(ctx):
    choices = [choice(ctx, "start"), choice(ctx, "why")]
    text = ctx.t("WELCOME")
    app = open_application(ctx)
    if app:
        choices.append(choice(ctx, "track", application_id=app["id"]))
        text += "\n" + ctx.t("WELCOME_OPEN", app_id=app["id"], state_zh=app["state_zh"])
    ctx.ask_choices("WELCOME", text, choices)


def welcome_handle(ctx, value):
    if value == "start":
        return "eligibility"
    if value == "why":
        why_notice(ctx)
        return SAME
    app = open_application(ctx)  # "track"
    if app is None:
        return SAME
    ctx.conv.update(
        application_id=app["id"],
        kind=app["kind"],
        app_version=None,
        answers=copy.deepcopy(app["payload"]),
        form_errors={},
    )
    nxt = sync(ctx, force=True)
    if nxt:
        return nxt
    return "confirm" if app["kind"] in forms.FLOWS else not_available(ctx, app["kind"])


def eligibility_enter(ctx):
    result = ctx.eligibility(refresh=True)
    notice = {
        "rules": result["rules"],
        "usable_ips": result["usable_ips"],
        "rule_set": result["rule_set"],
        "quote": SEED_REQUIREMENTS,
    }
    if result["eligible"]:
        ips = "、".join(ctx.t("IP_SLOTS", ip=row["ip"], slots=row["slots_left"]) for row in result["usable_ips"])
        ctx.say(
            "notice",
            "ELIGIBLE",
            ctx.t("ELIGIBLE", ips=ips),
            notice={"level": "info", "title": ctx.t("ELIGIBLE_TITLE"), **notice},
        )
        return "kind"
    reasons = "；".join(r["message"] for r in result["rules"] if not r["passed"])
    ctx.say(
        "notice",
        "NOT_ELIGIBLE",
        ctx.t("NOT_ELIGIBLE", reasons=reasons),
        notice={"level": "error", "title": ctx.t("NOT_ELIGIBLE_TITLE"), **notice},
    )
    return "not_eligible"


def not_eligible_enter(ctx):
    ctx.ask_choices(
        "NOT_ELIGIBLE_ACTIONS",
        ctx.t("NOT_ELIGIBLE_ACTIONS"),
        [choice(ctx, "recheck"), choice(ctx, "kinds"), choice(ctx, "why")],
    )


def not_eligible_handle(ctx, value):
    if value == "why":
        why_notice(ctx)
        return SAME
    return {"recheck": "eligibility", "kinds": "kind"}[value]


VERIFY = "verify"  # not a kind: the verification form, which finds the kind (steps_verify.py)


def kind_enter(ctx):
    choices = [
        {
            "value": code,
            "label": k.zh if ctx.locale != "en" else k.chat.en,
            "description": k.chat.seed_quote,
            "available": available(code),
        }
        for code, k in kinds.KINDS.items()
    ]
    # the seed's nine scenarios keep their places (and numbers); verification comes after them
    choices.append({"value": VERIFY, "label": ctx.t("VERIFY_CHOICE"), "description": "", "available": True})
    ctx.ask_choices("CHOOSE_KIND", ctx.t("CHOOSE_KIND"), choices)


def not_available(ctx, kind):
    spec = kinds.get(kind)
    ctx.say(
        "notice",
        "KIND_NOT_AVAILABLE",
        ctx.t("KIND_NOT_AVAILABLE", kind_zh=spec.zh, kind_en=spec.chat.en),
        notice={
            "level": "warning",
            "title": ctx.t("KIND_NOT_AVAILABLE_TITLE"),
            "rules": [],
            "kind": kind,
            "quote": spec.chat.seed_quote,
        },
    )
    return SAME


def kind_handle(ctx, value):
    if value == VERIFY:
        return "form.verify"
    kind = kinds.get(value)
    if not available(value):
        return not_available(ctx, value)
    refusal = filing_type.account_gate(ctx.r, ctx.sid, value)
    if refusal is not None:  # the account rules refuse every order of this kind: say so before any form
        refused(ctx, refusal)
        return SAME
    fl = forms.FLOWS[value]
    if fl.needs_ip and not ctx.eligibility()["eligible"]:
        result = ctx.eligibility()
        ctx.say(
            "notice",
            "NOT_ELIGIBLE",
            ctx.t("KIND_NEEDS_ELIGIBILITY", kind_zh=kind.zh, kind_en=kind.chat.en),
            notice={
                "level": "error",
                "title": ctx.t("NOT_ELIGIBLE_TITLE"),
                "rules": result["rules"],
                "usable_ips": [],
                "rule_set": result["rule_set"],
                "quote": SEED_REQUIREMENTS,
            },
        )
        return SAME
    if ctx.conv.get("kind") != value:
        ctx.conv.update(kind=value, answers={}, form_errors={})
    ctx.conv["return_to_confirm"] = False
    return first_form_step(fl)
