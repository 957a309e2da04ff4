"""注销主体 cancel_entity: the entity and all its website numbers revoked."""

from backend.domain import errors
from backend.domain.filings import Records, Resolution, number_key
from backend.domain.kinds.spec import Approval, Chat, KindSpec, Payload
from backend.domain.preconditions import contacts, own_at_tencent


def precondition(records: Records, payload: dict, roles: tuple[str, ...]) -> Resolution:
    own = own_at_tencent(records)
    if payload.get("entity_number") and number_key(payload["entity_number"]) != number_key(own["number"]):
        raise errors.entity_not_filed_at_tencent(
            f"主体备案号 {payload['entity_number']} 不是本账号在腾讯云备案的主体",
            f"本账号的主体备案号为 {own['number']}",
            field="payload.entity_number",
        )
    sites = records.sites(own["id"])
    return Resolution(
        dict(payload, entity_number=own["number"]),
        entity_id=own["id"],
        website_ids=[s["id"] for s in sites],
        province=own.get("province"),
        contacts=contacts(own.get("responsible"), [], roles),
    )


SPEC = KindSpec(
    code="cancel_entity",
    zh="注销主体",
    payload=Payload(
        entity=None,
        entity_required=False,
        websites=None,
        websites_required=False,
        max_websites=0,
        reference="entity_number?",
        reason=True,
        entity_or_websites=False,
        description="注销账号的主体及其全部网站。",
    ),
    precondition=precondition,
    new_filing=False,
    sms_to=("entity",),
    bureau_duration="cancel",
    approved_zh="已注销",
    approval=Approval(
        effect="cancel",
        zh="主体及其全部网站备案号注销；域名阻断；释放 IP 备案次数",
        message="已注销，以下备案号不再有效：{revoked}。",
        new_entity=False,
        new_websites=False,
        adopts_entity=False,
        revokes_entity=True,
        cancellation=True,
    ),
    # the gateway serves the order's domains (already on record) while it is in these states
    served_early_in=frozenset(),
    chat=Chat(
        en="Cancel the entity",
        seed_quote="已成功备案，因故需要注销主体以及主体下的所有网站。",
        forms=("cancel_entity",),
        needs_ip=False,
        asked_when=(),
        result_text="RESULT_CANCELLED",
    ),
)
