"""变更备案 change_filing: changed fields of the entity and/or its websites (domains only removed)."""

from backend.domain import forms_extras
from backend.domain.filings import Records, Resolution, merge_changes
from backend.domain.kinds.spec import Approval, Chat, KindSpec, Payload
from backend.domain.limits import MAX_WEBSITES
from backend.domain.preconditions import change_entity, contacts, own_at_tencent, resolve_changes


def precondition(records: Records, payload: dict, roles: tuple[str, ...]) -> Resolution:
    own = own_at_tencent(records)
    changes = payload.get("entity")
    if isinstance(changes, dict):
        change_entity(records, own, changes)
    sites, entries = resolve_changes(records, own, payload.get("websites") or [], allow_filing_type=False)
    normalized = dict(payload)
    if isinstance(changes, dict):
        normalized["entity"] = forms_extras.cleared(changes)  # a blank 主体备注 clears it
    if "websites" in payload:
        normalized["websites"] = entries
    owner = merge_changes(own.get("responsible"), (changes or {}).get("responsible")) if changes else None
    site_owners = [
        merge_changes(s.get("responsible") or own.get("responsible"), e.get("responsible"))
        for s, e in zip(sites, entries)
    ]
    people = contacts(owner or own.get("responsible"), site_owners, [r for r in roles if r != "entity" or changes])
    return Resolution(
        normalized,
        entity_id=own["id"],
        website_ids=[s["id"] for s in sites],
        province=own.get("province"),
        contacts=people,
    )


SPEC = KindSpec(
    code="change_filing",
    zh="变更备案",
    payload=Payload(
        entity="changes",
        entity_required=False,
        websites="changes",
        websites_required=False,
        max_websites=MAX_WEBSITES,
        reference=None,
        reason=False,
        entity_or_websites=True,
        description="只填变更的主体字段和/或网站字段（不能跨省，证件不能变）。",
    ),
    precondition=precondition,
    new_filing=False,
    sms_to=("entity", "website"),
    bureau_duration="change",
    approved_zh="已变更",
    approval=Approval(
        effect="change",
        zh="备案信息更新，备案号不变，域名不阻断",
        message="备案信息已变更，备案号不变：{numbers}。",
        new_entity=False,
        new_websites=False,
        adopts_entity=False,
        revokes_entity=False,
        cancellation=False,
    ),
    # the gateway serves the order's domains (already on record) while it is in these states
    served_early_in=frozenset(),
    chat=Chat(
        en="Change the filing",
        seed_quote="已成功备案的网站需要变更主体或网站信息或腾讯云通知您修改备案相关信息。",
        forms=(
            "change_what",
            "entity_change",
            "responsible_change",
            "site_change",
            "site_responsible_change",
            "remove_domains",
        ),
        needs_ip=False,
        # the change_filing forms asked only when what they change was chosen in change_what
        asked_when=(
            ("entity_change", "entity"),
            ("responsible_change", "responsible"),
            ("site_change", "website"),
            ("site_responsible_change", "website"),
            ("remove_domains", "website"),
        ),
        result_text="RESULT_CHANGED",
    ),
)
