"""The nine scenarios of domain.md §3, as one declarative table: per kind, what the
payload carries, what must be true of the world before the order may exist, whose
phones get MIIT's code, and when the gateway may serve its domains early.

`kinds.py` holds the kinds' names and their path through the workflow table (SMS or
not, which bureau duration); this module holds the rest. Everything here is pure:
preconditions read a `Records` snapshot of the national registry (entities and
websites) and either raise a DomainError with a stable code or return a `Resolution`
(the records the order is about, its normalized payload, its contacts). The approval
effects, which need ids and number sequences, are in `services/effects.py`
(`APPROVAL_EFFECTS`, one per kind, applied in the transition's transaction).

Payload shapes (the REST schemas in `api/schemas.py` mirror them):

| kind | payload |
| --- | --- |
| first_filing | `{entity, websites: [new website]}` |
| access_filing | `{entity_number, entity?, websites: [{website_id\\|website_number\\|domain, nat_ip}]}` — the record's data, never edited |
| add_website | `{websites: [new website]}` — under the account's entity filed at Tencent |
| add_website_external | `{entity, entity_number?, websites: [new website]}` — entity type, certificate type and number (and province) equal to the record |
| change_filing | `{entity?: {changed fields}, websites?: [{website_id\\|…, changed fields, remove_domains?}]}` |
| change_website | `{websites: [{website_id\\|…, changed fields, remove_domains?, filing_type?, nat_ip?}]}` — exactly one |
| cancel_entity | `{entity_number?, reason?}` |
| cancel_website, cancel_access | `{website_id\\|website_number\\|domain, reason?}` |
"""
import copy
from dataclasses import dataclass, field
from typing import Callable

from backend.domain import numbering, provinces
from backend.domain import validation as V
from backend.domain.errors import Conflict, Unprocessable

ACTIVE = "active"
TENCENT = "tencent"
FILING_TYPES = ("cloudbase_run", "cvm")  # 云托管, or another Tencent cloud service (e.g. CVM)
WEBSITE_REFS = ("website_id", "website_number", "domain")
# fields of a website change (变更网站信息); the reference keys come on top
CHANGE_FIELDS = ("name", "service_content", "commercial", "pre_approval_number", "responsible",
                 "remove_domains", "add_domains", "filing_type", "nat_ip")
ENTITY_CHANGE_FIELDS = ("type", "name", "certificate_type", "certificate_number", "province", "address",
                        "residence_permit", "id_valid_until", "responsible")
IDENTITY_FIELDS = ("type", "certificate_type", "certificate_number")
EARLY_SERVE_ACCESS = frozenset({"provider_approved", "sms_verification", "bureau_review"})


# -- the national registry, read-only ---------------------------------------------------

def domain_key(domain):
    """The form two domains are compared in: lowercase punycode, no trailing dot."""
    return V.domain_ascii(domain) if isinstance(domain, str) and domain.strip() else None


def number_key(number):
    """A record number as MIIT prints it, or None when it does not parse."""
    try:
        return numbering.parse(number)["normalized"]
    except (numbering.InvalidNumber, TypeError, AttributeError):
        return None


def website_domains(website):
    """Every domain of a website on record: its domain, then any older extra domains
    (filings made before the one-domain-per-website rule may carry several)."""
    out = [website.get("domain")] + list(website.get("extra_domains") or [])
    return [d for d in out if isinstance(d, str) and d]


def is_active_site(website, entities):
    """On record today: the website is active and so is its entity (`entities`: id → entity)."""
    return website.get("status") == ACTIVE and (entities.get(website.get("entity_id")) or {}).get("status") == ACTIVE


def active_sites(entities, websites):
    """The websites on record today, active under an active entity — what MIIT's query shows,
    the gateway serves, the NAT IP quota counts and the preconditions look up."""
    return [w for w in websites if is_active_site(w, entities)]


def filing_type(website):
    """How a website on record is filed at Tencent: 云托管 with a NAT IP, or another cloud service."""
    return website.get("filing_type") or ("cloudbase_run" if website.get("nat_ip") else "cvm")


def _same(a, b):
    return str(a or "").strip().upper() == str(b or "").strip().upper()


def _province_code(value):
    try:
        return provinces.normalize(value)
    except Exception:  # unknown: entry validation reports it
        return None


class Records:
    """Entities and websites on record (what MIIT's query would show, cancelled ones included)."""

    def __init__(self, entities, websites):
        self.entities = {e["id"]: e for e in entities}
        self.websites = list(websites)

    def entity(self, entity_id):
        e = self.entities.get(entity_id)
        return e if e and e.get("status") == ACTIVE else None

    def own(self):
        """The account's entity: one entity per account."""
        return next((e for e in self.entities.values()
                     if e.get("status") == ACTIVE and e.get("account") == "self"), None)

    def by_number(self, number):
        key = number_key(number)
        return next((e for e in self.entities.values()
                     if e.get("status") == ACTIVE and key and number_key(e.get("number")) == key), None)

    def by_certificate(self, certificate_number):
        return next((e for e in self.entities.values()
                     if e.get("status") == ACTIVE and _same(e.get("certificate_number"), certificate_number)), None)

    def sites(self, entity_id=None):
        """Active websites under active entities (of one entity when given)."""
        return [w for w in active_sites(self.entities, self.websites)
                if entity_id is None or w.get("entity_id") == entity_id]

    def site_with_domain(self, domain):
        key = domain_key(domain)
        return next((w for w in self.sites() if key and key in map(domain_key, website_domains(w))), None)

    def find_site(self, ref, entity_id=None):
        """The active website a reference names: {website_id | website_number | domain}."""
        sites = self.sites(entity_id)
        if ref.get("website_id"):
            return next((w for w in sites if w["id"] == ref["website_id"]), None)
        if ref.get("website_number"):
            key = number_key(ref["website_number"])
            return next((w for w in sites if key and number_key(w.get("number")) == key), None)
        key = domain_key(ref.get("domain"))
        return next((w for w in sites if key and key in map(domain_key, website_domains(w))), None)


@dataclass
class Resolution:
    """What a precondition found: the records the order is about and its normalized payload."""
    payload: dict
    entity_id: str | None = None
    website_ids: list = field(default_factory=list)
    province: str | None = None
    contacts: list = field(default_factory=list)  # [{"role": "entity"|"website", name, mobile, email}]

    def target(self):
        return {"entity_id": self.entity_id, "website_ids": list(self.website_ids)}


# -- errors -----------------------------------------------------------------------------

def _conflict(code, message, suggest, **details):
    return Conflict(code, message, suggest=suggest, **details)


def _unprocessable(path, message):
    return Unprocessable({f"payload.{path}": [message]})


def _no_entity_at_tencent(own):
    if own is None:
        return _conflict("ENTITY_NOT_FILED_AT_TENCENT", "账号下没有在腾讯云备案的主体",
                         "尚未备案的请办理「首次备案」；已在其他接入商备案的请办理「接入备案」或「新增网站（原备案不在腾讯云）」")
    return _conflict("ENTITY_NOT_FILED_AT_TENCENT", f"主体 {own['number']} 目前没有接入腾讯云",
                     "请先办理「接入备案」，把网站接入腾讯云后再办理此业务", entity_number=own["number"])


def _own_at_tencent(records):
    own = records.own()
    if own is None or TENCENT not in (own.get("access_providers") or []):
        raise _no_entity_at_tencent(own)
    return own


def _site_not_found(path, entity):
    return _conflict("WEBSITE_NOT_FOUND", f"主体 {entity['number']} 下没有该网站的有效备案",
                     "请核对网站备案号或域名，可在「备案信息」中查看已备案的网站", field=f"payload.{path}")


def _check_new_domains(records, websites, entity_id=None):
    """One domain, one filing: refuse domains already on record (ours or another entity's)."""
    for i, site in enumerate(websites):
        taken = records.site_with_domain(site.get("domain"))
        if taken is None:
            continue
        if entity_id and taken["entity_id"] == entity_id:
            raise _conflict("DOMAIN_ALREADY_FILED", f"域名 {site['domain']} 已在本主体下备案（{taken['number']}）",
                            "同一域名不能重复备案；如需修改该网站的信息，请办理「变更网站」",
                            field=f"payload.websites.{i}.domain", number=taken["number"])
        raise _conflict("DOMAIN_CONFLICT", f"域名 {site['domain']} 已由其他主体备案（{taken['number']}），域名冲突",
                        "请确认域名归属；域名已转让的，请原备案主体先注销该网站或取消接入后再提交",
                        field=f"payload.websites.{i}.domain", number=taken["number"])


def _personal_one_site(entity, websites):
    if entity.get("type") == "personal" and len(websites) > 1:
        raise _unprocessable("websites", "个人备案每个订单只能包含 1 个网站")


def _mismatch(record, given, fields):
    wrong = []
    for name in fields:
        if name not in given:
            continue
        if name == "province":
            if _province_code(given[name]) != _province_code(record.get("province")):
                wrong.append(name)
        elif not _same(given[name], record.get(name)):
            wrong.append(name)
    return wrong


def _entity_mismatch(record, wrong):
    return _conflict("ENTITY_MISMATCH_WITH_RECORD",
                     f"主体信息与工信部备案记录（{record['number']}）不一致：" + "、".join(_ENTITY_LABELS[f] for f in wrong),
                     "主办者性质、证件类型、证件号码须与已有备案完全一致；备案信息有误的，请先在原接入商办理变更",
                     fields=[f"payload.entity.{f}" for f in wrong], entity_number=record["number"])


_ENTITY_LABELS = {"type": "主办者性质", "certificate_type": "证件类型", "certificate_number": "证件号码",
                  "province": "所在省份", "name": "主办者名称"}


# -- contacts (whose phones get MIIT's code) ------------------------------------------

def _person(role, person):
    if not isinstance(person, dict):
        return None
    return {"role": role, "name": person.get("name"), "mobile": person.get("mobile"), "email": person.get("email"),
            "certificate_number": person.get("certificate_number")}  # MIIT's check asks its last 6 digits


def _contacts(entity_owner, site_owners, roles):
    out = []
    if "entity" in roles and entity_owner:
        out.append(_person("entity", entity_owner))
    if "website" in roles:
        out += [_person("website", p or entity_owner) for p in site_owners]
    return [c for c in out if c]


def merge_changes(base, changes):
    """`base` with `changes` on top, nested dicts merged (a None value is kept, not a deletion:
    unlike the RFC 7396 merge patch of an order's edit, applications.merge). The contacts an
    order predicts and the record its approval writes (effects) are both computed with it."""
    out = dict(base or {})
    for k, v in (changes or {}).items():
        out[k] = merge_changes(out.get(k), v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


# -- preconditions, one per kind ---------------------------------------------------------

def _first_filing(records, payload, roles):
    own = records.own()
    if own is not None:
        raise _conflict("ENTITY_ALREADY_FILED", "该账号已有备案主体，请选择「新增网站」或「变更备案」",
                        "一个账号只能备案一个主体：新增网站请选择「新增网站（原备案在腾讯云）」", entity_number=own["number"])
    ent = payload["entity"]
    on_record = records.by_certificate(ent.get("certificate_number"))
    if on_record is not None:
        raise _conflict("ENTITY_ON_RECORD", f"该主体已有备案（{on_record['number']}），不能再次办理首次备案",
                        "主体已在其他接入商备案的，请办理「接入备案」或「新增网站（原备案不在腾讯云）」",
                        field="payload.entity.certificate_number", entity_number=on_record["number"])
    _check_new_domains(records, payload["websites"])
    owner = ent.get("responsible")
    return Resolution(payload, province=_province_code(ent.get("province")),
                      contacts=_contacts(owner, [s.get("responsible") for s in payload["websites"]], roles))


def _access_filing(records, payload, roles):
    entity = records.by_number(payload.get("entity_number"))
    if entity is None:
        raise _conflict("ENTITY_NOT_ON_RECORD", f"工信部备案信息中没有主体备案号 {payload.get('entity_number')}",
                        "接入备案只适用于已在其他接入商备案的主体和网站；尚未备案的请办理「首次备案」",
                        field="payload.entity_number")
    own = records.own()
    if own is not None and own["id"] != entity["id"]:
        raise _conflict("ENTITY_ALREADY_FILED", f"该账号已有备案主体 {own['number']}，一个账号只能备案一个主体",
                        "其他主体的网站请使用该主体自己的腾讯云账号办理接入备案", entity_number=own["number"])
    if entity.get("account") != "self" and TENCENT in (entity.get("access_providers") or []):
        raise _conflict("ENTITY_IN_OTHER_ACCOUNT", f"主体 {entity['number']} 已在另一个腾讯云账号下备案",
                        "请登录该主体所在的腾讯云账号办理", entity_number=entity["number"])
    if isinstance(payload.get("entity"), dict):
        wrong = _mismatch(entity, payload["entity"], IDENTITY_FIELDS + ("name", "province"))
        if wrong:
            raise _entity_mismatch(entity, wrong)
    _personal_one_site(entity, payload["websites"])
    sites, out = [], []
    for i, ref in enumerate(payload["websites"]):
        site = records.find_site(ref, entity["id"])
        if site is None:
            raise _site_not_found(f"websites.{i}", entity)
        if site in sites:
            raise _unprocessable(f"websites.{i}", "同一网站在订单中只能出现一次")
        if TENCENT in (site.get("access_providers") or []):
            raise _conflict("WEBSITE_ALREADY_AT_TENCENT", f"网站 {site['number']} 已接入腾讯云，无需再次接入",
                            "如需修改网站信息，请办理「变更网站」", field=f"payload.websites.{i}")
        edited = [k for k in ("name", "domain") if ref.get(k) and (
            domain_key(ref[k]) not in map(domain_key, website_domains(site)) if k == "domain"
            else not _same(ref[k], site.get(k)))]
        if edited:
            raise _conflict("RECORD_CHANGE_NOT_ALLOWED", "接入备案不能修改备案信息：" + "、".join(edited) + " 与备案记录不一致",
                            "接入备案须与工信部备案信息完全一致；如需修改，请接入完成后办理「变更备案」",
                            field=f"payload.websites.{i}", fields=[f"payload.websites.{i}.{k}" for k in edited])
        sites.append(site)
        out.append({"website_id": site["id"], "website_number": site["number"], "domain": site["domain"],
                    "name": site["name"], "nat_ip": ref.get("nat_ip"),
                    "filing_type": ref.get("filing_type") or "cloudbase_run"})
    normalized = dict(payload, websites=out)
    owner = entity.get("responsible")
    return Resolution(normalized, entity_id=entity["id"], website_ids=[s["id"] for s in sites],
                      province=entity.get("province"),
                      contacts=_contacts(owner, [s.get("responsible") for s in sites], roles))


def _add_website(records, payload, roles):
    own = _own_at_tencent(records)
    _personal_one_site(own, payload["websites"])
    _check_new_domains(records, payload["websites"], own["id"])
    owner = own.get("responsible")
    return Resolution(payload, entity_id=own["id"], province=own.get("province"),
                      contacts=_contacts(owner, [s.get("responsible") for s in payload["websites"]], roles))


def _add_website_external(records, payload, roles):
    ent = payload["entity"]
    if payload.get("entity_number"):
        entity = records.by_number(payload["entity_number"])
        missing_field = "payload.entity_number"
    else:
        entity = records.by_certificate(ent.get("certificate_number"))
        missing_field = "payload.entity.certificate_number"
    own = records.own()
    if own is not None and (entity is None or own["id"] != entity["id"]):
        if TENCENT in (own.get("access_providers") or []):
            raise _conflict("ENTITY_FILED_AT_TENCENT", f"该账号的主体 {own['number']} 已在腾讯云备案",
                            "请办理「新增网站（原备案在腾讯云）」", entity_number=own["number"])
        raise _conflict("ENTITY_ALREADY_FILED", f"该账号已有备案主体 {own['number']}，一个账号只能备案一个主体",
                        "请使用该主体办理业务", entity_number=own["number"])
    if entity is None:
        raise _conflict("ENTITY_NOT_ON_RECORD", "工信部备案信息中没有该主体的备案",
                        "主体从未备案的，请办理「首次备案」", field=missing_field)
    wrong = _mismatch(entity, ent, IDENTITY_FIELDS + ("province",))
    if wrong:
        raise _entity_mismatch(entity, wrong)
    if TENCENT in (entity.get("access_providers") or []):
        if entity.get("account") == "self":
            raise _conflict("ENTITY_FILED_AT_TENCENT", f"主体 {entity['number']} 已在腾讯云备案",
                            "请办理「新增网站（原备案在腾讯云）」", entity_number=entity["number"])
        raise _conflict("ENTITY_IN_OTHER_ACCOUNT", f"主体 {entity['number']} 已在另一个腾讯云账号下备案",
                        "请登录该主体所在的腾讯云账号办理", entity_number=entity["number"])
    _check_new_domains(records, payload["websites"], entity["id"])
    owner = ent.get("responsible") or entity.get("responsible")
    return Resolution(payload, entity_id=entity["id"], province=entity.get("province"),
                      contacts=_contacts(owner, [s.get("responsible") for s in payload["websites"]], roles))


def _resolve_changes(records, own, entries, allow_filing_type):
    """Website changes: each names an active website of the entity filed at Tencent."""
    sites, out = [], []
    for i, entry in enumerate(entries):
        site = records.find_site(entry, own["id"])
        if site is None:
            raise _site_not_found(f"websites.{i}", own)
        if site in sites:
            raise _unprocessable(f"websites.{i}", "同一网站在订单中只能出现一次")
        if TENCENT not in (site.get("access_providers") or []):
            raise _conflict("WEBSITE_NOT_AT_TENCENT", f"网站 {site['number']} 没有接入腾讯云",
                            "请先办理「接入备案」，或在网站当前的接入商处办理变更", field=f"payload.websites.{i}")
        domains = website_domains(site)
        keys_ = list(map(domain_key, domains))
        added = list(entry.get("add_domains") or [])
        if entry.get("domain") and (entry.get("website_id") or entry.get("website_number")) \
                and domain_key(entry["domain"]) not in keys_:
            added.append(entry["domain"])
        if added:
            raise _conflict("DOMAIN_CANNOT_BE_ADDED", "变更备案只能删除域名，不能新增或修改域名：" + "、".join(added),
                            "新的域名请办理「新增网站」", field=f"payload.websites.{i}.domain")
        removing = [domain_key(d) for d in entry.get("remove_domains") or []]
        unknown = [d for d, k in zip(entry.get("remove_domains") or [], removing) if k not in keys_]
        if unknown:
            raise _unprocessable(f"websites.{i}.remove_domains", f"网站 {site['number']} 没有这些域名：" + "、".join(unknown))
        if removing and all(k in removing for k in keys_):
            raise _conflict("WEBSITE_NEEDS_A_DOMAIN", f"网站 {site['number']} 至少要保留一个域名",
                            "不再使用该网站的，请办理「注销网站」；其他域名请办理「新增网站」",
                            field=f"payload.websites.{i}.remove_domains")
        change = {k: copy.deepcopy(entry[k]) for k in CHANGE_FIELDS if k in entry and k != "add_domains"}
        if "remove_domains" in change:
            change["remove_domains"] = [d for d in domains if domain_key(d) in removing]
        if not allow_filing_type and ("filing_type" in change or "nat_ip" in change):
            raise _unprocessable(f"websites.{i}.filing_type", "更换备案使用的云服务或 IP 请办理「变更网站」")
        current_type = filing_type(site)
        wanted_type = change.get("filing_type", current_type)
        if wanted_type == current_type and change.get("nat_ip") in (None, site.get("nat_ip")):
            change.pop("nat_ip", None)  # nothing changes: no new IP slot
            change.pop("filing_type", None)
        elif wanted_type == "cloudbase_run" and not change.get("nat_ip"):
            raise _unprocessable(f"websites.{i}.nat_ip", "改为「云托管」备案须选择一个可用于备案的系统 NAT 网关 IP")
        elif wanted_type == "cloudbase_run":
            change["filing_type"] = "cloudbase_run"
        sites.append(site)
        out.append({"website_id": site["id"], "website_number": site["number"], **change})
    return sites, out


def _change_entity(records, own, changes):
    if "province" in changes and _province_code(changes["province"]) != _province_code(own.get("province")):
        raise _conflict("CROSS_PROVINCE_CHANGE", "备案主体不能跨省变更",
                        "主体迁到其他省份的，请先注销原备案，再在新省份办理首次备案", field="payload.entity.province")
    wrong = _mismatch(own, changes, IDENTITY_FIELDS)
    if wrong:
        raise _conflict("ENTITY_IDENTITY_CHANGE_NOT_ALLOWED",
                        "主办者性质、证件类型和证件号码不能变更：" + "、".join(_ENTITY_LABELS[f] for f in wrong),
                        "主体已变为另一个单位或个人的，请注销原备案后重新办理首次备案",
                        fields=[f"payload.entity.{f}" for f in wrong])


def _change_filing(records, payload, roles):
    own = _own_at_tencent(records)
    changes = payload.get("entity")
    if isinstance(changes, dict):
        _change_entity(records, own, changes)
    sites, entries = _resolve_changes(records, own, payload.get("websites") or [], allow_filing_type=False)
    normalized = dict(payload)
    if "websites" in payload:
        normalized["websites"] = entries
    owner = merge_changes(own.get("responsible"), (changes or {}).get("responsible")) if changes else None
    site_owners = [merge_changes(s.get("responsible") or own.get("responsible"), e.get("responsible"))
                   for s, e in zip(sites, entries)]
    contacts = _contacts(owner or own.get("responsible"), site_owners,
                         [r for r in roles if r != "entity" or changes])
    return Resolution(normalized, entity_id=own["id"], website_ids=[s["id"] for s in sites],
                      province=own.get("province"), contacts=contacts)


def _change_website(records, payload, roles):
    own = _own_at_tencent(records)
    sites, entries = _resolve_changes(records, own, payload["websites"], allow_filing_type=True)
    site_owners = [merge_changes(s.get("responsible") or own.get("responsible"), e.get("responsible"))
                   for s, e in zip(sites, entries)]
    return Resolution(dict(payload, websites=entries), entity_id=own["id"], website_ids=[s["id"] for s in sites],
                      province=own.get("province"), contacts=_contacts(own.get("responsible"), site_owners, roles))


def _cancel_entity(records, payload, roles):
    own = _own_at_tencent(records)
    if payload.get("entity_number") and number_key(payload["entity_number"]) != number_key(own["number"]):
        raise _conflict("ENTITY_NOT_FILED_AT_TENCENT", f"主体备案号 {payload['entity_number']} 不是本账号在腾讯云备案的主体",
                        f"本账号的主体备案号为 {own['number']}", field="payload.entity_number")
    sites = records.sites(own["id"])
    return Resolution(dict(payload, entity_number=own["number"]), entity_id=own["id"],
                      website_ids=[s["id"] for s in sites], province=own.get("province"),
                      contacts=_contacts(own.get("responsible"), [], roles))


def _own_site(records, payload):
    own = records.own()
    if own is None:
        raise _no_entity_at_tencent(None)
    site = records.find_site(payload, own["id"])
    if site is None:
        raise _site_not_found(next((k for k in WEBSITE_REFS if payload.get(k)), "website_id"), own)
    if TENCENT not in (site.get("access_providers") or []):
        raise _conflict("WEBSITE_NOT_AT_TENCENT", f"网站 {site['number']} 没有接入腾讯云",
                        "只能注销或取消接入在腾讯云接入的网站；请在网站当前的接入商处办理",
                        field="payload." + next((k for k in WEBSITE_REFS if payload.get(k)), "website_id"))
    return own, site


def _site_payload(payload, site):
    out = {k: v for k, v in payload.items() if k not in WEBSITE_REFS}
    return dict(out, website_id=site["id"], website_number=site["number"], domain=site["domain"])


def _cancel_website(records, payload, roles):
    own, site = _own_site(records, payload)
    if len(records.sites(own["id"])) <= 1:
        raise _conflict("LAST_WEBSITE_CANCEL_ENTITY", f"网站 {site['number']} 是主体 {own['number']} 下唯一的网站，不能单独注销",
                        "注销主体下最后一个网站，请办理「注销主体」", entity_number=own["number"],
                        website_number=site["number"])
    owner = site.get("responsible") or own.get("responsible")
    return Resolution(_site_payload(payload, site), entity_id=own["id"], website_ids=[site["id"]],
                      province=own.get("province"), contacts=_contacts(own.get("responsible"), [owner], roles))


def _cancel_access(records, payload, roles):
    own, site = _own_site(records, payload)
    return Resolution(_site_payload(payload, site), entity_id=own["id"], website_ids=[site["id"]],
                      province=own.get("province"), contacts=[])


# -- the table ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Scenario:
    kind: str
    entity: str | None  # payload.entity: "new" (full) | "changes" (changed fields) | "match" (optional, = record)
    entity_required: bool
    websites: str | None  # payload.websites[]: "new" | "refs" (on record) | "changes" | None (none allowed)
    websites_required: bool
    max_websites: int
    reference: str | None  # top-level target: "entity_number" (required) | "entity_number?" | "website"
    precondition: Callable
    approval_zh: str  # what approval does, for docs and messages
    new_websites: bool = False  # approval issues new website numbers
    served_early_in: frozenset = frozenset()  # gateway: states in which the order's domains are served


SCENARIOS = {s.kind: s for s in (
    Scenario("first_filing", "new", True, "new", True, 10, None, _first_filing,
             "新的主体备案号和网站备案号 -1…-n；域名在备案通过后开通", new_websites=True),
    Scenario("access_filing", "match", False, "refs", True, 10, "entity_number", _access_filing,
             "备案号不变；腾讯云成为接入商；初审通过后域名即可访问", served_early_in=EARLY_SERVE_ACCESS),
    Scenario("add_website", None, False, "new", True, 10, None, _add_website,
             "主体下新的网站备案号（序号接最大已分配序号）", new_websites=True),
    Scenario("add_website_external", "new", True, "new", True, 10, "entity_number?", _add_website_external,
             "主体备案号不变，腾讯云成为接入商；新的网站备案号", new_websites=True),
    Scenario("change_filing", "changes", False, "changes", False, 10, None, _change_filing,
             "备案信息更新，备案号不变，域名不阻断"),
    Scenario("change_website", None, False, "changes", True, 1, None, _change_website,
             "网站信息更新（可删除域名、改为云托管备案），备案号不变，域名不阻断"),
    Scenario("cancel_entity", None, False, None, False, 0, "entity_number?", _cancel_entity,
             "主体及其全部网站备案号注销；域名阻断；释放 IP 备案次数"),
    Scenario("cancel_website", None, False, None, False, 0, "website", _cancel_website,
             "该网站备案号注销；域名阻断；释放 IP 备案次数"),
    Scenario("cancel_access", None, False, None, False, 0, "website", _cancel_access,
             "备案号保留，腾讯云不再是接入商；域名在腾讯云阻断；释放 IP 备案次数"),
)}


def get(kind):
    return SCENARIOS.get(kind)


def resolve(kind, records, payload, sms_to=()):
    """Check the kind's preconditions against the registry; DomainError when unmet."""
    return SCENARIOS[kind].precondition(records, copy.deepcopy(payload), tuple(sms_to))


def edit_patch(kind, patch):
    """A merge patch of an order about one website: naming the website anew (by any reference)
    drops the references stored before, so an edit cannot leave two that disagree."""
    sc = SCENARIOS.get(kind)
    if sc is None or sc.reference != "website" or not isinstance(patch, dict) \
            or not any(k in patch for k in WEBSITE_REFS):
        return patch
    return {**{k: None for k in WEBSITE_REFS}, **patch}


def early_serve():
    """Kind → states in which the gateway serves the order's (already filed) domains."""
    return {k: s.served_early_in for k, s in SCENARIOS.items() if s.served_early_in}


# -- entry validation per kind (no registry look-ups) -------------------------------------

def _refs_problems(entry, prefix=""):
    """A reference to a website on record: website_id, website_number or domain (top level: no prefix)."""
    def at(name):
        return f"{prefix}.{name}" if prefix else name
    out = []
    if not any(entry.get(k) for k in WEBSITE_REFS):
        out.append((prefix or "website_id", "WEBSITE_REF_REQUIRED",
                    "请填写网站 ID（website_id）、网站备案号（website_number）或域名（domain）"))
    number = entry.get("website_number")
    if number:
        try:
            kind = numbering.parse(number)["kind"]
        except (numbering.InvalidNumber, TypeError, AttributeError) as e:
            out.append((at("website_number"), "NUMBER_INVALID", getattr(e, "message", "备案号格式不正确")))
        else:
            if kind != "website":
                out.append((at("website_number"), "NUMBER_INVALID", "请填写网站备案号，例如 粤ICP备2026012345号-1"))
    if entry.get("domain") is not None and not isinstance(entry.get("domain"), str):
        out.append((at("domain"), "DOMAIN_SYNTAX_INVALID", "请填写域名，例如 example.com"))
    return out


def _entity_number_problems(value, path):
    if not isinstance(value, str) or not value.strip():
        return [(path, "FIELD_REQUIRED", "请填写主体备案号，例如 粤ICP备2026012345号")]
    try:
        kind = numbering.parse(value)["kind"]
    except numbering.InvalidNumber as e:
        return [(path, "NUMBER_INVALID", e.message)]
    if kind != "entity":
        return [(path, "NUMBER_INVALID", "请填写主体备案号（不带网站序号），例如 粤ICP备2026012345号")]
    return []


def _ref_site_problems(entry, i):
    prefix = f"websites.{i}"
    if not isinstance(entry, dict):
        return [(prefix, "FIELD_REQUIRED", "请填写网站信息")]
    out = _refs_problems(entry, prefix)
    if V._blank(entry.get("nat_ip")):
        out.append((f"{prefix}.nat_ip", "FIELD_REQUIRED", "此项为必填项"))
    elif not V._is_ipv4(entry["nat_ip"]):
        out.append((f"{prefix}.nat_ip", "NAT_IP_INVALID", "请填写有效的 IPv4 地址"))
    return out


def _change_site_problems(entry, i):
    prefix = f"websites.{i}"
    if not isinstance(entry, dict):
        return [(prefix, "FIELD_REQUIRED", "请填写网站信息")]
    out = _refs_problems(entry, prefix)
    if not any(k in entry for k in CHANGE_FIELDS) and not (
            entry.get("domain") and (entry.get("website_id") or entry.get("website_number"))):
        out.append((prefix, "NOTHING_TO_CHANGE", "请填写要变更的网站信息"))
    if "name" in entry:
        out += V._at(f"{prefix}.name", V.check_website_name(entry["name"]))
    content = entry.get("service_content")
    if "service_content" in entry and content not in V.SERVICE_CONTENTS:
        out.append((f"{prefix}.service_content", "SERVICE_CONTENT_UNKNOWN", "不支持的网站服务内容"))
    for key in ("remove_domains", "add_domains"):
        if key in entry and (not isinstance(entry[key], list) or not all(isinstance(d, str) for d in entry[key])):
            out.append((f"{prefix}.{key}", "FIELD_INVALID", "请填写域名列表，例如 [\"old.example.com\"]"))
    if "filing_type" in entry and entry["filing_type"] not in FILING_TYPES:
        out.append((f"{prefix}.filing_type", "FIELD_INVALID", "备案类型须为 cloudbase_run（云托管）"))
    rest = {k: v for k, v in entry.items() if k in ("commercial", "pre_approval_number", "nat_ip")}
    out += V._optional_problems(rest, prefix)
    if "responsible" in entry:
        out += _partial_person_problems(entry["responsible"], f"{prefix}.responsible")
    return out


# a valid stand-in for the fields a change leaves out: only the given fields are reported
_PERSON_PROBE = {"name": "张三", "certificate_type": "passport", "certificate_number": "E12345678",
                 "mobile": "13800138000", "email": "probe@example.com"}
_ENTITY_PROBE = {"type": "personal", "name": "张三", "certificate_type": "passport",
                 "certificate_number": "E12345678", "province": "44", "address": "广东省深圳市",
                 "responsible": _PERSON_PROBE}


def _partial_person_problems(person, prefix):
    """A changed responsible person: the fields given are checked; the rest stay as on record."""
    if not isinstance(person, dict) or not person:
        return [(prefix, "FIELD_INVALID", "请填写要变更的负责人信息")]
    given = {f"{prefix}.{k}" for k in person}
    if "certificate_number" in person and "certificate_type" not in person:
        person = dict(person, certificate_type="resident_id")
    return [p for p in V.person_problems(merge_changes(_PERSON_PROBE, person), prefix) if p[0] in given]


def _entity_change_problems(changes):
    if not isinstance(changes, dict) or not changes:
        return [("entity", "NOTHING_TO_CHANGE", "请填写要变更的主体信息")]
    probe = merge_changes(_ENTITY_PROBE, {k: v for k, v in changes.items() if k != "responsible"})
    wanted = {f"entity.{k}" for k in changes if k != "responsible"}
    out = [p for p in V.entity_problems(probe) if p[0] in wanted]
    if "responsible" in changes:
        out += _partial_person_problems(changes["responsible"], "entity.responsible")
    return out


def payload_problems(kind, payload):
    """Shape problems of a payload as (path, code, zh_message), by the kind's declaration."""
    sc = SCENARIOS.get(kind)
    if sc is None:
        return [("kind", "KIND_UNKNOWN", "不支持的备案类型")]
    if not isinstance(payload, dict):
        return [("payload", "FIELD_REQUIRED", "请填写备案信息")]
    out = []
    entity, websites = payload.get("entity"), payload.get("websites")
    if sc.entity == "new" and (entity is not None or sc.entity_required):
        out += V.entity_problems(entity)
    elif sc.entity == "changes" and entity is not None:
        out += _entity_change_problems(entity)
    elif sc.entity == "match" and entity is not None and not isinstance(entity, dict):
        out.append(("entity", "FIELD_INVALID", "主体信息须为对象"))
    elif sc.entity is None and entity is not None:
        out.append(("entity", "FIELD_NOT_ALLOWED", "该类型的订单不填写主体信息：使用账号已备案的主体"))

    if sc.websites is None:
        if websites is not None:
            out.append(("websites", "FIELD_NOT_ALLOWED", "该类型的订单不填写网站列表"))
    elif websites is not None or sc.websites_required:
        if sc.websites == "new":
            out += V.websites_problems(websites, entity.get("type") if isinstance(entity, dict) else None)
        elif not isinstance(websites, list) or not websites:
            out.append(("websites", "WEBSITE_COUNT_INVALID", "请至少填写 1 个网站"))
        else:
            if len(websites) > sc.max_websites:
                out.append(("websites", "WEBSITE_COUNT_INVALID",
                            "每个订单只能变更 1 个网站" if sc.max_websites == 1 else f"每个订单最多包含 {sc.max_websites} 个网站"))
            check = _ref_site_problems if sc.websites == "refs" else _change_site_problems
            for i, entry in enumerate(websites):
                out += check(entry, i)

    if sc.reference == "entity_number":
        out += _entity_number_problems(payload.get("entity_number"), "entity_number")
    elif sc.reference == "entity_number?" and payload.get("entity_number") is not None:
        out += _entity_number_problems(payload.get("entity_number"), "entity_number")
    elif sc.reference == "website":
        out += _refs_problems(payload)
    elif payload.get("entity_number") is not None:
        out.append(("entity_number", "FIELD_NOT_ALLOWED", "该类型的订单不填写主体备案号"))
    if kind == "change_filing" and entity is None and websites is None:
        out.append(("payload", "NOTHING_TO_CHANGE", "请填写要变更的主体信息或网站信息"))
    reason = payload.get("reason")
    if reason is not None and (not isinstance(reason, str) or len(reason) > 200):
        out.append(("reason", "FIELD_INVALID", "请填写不超过 200 个字符的原因"))
    return out


def ip_requests(kind, payload):
    """(path, ip, filing type) of every NAT IP this order asks a filing slot of."""
    sc = SCENARIOS.get(kind)
    if sc is None or sc.websites is None or not isinstance(payload, dict):
        return []
    out = []
    for i, site in enumerate(payload.get("websites") or []):
        if not isinstance(site, dict):
            continue
        if sc.websites == "changes":
            if site.get("nat_ip"):
                out.append((f"websites.{i}", site["nat_ip"], site.get("filing_type", "cloudbase_run")))
        else:
            out.append((f"websites.{i}", site.get("nat_ip"), site.get("filing_type", "cloudbase_run")))
    return out


def order_ips(app):
    """NAT IPs an open order holds a filing slot of (its new or switched websites)."""
    return [ip for _, ip, _ in ip_requests(app.get("kind"), app.get("payload")) if ip]


def province_of(app):
    """The province whose bureau handles the order: the payload's entity, else the record's."""
    entity = (app.get("payload") or {}).get("entity")
    given = entity.get("province") if isinstance(entity, dict) else None
    return _province_code(given) or given or app.get("province")
