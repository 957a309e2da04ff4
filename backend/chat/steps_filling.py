"""Filling the order: one step per screen (a form, a pick, \"another one?\"), then confirm and submit."""

from backend.chat import forms, steps_checklist
from backend.chat.step_kit import (
    SAME,
    choice,
    editable_app,
    first_form_step,
    flow,
    invalid,
    refused,
    refused_fields,
    screen_step,
    sync,
)
from backend.chat.texts import pick
from backend.domain import workflow
from backend.domain.errors import DomainError, Unprocessable
from backend.services import applications

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
    later = [forms.screen_form(s) for s in shown[position + 1 :]]
    for earlier in shown[: position + 1]:
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
        added = [s for s in order[order.index(screen) + 1 :] if s not in before] if screen in order else []
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
        choices = [
            {
                "value": o["value"],
                "label": ("☑ " if o["value"] in chosen else "☐ ") + o["label"],
                "selected": o["value"] in chosen,
            }
            for o in forms.options(ctx, fld, answers)
        ]
        choices.append({"value": PICK_DONE, "label": pick(ctx.locale, form.submit_label)})
        detail = {"id": form.id, "title": title, "selected": list(chosen)}
        errors = (ctx.conv.get("form_errors") or {}).get(screen)
        if errors:
            detail["error"] = "；".join(m for msgs in errors.values() for m in msgs)
        sep = ", " if ctx.locale == "en" else "、"
        ctx.ask_choices(
            f"PICK_{form.id.upper()}", ctx.t("PICK", title=title, chosen=sep.join(chosen) or "—"), choices, pick=detail
        )

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
        ctx.ask_choices(
            f"MORE_{form_id.upper()}",
            pick(ctx.locale, form.more).format(n=i + 1, max=allowed),
            [choice(ctx, "add_more"), choice(ctx, "no_more")],
        )

    return enter


def more_handle(screen):
    def handle(ctx, value):
        form_id, i = forms.parse_screen(screen)
        form, fl, answers = forms.FORMS[form_id], flow(ctx), ctx.conv["answers"]
        if value == "add_more" and i + 1 < forms.copies_allowed(ctx, fl, form, answers):
            return f"form.{forms.screen_id(form_id, i + 1)}"
        items = forms.get_path(answers, form.list_path)
        if isinstance(items, list):
            del items[i + 1 :]  # no more: copies answered before and walked back over go
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
    lines = "\n".join(
        part["title"] + colon + sep.join(f"{i['label']} {i['value']}" for i in part["items"]) for part in recap
    )
    choices = [choice(ctx, workflow.SUBMIT)] + [
        choice(ctx, f"edit:{p['screen']}", "edit_form", {"title": p["title"]}) for p in recap
    ]
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
        action = workflow.SUBMIT if workflow.SUBMIT in app["allowed_actions"] else workflow.RESUBMIT
        applications.act(ctx.r, ctx.sid, app["id"], action)
    except Unprocessable as exc:
        by_form = forms.errors_by_form(fl, exc.errors)
        ctx.conv["form_errors"] = by_form
        screen = next(iter(by_form), fl.forms[0])
        invalid(ctx, by_form.get(screen, {}), forms.parse_screen(screen)[0])
        return first_form_step(fl, by_form)
    except DomainError as exc:  # a precondition of the kind (409): said, and shown on its field
        if exc.code == steps_checklist.NOT_READY and ctx.conv.get("application_id"):
            ctx.conv["form_errors"] = {}
            return steps_checklist.STEP  # the stages before submission are not done: their checklist
        refused(ctx, exc)
        by_form = refused_fields(fl, exc)
        if by_form:
            ctx.conv["form_errors"] = by_form
            return first_form_step(fl, by_form)
        return SAME
    ctx.conv["form_errors"] = {}
    return sync(ctx, force=True)
