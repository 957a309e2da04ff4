"""变更网站 change_website: one website's changed fields; may switch it to 云托管."""

from backend.domain.filings import Records, Resolution, merge_changes
from backend.domain.kinds.spec import Approval, Chat, KindSpec, Payload
from backend.domain.preconditions import contacts, own_at_tencent, resolve_changes


def precondition(records: Records, payload: dict, roles: tuple[str, ...]) -> Resolution:
    own = own_at_tencent(records)
    sites, entries = resolve_changes(records, own, payload["websites"], allow_filing_type=True)
    site_owners = [
        merge_changes(s.get("responsible") or own.get("responsible"), e.get("responsible"))
        for s, e in zip(sites, entries)
    ]
    return Resolution(
        dict(payload, websites=entries),
        entity_id=own["id"],
        website_ids=[s["id"] for s in sites],
        province=own.get("province"),
        contacts=contacts(own.get("responsible"), site_owners, roles),
    )


SPEC = KindSpec(
    code="change_website",
    zh="变更网站",
    payload=Payload(
        entity=None,
        entity_required=False,
        websites="changes",
        websites_required=True,
        max_websites=1,
        reference=None,
        reason=False,
        entity_or_websites=False,
        description="一个网站的变更，可删除域名、改为云托管备案。",
    ),
    precondition=precondition,
    new_filing=False,
    sms_to=("website",),
    bureau_duration="change",
    approved_zh="已变更",
    approval=Approval(
        effect="change",
        zh="网站信息更新（可删除域名、改为云托管备案），备案号不变，域名不阻断",
        message="网站信息已变更，备案号不变：{numbers}。",
        new_entity=False,
        new_websites=False,
        adopts_entity=False,
        revokes_entity=False,
        cancellation=False,
    ),
    # the gateway serves the order's domains (already on record) while it is in these states
    served_early_in=frozenset(),
    chat=Chat(
        en="Change a website",
        seed_quote="已成功备案的网站需要变更网站信息。（包括更换用于备案的云服务，例如从云服务备案变更为云托管备案）",
        forms=("change_website", "remove_domains"),
        needs_ip=False,
        asked_when=(),
        result_text="RESULT_CHANGED",
    ),
)
