"""取消接入 cancel_access: Tencent no longer the access provider; numbers kept; no MIIT SMS."""

from backend.domain.filings import Records, Resolution
from backend.domain.kinds.spec import Approval, Chat, KindSpec, Payload
from backend.domain.preconditions import own_site, site_payload


def precondition(records: Records, payload: dict, roles: tuple[str, ...]) -> Resolution:
    own, site = own_site(records, payload)
    return Resolution(
        site_payload(payload, site),
        entity_id=own["id"],
        website_ids=[site["id"]],
        province=own.get("province"),
        contacts=[],
    )


SPEC = KindSpec(
    code="cancel_access",
    zh="取消接入",
    payload=Payload(
        entity=None,
        entity_required=False,
        websites=None,
        websites_required=False,
        max_websites=0,
        reference="website",
        reason=True,
        entity_or_websites=False,
        description="备案号保留，网站不再接入腾讯云。",
    ),
    precondition=precondition,
    new_filing=False,
    sms_to=(),
    bureau_duration="cancel",
    approved_zh="已取消接入",
    approval=Approval(
        effect="remove_access",
        zh="备案号保留，腾讯云不再是接入商；域名在腾讯云阻断；释放 IP 备案次数",
        message="已取消接入，备案号保留（{numbers}），网站在腾讯云将无法访问。",
        new_entity=False,
        new_websites=False,
        adopts_entity=False,
        revokes_entity=False,
        cancellation=True,
    ),
    # the gateway serves the order's domains (already on record) while it is in these states
    served_early_in=frozenset(),
    chat=Chat(
        en="Cancel access",
        seed_quote="已成功备案，您的网站因故不再指向腾讯云服务器。",
        forms=("cancel_site",),
        needs_ip=False,
        asked_when=(),
        result_text="RESULT_ACCESS_CANCELLED",
    ),
)
