"""新增网站（原备案在腾讯云）add_website: new websites under the account's entity filed at Tencent."""

from backend.domain.filings import Records, Resolution
from backend.domain.kinds.spec import Approval, Chat, KindSpec, Payload
from backend.domain.limits import MAX_WEBSITES
from backend.domain.preconditions import check_new_domains, contacts, own_at_tencent, personal_one_site


def precondition(records: Records, payload: dict, roles: tuple[str, ...]) -> Resolution:
    own = own_at_tencent(records)
    personal_one_site(own, payload["websites"])
    check_new_domains(records, payload["websites"], own["id"])
    owner = own.get("responsible")
    return Resolution(
        payload,
        entity_id=own["id"],
        province=own.get("province"),
        contacts=contacts(owner, [s.get("responsible") for s in payload["websites"]], roles),
    )


SPEC = KindSpec(
    code="add_website",
    zh="新增网站（原备案在腾讯云）",
    payload=Payload(
        entity=None,
        entity_required=False,
        websites="new",
        websites_required=True,
        max_websites=MAX_WEBSITES,
        reference=None,
        reason=False,
        entity_or_websites=False,
        description="主体为账号在腾讯云备案的主体。",
    ),
    precondition=precondition,
    new_filing=True,
    sms_to=("website",),
    bureau_duration="filing",
    approved_zh="已备案",
    approval=Approval(
        effect="add_websites",
        zh="主体下新的网站备案号（序号接最大已分配序号）",
        message="备案号：{numbers}。",
        new_entity=False,
        new_websites=True,
        adopts_entity=False,
        revokes_entity=False,
        cancellation=False,
    ),
    # the gateway serves the order's domains (already on record) while it is in these states
    served_early_in=frozenset(),
    chat=Chat(
        en="New website (entity filed at Tencent)",
        seed_quote="如果您已在腾讯云进行备案，现需要新增网站。",
        forms=("website",),
        needs_ip=True,
        asked_when=(),
        result_text="RECORD_NUMBERS",
    ),
)
