"""What the kinds' preconditions share: the stable 409/422 answers when the world does not
allow an order, and the checks several kinds make (the account's entity at Tencent, new
domains not on record, website changes). Each kind's own precondition is in its module
under domain/kinds/."""

import copy
from collections.abc import Iterable

from backend.domain import errors, forms_extras
from backend.domain.errors import Conflict, Unprocessable, validation_failed
from backend.domain.filings import (
    TENCENT,
    WEBSITE_REFS,
    Records,
    domain_key,
    filing_type,
    province_code,
    same_text,
    website_domains,
)

CHANGE_FIELDS = (
    "name",
    "service_content",
    "commercial",
    "pre_approval_number",
    "homepage_url",
    "remark",
    "responsible",
    "remove_domains",
    "add_domains",
    "filing_type",
    "nat_ip",
)
ENTITY_CHANGE_FIELDS = (
    "type",
    "name",
    "certificate_type",
    "certificate_number",
    "province",
    "address",
    "residence_permit",
    "id_valid_until",
    "certificate_address",
    "investor",
    "remark",
    "responsible",
)
IDENTITY_FIELDS = ("type", "certificate_type", "certificate_number")


# -- errors and shared checks -----------------------------------------------------------------------------


def unprocessable(path: str, message: str) -> Unprocessable:
    return validation_failed({f"payload.{path}": [message]})


def no_entity_at_tencent(own: dict | None) -> Conflict:
    if own is None:
        return errors.entity_not_filed_at_tencent(
            "账号下没有在腾讯云备案的主体",
            "尚未备案的请办理「首次备案」；已在其他接入商备案的请办理「接入备案」或「新增网站（原备案不在腾讯云）」",
        )
    return errors.entity_not_filed_at_tencent(
        f"主体 {own['number']} 目前没有接入腾讯云",
        "请先办理「接入备案」，把网站接入腾讯云后再办理此业务",
        entity_number=own["number"],
    )


def own_at_tencent(records: Records) -> dict:
    own = records.own()
    if own is None or TENCENT not in (own.get("access_providers") or []):
        raise no_entity_at_tencent(own)
    return own


def site_not_found(path: str, entity: dict) -> Conflict:
    return errors.website_not_found(
        f"主体 {entity['number']} 下没有该网站的有效备案",
        "请核对网站备案号或域名，可在「备案信息」中查看已备案的网站",
        field=f"payload.{path}",
    )


def check_new_domains(records: Records, websites: list[dict], entity_id: str | None = None) -> None:
    """One domain, one filing: refuse domains already on record (ours or another entity's)."""
    for i, site in enumerate(websites):
        taken = records.site_with_domain(site.get("domain"))
        if taken is None:
            continue
        if entity_id and taken["entity_id"] == entity_id:
            raise errors.domain_already_filed(
                f"域名 {site['domain']} 已在本主体下备案（{taken['number']}）",
                "同一域名不能重复备案；如需修改该网站的信息，请办理「变更网站」",
                field=f"payload.websites.{i}.domain",
                number=taken["number"],
            )
        raise errors.domain_conflict(
            f"域名 {site['domain']} 已由其他主体备案（{taken['number']}），域名冲突",
            "请确认域名归属；域名已转让的，请原备案主体先注销该网站或取消接入后再提交",
            field=f"payload.websites.{i}.domain",
            number=taken["number"],
        )


def personal_one_site(entity: dict, websites: list) -> None:
    if entity.get("type") == "personal" and len(websites) > 1:
        raise unprocessable("websites", "个人备案每个订单只能包含 1 个网站")


def mismatch(record: dict, given: dict, fields: tuple[str, ...]) -> list[str]:
    wrong = []
    for name in fields:
        if name not in given:
            continue
        if name == "province":
            if province_code(given[name]) != province_code(record.get("province")):
                wrong.append(name)
        elif not same_text(given[name], record.get(name)):
            wrong.append(name)
    return wrong


def entity_mismatch(record: dict, wrong: list[str]) -> Conflict:
    return errors.entity_mismatch_with_record(
        f"主体信息与工信部备案记录（{record['number']}）不一致：" + "、".join(ENTITY_LABELS[f] for f in wrong),
        "主办者性质、证件类型、证件号码须与已有备案完全一致；备案信息有误的，请先在原接入商办理变更",
        fields=[f"payload.entity.{f}" for f in wrong],
        entity_number=record["number"],
    )


ENTITY_LABELS = {
    "type": "主办者性质",
    "certificate_type": "证件类型",
    "certificate_number": "证件号码",
    "province": "所在省份",
    "name": "主办者名称",
}


# -- contacts (whose phones get MIIT's code) ------------------------------------------


def person_contact(role: str, person: object) -> dict | None:
    if not isinstance(person, dict):
        return None
    return {
        "role": role,
        "name": person.get("name"),
        "mobile": person.get("mobile"),
        "email": person.get("email"),
        "certificate_number": person.get("certificate_number"),
        # MIIT's check asks the last 6 of the number (Zhejiang: of an HK/Macau holder's own ID)
        **({"hk_macao_id": person["hk_macao_id"]} if person.get("hk_macao_id") else {}),
    }


def contacts(entity_owner: dict | None, site_owners: list, roles: Iterable[str]) -> list[dict]:
    out = []
    if "entity" in roles and entity_owner:
        out.append(person_contact("entity", entity_owner))
    if "website" in roles:
        out += [person_contact("website", p or entity_owner) for p in site_owners]
    return [c for c in out if c]


def resolve_changes(
    records: Records, own: dict, entries: list[dict], allow_filing_type: bool
) -> tuple[list[dict], list[dict]]:
    """Website changes: each names an active website of the entity filed at Tencent."""
    sites, out = [], []
    for i, entry in enumerate(entries):
        site = records.find_site(entry, own["id"])
        if site is None:
            raise site_not_found(f"websites.{i}", own)
        if site in sites:
            raise unprocessable(f"websites.{i}", "同一网站在订单中只能出现一次")
        if TENCENT not in (site.get("access_providers") or []):
            raise errors.website_not_at_tencent(
                f"网站 {site['number']} 没有接入腾讯云",
                "请先办理「接入备案」，或在网站当前的接入商处办理变更",
                field=f"payload.websites.{i}",
            )
        removing = _domain_changes(site, entry, i)
        change = {k: copy.deepcopy(entry[k]) for k in CHANGE_FIELDS if k in entry and k != "add_domains"}
        if "remove_domains" in change:
            change["remove_domains"] = [d for d in website_domains(site) if domain_key(d) in removing]
        if not allow_filing_type and ("filing_type" in change or "nat_ip" in change):
            raise unprocessable(f"websites.{i}.filing_type", "更换备案使用的云服务或 IP 请办理「变更网站」")
        _filing_type_change(site, change, i)
        _homepage_kept(site, change, removing, i)
        change = forms_extras.cleared(change)
        sites.append(site)
        out.append({"website_id": site["id"], "website_number": site["number"], **change})
    return sites, out


def _homepage_kept(site, change, removing, i):
    """网站首页 URL is "one of the site's URLs" (process.md §2.3): a new one, or the one on record
    when the change leaves it, must be on a domain the website keeps. `homepage_url: null`
    clears it (back to the default, http://<domain>/)."""
    homepage = change["homepage_url"] if "homepage_url" in change else site.get("homepage_url")
    if homepage is None:
        return
    kept = [d for d in website_domains(site) if domain_key(d) not in removing]
    for path, _code, message in forms_extras.homepage_problems(homepage, kept, f"websites.{i}.homepage_url"):
        if "homepage_url" not in change:  # the record's homepage is on a domain the change removes
            message = (
                f"网站首页地址 {homepage} 所在的域名将被删除，请同时填写该网站保留域名上的首页地址"
                "（或填 null 恢复为默认的 http://域名/）"
            )
        raise unprocessable(path, message)


def _domain_changes(site, entry, i):
    """A change only removes domains, and keeps at least one; returns the keys it removes."""
    keys_ = list(map(domain_key, website_domains(site)))
    added = list(entry.get("add_domains") or [])
    if (
        entry.get("domain")
        and (entry.get("website_id") or entry.get("website_number"))
        and domain_key(entry["domain"]) not in keys_
    ):
        added.append(entry["domain"])
    if added:
        raise errors.domain_cannot_be_added(
            "变更备案只能删除域名，不能新增或修改域名：" + "、".join(added),
            "新的域名请办理「新增网站」",
            field=f"payload.websites.{i}.domain",
        )
    removing = [domain_key(d) for d in entry.get("remove_domains") or []]
    unknown = [d for d, k in zip(entry.get("remove_domains") or [], removing) if k not in keys_]
    if unknown:
        raise unprocessable(
            f"websites.{i}.remove_domains", f"网站 {site['number']} 没有这些域名：" + "、".join(unknown)
        )
    if removing and all(k in removing for k in keys_):
        raise errors.website_needs_a_domain(
            f"网站 {site['number']} 至少要保留一个域名",
            "不再使用该网站的，请办理「注销网站」；其他域名请办理「新增网站」",
            field=f"payload.websites.{i}.remove_domains",
        )
    return removing


def _filing_type_change(site, change, i):
    """A switch to 云托管 needs a NAT IP; asking for what the website already has changes nothing."""
    current_type = filing_type(site)
    wanted_type = change.get("filing_type", current_type)
    if wanted_type == current_type and change.get("nat_ip") in (None, site.get("nat_ip")):
        change.pop("nat_ip", None)  # nothing changes: no new IP slot
        change.pop("filing_type", None)
    elif wanted_type == "cloudbase_run" and not change.get("nat_ip"):
        raise unprocessable(f"websites.{i}.nat_ip", "改为「云托管」备案须选择一个可用于备案的系统 NAT 网关 IP")
    elif wanted_type == "cloudbase_run":
        change["filing_type"] = "cloudbase_run"


def change_entity(records: Records, own: dict, changes: dict) -> None:
    if "province" in changes and province_code(changes["province"]) != province_code(own.get("province")):
        raise errors.cross_province_change(
            "备案主体不能跨省变更",
            "主体迁到其他省份的，请先注销原备案，再在新省份办理首次备案",
            field="payload.entity.province",
        )
    wrong = mismatch(own, changes, IDENTITY_FIELDS)
    if wrong:
        raise errors.entity_identity_change_not_allowed(
            "主办者性质、证件类型和证件号码不能变更：" + "、".join(ENTITY_LABELS[f] for f in wrong),
            "主体已变为另一个单位或个人的，请注销原备案后重新办理首次备案",
            fields=[f"payload.entity.{f}" for f in wrong],
        )


def own_site(records: Records, payload: dict) -> tuple[dict, dict]:
    own = records.own()
    if own is None:
        raise no_entity_at_tencent(None)
    site = records.find_site(payload, own["id"])
    if site is None:
        raise site_not_found(next((k for k in WEBSITE_REFS if payload.get(k)), "website_id"), own)
    if TENCENT not in (site.get("access_providers") or []):
        raise errors.website_not_at_tencent(
            f"网站 {site['number']} 没有接入腾讯云",
            "只能注销或取消接入在腾讯云接入的网站；请在网站当前的接入商处办理",
            field="payload." + next((k for k in WEBSITE_REFS if payload.get(k)), "website_id"),
        )
    return own, site


def site_payload(payload: dict, site: dict) -> dict:
    out = {k: v for k, v in payload.items() if k not in WEBSITE_REFS}
    return dict(out, website_id=site["id"], website_number=site["number"], domain=site["domain"])
