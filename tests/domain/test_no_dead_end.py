"""No conversation path reaches a submit the account rules refuse (issue #12): for every kind and
every account world, the gate the chat applies at the kind choice (verification.account_gate)
refuses exactly when the kind's own precondition would refuse a well-formed order for an account
reason — so a walk that passes the kind choice cannot dead-end at submission on the account."""

import pytest

from backend.domain import kinds, verification
from backend.domain.errors import Conflict
from backend.domain.filings import Records

ACCOUNT_CODES = {
    "ORDER_IN_PROGRESS",
    "ENTITY_ALREADY_FILED",
    "ENTITY_FILED_AT_TENCENT",
    "ENTITY_NOT_FILED_AT_TENCENT",
    "LAST_WEBSITE_CANCEL_ENTITY",
}
OWN = {
    "id": "E1",
    "number": "粤ICP备2026000001号",
    "status": "active",
    "account": "self",
    "type": "personal",
    "certificate_type": "resident_id",
    "certificate_number": "440305199001010018",
    "province": "44",
    "access_providers": ["tencent"],
    "name": "张三",
}
ELSEWHERE = dict(OWN, access_providers=["other"])


def site(n, entity="E1", providers=("tencent",)):
    return {
        "id": f"W{n}",
        "entity_id": entity,
        "number": f"{OWN['number']}-{n}",
        "domain": f"site{n}.cn",
        "name": f"网站{n}",
        "status": "active",
        "access_providers": list(providers),
    }


WORLDS = {
    "empty": ([], []),
    "own-one-site": ([OWN], [site(1)]),
    "own-two-sites": ([OWN], [site(1), site(2)]),
    "own-filed-elsewhere": ([ELSEWHERE], [site(1, providers=("other",))]),
}


def payload(kind, records):
    own = records.own()
    number = records.sites(own["id"])[0]["number"] if own and records.sites(own["id"]) else "粤ICP备2026000001号-1"
    new_site = {"name": "新网站", "domain": "brand-new.cn", "service_content": "blog"}
    return {
        "first_filing": {
            "entity": {
                "type": "personal",
                "certificate_number": "440305199202020022",
                "province": "44",
                "responsible": {"name": "李四"},
            },
            "websites": [new_site],
        },
        "add_website": {"websites": [new_site]},
        "add_website_external": {
            "entity": {
                "type": "personal",
                "certificate_type": "resident_id",
                "certificate_number": OWN["certificate_number"],
                "province": "44",
            },
            "websites": [new_site],
        },
        "change_filing": {"entity": {"name": "张三"}},
        "change_website": {"websites": [{"website_number": number, "name": "改名"}]},
        "cancel_entity": {"reason": "不再使用"},
        "cancel_website": {"website_number": number, "reason": "不再使用"},
        "cancel_access": {"website_number": number, "reason": "不再使用"},
    }[kind]


def refusal(kind, records):
    """The code the kind's precondition refuses a well-formed order with, or None."""
    try:
        kinds.get(kind).precondition(records, payload(kind, records), kinds.get(kind).sms_to)
    except Conflict as exc:
        return exc.code
    return None


KINDS = [k for k in kinds.KINDS if k != "access_filing"]  # access names its record: its refusals are the record's


@pytest.mark.parametrize("world", sorted(WORLDS))
@pytest.mark.parametrize("kind", KINDS)
def test_the_kind_choice_refuses_exactly_what_submission_would(world, kind):
    records = Records(*WORLDS[world])
    gate = verification.account_gate(kind, records)
    code = refusal(kind, records)
    if gate is None:  # past the kind choice, the account never refuses the submission
        assert code not in ACCOUNT_CODES, (world, kind, code)
    else:  # refused at the choice: submission would be refused too (never a needless refusal)
        assert code is not None, (world, kind, gate.code)


@pytest.mark.parametrize("kind", sorted(kinds.KINDS))
def test_an_open_order_stops_every_kind_at_the_choice(kind):
    assert verification.account_gate(kind, Records([OWN], [site(1)]), "A0001").code == "ORDER_IN_PROGRESS"


def test_every_world_leaves_some_kind_open():
    for world, data in WORLDS.items():
        assert any(verification.account_gate(k, Records(*data)) is None for k in kinds.KINDS), world


def test_the_scenario_verification_finds_passes_the_kind_choice():
    """The verification step's scenario is never one the account rules then refuse."""
    from datetime import datetime, timezone

    from backend.domain.errors import DomainError

    eligible = {"eligible": True, "usable_ips": [{"ip": "1.2.3.4", "slots_left": 2}], "rules": []}
    for world, data in WORLDS.items():
        records = Records(*data)
        for domain in ("brand-new.cn", "site1.cn", "site2.cn"):
            req = {
                "province": "44",
                "entity_type": "personal",
                "certificate_type": "resident_id",
                "certificate_number": OWN["certificate_number"],
                "domains": [domain],
            }
            w = verification.World(
                records=records,
                domains={
                    domain: {
                        "name": domain,
                        "real_name_status": "verified",
                        "holder_certificate_number": OWN["certificate_number"],
                    }
                },
                account={},
                business={},
                eligibility=eligible,
                open_order=None,
                now=datetime(2026, 6, 1, tzinfo=timezone.utc),
            )
            try:
                kind = verification.decide(req, w)["scenario"]
            except DomainError:
                continue
            assert verification.account_gate(kind, records) is None, (world, domain, kind)


def test_every_step_of_the_conversation_leads_to_a_submit_or_an_end():
    """The step graph: from every step a path (its `next` edges, and the engine's restart) reaches
    `confirm` (where the order is submitted) or `done`; with the kind gate above, a submit reached
    this way is one the account rules accept."""
    from backend.chat import steps

    ends = {"confirm", "done"}
    for start in steps.STEPS:
        seen, todo = set(), [start]
        while todo:
            step = todo.pop()
            if step in seen:
                continue
            seen.add(step)
            nxt = [steps.START if n == steps.RESTART else n for n in steps.STEPS[step].next]
            todo.extend(n for n in nxt if n in steps.STEPS)
        assert seen & ends or start in steps.SYNC_TARGETS, start


# -- 我的备案 (issue #12): what the change/cancel branch offers is never refused for the account ------


def _offered(records):
    """The offers the chat's filings step shows (no filing IP needed), as the services compute them."""
    from backend.services import filing_type

    return [o for o in filing_type.offers_for(records, eligible=False) if not o["needs_ip"]]


def _chat_payload(kind, records, offer):
    """The payload the offer's forms start from in the chat (the pre-filled answers, what a user
    then types to change: a reason, a new name)."""
    from backend.chat import forms, steps_filings

    answers = steps_filings.prefill(records, offer)
    if kind == "change_website":
        answers["websites"][0]["name"] = "改名的网站"
    if kind == "change_filing":
        answers["entity"] = {"name": "张三"}
    return forms.payload(forms.FLOWS[kind], answers)


@pytest.mark.parametrize("world", sorted(WORLDS))
def test_every_offer_of_my_filings_passes_the_account_rules(world):
    records = Records(*WORLDS[world])
    for offer in _offered(records):
        kind = offer["kind"]
        assert verification.account_gate(kind, records) is None, (world, offer["label"])
        for payload in (dict(offer["payload"], reason="不再使用"), _chat_payload(kind, records, offer)):
            try:
                kinds.get(kind).precondition(records, payload, kinds.get(kind).sms_to)
            except Conflict as exc:
                raise AssertionError((world, offer["label"], payload, exc.code)) from exc


def test_my_filings_offers_something_to_every_account_at_tencent():
    """An entity accessed at Tencent always has a change or cancellation to choose (no empty list)."""
    for world, data in WORLDS.items():
        records = Records(*data)
        own = records.own()
        at_tencent = own is not None and "tencent" in own.get("access_providers", [])
        assert bool(_offered(records)) == at_tencent, world


def test_both_branches_of_the_menu_reach_a_submit():
    """新增备案 (the verification form) and 变更/注销 (my filings) each lead to `confirm`."""
    from backend.chat import steps, steps_filings, steps_verify

    def reaches_confirm(start):
        seen, todo = set(), [start]
        while todo:
            step = todo.pop()
            if step not in seen and step in steps.STEPS:
                seen.add(step)
                todo.extend(steps.STEPS[step].next)
        return "confirm" in seen

    kind = steps.STEPS["kind"]
    assert {steps_verify.STEP, steps_filings.STEP} <= set(kind.next)
    assert reaches_confirm(steps_verify.STEP) and reaches_confirm(steps_filings.STEP)
