"""One form against the conversation's answers: its options (some from the sandbox), paths
in the nested payload, rendering, coercing and absorbing what the user submitted."""

import re

from backend.chat.form_table import BOOL, FIRST_OPTION, MULTI, SELECT
from backend.chat.paths import get_path, set_path
from backend.chat.texts import pick
from backend.domain import provinces, scenarios

# -- option sources: choices that depend on the sandbox (and the answers) --------------


def _province_options(ctx, answers=None):
    return [(p.code, (p.name, p.name)) for p in provinces.all_provinces()]


def _ip_options(ctx, answers=None):
    return [
        (row["ip"], (f"{row['ip']}（剩余 {row['slots_left']} 次）", f"{row['ip']} ({row['slots_left']} left)"))
        for row in ctx.eligibility()["usable_ips"]
    ]


def _own_website_options(ctx, answers=None):
    """The account's websites accessed at Tencent (what a change or a cancellation names)."""
    records = ctx.records()
    own = records.own()
    sites = (
        [w for w in records.sites(own["id"]) if scenarios.TENCENT in (w.get("access_providers") or [])] if own else []
    )
    return [
        (w["id"], (f"{w['name']}（{w['domain']}，{w['number']}）", f"{w['name']} ({w['domain']}, {w['number']})"))
        for w in sites
    ]


def _own_entity_options(ctx, answers=None):
    own = ctx.records().own()
    return [(own["number"], (f"{own['name']}（{own['number']}）", f"{own['name']} ({own['number']})"))] if own else []


def _site_domain_options(ctx, answers=None):
    """Every domain of the website the change names (websites.0): what it may remove."""
    entry = get_path(answers or {}, "websites.0")
    records = ctx.records()
    own = records.own()
    site = records.find_site(entry, own["id"]) if own and isinstance(entry, dict) else None
    return [(d, (d, d)) for d in scenarios.website_domains(site)] if site else []


OPTION_SOURCES = {
    "provinces": _province_options,
    "usable_ips": _ip_options,
    "own_websites": _own_website_options,
    "own_entity": _own_entity_options,
    "site_domains": _site_domain_options,
}


# -- a form against the answers ---------------------------------------------------------


def options(ctx, fld, answers=None):
    source = OPTION_SOURCES[fld.options](ctx, answers) if isinstance(fld.options, str) else fld.options
    return [{"value": value, "label": pick(ctx.locale, label)} for value, label in source]


def default(ctx, fld, answers):
    if fld.default_from and (fld.when is None or get_path(answers, fld.when[0]) == fld.when[1]):
        value = get_path(answers, fld.default_from)
        if value is not None:
            return value
    if fld.derive:
        return fld.derive(answers)
    if fld.default == FIRST_OPTION:
        first = options(ctx, fld, answers)
        return first[0]["value"] if first else None
    return fld.default


def current(ctx, form, answers):
    """{field: value} shown in the form: the answer given, or the default."""
    stored = get_path(answers, form.path) or {}
    return {f.name: stored[f.name] if f.name in stored else default(ctx, f, answers) for f in form.fields}


def render(ctx, form, answers, errors=None):
    """The `form` object of a form message (fields with types, options, values, errors)."""
    values = current(ctx, form, answers)
    errors = errors or {}
    fields = []
    for f in form.fields:
        item = {
            "name": f.name,
            "label": pick(ctx.locale, f.label),
            "type": f.type,
            "required": f.required,
            "value": values[f.name],
        }
        if f.type == SELECT or (f.type == MULTI and f.options):
            item["options"] = options(ctx, f, answers)
        if f.pattern:
            item["pattern"] = f.pattern
        if pick(ctx.locale, f.placeholder):
            item["placeholder"] = pick(ctx.locale, f.placeholder)
        if errors.get(f.name):
            item["error"] = "；".join(errors[f.name])
        fields.append(item)
    out = {
        "id": form.id,
        "title": pick(ctx.locale, form.title),
        "fields": fields,
        "submit_label": pick(ctx.locale, form.submit_label),
    }
    if errors.get("_form"):
        out["error"] = "；".join(errors["_form"])
    return out


_TRUE = {"true", "1", "yes", "y", "是", "对"}
_FALSE = {"false", "0", "no", "n", "否", "不是", ""}


def coerce(fld, value):
    """A typed-in answer as the payload wants it; anything odd is kept for the validators to name."""
    if fld.type == MULTI:
        if isinstance(value, str):  # typed in (icpsim chat): "blog, news" or "blog、news"
            value = [v.strip() for v in re.split(r"[,，、]", value) if v.strip()]
        return list(value) or None if isinstance(value, (list, tuple)) else value
    if isinstance(value, str):
        value = value.strip()
        if fld.type == BOOL:
            low = value.lower()
            return True if low in _TRUE else False if low in _FALSE else value
        return value or None
    if fld.type != BOOL and isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return value


def absorb(ctx, form, answers, submitted):
    """Answers with a submitted form merged in (fields left out keep what the form showed)."""
    values = current(ctx, form, answers)
    for f in form.fields:
        if f.name in submitted:
            values[f.name] = coerce(f, submitted[f.name])
    record = dict(get_path(answers, form.path) or {})  # keeps what other forms store inside it
    for f in form.fields:
        record.pop(f.name, None)
    record.update({k: v for k, v in values.items() if v is not None})
    record.update(form.fixed)
    return set_path(answers, form.path, record)


def display(ctx, fld, value, answers=None):
    if value is None or value == "" or value == []:
        return "—"
    if fld.type == BOOL:
        return pick(ctx.locale, ("是", "yes") if value else ("否", "no"))
    if fld.type == MULTI and isinstance(value, list):
        labels = {o["value"]: o["label"] for o in options(ctx, fld, answers)} if fld.options else {}
        return ("、" if ctx.locale != "en" else ", ").join(str(labels.get(v, v)) for v in value)
    if fld.type == SELECT:
        for opt in options(ctx, fld, answers):
            if opt["value"] == value:
                return opt["label"]
    return str(value)


def own_problems(ctx, form, answers):
    """What the chat itself checks of a screen (the services know nothing of its own questions)."""
    values = current(ctx, form, answers)
    if form.need_one and not any(values.values()):
        return {"_form": [pick(ctx.locale, form.need_one)]}
    return {}
