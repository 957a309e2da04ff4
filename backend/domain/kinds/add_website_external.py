"""新增网站（原备案不在腾讯云）add_website_external: a new website at Tencent for an entity filed
elsewhere; entity type, certificate type and number (and province) equal to the record."""

from backend.domain import errors
from backend.domain.filings import TENCENT, Records, Resolution
from backend.domain.kinds.spec import Approval, Chat, KindSpec, Payload
from backend.domain.limits import MAX_WEBSITES
from backend.domain.preconditions import IDENTITY_FIELDS, check_new_domains, contacts, entity_mismatch, mismatch


def _check_account(own: dict | None, entity: dict | None) -> None:
    """The account's own entity, if it has one, must be this one (one entity per account)."""
    if own is None or (entity is not None and own["id"] == entity["id"]):
        return
    if TENCENT in (own.get("access_providers") or []):
        raise errors.entity_filed_at_tencent(
            f"该账号的主体 {own['number']} 已在腾讯云备案",
            "请办理「新增网站（原备案在腾讯云）」",
            entity_number=own["number"],
        )
    raise errors.entity_already_filed(
        f"该账号已有备案主体 {own['number']}，一个账号只能备案一个主体",
        "请使用该主体办理业务",
        entity_number=own["number"],
    )


def _at_tencent_already(entity: dict) -> None:
    """The entity's filing is already accessed at Tencent: this is not the right kind (raises)."""
    if entity.get("account") == "self":
        raise errors.entity_filed_at_tencent(
            f"主体 {entity['number']} 已在腾讯云备案",
            "请办理「新增网站（原备案在腾讯云）」",
            entity_number=entity["number"],
        )
    raise errors.entity_in_other_account(
        f"主体 {entity['number']} 已在另一个腾讯云账号下备案",
        "请登录该主体所在的腾讯云账号办理",
        entity_number=entity["number"],
    )


def precondition(records: Records, payload: dict, roles: tuple[str, ...]) -> Resolution:
    ent = payload["entity"]
    if payload.get("entity_number"):
        entity = records.by_number(payload["entity_number"])
        missing_field = "payload.entity_number"
    else:
        entity = records.by_certificate(ent.get("certificate_number"))
        missing_field = "payload.entity.certificate_number"
    _check_account(records.own(), entity)
    if entity is None:
        raise errors.entity_not_on_record(
            "工信部备案信息中没有该主体的备案", "主体从未备案的，请办理「首次备案」", field=missing_field
        )
    wrong = mismatch(entity, ent, IDENTITY_FIELDS + ("province",))
    if wrong:
        raise entity_mismatch(entity, wrong)
    if TENCENT in (entity.get("access_providers") or []):
        _at_tencent_already(entity)
    check_new_domains(records, payload["websites"], entity["id"])
    owner = ent.get("responsible") or entity.get("responsible")
    return Resolution(
        payload,
        entity_id=entity["id"],
        province=entity.get("province"),
        contacts=contacts(owner, [s.get("responsible") for s in payload["websites"]], roles),
    )


SPEC = KindSpec(
    code="add_website_external",
    zh="新增网站（原备案不在腾讯云）",
    payload=Payload(
        entity="new",
        entity_required=True,
        websites="new",
        websites_required=True,
        max_websites=MAX_WEBSITES,
        reference="entity_number?",
        reason=False,
        entity_or_websites=False,
        description="主办者性质、证件类型和号码须与备案一致。",
    ),
    precondition=precondition,
    new_filing=True,
    sms_to=("website",),
    bureau_duration="filing",
    approved_zh="已备案",
    approval=Approval(
        effect="add_websites",
        zh="主体备案号不变，腾讯云成为接入商；新的网站备案号",
        message="备案号：{numbers}。",
        new_entity=False,
        new_websites=True,
        adopts_entity=True,
        revokes_entity=False,
        cancellation=False,
    ),
    # the gateway serves the order's domains (already on record) while it is in these states
    served_early_in=frozenset(),
    chat=Chat(
        en="New website (entity filed elsewhere)",
        seed_quote="如果您未在腾讯云进行备案，如果您想更换服务商（例如腾讯云）并且需要新增网站。",
        forms=("entity", "responsible", "website"),
        needs_ip=True,
        asked_when=(),
        result_text="RECORD_NUMBERS",
    ),
)
