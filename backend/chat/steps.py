"""The conversation's step table: each step as data — what it asks, what it accepts,
how an answer is checked and acted on, and which steps it may lead to.

A step's `enter(ctx)` sends its prompt (and, for an `auto` step, returns the step to
go on to); `handle(ctx, value)` takes an accepted answer and returns the next step id,
SAME (ask this step again: the error was said) or None (stay, say nothing more).
`next` lists every step `enter`/`handle` can return; the engine refuses any other, and
the tests check that the table is closed and every step reachable.

Every rule lives in the services: the chat calls `cloud`, `applications.check/create/
edit/act/verify_sms/get` and maps their answers (422 errors onto form fields).
"""
import copy
import re
from dataclasses import dataclass
from typing import Callable

from backend.chat import cards, forms
from backend.chat.texts import CHOICE_LABELS, KIND_EN, SEED_REQUIREMENTS, SEED_SCENARIOS, SEED_WHY, pick
from backend.domain import durations, kinds, workflow
from backend.domain.errors import DomainError, Unprocessable
from backend.services import applications, effects, world
from backend.store import tx as store

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
    ctx.say("notice", "WHY_FILING", ctx.t("WHY_FILING"),
            notice={"level": "info", "title": ctx.t("WHY_TITLE"), "rules": [], "quote": SEED_WHY})


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
    if app and "edit" in app["allowed_actions"]:
        return app
    return None


def refused(ctx, error: DomainError):
    suggest = error.details.get("suggest") or ""
    ctx.say("notice", "ACTION_REFUSED",
            ctx.t("ACTION_REFUSED", message=error.message, suggest=ctx.t("SUGGEST", suggest=suggest) if suggest else ""),
            notice={"level": "error", "title": ctx.t("ACTION_REFUSED_TITLE"), "rules": [],
                    "error_code": error.code, "suggest": suggest, "quote": ""})


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
    if "verify_sms" in actions:
        return "sms"
    if "resubmit" in actions:
        return "rejected"
    if "reopen" in actions:
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
    if app["state"] == "approved":
        ctx.say("text", "RECORD_NUMBERS", cards.record_numbers(ctx.locale, app), result=app.get("result") or {})
    return state_step(app)


# -- welcome, why, eligibility, kind ------------------------------------------------------

def open_application(ctx):
    apps = [a for a in applications.list_all(ctx.r, ctx.sid)
            if not workflow.state(a["state"]).terminal]
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
    ctx.conv.update(application_id=app["id"], kind=app["kind"], app_version=None,
                    answers=copy.deepcopy(app["payload"]), form_errors={})
    nxt = sync(ctx, force=True)
    if nxt:
        return nxt
    return "confirm" if app["kind"] in forms.FLOWS else _not_available(ctx, app["kind"])


def eligibility_enter(ctx):
    result = ctx.eligibility(refresh=True)
    notice = {"rules": result["rules"], "usable_ips": result["usable_ips"], "rule_set": result["rule_set"],
              "quote": SEED_REQUIREMENTS}
    if result["eligible"]:
        ips = "、".join(ctx.t("IP_SLOTS", ip=row["ip"], slots=row["slots_left"]) for row in result["usable_ips"])
        ctx.say("notice", "ELIGIBLE", ctx.t("ELIGIBLE", ips=ips),
                notice={"level": "info", "title": ctx.t("ELIGIBLE_TITLE"), **notice})
        return "kind"
    reasons = "；".join(r["message"] for r in result["rules"] if not r["passed"])
    ctx.say("notice", "NOT_ELIGIBLE", ctx.t("NOT_ELIGIBLE", reasons=reasons),
            notice={"level": "error", "title": ctx.t("NOT_ELIGIBLE_TITLE"), **notice})
    return "not_eligible"


def not_eligible_enter(ctx):
    ctx.ask_choices("NOT_ELIGIBLE_ACTIONS", ctx.t("NOT_ELIGIBLE_ACTIONS"),
                    [choice(ctx, "recheck"), choice(ctx, "kinds"), choice(ctx, "why")])


def not_eligible_handle(ctx, value):
    if value == "why":
        why_notice(ctx)
        return SAME
    return {"recheck": "eligibility", "kinds": "kind"}[value]


def kind_enter(ctx):
    choices = [{"value": code, "label": k.zh if ctx.locale != "en" else KIND_EN[code],
                "description": SEED_SCENARIOS.get(code, ""), "available": available(code)}
               for code, k in kinds.KINDS.items()]
    ctx.ask_choices("CHOOSE_KIND", ctx.t("CHOOSE_KIND"), choices)


def _not_available(ctx, kind):
    ctx.say("notice", "KIND_NOT_AVAILABLE",
            ctx.t("KIND_NOT_AVAILABLE", kind_zh=kinds.get(kind).zh, kind_en=KIND_EN[kind]),
            notice={"level": "warning", "title": ctx.t("KIND_NOT_AVAILABLE_TITLE"), "rules": [],
                    "kind": kind, "quote": SEED_SCENARIOS.get(kind, "")})
    return SAME


def kind_handle(ctx, value):
    kind = kinds.get(value)
    if not available(value):
        return _not_available(ctx, value)
    fl = forms.FLOWS[value]
    if fl.needs_ip and not ctx.eligibility()["eligible"]:
        result = ctx.eligibility()
        ctx.say("notice", "NOT_ELIGIBLE", ctx.t("KIND_NEEDS_ELIGIBILITY", kind_zh=kind.zh, kind_en=KIND_EN[value]),
                notice={"level": "error", "title": ctx.t("NOT_ELIGIBLE_TITLE"), "rules": result["rules"],
                        "usable_ips": [], "rule_set": result["rule_set"], "quote": SEED_REQUIREMENTS})
        return SAME
    if ctx.conv.get("kind") != value:
        ctx.conv.update(kind=value, answers={}, form_errors={})
    ctx.conv["return_to_confirm"] = False
    return first_form_step(fl)


# -- screens: forms, picks, "another one?" ---------------------------------------------------

PICK_DONE = "done"  # the choice that ends a pick


def _settled(ctx, fl, screen, by_form, mine):
    """Change screens (`partial`) change only what is filled in: a form's "nothing to change"
    is not final while a later screen inside its path may still bring the change (the domains
    a change_website removes); it is said on the last such screen instead."""
    shown = forms.screens(ctx, fl, ctx.conv["answers"])
    if screen not in shown:
        return mine
    position = shown.index(screen)
    later = [forms.screen_form(s) for s in shown[position + 1:]]
    for earlier in shown[:position + 1]:
        form = forms.screen_form(earlier)
        whole = (by_form.get(earlier) or {}).get("_form")
        if not form.partial or not whole:
            continue
        pending = any(other.partial and forms.contains(form, other) for other in later)
        if earlier == screen:
            if pending:
                mine.pop("_form", None)
        elif not pending:
            said = mine.setdefault("_form", [])
            said += [m for m in whole if m not in said]
    return mine


def screen_errors(ctx, fl, screen):
    """The chat's own check of a screen, else the services' entry check of the answers so far
    (`applications.check`): the errors this screen shows."""
    form = forms.screen_form(screen)
    answers = forms.prune(ctx, fl, ctx.conv["answers"])
    own = forms.own_problems(ctx, form, answers)
    if own:
        return own
    app = editable_app(ctx)
    errors = dict(applications.check(ctx.r, ctx.sid, fl.kind, forms.payload(fl, answers), app and app["id"]))
    # about the list as a whole (e.g. an IP's slots): said on the copy being answered
    whole = errors.pop(f"payload.{form.list_path}", None) if form.repeat else None
    by_form = forms.errors_by_form(fl, errors)
    mine = {name: list(msgs) for name, msgs in (by_form.get(screen) or {}).items()}
    if whole:
        mine.setdefault("_form", []).extend(whole)
    return _settled(ctx, fl, screen, by_form, mine)


def _answered(ctx, fl, screen, before):
    """A screen was answered: checked, then on to the next screen (`before`: the screens
    that applied before the answer)."""
    try:
        mine = screen_errors(ctx, fl, screen)
    except DomainError as exc:  # e.g. the kind was withdrawn from the services meanwhile
        refused(ctx, exc)
        return SAME
    form_errors = ctx.conv.setdefault("form_errors", {})
    if mine:
        form_errors[screen] = mine
        invalid(ctx, mine, forms.parse_screen(screen)[0])
        return SAME
    form_errors.pop(screen, None)
    return _after(ctx, fl, screen, before)


def _after(ctx, fl, screen, before):
    answers = ctx.conv["answers"]
    form_id, i = forms.parse_screen(screen)
    form = forms.FORMS[form_id]
    if ctx.conv.get("return_to_confirm"):
        # editing from the recap goes back to it, unless the answer brought screens to ask
        order = forms.screens(ctx, fl, answers)
        added = [s for s in order[order.index(screen) + 1:] if s not in before] if screen in order else []
        if not added:
            return "confirm"
        ctx.conv["return_to_confirm"] = False
        return screen_step(added[0])
    if form.repeat and i + 1 < forms.copies_allowed(ctx, fl, form, answers):
        return f"more.{screen}"
    nxt = forms.next_form_screen(ctx, fl, answers, form_id)
    return screen_step(nxt) if nxt else "confirm"


def form_enter(screen):
    def enter(ctx):
        form = forms.screen_form(screen)
        errors = (ctx.conv.get("form_errors") or {}).get(screen)
        ctx.ask_form(form, forms.render(ctx, form, ctx.conv["answers"], errors))
    return enter


def form_handle(screen):
    def handle(ctx, submitted):
        form, fl = forms.screen_form(screen), flow(ctx)
        before = forms.screens(ctx, fl, ctx.conv["answers"])
        ctx.conv["answers"] = forms.absorb(ctx, form, ctx.conv["answers"], submitted)
        return _answered(ctx, fl, screen, before)
    return handle


def pick_enter(screen):
    """A pick: one quick reply per option (☑ chosen / ☐ not), and 完成."""
    def enter(ctx):
        form, answers = forms.screen_form(screen), ctx.conv["answers"]
        fld = form.fields[0]
        chosen = forms.current(ctx, form, answers)[fld.name] or []
        title = pick(ctx.locale, form.title)
        choices = [{"value": o["value"], "label": ("☑ " if o["value"] in chosen else "☐ ") + o["label"],
                    "selected": o["value"] in chosen} for o in forms.options(ctx, fld, answers)]
        choices.append({"value": PICK_DONE, "label": pick(ctx.locale, form.submit_label)})
        detail = {"id": form.id, "title": title, "selected": list(chosen)}
        errors = (ctx.conv.get("form_errors") or {}).get(screen)
        if errors:
            detail["error"] = "；".join(m for msgs in errors.values() for m in msgs)
        sep = ", " if ctx.locale == "en" else "、"
        ctx.ask_choices(f"PICK_{form.id.upper()}", ctx.t("PICK", title=title, chosen=sep.join(chosen) or "—"),
                        choices, pick=detail)
    return enter


def pick_handle(screen):
    """A choice toggles its option (a pick with `keep_one` never takes them all); 完成 checks
    the answers like a form's submission and goes on."""
    def handle(ctx, value):
        form, fl, answers = forms.screen_form(screen), flow(ctx), ctx.conv["answers"]
        if value == PICK_DONE:
            return _answered(ctx, fl, screen, forms.screens(ctx, fl, answers))
        fld = form.fields[0]
        offered = [o["value"] for o in forms.options(ctx, fld, answers)]
        chosen = set(forms.current(ctx, form, answers)[fld.name] or [])
        if value in chosen:
            chosen.discard(value)
        elif form.keep_one and len(chosen) + 1 >= len(offered):
            invalid(ctx, {"choice": [pick(ctx.locale, form.keep_one)]})
            return SAME
        else:
            chosen.add(value)
        ctx.conv["answers"] = forms.absorb(ctx, form, answers, {fld.name: [v for v in offered if v in chosen]})
        return SAME
    return handle


def more_enter(screen):
    """After copy i of a repeatable form: another one? (while the entity may file more)"""
    def enter(ctx):
        form_id, i = forms.parse_screen(screen)
        form = forms.FORMS[form_id]
        allowed = forms.copies_allowed(ctx, flow(ctx), form, ctx.conv["answers"])
        ctx.ask_choices(f"MORE_{form_id.upper()}", pick(ctx.locale, form.more).format(n=i + 1, max=allowed),
                        [choice(ctx, "add_more"), choice(ctx, "no_more")])
    return enter


def more_handle(screen):
    def handle(ctx, value):
        form_id, i = forms.parse_screen(screen)
        form, fl, answers = forms.FORMS[form_id], flow(ctx), ctx.conv["answers"]
        if value == "add_more" and i + 1 < forms.copies_allowed(ctx, fl, form, answers):
            return f"form.{forms.screen_id(form_id, i + 1)}"
        items = forms.get_path(answers, form.list_path)
        if isinstance(items, list):
            del items[i + 1:]  # no more: copies answered before and walked back over go
        errors = ctx.conv.get("form_errors") or {}
        for dropped in [s for s in errors if forms.parse_screen(s)[0] == form_id and forms.parse_screen(s)[1] > i]:
            errors.pop(dropped)
        nxt = forms.next_form_screen(ctx, fl, answers, form_id)
        return screen_step(nxt) if nxt else "confirm"
    return handle


# -- confirm and submit -----------------------------------------------------------------------

def confirm_enter(ctx):
    fl = flow(ctx)
    recap = forms.summary(ctx, fl, ctx.conv["answers"])
    sep, colon = ("; ", ": ") if ctx.locale == "en" else ("；", "：")
    lines = "\n".join(part["title"] + colon + sep.join(f"{i['label']} {i['value']}" for i in part["items"])
                      for part in recap)
    choices = [choice(ctx, "submit")] + [choice(ctx, f"edit:{p['screen']}", "edit_form", {"title": p["title"]})
                                         for p in recap]
    ctx.ask_choices("CONFIRM", ctx.t("CONFIRM", summary=lines), choices, summary=recap)
    ctx.conv["return_to_confirm"] = False


def confirm_handle(ctx, value):
    fl = flow(ctx)
    if value.startswith("edit:"):
        ctx.conv["return_to_confirm"] = True
        return screen_step(value.split(":", 1)[1])
    answers = forms.prune(ctx, fl, ctx.conv["answers"])
    app = editable_app(ctx)
    try:
        if app is None:
            app = applications.create(ctx.r, ctx.sid, fl.kind, forms.payload(fl, answers))
            ctx.conv.update(application_id=app["id"], app_version=None)
        else:
            app = applications.edit(ctx.r, ctx.sid, app["id"], forms.patch(fl, answers, app["payload"]))
        action = "submit" if "submit" in app["allowed_actions"] else "resubmit"
        applications.act(ctx.r, ctx.sid, app["id"], action)
    except Unprocessable as exc:
        by_form = forms.errors_by_form(fl, exc.errors)
        ctx.conv["form_errors"] = by_form
        screen = next(iter(by_form), fl.forms[0])
        invalid(ctx, by_form.get(screen, {}), forms.parse_screen(screen)[0])
        return first_form_step(fl, by_form)
    except DomainError as exc:  # a precondition of the kind (409): said, and shown on its field
        refused(ctx, exc)
        by_form = refused_fields(fl, exc)
        if by_form:
            ctx.conv["form_errors"] = by_form
            return first_form_step(fl, by_form)
        return SAME
    ctx.conv["form_errors"] = {}
    return sync(ctx, force=True)


# -- after submission -----------------------------------------------------------------------

def tracking_enter(ctx):
    ctx.ask_nothing()


def sms_enter(ctx):
    app = ctx.app()
    hours = durations.setting(world.settings(store.read(ctx.r, ctx.sid)), "sms_window_hours")
    mobiles = "、".join(effects.sms_recipients(app))
    ctx.ask_text("SMS_CODE_PROMPT", ctx.t("SMS_CODE_PROMPT", mobiles=mobiles, hours=hours), "sms_code",
                 pattern=SMS_CODE.pattern)


def sms_handle(ctx, text):
    code = text.strip()
    if not SMS_CODE.fullmatch(code):
        invalid(ctx, {"code": [ctx.t("SMS_CODE_FORMAT")]})
        return SAME
    try:
        applications.verify_sms(ctx.r, ctx.sid, ctx.conv["application_id"], code)
    except Unprocessable as exc:
        if exc.details.get("state", "sms_verification") != "sms_verification":
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
    who = ctx.t("REJECTED_BY_bureau" if app["state"].startswith("bureau") else "REJECTED_BY_provider")
    choices = []
    if app["kind"] in forms.FLOWS:
        choices.append(choice(ctx, "edit"))
    choices += [choice(ctx, "resubmit"), choice(ctx, "withdraw")]
    ctx.ask_choices("REJECTED", ctx.t("REJECTED", who=who, reasons=cards.audit_lines(ctx.locale, app["audit_data"])),
                    choices, audit_data=app["audit_data"])


def _act(ctx, action):
    try:
        applications.act(ctx.r, ctx.sid, ctx.conv["application_id"], action)
    except DomainError as exc:
        refused(ctx, exc)
    return sync(ctx, force=True)


def rejected_handle(ctx, value):
    if value != "edit":
        return _act(ctx, value)
    app = ctx.app()
    fl = forms.FLOWS[app["kind"]]
    audit = {}
    for entry in app["audit_data"]:
        audit.setdefault(entry["field"], []).append(f"{entry['error']}（{entry['suggest']}）")
    by_form = forms.errors_by_form(fl, audit, keep_unplaced=False)
    ctx.conv.update(kind=app["kind"], answers=copy.deepcopy(app["payload"]), form_errors=by_form,
                    return_to_confirm=False)
    return first_form_step(fl, by_form)


def done_enter(ctx):
    app = ctx.app()
    code = "DONE_withdrawn" if app and app["state"] == "withdrawn" else "DONE_approved"
    ctx.ask_choices("DONE", ctx.t(code), [choice(ctx, "restart")])


def expired_enter(ctx):
    ctx.ask_choices("EXPIRED", ctx.t("EXPIRED"), [choice(ctx, "reopen"), choice(ctx, "restart")])


def expired_handle(ctx, value):
    try:
        app = applications.act(ctx.r, ctx.sid, ctx.conv["application_id"], "reopen")
    except DomainError as exc:
        refused(ctx, exc)
        return sync(ctx, force=True)
    ctx.conv.update(kind=app["kind"], answers=copy.deepcopy(app["payload"]), form_errors={})
    sync(ctx, force=True)  # the card of the draft
    return "confirm" if app["kind"] in forms.FLOWS else _not_available(ctx, app["kind"])


def restart_handle(ctx, value):
    return "restart"  # the engine's restart (the same as the command)


# -- the table ----------------------------------------------------------------------------------

def _steps_of(form_id):
    """The steps of a form's screens (one per copy a flow may ask)."""
    return [screen_step(forms.screen_id(form_id, i)) for i in range(forms.max_copies(form_id))]


def _screen_steps():
    """A step per screen (a form, a copy, a pick), and the "another one?" between copies. Any
    later form of a flow may follow a screen: a condition on the answers may skip the next."""
    out = []
    for form_id, form in forms.FORMS.items():
        later = {"confirm"}
        for fl in forms.FLOWS.values():
            if form_id in fl.forms:
                for other in fl.forms[fl.forms.index(form_id) + 1:]:
                    later.update(_steps_of(other))
        n = forms.max_copies(form_id)
        for i in range(n):
            screen = forms.screen_id(form_id, i)
            more = {f"more.{screen}"} if i + 1 < n else set()
            if form.ask == forms.PICK:
                out.append(Step(screen_step(screen), CHOICE, pick_enter(screen), pick_handle(screen),
                                next=tuple(sorted(later | more))))
            else:
                out.append(Step(screen_step(screen), FORM, form_enter(screen), form_handle(screen),
                                next=tuple(sorted(later | more)), form_id=form_id))
            if more:
                out.append(Step(f"more.{screen}", CHOICE, more_enter(screen), more_handle(screen),
                                next=tuple(sorted(later | {screen_step(forms.screen_id(form_id, i + 1))}))))
    return out


FORM_STEPS = tuple(s for f in forms.FORMS for s in _steps_of(f))
FIRST_FORMS = tuple(sorted({screen_step(fl.forms[0]) for fl in forms.FLOWS.values()}))

STEPS = {s.id: s for s in (
    Step("welcome", CHOICE, welcome_enter, welcome_handle, anchor=True,
         next=("eligibility", "confirm") + SYNC_TARGETS),
    Step("eligibility", AUTO, eligibility_enter, next=("kind", "not_eligible")),
    Step("not_eligible", CHOICE, not_eligible_enter, not_eligible_handle, next=("eligibility", "kind")),
    Step("kind", CHOICE, kind_enter, kind_handle, next=FIRST_FORMS),
    *_screen_steps(),
    Step("confirm", CHOICE, confirm_enter, confirm_handle, next=FORM_STEPS + SYNC_TARGETS),
    Step("tracking", NONE, tracking_enter, anchor=True),
    Step("sms", TEXT, sms_enter, sms_handle, anchor=True, next=SYNC_TARGETS),
    Step("rejected", CHOICE, rejected_enter, rejected_handle, anchor=True, next=FORM_STEPS + SYNC_TARGETS),
    Step("done", CHOICE, done_enter, restart_handle, anchor=True, next=("restart",)),
    Step("expired", CHOICE, expired_enter,
         lambda ctx, value: restart_handle(ctx, value) if value == "restart" else expired_handle(ctx, value),
         anchor=True, next=("confirm", "restart") + SYNC_TARGETS),
)}
START = "welcome"
RESTART = "restart"  # not a step: the engine starts the conversation over at START
