"""首次备案 first_filing: a new entity and its websites, never filed anywhere."""

from backend.domain import errors
from backend.domain.filings import Records, Resolution, province_code
from backend.domain.kinds.spec import Approval, Chat, KindSpec, Payload
from backend.domain.limits import MAX_WEBSITES
from backend.domain.preconditions import check_new_domains, contacts


def precondition(records: Records, payload: dict, roles: tuple[str, ...]) -> Resolution:
    own = records.own()
    if own is not None:
        raise errors.entity_already_filed(
            "该账号已有备案主体，请选择「新增网站」或「变更备案」",
            "一个账号只能备案一个主体：新增网站请选择「新增网站（原备案在腾讯云）」",
            entity_number=own["number"],
        )
    ent = payload["entity"]
    on_record = records.by_certificate(ent.get("certificate_number"))
    if on_record is not None:
        raise errors.entity_on_record(
            f"该主体已有备案（{on_record['number']}），不能再次办理首次备案",
            "主体已在其他接入商备案的，请办理「接入备案」或「新增网站（原备案不在腾讯云）」",
            field="payload.entity.certificate_number",
            entity_number=on_record["number"],
        )
    licence = ent.get("icp_licence_number")  # a licence holder's records are numbered from it (§7)
    holder = records.by_number(licence) if licence else None
    if holder is not None:
        raise errors.entity_on_record(
            f"该 ICP 经营许可证号已是主体 {holder['name']} 的备案号，不能再用于其他主体",
            "请核对许可证号；已备案的主体请办理「接入备案」或「新增网站」",
            field="payload.entity.icp_licence_number",
            entity_number=holder["number"],
        )
    check_new_domains(records, payload["websites"])
    owner = ent.get("responsible")
    return Resolution(
        payload,
        province=province_code(ent.get("province")),
        contacts=contacts(owner, [s.get("responsible") for s in payload["websites"]], roles),
    )


SPEC = KindSpec(
    code="first_filing",
    zh="首次备案",
    payload=Payload(
        entity="new",
        entity_required=True,
        websites="new",
        websites_required=True,
        max_websites=MAX_WEBSITES,
        reference=None,
        reason=False,
        entity_or_websites=False,
        description="主体信息和网站信息。",
    ),
    precondition=precondition,
    new_filing=True,
    sms_to=("entity", "website"),
    bureau_duration="filing",
    approved_zh="已备案",
    approval=Approval(
        effect="file_entity",
        zh="新的主体备案号和网站备案号 -1…-n；域名在备案通过后开通",
        message="备案号：{numbers}。",
        new_entity=True,
        new_websites=True,
        adopts_entity=False,
        revokes_entity=False,
        cancellation=False,
    ),
    # the gateway serves the order's domains (already on record) while it is in these states
    served_early_in=frozenset(),
    chat=Chat(
        en="First filing",
        seed_quote="网站托管在腾讯云云托管，且网站的主办者和域名从未办理过备案。",
        forms=("entity", "responsible", "website"),
        needs_ip=True,
        asked_when=(),
        result_text="RECORD_NUMBERS",
    ),
)
