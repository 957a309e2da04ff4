"""接入备案 access_filing: an entity and websites filed at another provider move their access to Tencent;
the record's data, never edited."""

from backend.domain import errors
from backend.domain.filings import TENCENT, Records, Resolution, domain_key, same_text, website_domains
from backend.domain.kinds.spec import Approval, Chat, KindSpec, Payload
from backend.domain.limits import MAX_WEBSITES
from backend.domain.preconditions import (
    IDENTITY_FIELDS,
    contacts,
    entity_mismatch,
    mismatch,
    personal_one_site,
    site_not_found,
    unprocessable,
)


def precondition(records: Records, payload: dict, roles: tuple[str, ...]) -> Resolution:
    entity = _entity_on_record(records, payload)
    personal_one_site(entity, payload["websites"])
    sites: list[dict] = []
    out: list[dict] = []
    for i, ref in enumerate(payload["websites"]):
        site = _site_to_access(records, entity, ref, i, sites)
        sites.append(site)
        out.append(
            {
                "website_id": site["id"],
                "website_number": site["number"],
                "domain": site["domain"],
                "name": site["name"],
                "nat_ip": ref.get("nat_ip"),
                "filing_type": ref.get("filing_type") or "cloudbase_run",
            }
        )
    normalized = dict(payload, websites=out)
    owner = entity.get("responsible")
    return Resolution(
        normalized,
        entity_id=entity["id"],
        website_ids=[s["id"] for s in sites],
        province=entity.get("province"),
        contacts=contacts(owner, [s.get("responsible") for s in sites], roles),
    )


def _entity_on_record(records, payload):
    """The entity named by its number: on record, not another account's, as given."""
    entity = records.by_number(payload.get("entity_number"))
    if entity is None:
        raise errors.entity_not_on_record(
            f"工信部备案信息中没有主体备案号 {payload.get('entity_number')}",
            "接入备案只适用于已在其他接入商备案的主体和网站；尚未备案的请办理「首次备案」",
            field="payload.entity_number",
        )
    own = records.own()
    if own is not None and own["id"] != entity["id"]:
        raise errors.entity_already_filed(
            f"该账号已有备案主体 {own['number']}，一个账号只能备案一个主体",
            "其他主体的网站请使用该主体自己的腾讯云账号办理接入备案",
            entity_number=own["number"],
        )
    if entity.get("account") != "self" and TENCENT in (entity.get("access_providers") or []):
        raise errors.entity_in_other_account(
            f"主体 {entity['number']} 已在另一个腾讯云账号下备案",
            "请登录该主体所在的腾讯云账号办理",
            entity_number=entity["number"],
        )
    if isinstance(payload.get("entity"), dict):
        wrong = mismatch(entity, payload["entity"], IDENTITY_FIELDS + ("name", "province"))
        if wrong:
            raise entity_mismatch(entity, wrong)
    return entity


def _site_to_access(records, entity, ref, i, taken):
    """The website a reference names: the entity's, once in the order, not at Tencent yet, as on record."""
    site = records.find_site(ref, entity["id"])
    if site is None:
        raise site_not_found(f"websites.{i}", entity)
    if site in taken:
        raise unprocessable(f"websites.{i}", "同一网站在订单中只能出现一次")
    if TENCENT in (site.get("access_providers") or []):
        raise errors.website_already_at_tencent(
            f"网站 {site['number']} 已接入腾讯云，无需再次接入",
            "如需修改网站信息，请办理「变更网站」",
            field=f"payload.websites.{i}",
        )
    edited = [
        k
        for k in ("name", "domain")
        if ref.get(k)
        and (
            domain_key(ref[k]) not in map(domain_key, website_domains(site))
            if k == "domain"
            else not same_text(ref[k], site.get(k))
        )
    ]
    if edited:
        raise errors.record_change_not_allowed(
            "接入备案不能修改备案信息：" + "、".join(edited) + " 与备案记录不一致",
            "接入备案须与工信部备案信息完全一致；如需修改，请接入完成后办理「变更备案」",
            field=f"payload.websites.{i}",
            fields=[f"payload.websites.{i}.{k}" for k in edited],
        )
    return site


SPEC = KindSpec(
    code="access_filing",
    zh="接入备案",
    payload=Payload(
        entity="match",
        entity_required=False,
        websites="refs",
        websites_required=True,
        max_websites=MAX_WEBSITES,
        reference="entity_number",
        reason=False,
        entity_or_websites=False,
        description="已在其他接入商备案的主体和网站接入腾讯云，信息须与备案一致。",
    ),
    precondition=precondition,
    new_filing=True,
    sms_to=("website",),
    bureau_duration="filing",
    approved_zh="已备案",
    approval=Approval(
        effect="access",
        zh="备案号不变；腾讯云成为接入商；初审通过后域名即可访问",
        message="备案号：{numbers}。",
        new_entity=False,
        new_websites=False,
        adopts_entity=False,
        revokes_entity=False,
        cancellation=False,
    ),
    # the gateway serves the order's domains (already on record) while it is in these states
    served_early_in=frozenset({"provider_approved", "sms_verification", "bureau_review"}),
    chat=Chat(
        en="Access filing (filed at another provider)",
        seed_quote="如果您已经在其他接入商处完成备案取得备案号，现需要更换服务商，例如腾讯云。",
        forms=("access", "access_website"),
        needs_ip=True,
        asked_when=(),
        result_text="RECORD_NUMBERS",
    ),
)
