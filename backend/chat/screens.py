"""A flow's screens: the forms (copies of repeatable ones, picks) that apply to the answers,
pruning what no longer applies, placing the services' errors on forms, and the payload
(or edit patch) the answers make."""

import re

from backend.chat.answers import current, display, options
from backend.chat.flows import FLOWS
from backend.chat.form_table import FORMS, PICK
from backend.chat.paths import get_path, set_path
from backend.chat.texts import pick
from backend.domain import kinds

# -- screens: the forms (copies, picks) that apply to the answers ---------------------------


def screen_id(form_id, i=0):
    return form_id if not i else f"{form_id}.{i}"


def parse_screen(screen):
    form_id, _, i = screen.partition(".")
    return form_id, int(i or 0)


def screen_form(screen):
    form_id, i = parse_screen(screen)
    return FORMS[form_id].copy(i)


def copies_allowed(ctx, flow, form, answers):
    """How many copies of a repeatable form the order may have: an organisation files up to
    the kind's maximum of websites, a person (or an account without an entity) one."""
    if not form.repeat:
        return 1
    if "entity" in flow.forms:
        entity_type = get_path(answers, "entity.type")
    else:
        entity_type = (ctx.records().own() or {}).get("type")
    if entity_type in (None, "personal"):
        return 1
    return kinds.get(flow.kind).max_websites


def max_copies(form_id):
    """The most copies of a form any flow may ask (the step table has a step for each)."""
    form = FORMS[form_id]
    if not form.repeat:
        return 1
    return max(kinds.get(fl.kind).max_websites for fl in FLOWS.values() if form_id in fl.forms)


def copies(ctx, flow, form, answers):
    items = get_path(answers, form.list_path)
    given = len(items) if isinstance(items, list) else 0
    return max(1, min(given, copies_allowed(ctx, flow, form, answers)))


def applies(ctx, flow, form_id, answers):
    form = FORMS[form_id]
    condition = flow.condition(form_id)
    if condition is not None and not condition(ctx, answers):
        return False
    if form.ask == PICK:
        n = len(options(ctx, form.fields[0], answers))
        return n > (1 if form.keep_one else 0)
    return True


def screens(ctx, flow, answers):
    """The screen ids of the flow that apply to the answers, in order."""
    out = []
    for form_id in flow.forms:
        if not applies(ctx, flow, form_id, answers):
            continue
        form = FORMS[form_id]
        out += [screen_id(form_id, i) for i in range(copies(ctx, flow, form, answers))] if form.repeat else [form_id]
    return out


def next_form_screen(ctx, flow, answers, form_id):
    """The first screen of a later form of the flow that applies (None: the recap)."""
    for later in flow.forms[flow.forms.index(form_id) + 1 :]:
        if applies(ctx, flow, later, answers):
            return later
    return None


def contains(outer, inner):
    """`inner` stores at or under `outer`'s path (the chat's own questions hold every path)."""
    if not outer.in_payload:
        return True
    return inner.in_payload and (inner.path == outer.path or inner.path.startswith(outer.path + "."))


def _drop(form, answers):
    record = get_path(answers, form.path)
    if isinstance(record, dict):
        for f in form.fields:
            record.pop(f.name, None)


def _remove(answers, path):
    """Remove what is stored at a path (an emptied list or object goes too)."""
    head, _, last = path.rpartition(".")
    parent = get_path(answers, head) if head else answers
    if isinstance(parent, dict):
        parent.pop(last, None)
        if not parent and head:
            _remove(answers, head)
    elif isinstance(parent, list) and last.isdigit() and int(last) < len(parent):
        parent[int(last)] = {}
        if not any(parent):
            _remove(answers, head)


def _related(a, b):
    return a == b or a.startswith(b + ".") or b.startswith(a + ".")


def prune(ctx, flow, answers):
    """The answers without what no screen asks any more: forms whose condition fails, copies
    beyond what the entity may file, a pick's options the named website does not have. Where
    no form that applies stores any more (a website change no longer chosen), what the order
    held there goes as a whole (e.g. the website's reference)."""
    kept = [FORMS[f].path for f in flow.forms if FORMS[f].in_payload and applies(ctx, flow, f, answers)]
    for form_id in flow.forms:
        form = FORMS[form_id]
        if form.repeat:
            items = get_path(answers, form.list_path)
            allowed = copies_allowed(ctx, flow, form, answers)
            if isinstance(items, list) and len(items) > allowed:
                del items[allowed:]
        if not applies(ctx, flow, form_id, answers):
            if form.in_payload:
                _drop(form, answers)
                if form.path and not any(_related(form.path, path) for path in kept):
                    _remove(answers, form.path)
            continue
        if form.ask == PICK:
            fld, record = form.fields[0], get_path(answers, form.path)
            if isinstance(record, dict) and isinstance(record.get(fld.name), list):
                offered = [o["value"] for o in options(ctx, fld, answers)]
                kept = [v for v in record[fld.name] if v in offered]
                if kept:
                    record[fld.name] = kept
                else:
                    record.pop(fld.name)
    return answers


def summary(ctx, flow, answers):
    """The confirm step's recap: per screen that applies, label and shown value."""
    out = []
    for screen in screens(ctx, flow, answers):
        form = screen_form(screen)
        stored = get_path(answers, form.path) or {}
        if not form.in_payload:
            stored = current(ctx, form, answers)
        out.append(
            {
                "form": form.id,
                "screen": screen,
                "title": pick(ctx.locale, form.title),
                "items": [
                    {
                        "field": f.name,
                        "label": pick(ctx.locale, f.label),
                        "value": display(ctx, f, stored.get(f.name), answers),
                    }
                    for f in form.fields
                ],
            }
        )
    return out


# -- errors of the services, on the forms -------------------------------------------------

_COPY = re.compile(r"^([^.]+)\.(\d+)(?:\.|$)")


def locate(flow, path):
    """(screen id, field name or "_form") of a payload path such as "entity.responsible.mobile"
    or "websites.1.domain"; None when no form of the flow holds it (e.g. "sms" of an
    SMS-timeout rejection). Of two forms at one path, the one holding the field wins."""
    path = path.removeprefix("payload.")
    best = None
    for form_id in flow.forms:
        form = FORMS[form_id]
        if not form.in_payload:
            continue
        index = 0
        if form.repeat:
            m = _COPY.match(path)
            if m and m.group(1) == form.list_path:
                index = int(m.group(2))
            form = form.copy(index)
        screen = screen_id(form_id, index)
        if form.path == "":
            head = path.split(".")[0]
            if form.field(head):
                best = best or ((0, 1), screen, head)
            continue
        if path == form.path or path.startswith(form.path + "."):
            rest = path[len(form.path) + 1 :].split(".")[0] if path != form.path else ""
            hit = ((len(form.path), 1), screen, rest) if form.field(rest) else ((len(form.path), 0), screen, "_form")
        elif form.path.startswith(path + "."):
            hit = ((len(path), 0), screen, "_form")  # e.g. "websites" for the form at websites.0
        else:
            continue
        if best is None or hit[0] > best[0]:
            best = hit
    return None if best is None else (best[1], best[2])


def _screen_order(flow, screen):
    form_id, i = parse_screen(screen)
    return flow.forms.index(form_id), i


def errors_by_form(flow, errors, keep_unplaced=True):
    """{payload path: [msgs]} -> {screen id: {field: [msgs]}}, in the flow's order. Errors no
    form holds go to the first form as a whole (or are dropped with keep_unplaced=False)."""
    out = {}
    for path, messages in errors.items():
        place = locate(flow, path)
        if place is None:
            if not keep_unplaced:
                continue
            place = (flow.forms[0], "_form")
        screen, name = place
        out.setdefault(screen, {}).setdefault(name, []).extend(messages)
    return {s: out[s] for s in sorted(out, key=lambda s: _screen_order(flow, s))}


def _pruned(value):
    """Without empty objects: a change form left empty changes nothing."""
    if isinstance(value, dict):
        out = {k: _pruned(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v != {}}
    if isinstance(value, list):
        return [_pruned(v) for v in value]
    return value


def payload(flow, answers):
    """The application payload of the flow's answers (fixed values included)."""
    out = {}
    for form_id in flow.forms:
        form = FORMS[form_id]
        if not form.in_payload:
            continue
        if form.repeat:
            items = get_path(answers, form.list_path)
            if isinstance(items, list):
                set_path(out, form.list_path, [dict(x) if isinstance(x, dict) else x for x in items])
            continue
        record = get_path(answers, form.path)
        if record is None:
            continue
        if form.path == "":
            out.update({k: v for k, v in record.items() if not isinstance(v, (dict, list))})
        else:
            set_path(out, form.path, dict(record))
    return _pruned(out)


def patch(flow, answers, previous):
    """A JSON merge patch turning `previous` into the answers: cleared fields become None
    (lists replace as a whole, so only dict paths need them); a form emptied as a whole
    (e.g. a change no longer chosen) clears its object."""
    out = payload(flow, answers)
    for form_id in flow.forms:
        form = FORMS[form_id]
        if not form.in_payload:
            continue
        parts = form.path.split(".") if form.path else []
        if any(p.isdigit() for p in parts):
            key = ".".join(parts[: next(i for i, p in enumerate(parts) if p.isdigit())])
            if isinstance(get_path(previous, key), list) and get_path(out, key) is None and "." not in key:
                out[key] = None  # e.g. no website changes any more
            continue
        old = get_path(previous, form.path) or {}
        new = get_path(out, form.path)
        if isinstance(new, dict):
            for name in old:
                if name not in new and form.field(name):
                    new[name] = None
        elif new is None and isinstance(old, dict) and old:
            parent = form.path.rsplit(".", 1)[0] if "." in form.path else ""
            if parent == "" or isinstance(get_path(out, parent), dict):
                set_path(out, form.path, None)
    return out
