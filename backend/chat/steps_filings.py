"""我的备案 in the conversation (issue #12): changes and cancellations start from the account's
filings. The services list the filings and the orders that apply to them (filing_type.my_filings);
the chat offers the ones that need no filing IP (the changes and cancellations; new websites and
access filings go through 验证备案类型) and starts the chosen order's forms from the record."""

from backend.chat import forms
from backend.chat.step_kit import SAME, available, choice, first_form_step, refused
from backend.domain import kinds
from backend.services import filing_type

STEP = "filings"
MENU = "menu"  # back to the menu (新增备案 / 变更或注销)


def _offers(mine):
    """The orders of "my filings" the chat offers here: those that need no filing IP."""
    return [o for o in mine["offers"] if not o["needs_ip"] and available(o["kind"])]


def offer_value(offer):
    """A choice's value: the kind, and the website it is about (`change_website:粤ICP备…-1`)."""
    return offer["kind"] + (f":{offer['website_number']}" if offer.get("website_number") else "")


def _record(own, sites):
    """What the change forms start from (`_chat.record`: forms_change reads it as defaults)."""
    keep = ("name", "service_content", "homepage_url", "remark")
    return {
        "entity": {
            "name": own.get("name"),
            "address": own.get("address"),
            **{k: own.get(k) for k in ("certificate_address", "investor", "remark")},
            "responsible": {k: (own.get("responsible") or {}).get(k) for k in ("mobile", "email")},
        },
        "sites": {s["id"]: {k: s.get(k) for k in keep} for s in sites},
    }


def prefill(records, offer):
    """The answers an offer's forms start with: what it is about, picked; the record's values."""
    own = records.own()
    sites = records.sites(own["id"]) if own else []
    answers = {"_chat": {"record": _record(own or {}, sites)}}
    site = next((s for s in sites if s["number"] == offer.get("website_number")), None)
    if offer["kind"] == kinds.CHANGE_WEBSITE and site:
        answers["websites"] = [{"website_id": site["id"]}]
    elif offer["kind"] in (kinds.CANCEL_WEBSITE, kinds.CANCEL_ACCESS) and site:
        answers["website_id"] = site["id"]
    elif offer["kind"] == kinds.CANCEL_ENTITY:
        answers["entity_number"] = offer["payload"]["entity_number"]
    return answers


def change_entry(ctx):
    """The menu's 变更或注销: one order at a time, then the account's filings."""
    gate = filing_type.open_order_gate(ctx.r, ctx.sid)
    if gate is not None:
        refused(ctx, gate)
        return SAME
    return STEP


def _listing(ctx, mine):
    ent = mine["entity"]
    if ent is None:
        return ctx.t("MY_FILINGS_NONE")
    lines = [
        ctx.t(
            "MY_FILINGS_ENTITY", name=ent["name"] or "—", number=ent["number"], access=ctx.t(f"ACCESS_{ent['access']}")
        )
    ]
    lines += [
        ctx.t(
            "MY_FILINGS_SITE",
            name=s["name"] or "—",
            domain=s["domain"],
            number=s["number"],
            access=ctx.t(f"ACCESS_{s['access']}"),
        )
        for s in mine["websites"]
    ]
    return "\n".join(lines)


def filings_enter(ctx):
    mine = filing_type.my_filings(ctx.r, ctx.sid)
    ctx.say(
        "notice",
        "MY_FILINGS",
        _listing(ctx, mine),
        notice={
            "level": "info",
            "title": ctx.t("MY_FILINGS_TITLE"),
            "rules": [],
            "quote": "",
            "entity": mine["entity"],
            "websites": mine["websites"],
        },
    )
    offers = _offers(mine)
    if not offers:  # nothing to change here: the services' reason and what to do instead
        gate = filing_type.account_gate(ctx.r, ctx.sid, kinds.CHANGE_FILING)
        if gate is not None:
            refused(ctx, gate)
    choices = [
        {"value": offer_value(o), "label": o["label"], "description": "", "available": o["available"]} for o in offers
    ]
    choices.append(choice(ctx, MENU))
    code = "CHOOSE_FILING_ORDER" if offers else "NO_FILING_ORDER"
    ctx.ask_choices(code, ctx.t(code), choices)


def filings_handle(ctx, value):
    if value == MENU:
        return "kind"
    mine = filing_type.my_filings(ctx.r, ctx.sid)
    offer = next((o for o in _offers(mine) if offer_value(o) == value), None)
    if offer is None:  # the account moved since the list was shown: show it again
        return SAME
    gate = filing_type.account_gate(ctx.r, ctx.sid, offer["kind"])
    if gate is not None:
        refused(ctx, gate)
        return SAME
    ctx.conv.update(kind=offer["kind"], answers=prefill(ctx.records(), offer), form_errors={}, return_to_confirm=False)
    return first_form_step(forms.FLOWS[offer["kind"]])
