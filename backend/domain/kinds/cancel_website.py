"""注销网站 cancel_website: one website number revoked (never the entity's last one)."""

from backend.domain import errors
from backend.domain.filings import Records, Resolution
from backend.domain.kinds.spec import Approval, Chat, KindSpec, Payload
from backend.domain.preconditions import contacts, own_site, site_payload


def precondition(records: Records, payload: dict, roles: tuple[str, ...]) -> Resolution:
    own, site = own_site(records, payload)
    if len(records.sites(own["id"])) <= 1:
        raise errors.last_website_cancel_entity(
            f"网站 {site['number']} 是主体 {own['number']} 下唯一的网站，不能单独注销",
            "注销主体下最后一个网站，请办理「注销主体」",
            entity_number=own["number"],
            website_number=site["number"],
        )
    owner = site.get("responsible") or own.get("responsible")
    return Resolution(
        site_payload(payload, site),
        entity_id=own["id"],
        website_ids=[site["id"]],
        province=own.get("province"),
        contacts=contacts(own.get("responsible"), [owner], roles),
    )


SPEC = KindSpec(
    code="cancel_website",
    zh="注销网站",
    payload=Payload(
        entity=None,
        entity_required=False,
        websites=None,
        websites_required=False,
        max_websites=0,
        reference="website",
        reason=True,
        entity_or_websites=False,
        description="不能注销主体下唯一的网站（请注销主体）。",
    ),
    precondition=precondition,
    new_filing=False,
    sms_to=("website",),
    bureau_duration="cancel",
    approved_zh="已注销",
    approval=Approval(
        effect="cancel",
        zh="该网站备案号注销；域名阻断；释放 IP 备案次数",
        message="已注销，以下备案号不再有效：{revoked}。",
        new_entity=False,
        new_websites=False,
        adopts_entity=False,
        revokes_entity=False,
        cancellation=True,
    ),
    # the gateway serves the order's domains (already on record) while it is in these states
    served_early_in=frozenset(),
    chat=Chat(
        en="Cancel a website",
        seed_quote="已成功备案，因故需要注销主体下的任意网站。",
        forms=("cancel_site",),
        needs_ip=False,
        asked_when=(),
        result_text="RESULT_CANCELLED",
    ),
)
