"""The first steps: welcome, why file, eligibility, the choice of the kind (from its spec)."""

import copy

from backend.chat import forms, steps_filings, steps_verify
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


VERIFY = "verify"  # the verification form, which finds the kind (steps_verify.py)
NEW, CHANGE = "new", "change"  # the menu: 新增备案 (verification first) or 变更/注销 (from my filings)
# the old menu's answers (a kind, or "verify"), still accepted for recorded conversations
LEGACY_CHOICES = {
    **{code: (k.zh, k.chat.en) for code, k in kinds.KINDS.items()},
    VERIFY: ("验证备案类型", "Verify the filing type"),
}


def kind_enter(ctx):
    choices = [
        choice(ctx, NEW, description=ctx.t("NEW_FILING_DESCRIPTION"), available=True),
        choice(ctx, CHANGE, description=ctx.t("CHANGE_FILING_DESCRIPTION"), available=True),
    ]
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


def _ineligible(ctx, text):
    result = ctx.eligibility()
    ctx.say(
        "notice",
        "NOT_ELIGIBLE",
        text,
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


def new_filing(ctx):
    """新增备案: one order at a time, a filing IP, then the verification form (pre-filled with the
    account's entity when it has one: a new website is verified with its certificate)."""
    gate = filing_type.open_order_gate(ctx.r, ctx.sid)
    if gate is not None:
        refused(ctx, gate)
        return SAME
    if not ctx.eligibility()["eligible"]:
        return _ineligible(ctx, ctx.t("NEW_NEEDS_ELIGIBILITY"))
    own = ctx.records().own() or {}
    known = {
        "province": own.get("province"),
        "entity_type": own.get("type"),
        "certificate_type": own.get("certificate_type"),
        "certificate_number": own.get("certificate_number"),
    }
    verify = {k: v for k, v in known.items() if v is not None}
    ctx.conv.update(kind=None, answers={"_chat": {"verify": verify}}, form_errors={}, return_to_confirm=False)
    return steps_verify.STEP


def kind_handle(ctx, value):
    if value == NEW:
        return new_filing(ctx)
    if value == CHANGE:
        return steps_filings.change_entry(ctx)
    if value == VERIFY:
        return steps_verify.STEP
    return direct_kind(ctx, value)


def direct_kind(ctx, value):
    """The old menu's answer, a kind by name (recorded conversations): the account rules and the
    filing IP are checked before its first form, which starts empty."""
    kind = kinds.get(value)
    if not available(value):
        return not_available(ctx, value)
    refusal = filing_type.account_gate(ctx.r, ctx.sid, value)
    if refusal is not None:  # the account rules refuse every order of this kind: say so before any form
        refused(ctx, refusal)
        return SAME
    fl = forms.FLOWS[value]
    if fl.needs_ip and not ctx.eligibility()["eligible"]:
        return _ineligible(ctx, ctx.t("KIND_NEEDS_ELIGIBILITY", kind_zh=kind.zh, kind_en=kind.chat.en))
    if ctx.conv.get("kind") != value:
        ctx.conv.update(kind=value, answers={}, form_errors={})
    ctx.conv["return_to_confirm"] = False
    return first_form_step(fl)
