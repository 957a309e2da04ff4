"""The real forms (process.md §2): the fields the mini-program asks beyond the name and the
certificate — mailing address as division codes + street, ID validity, office and emergency
phones, the legal representative, website languages and 前置审批 — and their rules, checked at
entry with per-field zh-CN messages. The enumerations are data files under data/.

`problems(kind, payload, today)` checks what is given (entry validation); `missing_fields(...)`
lists what a form still lacks before submission (readiness.missing reads it).
"""

import csv
import re
from datetime import date, timedelta
from pathlib import Path

from backend.domain import (
    addresses,
    area_codes,
    divisions,
    forms_extras,
    forms_people,
    kinds,
    legal_reps,
    numbering,
    order_rules,
    pre_approvals,
    province_rules,
    provinces,
    service_contents,
    validation,
)
from backend.domain.addresses import address_problems  # noqa: F401  (the address form's checks)
from backend.domain.filings import same_text
from backend.domain.forms_extras import homepage_problems  # noqa: F401  (also used here)
from backend.domain.review_checks import ENTERPRISE_CONTENT, PRE_APPROVAL_CONTENT

_DATA = Path(__file__).parent / "data"
# from the kind specs: the kinds whose payload carries a new entity form / new website forms
NEW_ENTITY_KINDS = frozenset(k for k, s in kinds.KINDS.items() if s.files_new_entity)
NEW_SITE_KINDS = frozenset(k for k, s in kinds.KINDS.items() if s.files_new_website)
LONG_TERM = "长期"
ID_MIN_DAYS_LEFT = 31  # WeChat guide: an ID must have more than a month left
_LANDLINE = re.compile(r"0[1-9][0-9]{1,2}-?[1-9][0-9]{6,7}")


def _rows(name):
    with (_DATA / name).open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


LANGUAGES = {r["id"]: r["name"] for r in _rows("languages.csv")}
PRE_APPROVAL_TYPES = pre_approvals.TYPES
SERVICE_CONTENT_TYPES = {r["code"]: r for r in _rows("service_content_types.csv")}


def entity_type_table() -> list[dict]:
    """process.md §2.2: each entity type, its ids in the two public lists (GH1/GH2) and its certificates."""
    return [
        dict(r, certificates=r["certificates"].split(), gh1_id=r["gh1_id"] or None, gh2_id=r["gh2_id"] or None)
        for r in validation.ENTITY_TYPE_TABLE.values()
    ]


def certificate_type_table() -> list[dict]:
    """process.md §2.2: each certificate type, its MIIT codes and its number rule."""
    return [
        dict(r, miit_codes=r["miit_codes"].split(), pattern=r["pattern"] or None, message=r["message"] or None)
        for r in validation.CERT_TYPE_TABLE.values()
    ]


def children(code: str | None) -> list[dict]:
    """The division tree one level down (provinces when code is None): queryIcpDistrictCode's shape."""
    return divisions.children(code)


# -- the checks -----------------------------------------------------------------------------


def _date(value):
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def validity_problems(person, today, prefix):
    out = []
    start, end = person.get("id_valid_from"), person.get("id_valid_until")
    if start is not None and (_date(start) is None or _date(start) > today):
        out.append(
            (f"{prefix}.id_valid_from", "ID_VALIDITY_INVALID", "证件有效期起始日期须为不晚于今天的日期（YYYY-MM-DD）")
        )
    if end is None or end == LONG_TERM:
        return out
    if _date(end) is None:
        out.append(
            (f"{prefix}.id_valid_until", "ID_VALIDITY_INVALID", "证件有效期截止日期须为日期（YYYY-MM-DD）或「长期」")
        )
    elif _date(end) < today + timedelta(days=ID_MIN_DAYS_LEFT):
        out.append((f"{prefix}.id_valid_until", "ID_VALIDITY_TOO_SHORT", "证件剩余有效期须超过 1 个月，请更换有效证件"))
    elif start is not None and _date(start) and _date(start) >= _date(end):
        out.append((f"{prefix}.id_valid_until", "ID_VALIDITY_INVALID", "证件有效期截止日期须晚于起始日期"))
    return out


def phone_problems(person, rules, prefix, org=False):
    out = []
    mobile = validation.normalize_mobile(person.get("mobile"))
    emergency, office = person.get("emergency_phone"), person.get("office_phone")
    if emergency is not None:
        em = validation.normalize_mobile(emergency)
        if em is None and not _LANDLINE.fullmatch(str(emergency)):
            out.append((f"{prefix}.emergency_phone", "PHONE_INVALID", "应急联系电话须为 11 位手机号或带区号的固定电话"))
        elif em is not None and em == mobile:
            out.append((f"{prefix}.emergency_phone", "EMERGENCY_SAME_AS_MOBILE", "应急联系电话不能与负责人手机号相同"))
    if office is None and org and rules.office_phone_landline:
        out.append((f"{prefix}.office_phone", "FIELD_REQUIRED", "本省要求填写办公室电话（带区号的固定电话）"))
    if office is not None:
        om = validation.normalize_mobile(office)
        if om is None and not _LANDLINE.fullmatch(str(office)):
            out.append(
                (f"{prefix}.office_phone", "PHONE_INVALID", "办公室电话须为带区号的固定电话，例如 0755-86013388")
            )
        elif om is not None and org and rules.office_phone_landline:
            out.append(
                (
                    f"{prefix}.office_phone",
                    "OFFICE_PHONE_NOT_LANDLINE",
                    "本省要求办公室电话为带区号的固定电话，不能填写手机号",
                )
            )
        elif om is not None and om == mobile and rules.office_phone_differs:
            out.append((f"{prefix}.office_phone", "OFFICE_SAME_AS_MOBILE", "本省要求办公室电话不能与负责人手机号相同"))
    return out


def office_remark_problems(holder, rules, path, org):
    """Tianjin, Chongqing, Gansu (process.md §2.1, T37): an organisation's 负责人 whose office phone
    is a mobile explains it in the remark of the form holding that person (`holder`)."""
    person = holder.get("responsible") if isinstance(holder, dict) else None
    if not (org and rules.office_mobile_remark and isinstance(person, dict)):
        return []
    if validation.normalize_mobile(person.get("office_phone")) is None or str(holder.get("remark") or "").strip():
        return []
    return [
        (path, "OFFICE_MOBILE_NEEDS_REMARK", "本省办公室电话填写手机号的，须在备注中说明（例如：单位未安装固定电话）")
    ]


def emergency_remark_problems(holder, rules, path, org, noted=None):
    """Tianjin (process.md §2.1, §8, J2-Tianjin): a 负责人's 应急联系人 is a third person (a close
    relative for a person), named with the relation in the remark of the form holding that person;
    `noted`: the entity, whose remark already names the same emergency contact of its 负责人."""
    person = holder.get("responsible") if isinstance(holder, dict) else None
    if not (rules.emergency_remark and isinstance(person, dict) and person.get("emergency_phone")):
        return []
    if _has_remark(holder) or _noted(noted, person.get("emergency_phone")):
        return []
    who = "负责人以外的第三人" if org else "负责人的直系亲属"
    return [(path, "EMERGENCY_NEEDS_REMARK", f"本省应急联系人须为{who}，请在备注中注明应急联系人姓名及与负责人的关系")]


def _noted(entity, phone) -> bool:
    owner = entity.get("responsible") if isinstance(entity, dict) else None
    return isinstance(owner, dict) and owner.get("emergency_phone") == phone and _has_remark(entity)


def _has_remark(holder) -> bool:
    return bool(str(holder.get("remark") or "").strip())


def person_problems(person, today, rules, prefix, org=False, address=None):
    """`address`: the entity's mailing address, which an office landline's area code should match."""
    if not isinstance(person, dict):
        return []
    checks = validity_problems(person, today, prefix) + phone_problems(person, rules, prefix, org)
    return checks + area_codes.problems(person, address, f"{prefix}.office_phone")


def _is_org(entity):
    return isinstance(entity, dict) and entity.get("type") not in (None, "", "personal")


def entity_problems(entity, today):
    rules = province_rules.get(validation_province(entity.get("province")))
    out = []
    if "mailing_address" in entity:
        out += address_problems(
            entity["mailing_address"], validation_province(entity.get("province")), "entity.mailing_address"
        )
        out += addresses.cross_city_problems(entity, rules, "entity.mailing_address.city_code")
    address = entity.get("mailing_address")
    out += person_problems(entity.get("responsible"), today, rules, "entity.responsible", _is_org(entity), address)
    out += office_remark_problems(entity, rules, "entity.remark", _is_org(entity))
    out += emergency_remark_problems(entity, rules, "entity.remark", _is_org(entity))
    out += legal_reps.problems(entity, rules)
    licence = entity.get("icp_licence_number")
    if licence is not None:
        out += licence_problems(entity, licence)
    rep = entity.get("legal_representative")
    if rep is not None:
        if entity.get("type") == "personal":
            out.append(("entity.legal_representative", "LEGAL_REP_NOT_FOR_PERSONAL", "个人备案无需填写法定代表人"))
        elif not isinstance(rep, dict) or not rep.get("name") or not rep.get("certificate_number"):
            out.append(("entity.legal_representative", "FIELD_REQUIRED", "请填写法定代表人的姓名和证件号码"))
        elif (
            rules.entity_owner == "lr"
            and not legal_reps.delegates(entity, rules)
            and not same_text(
                rep.get("certificate_number"), (entity.get("responsible") or {}).get("certificate_number")
            )
        ):
            out.append(
                (
                    "entity.responsible",
                    "OWNER_MUST_BE_LEGAL_REP",
                    "本省要求主体负责人为法定代表人，请将主体负责人改为法定代表人本人",
                )
            )
    return out


def licence_problems(entity, licence):
    """An ICP 经营许可证 number (粤B2-20090059, 京ICP证030173号): parsed by the number parser."""
    path = "entity.icp_licence_number"
    if entity.get("type") == "personal":
        return [(path, "PERSONAL_NO_LICENCE", "个人不能持有 ICP 经营许可证")]
    try:
        parsed = numbering.parse(licence)
    except (numbering.InvalidNumber, TypeError, ValueError):
        return [(path, "LICENCE_NUMBER_INVALID", "ICP 经营许可证号格式不正确，例如 粤B2-20090059")]
    if not str(parsed.get("kind", "")).startswith("icp_licence") or parsed.get("site_index"):
        return [(path, "LICENCE_NUMBER_INVALID", "这不是 ICP 经营许可证号（备案号请填在备案号处）")]
    if str(parsed["province_code"]) != str(validation_province(entity.get("province")) or "")[:2]:
        return [(path, "LICENCE_PROVINCE_MISMATCH", "ICP 经营许可证须由主体所在省的通信管理局颁发")]
    return []


COMMERCIAL_NOTICE = (
    "经营性互联网信息服务除备案外，还须向主体所在省的通信管理局申请 ICP 经营许可证"
    "（许可证申请以备案号为前提，不在本流程中办理）"
)


def notices(payload: dict, entity: dict | None = None) -> list[str]:
    """What the flow tells the user besides the rules: commercial content needs a licence (§7) —
    unless the entity (the order's, else `entity`, the one on record) already holds one."""
    own = payload.get("entity") if isinstance(payload.get("entity"), dict) else entity
    if isinstance(own, dict) and str(own.get("icp_licence_number") or "").strip():
        return []
    sites = [s for s in payload.get("websites") or [] if isinstance(s, dict)]
    if any(
        s.get("commercial")
        or any(SERVICE_CONTENT_TYPES.get(c, {}).get("commercial") == "yes" for c in service_contents.of(s))
        for s in sites
    ):
        return [COMMERCIAL_NOTICE]
    return []


def validation_province(value):
    try:
        return provinces.normalize(value)
    except Exception:
        return None


def personal_content_problems(site, prefix):
    """§7, T15: a person cannot file commercial, enterprise-type or pre-approval content (at entry;
    the provider's review keeps the same rules for orders written before)."""
    out = []
    if site.get("commercial") is True:
        out.append(
            (
                f"{prefix}.commercial",
                "PERSONAL_COMMERCIAL_CONTENT",
                "个人主体不能备案经营性网站；如需开展经营性业务，请以单位主体备案",
            )
        )
    if service_contents.any_in(site, ENTERPRISE_CONTENT):
        out.append(
            (
                f"{prefix}.service_content",
                "PERSONAL_ENTERPRISE_CONTENT",
                "个人网站不能开办企业官网、电子商务或门户类网站，请选择与个人网站相符的服务内容（例如博客）",
            )
        )
    elif service_contents.any_in(site, PRE_APPROVAL_CONTENT):
        out.append(
            (
                f"{prefix}.service_content",
                "PERSONAL_PRE_APPROVAL_CONTENT",
                "个人主体不能备案需要前置审批的内容（新闻、出版、教育、药品和医疗器械、文化、广播电影电视、金融、网约车、游戏）",
            )
        )
    if pre_approvals.declared(site):
        out.append((f"{prefix}.pre_approvals", "PERSONAL_PRE_APPROVAL", "个人不能办理涉及前置审批的网站备案"))
    return out


def website_problems(site, i, entity, today):
    prefix = f"websites.{i}"
    out = []
    if site.get("homepage_url") is not None:
        out += homepage_problems(site["homepage_url"], [site.get("domain") or ""], f"{prefix}.homepage_url")
    for j, lang in enumerate(site.get("languages") or []):
        if str(lang) not in LANGUAGES:
            out.append((f"{prefix}.languages.{j}", "LANGUAGE_UNKNOWN", "不支持的网站语言"))
    seen = set()
    for j, item in enumerate(site.get("pre_approvals") or []):
        kind = pre_approvals.type_code((item or {}).get("type"))  # an id ("1") or a code ("news")
        if kind is None:
            out.append((f"{prefix}.pre_approvals.{j}.type", "PRE_APPROVAL_TYPE_UNKNOWN", "不支持的前置审批类型"))
        elif kind in seen:
            out.append((f"{prefix}.pre_approvals.{j}.type", "PRE_APPROVAL_DUPLICATE", "前置审批类型不能重复"))
        elif not str((item or {}).get("number") or "").strip():
            out.append((f"{prefix}.pre_approvals.{j}.number", "FIELD_REQUIRED", "请填写前置审批号"))
        seen.add(kind)
    entity = entity or {}
    if entity.get("type") == "personal":
        out += personal_content_problems(site, prefix)
        owner = site.get("responsible")
        if isinstance(owner, dict) and not same_text(
            owner.get("certificate_number"), (entity.get("responsible") or {}).get("certificate_number")
        ):
            out.append(
                (
                    f"{prefix}.responsible",
                    "PERSONAL_OWNER_MUST_BE_ENTITY_OWNER",
                    "个人备案的网站负责人须为主体负责人本人",
                )
            )
    rules = province_rules.get(validation_province(entity.get("province")))
    address = entity.get("mailing_address")
    out += person_problems(site.get("responsible"), today, rules, f"{prefix}.responsible", _is_org(entity), address)
    out += office_remark_problems(site, rules, f"{prefix}.remark", _is_org(entity))
    return out + emergency_remark_problems(site, rules, f"{prefix}.remark", _is_org(entity), entity)


def problems(kind: str, payload: dict, today: date, entity: dict | None = None) -> list[tuple[str, str, str]]:
    """(path, code, message) for each rule of §2 the given fields break (absent fields are not checked here).
    `entity` is the entity on record the order is about (新增网站 carries no entity form)."""
    ent = payload.get("entity") if isinstance(payload.get("entity"), dict) else None
    out = entity_problems(ent, today) if ent and kind in NEW_ENTITY_KINDS else []
    owner_entity = ent or entity
    sites = [s for s in payload.get("websites") or [] if isinstance(s, dict)]
    prov = validation_province((owner_entity or {}).get("province"))
    if kind in NEW_SITE_KINDS:
        for i, site in enumerate(sites):
            out += website_problems(site, i, owner_entity, today)
        if prov and province_rules.get(prov).one_site_per_order and len(sites) > 1:
            out.append(
                (
                    "websites",
                    "ONE_SITE_PER_ORDER",
                    "本省每个备案订单只能包含 1 个网站，其他网站请在备案通过后办理「新增网站」",
                )
            )
    if kind in NEW_ENTITY_KINDS or kind in NEW_SITE_KINDS:
        out += forms_people.problems(payload, prov, entity)
        # the people and websites of the order together (personal = self, JS/AH, Shanxi)
        out += order_rules.problems(owner_entity, sites, bool(ent) and kind in NEW_ENTITY_KINDS, kind in NEW_SITE_KINDS)
    return out + forms_extras.problems(payload, entity)  # 证件住所, 投资人, remarks: every kind


def missing_fields(kind: str, payload: dict, entity: dict | None) -> list[tuple[str, str, str]]:
    """The form fields §2 requires that the order does not carry yet (before submission)."""
    out = []
    ent = payload.get("entity") if isinstance(payload.get("entity"), dict) else None
    if ent and kind in NEW_ENTITY_KINDS:
        out += forms_extras.missing(ent)
        if not ent.get("mailing_address"):
            out.append(("entity.mailing_address", "FORM_FIELD_MISSING", "请填写通信地址（省、市、区县和街道门牌）"))
        owner = ent.get("responsible") or {}
        if not owner.get("emergency_phone"):
            out.append(("entity.responsible.emergency_phone", "FORM_FIELD_MISSING", "请填写主体负责人的应急联系电话"))
        if province_rules.get(validation_province(ent.get("province"))).emergency_remark and not _has_remark(ent):
            out.append(("entity.remark", "FORM_FIELD_MISSING", "请在主体备注中注明应急联系人姓名及与负责人的关系"))
        if not owner.get("id_valid_until"):
            out.append(
                ("entity.responsible.id_valid_until", "FORM_FIELD_MISSING", "请填写主体负责人证件有效期（或选择长期）")
            )
    if kind in NEW_SITE_KINDS:
        for i, site in enumerate(payload.get("websites") or []):
            if isinstance(site, dict) and not site.get("languages"):
                out.append((f"websites.{i}.languages", "FORM_FIELD_MISSING", "请选择网站语言"))
    return out
