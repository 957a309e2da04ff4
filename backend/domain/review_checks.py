"""What the review rules check (domain.md §7), as pure functions of an application and a
ReviewContext: reading the order (its entity, websites and people, whatever its kind), and
one check per rule returning the failing field paths. review.py holds the rule table."""

import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta

from backend.domain import (
    filing_province,
    kinds,
    material_review,
    pre_approvals,
    provinces,
    service_contents,
    validation as V,
)
from backend.domain.filings import same_organisation
from backend.domain.scenarios import domain_key as _domain_key

# data/service_content_types.csv's columns `pre_approval` and `enterprise`: content that needs a
# 前置审批, and enterprise-type content a person cannot run (T10, T15: file as an organisation)
PRE_APPROVAL_CONTENT = service_contents.PRE_APPROVAL
ENTERPRISE_CONTENT = service_contents.ENTERPRISE
# T10 lists 人大 next to the five domain.md names.
FORBIDDEN_PREFIXES = ("中国", "中华", "国家", "中央", "人民", "人大")
PERSONAL_FORBIDDEN_WORDS = (
    "论坛",
    "社区",
    "交流",
    "在线",
    "平台",
    "门户",
    "公司",
    "企业",
    "集团",
    "工作室",
    "导航",
    "搜索",
)
# A small stand-in for the bureaus' list (gambling, porn, anti-corruption, …).
SENSITIVE_WORDS = (
    "赌博",
    "博彩",
    "赌场",
    "六合彩",
    "色情",
    "裸聊",
    "一夜情",
    "代孕",
    "私服",
    "外挂",
    "翻墙",
    "代开发票",
    "枪支",
    "毒品",
    "反腐",
    "法轮",
)
DEFAULT_SETTINGS = {
    "strict_nonlocal_id": True,  # 'refused' provinces refuse non-local IDs even with a permit
    "min_age": 18,
    # unset: each slot kind's threshold (material_review.QUALITY); set: one value for every slot
    "material_min_sharpness": None,
    "material_rejection_rate": material_review.DEFAULT_REJECTION_RATE,  # template/signature/watermark, seeded
}


@dataclass
class ReviewContext:
    today: date
    domains: dict = field(default_factory=dict)  # registry records by domain name
    entities: list = field(default_factory=list)  # national registry: entities
    websites: list = field(default_factory=list)  # national registry: websites
    own_entity_id: str | None = None
    settings: dict = field(default_factory=dict)
    materials: dict = field(default_factory=dict)  # slot -> upload metadata (the order's required slots)
    seed: object = 0  # the sandbox's seed (material_review's draws)

    def setting(self, name):
        return self.settings.get(name, DEFAULT_SETTINGS.get(name))


# --- reading an application ----------------------------------------------------


def entity_of(app, ctx):
    """The entity the application is about: its payload's, completed by the record when the
    order is about an entity on record (a change filing carries only the changed fields)."""
    entity = (app.get("payload") or {}).get("entity")
    own = next((e for e in ctx.entities if e.get("id") == ctx.own_entity_id), None) if ctx.own_entity_id else None
    if isinstance(entity, dict):
        return {**own, **entity} if own else entity
    return own or {}


def is_personal(app, ctx):
    return entity_of(app, ctx).get("type") == "personal"


def _is_org(app, ctx):
    return entity_of(app, ctx).get("type") not in (None, "", "personal")


def _websites(app):
    sites = (app.get("payload") or {}).get("websites")
    return [(i, s) for i, s in enumerate(sites or []) if isinstance(s, dict)]


def _people(app, ctx):
    """(path prefix, person) of every responsible person named in the application."""
    entity = (app.get("payload") or {}).get("entity")
    out = []
    if isinstance(entity, dict):
        responsible = entity.get("responsible")
        if isinstance(responsible, dict):
            out.append(("entity.responsible", responsible))
        elif entity.get("type") == "personal":
            out.append(("entity", entity))  # a person is their own responsible
    for i, site in _websites(app):
        if isinstance(site.get("responsible"), dict):
            out.append((f"websites.{i}.responsible", site["responsible"]))
    return out


def _province(entity, ctx=None):
    """The entity's province, with the sandbox's `province_overrides` setting applied."""
    try:
        province = provinces.get(provinces.normalize(entity.get("province")))
    except Exception:  # unknown or missing: entry validation reports it
        return None
    return provinces.with_overrides(province, ctx.settings.get("province_overrides") if ctx else None)


def _date(value):
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def _same_cert(a, b):
    return isinstance(a, str) and isinstance(b, str) and a.strip().upper() == b.strip().upper()


def add_months(day: date, months: int) -> date:
    """Same day `months` later, clamped to the month's end (31 Nov -> 30 Nov)."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    next_first = date(year + month // 12, month % 12 + 1, 1)
    return date(year, month, min(day.day, (next_first - timedelta(days=1)).day))


def age_on(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


# --- domain checks -------------------------------------------------------------


def per_domain(failed):
    """Check each website's registry record; unregistered domains are another rule's job."""

    def check(app, ctx):
        registry = {V.domain_ascii(name): rec for name, rec in ctx.domains.items()}
        paths = []
        for i, site in _websites(app):
            key = _domain_key(site.get("domain"))
            record = registry.get(key) if key else None
            if record is not None and failed(record, app, ctx):
                paths.append(f"websites.{i}.domain")
        return paths

    return check


def not_registered(app, ctx):
    registry = {V.domain_ascii(name) for name in ctx.domains}
    return [
        f"websites.{i}.domain"
        for i, site in _websites(app)
        if (key := _domain_key(site.get("domain"))) and key not in registry
    ]


def expired_of(record, app, ctx):
    expires = _date(record.get("expires_on"))
    return expires is not None and expires < ctx.today


def holder_mismatch(record, app, ctx):
    """Holder must be the entity; an organisation's domain may be held by its legal rep (T10)."""
    entity = entity_of(app, ctx)
    if not entity:
        return False
    holders = [entity]
    if _is_org(app, ctx) and isinstance(entity.get("responsible"), dict):
        holders.append(entity["responsible"])
    return not any(
        (record.get("holder_name") or "").strip() == (h.get("name") or "").strip()
        and str(record.get("holder_certificate_number") or "").strip() != ""
        and same_organisation(record.get("holder_certificate_number"), h.get("certificate_number"))
        for h in holders
    )


def near_expiry(record, app, ctx):
    province = _province(entity_of(app, ctx), ctx)
    expires = _date(record.get("expires_on"))
    if province is None or expires is None or province.domain_min_months_left <= 0:
        return False
    return expires < add_months(ctx.today, province.domain_min_months_left)


def domain_conflict(app, ctx):
    on_record = {
        _domain_key(d)
        for w in ctx.websites
        if w.get("status") == "active" and w.get("entity_id") != ctx.own_entity_id
        for d in [w.get("domain"), *(w.get("extra_domains") or [])]
    }
    return [
        f"websites.{i}.domain"
        for i, site in _websites(app)
        if (key := _domain_key(site.get("domain"))) and key in on_record
    ]


# --- website name checks -------------------------------------------------------


def per_name(failed):
    def check(app, ctx):
        paths = []
        for i, site in _websites(app):
            name = unicodedata.normalize("NFKC", site.get("name") or "").strip()
            if name and failed(name, site, app, ctx):
                paths.append(f"websites.{i}.name")
        return paths

    return check


def name_is_domain(name, site, app, ctx):
    compact = name.lower().replace(" ", "")
    domain = site.get("domain") if isinstance(site.get("domain"), str) else ""
    forms = {V.normalize_domain(domain), V.domain_ascii(domain), V.domain_unicode(domain)}
    forms |= {f.split(".")[0] for f in set(forms)} | {f"www.{f}" for f in set(forms)}
    looks_like_domain = "." in compact and not any(
        code == "DOMAIN_SYNTAX_INVALID" for code, _ in V.check_domain(compact)
    )
    return compact in forms - {""} or looks_like_domain


# --- content -------------------------------------------------------------------


def per_site(field_name, failed):
    def check(app, ctx):
        return [f"websites.{i}.{field_name}" for i, site in _websites(app) if failed(site, app, ctx)]

    return check


def missing_pre_approval(app, ctx):
    """An organisation's regulated content without the pre-approval it needs (§2.5, §7): judged on
    the form's `pre_approvals` (type and number) when the site uses it, else on the older
    `pre_approval_number`; the path is the field the site was written with."""
    if not _is_org(app, ctx):
        return []
    out = []
    for i, site in _websites(app):
        if service_contents.any_in(site, PRE_APPROVAL_CONTENT) and not pre_approvals.satisfied(site):
            name = "pre_approvals" if pre_approvals.uses_new_field(site) else "pre_approval_number"
            out.append(f"websites.{i}.{name}")
    return out


# --- people and entity ---------------------------------------------------------


def under_age(app, ctx):
    paths = []
    for prefix, person in _people(app, ctx):
        number = person.get("certificate_number")
        if person.get("certificate_type") != "resident_id" or V.check_resident_id(number):
            continue  # only a valid resident ID tells the age
        if age_on(V.birth_date(number), ctx.today) < ctx.setting("min_age"):
            paths.append(f"{prefix}.certificate_number")
    return paths


def _validity_fields(app):
    """(path, date) of every ID validity the order gives: the entity's own and every responsible
    person's (entity.responsible, websites.N.responsible); "长期" and blanks give no date."""
    payload = app.get("payload") or {}
    holders = []
    entity = payload.get("entity")
    if isinstance(entity, dict):
        holders.append(("entity", entity))
        if isinstance(entity.get("responsible"), dict):
            holders.append(("entity.responsible", entity["responsible"]))
    holders += [
        (f"websites.{i}.responsible", s["responsible"])
        for i, s in _websites(app)
        if isinstance(s.get("responsible"), dict)
    ]
    out = []
    for prefix, holder in holders:
        until = _date(holder.get("id_valid_until"))
        if until is not None:
            out.append((f"{prefix}.id_valid_until", until))
    return out


def id_expired(app, ctx):
    return [path for path, until in _validity_fields(app) if until < ctx.today]


def id_validity_short(app, ctx):
    """Shanghai's ≥ 3 months (provinces.csv id_min_months_left) on every ID the order names."""
    province = _province(entity_of(app, ctx), ctx)
    if province is None or province.id_min_months_left <= 0:
        return []
    least = add_months(ctx.today, province.id_min_months_left)
    # already expired: ID_EXPIRED says so
    return [path for path, until in _validity_fields(app) if ctx.today <= until < least]


def nonlocal_id(app, ctx):
    entity = entity_of(app, ctx)
    found = filing_province.problems(
        entity, _province(entity, ctx), strict=bool(ctx.setting("strict_nonlocal_id")), need_permit=True
    )
    return ["entity.province"] if any(code == "NONLOCAL_PERSONAL_ID" for code, _ in found) else []


def org_province(app, ctx):
    entity = entity_of(app, ctx)
    if not _is_org(app, ctx):
        return []
    found = filing_province.problems(entity, _province(entity))
    return ["entity.province"] if any(code == "ORG_PROVINCE_MISMATCH" for code, _ in found) else []


def _others(ctx):
    return [e for e in ctx.entities if e.get("status") == "active" and e.get("id") != ctx.own_entity_id]


def shared_mobile(app, ctx):
    taken = {V.normalize_mobile((e.get("responsible") or {}).get("mobile")) for e in _others(ctx)}
    taken.discard(None)
    return [
        f"{prefix}.mobile" for prefix, person in _people(app, ctx) if V.normalize_mobile(person.get("mobile")) in taken
    ]


def site_online(record, app, ctx):
    """process.md §6.1 "site must stay offline (pause DNS) for first filing / new site" [T9, T44],
    §9 item 7: a new website whose domain serves a site while the bureau reviews it. The fact is
    the domain registry's `site_online` (set by the user or a trainer; absent: offline)."""
    spec = kinds.get(app.get("kind"))
    return bool(spec is not None and spec.files_new_website and record.get("site_online"))


def entity_conflict(app, ctx):
    entity = (app.get("payload") or {}).get("entity")
    spec = kinds.get(app.get("kind"))
    if spec is None or not spec.approval.new_entity or not isinstance(entity, dict):
        return []
    number = entity.get("certificate_number")
    clash = any(_same_cert(number, e.get("certificate_number")) for e in _others(ctx))
    return ["entity.certificate_number"] if clash else []
