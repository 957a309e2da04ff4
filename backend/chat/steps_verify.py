"""验证备案类型 in the conversation (issue #12): the verification form, answered before any form of
an order; the services decide the scenario (services/filing_type.py) or the blocking code, and the
flow of that scenario starts with what was verified already filled in."""

from backend.chat import forms
from backend.chat.paths import get_path
from backend.chat.step_kit import SAME, available, first_form_step, invalid, refused
from backend.domain import kinds
from backend.domain.errors import DomainError, Unprocessable
from backend.services import filing_type

FORM_ID = "verify"
STEP = "form." + FORM_ID
FIELD_OF = {
    "province": "province",
    "city": "city",
    "district": "district",
    "entity_type": "entity_type",
    "certificate_type": "certificate_type",
    "certificate_number": "certificate_number",
    "domains": "domain",
    "domains.0": "domain",
    "nat_ip": "nat_ip",
}


def _request(values):
    return {
        "province": values.get("province"),
        "city": values.get("city") or None,
        "district": values.get("district") or None,
        "entity_type": values.get("entity_type"),
        "certificate_type": values.get("certificate_type"),
        "certificate_number": values.get("certificate_number"),
        "domains": [values["domain"]] if values.get("domain") else [],
        "nat_ip": values.get("nat_ip"),
    }


def _prefill(kind, values, result):
    """What the verified inputs fill in on the scenario's forms."""
    site = {"domain": result["domains"][0], "nat_ip": result["nat_ip"]}
    entity = {
        "type": values["entity_type"],
        "certificate_type": values["certificate_type"],
        "certificate_number": values["certificate_number"],
        "province": result["province"],
    }
    if kinds.KINDS[kind].files_new_entity:
        return {"entity": entity, "websites": [site]}
    if kinds.KINDS[kind].accesses_records:
        return {"entity_number": result["entity_number"], "websites": [site]}
    return {"websites": [site]}


def verify_enter(ctx):
    form = forms.FORMS[FORM_ID]
    errors = (ctx.conv.get("form_errors") or {}).get(STEP)
    ctx.ask_form(form, forms.render(ctx, form, ctx.conv["answers"], errors))


def verify_handle(ctx, submitted):
    form = forms.FORMS[FORM_ID]
    ctx.conv["answers"] = forms.absorb(ctx, form, ctx.conv["answers"], submitted)
    values = get_path(ctx.conv["answers"], form.path) or {}
    form_errors = ctx.conv.setdefault("form_errors", {})
    try:
        result = filing_type.verify(ctx.r, ctx.sid, _request(values))
    except Unprocessable as exc:
        mine = {}
        for path, msgs in exc.errors.items():
            mine.setdefault(FIELD_OF.get(path, "_form"), []).extend(msgs)
        form_errors[STEP] = mine
        invalid(ctx, mine, FORM_ID)
        return SAME
    except DomainError as exc:  # a blocking code of process.md §1.4: its message and what to do
        form_errors.pop(STEP, None)
        refused(ctx, exc)
        return SAME
    form_errors.pop(STEP, None)
    kind = result["scenario"]
    ctx.say(
        "notice",
        "VERIFIED",
        ctx.t("VERIFIED", scenario_zh=result["scenario_zh"], next_step=result["next_step"]),
        notice={"level": "info", "title": ctx.t("VERIFIED_TITLE"), "rules": [], "scenario": kind, "quote": ""},
    )
    if not available(kind):
        return SAME
    answers = _prefill(kind, values, result)
    answers["_chat"] = {"verify": dict(values)}  # `back` shows the form as answered (not in the order)
    ctx.conv.update(kind=kind, answers=answers, form_errors={}, return_to_confirm=False)
    return first_form_step(forms.FLOWS[kind])
