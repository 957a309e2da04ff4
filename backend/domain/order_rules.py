"""Entry rules that tie the people and the websites of one order together (process.md §2.1, §2.3,
§8), checked at entry with per-field zh-CN messages, like forms_rules (which calls `problems`):

- a personal entity's 主体负责人 is the person themself: the same name and certificate number as
  the entity (§2.1 table, 主体负责人 — Personal: "self");
- Jiangsu and Anhui: a 主体负责人 who is not the legal representative must also be the owner of
  every website (§8 江苏 "may be non-LR, but then website owner = entity owner"; 安徽 "non-LR with
  auth, then 主体负责人 = website owner"; province_rules.csv `non_lr_owner_runs_sites`);
- Shanxi: at most 3 new domains per order (§8 山西, H2; province_rules.csv `max_new_domains`);
- Jiangxi: an entity with ≥ 7 (personal) / ≥ 15 (organisation) websites on record files one new
  website (one domain) per order (§8 江西, J2-Jiangxi, H2; `one_site_from_sites`,
  `filed_sites_problems`, called with the count on record by the order's entry check).

`problems(kind, entity, websites)` gives (path, code, zh message) triples; `entity` is the order's
entity form, else the entity on record the order is about (新增网站 carries no entity form).
"""

from backend.domain import province_rules, provinces
from backend.domain.filings import same_text
from backend.domain.materials import owner_is_legal_rep, same_person

SELF_NAME_ZH = "个人备案的主体负责人须为本人：姓名须与主办人姓名一致"
SELF_CERT_ZH = "个人备案的主体负责人须为本人：证件号码须与主办人证件号码一致"
NON_LR_OWNER_ZH = "本省主体负责人不是法定代表人时，网站负责人须与主体负责人为同一人"


def _province(entity: dict) -> str | None:
    try:
        return provinces.normalize(entity.get("province"))
    except Exception:  # unknown: entry validation reports it
        return None


def personal_self_problems(entity: dict) -> list[tuple[str, str, str]]:
    """A person files as themself: their 主体负责人 is that person (name and certificate number)."""
    owner = entity.get("responsible")
    if entity.get("type") != "personal" or not isinstance(owner, dict):
        return []
    out = []
    name, own_name = str(entity.get("name") or "").strip(), str(owner.get("name") or "").strip()
    if name and own_name and name != own_name:
        out.append(("entity.responsible.name", "PERSONAL_RESPONSIBLE_NOT_SELF", SELF_NAME_ZH))
    cert, own_cert = entity.get("certificate_number"), owner.get("certificate_number")
    if str(cert or "").strip() and str(own_cert or "").strip() and not same_text(cert, own_cert):
        out.append(("entity.responsible.certificate_number", "PERSONAL_RESPONSIBLE_NOT_SELF", SELF_CERT_ZH))
    return out


def non_lr_owner_problems(entity: dict, websites: list, rules) -> list[tuple[str, str, str]]:
    if not rules.non_lr_owner_runs_sites or entity.get("type") in (None, "", "personal"):
        return []
    if owner_is_legal_rep(entity, None):
        return []
    return [
        (f"websites.{i}.responsible", "NON_LR_OWNER_MUST_OWN_WEBSITES", NON_LR_OWNER_ZH)
        for i, site in enumerate(websites)
        if isinstance(site, dict)
        and isinstance(site.get("responsible"), dict)
        and not same_person(site["responsible"], entity.get("responsible"))
    ]


def new_domain_problems(websites: list, rules) -> list[tuple[str, str, str]]:
    limit = rules.max_new_domains
    domains = {str(s.get("domain") or "").strip().lower() for s in websites if isinstance(s, dict)} - {""}
    if not limit or len(domains) <= limit:
        return []
    zh = f"本省每个备案订单最多新增 {limit} 个域名，其他域名请在备案通过后办理「新增网站」"
    return [("websites", "TOO_MANY_NEW_DOMAINS", zh)]


def problems(entity: dict | None, websites: list, new_entity: bool, new_sites: bool) -> list[tuple[str, str, str]]:
    """The rules above for an order that files a new entity form (`new_entity`) and/or new websites."""
    if not isinstance(entity, dict):
        return []
    rules = province_rules.get(_province(entity))
    out = personal_self_problems(entity) if new_entity else []
    if new_sites:
        out += non_lr_owner_problems(entity, websites, rules) + new_domain_problems(websites, rules)
    return out


def filed_sites_problems(entity: dict | None, filed_sites: int, websites: list) -> list[tuple[str, str, str]]:
    """Jiangxi: an entity with many websites on record adds one website per order."""
    if not isinstance(entity, dict):
        return []
    thresholds = province_rules.get(_province(entity)).one_site_from_sites
    if not thresholds:
        return []
    limit = thresholds[0] if entity.get("type") == "personal" else thresholds[-1]
    if filed_sites < limit or len([s for s in websites if isinstance(s, dict)]) <= 1:
        return []
    zh = f"本省已备案 {limit} 个及以上网站的主体，每个订单只能新增 1 个网站（1 个域名），其他网站请分别办理「新增网站」"
    return [("websites", "ONE_SITE_PER_ORDER_MANY_ON_RECORD", zh)]
