"""The provider's and the bureau's review rules (domain.md §7), as data.

Each Rule names the field it blames, the label WeChat's `audit_data` shows for
it, and zh-CN error and suggestion texts; its `check` returns the concrete
field paths that fail. `review(stage, app, ctx)` runs one stage's rules and
returns `audit_data` entries. Everything a rule needs from the world (the date,
the domain registry, the national registry) comes in a ReviewContext, so the
rules stay pure and the fault-injection layer and the docs can list them.

Rules read the payload defensively: a kind that carries no entity (e.g. a new
website) is checked against the account's entity on record instead, and a
missing field makes a rule pass, since entry validation reports it.
"""
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Callable

from backend.domain import kinds, provinces
from backend.domain import validation as V
from backend.domain.scenarios import domain_key as _domain_key

PRE_APPROVAL_CONTENT = frozenset({"news", "publishing", "drugs_medical", "culture", "radio_film_tv",
                                  "finance", "ride_hailing", "games"})
# Enterprise-type content a person cannot run (T10, T15): file as an organisation.
ENTERPRISE_CONTENT = frozenset({"enterprise_site", "ecommerce", "portal"})
# T10 lists 人大 next to the five domain.md names.
FORBIDDEN_PREFIXES = ("中国", "中华", "国家", "中央", "人民", "人大")
PERSONAL_FORBIDDEN_WORDS = ("论坛", "社区", "交流", "在线", "平台", "门户", "公司", "企业", "集团",
                            "工作室", "导航", "搜索")
# A small stand-in for the bureaus' list (gambling, porn, anti-corruption, …).
SENSITIVE_WORDS = ("赌博", "博彩", "赌场", "六合彩", "色情", "裸聊", "一夜情", "代孕", "私服", "外挂",
                   "翻墙", "代开发票", "枪支", "毒品", "反腐", "法轮")
DEFAULT_SETTINGS = {
    "strict_nonlocal_id": True,  # 'refused' provinces refuse non-local IDs even with a permit
    "min_age": 18,
}


@dataclass
class ReviewContext:
    today: date
    domains: dict = field(default_factory=dict)  # registry records by domain name
    entities: list = field(default_factory=list)  # national registry: entities
    websites: list = field(default_factory=list)  # national registry: websites
    own_entity_id: str | None = None
    settings: dict = field(default_factory=dict)

    def setting(self, name):
        return self.settings.get(name, DEFAULT_SETTINGS.get(name))


@dataclass(frozen=True)
class Rule:
    code: str
    stage: str  # "provider" | "bureau"
    field: str  # fnmatch pattern of the paths it reports ("*" spans dots)
    key_name: str
    error: str
    suggest: str
    check: Callable[[dict, ReviewContext], list]


# --- reading an application ----------------------------------------------------

def _entity(app, ctx):
    """The entity the application is about: its payload's, completed by the record when the
    order is about an entity on record (a change filing carries only the changed fields)."""
    entity = (app.get("payload") or {}).get("entity")
    own = next((e for e in ctx.entities if e.get("id") == ctx.own_entity_id), None) if ctx.own_entity_id else None
    if isinstance(entity, dict):
        return {**own, **entity} if own else entity
    return own or {}


def _is_personal(app, ctx):
    return _entity(app, ctx).get("type") == "personal"


def _is_org(app, ctx):
    return _entity(app, ctx).get("type") not in (None, "", "personal")


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

def _per_domain(failed):
    """Check each website's registry record; unregistered domains are another rule's job."""
    def check(app, ctx):
        registry = {V.domain_ascii(name): rec for name, rec in ctx.domains.items()}
        paths = []
        for i, site in _websites(app):
            record = registry.get(_domain_key(site.get("domain")))
            if record is not None and failed(record, app, ctx):
                paths.append(f"websites.{i}.domain")
        return paths
    return check


def _not_registered(app, ctx):
    registry = {V.domain_ascii(name) for name in ctx.domains}
    return [f"websites.{i}.domain" for i, site in _websites(app)
            if (key := _domain_key(site.get("domain"))) and key not in registry]


def _expired(record, app, ctx):
    expires = _date(record.get("expires_on"))
    return expires is not None and expires < ctx.today


def _holder_mismatch(record, app, ctx):
    """Holder must be the entity; an organisation's domain may be held by its legal rep (T10)."""
    entity = _entity(app, ctx)
    if not entity:
        return False
    holders = [entity]
    if _is_org(app, ctx) and isinstance(entity.get("responsible"), dict):
        holders.append(entity["responsible"])
    return not any(
        (record.get("holder_name") or "").strip() == (h.get("name") or "").strip()
        and _same_cert(record.get("holder_certificate_number"), h.get("certificate_number"))
        for h in holders)


def _near_expiry(record, app, ctx):
    province = _province(_entity(app, ctx), ctx)
    expires = _date(record.get("expires_on"))
    if province is None or expires is None or province.domain_min_months_left <= 0:
        return False
    return expires < add_months(ctx.today, province.domain_min_months_left)


def _domain_conflict(app, ctx):
    on_record = {_domain_key(d) for w in ctx.websites
                 if w.get("status") == "active" and w.get("entity_id") != ctx.own_entity_id
                 for d in [w.get("domain"), *(w.get("extra_domains") or [])]}
    return [f"websites.{i}.domain" for i, site in _websites(app)
            if (key := _domain_key(site.get("domain"))) and key in on_record]


# --- website name checks -------------------------------------------------------

def _per_name(failed):
    def check(app, ctx):
        paths = []
        for i, site in _websites(app):
            name = unicodedata.normalize("NFKC", site.get("name") or "").strip()
            if name and failed(name, site, app, ctx):
                paths.append(f"websites.{i}.name")
        return paths
    return check


def _name_is_domain(name, site, app, ctx):
    compact = name.lower().replace(" ", "")
    domain = site.get("domain") if isinstance(site.get("domain"), str) else ""
    forms = {V.normalize_domain(domain), V.domain_ascii(domain), V.domain_unicode(domain)}
    forms |= {f.split(".")[0] for f in set(forms)} | {f"www.{f}" for f in set(forms)}
    looks_like_domain = "." in compact and not any(
        code == "DOMAIN_SYNTAX_INVALID" for code, _ in V.check_domain(compact))
    return compact in forms - {""} or looks_like_domain


# --- content -------------------------------------------------------------------

def _per_site(field_name, failed):
    def check(app, ctx):
        return [f"websites.{i}.{field_name}" for i, site in _websites(app) if failed(site, app, ctx)]
    return check


def _missing_pre_approval(site, app, ctx):
    number = site.get("pre_approval_number")
    return (_is_org(app, ctx) and site.get("service_content") in PRE_APPROVAL_CONTENT
            and not (isinstance(number, str) and number.strip()))


# --- people and entity ---------------------------------------------------------

def _under_age(app, ctx):
    paths = []
    for prefix, person in _people(app, ctx):
        number = person.get("certificate_number")
        if person.get("certificate_type") != "resident_id" or V.check_resident_id(number):
            continue  # only a valid resident ID tells the age
        if age_on(V.birth_date(number), ctx.today) < ctx.setting("min_age"):
            paths.append(f"{prefix}.certificate_number")
    return paths


def _id_until(app, ctx):
    entity = (app.get("payload") or {}).get("entity")
    return _date(entity.get("id_valid_until")) if isinstance(entity, dict) else None


def _id_expired(app, ctx):
    until = _id_until(app, ctx)
    return ["entity.id_valid_until"] if until is not None and until < ctx.today else []


def _id_validity_short(app, ctx):
    until, province = _id_until(app, ctx), _province(_entity(app, ctx), ctx)
    if until is None or province is None or province.id_min_months_left <= 0 or until < ctx.today:
        return []  # already expired: ID_EXPIRED says so
    return ["entity.id_valid_until"] if until < add_months(ctx.today, province.id_min_months_left) else []


def _nonlocal_id(app, ctx):
    entity = _entity(app, ctx)
    province = _province(entity, ctx)
    number = entity.get("certificate_number")
    if (entity.get("type") != "personal" or entity.get("certificate_type") != "resident_id"
            or province is None or V.check_resident_id(number)):
        return []
    if V.id_province(number) == province.code:
        return []
    refused = province.nonlocal_personal_id == "refused" and ctx.setting("strict_nonlocal_id")
    permitted = entity.get("residence_permit") is True
    return ["entity.province"] if refused or not permitted else []


def _org_province(app, ctx):
    entity = _entity(app, ctx)
    province = _province(entity)
    number = entity.get("certificate_number")
    if not _is_org(app, ctx) or entity.get("certificate_type") != "uscc" or province is None \
            or V.check_uscc(number):
        return []
    issued_in = V.uscc_province(number)
    # Centrally registered bodies carry 100000: no province to compare with.
    if not V.is_province_code(issued_in):
        return []
    return ["entity.province"] if issued_in != province.code else []


def _others(ctx):
    return [e for e in ctx.entities if e.get("status") == "active" and e.get("id") != ctx.own_entity_id]


def _shared_mobile(app, ctx):
    taken = {V.normalize_mobile((e.get("responsible") or {}).get("mobile")) for e in _others(ctx)}
    taken.discard(None)
    return [f"{prefix}.mobile" for prefix, person in _people(app, ctx)
            if V.normalize_mobile(person.get("mobile")) in taken]


def _entity_conflict(app, ctx):
    entity = (app.get("payload") or {}).get("entity")
    spec = kinds.get(app.get("kind"))
    if spec is None or not spec.approval.new_entity or not isinstance(entity, dict):
        return []
    number = entity.get("certificate_number")
    clash = any(_same_cert(number, e.get("certificate_number")) for e in _others(ctx))
    return ["entity.certificate_number"] if clash else []


# --- the rules -----------------------------------------------------------------

def _name_rule(code, key_error_suggest, failed):
    error, suggest = key_error_suggest
    return Rule(code, "provider", "websites.*.name", "网站名称", error, suggest, _per_name(failed))


RULES = [
    Rule("DOMAIN_NOT_REGISTERED", "provider", "websites.*.domain", "网站域名",
         "该域名尚未注册，或在域名注册信息中查询不到",
         "请核对域名拼写，并在工信部批准的域名注册服务机构完成注册后再提交备案", _not_registered),
    Rule("DOMAIN_EXPIRED", "provider", "websites.*.domain", "网站域名",
         "该域名已过注册有效期", "请先在域名注册商处为域名续费，再重新提交备案", _per_domain(_expired)),
    Rule("DOMAIN_REGISTRAR_NOT_APPROVED", "provider", "websites.*.domain", "网站域名",
         "该域名的注册商不是工信部批准的域名注册服务机构，境外注册商注册的域名不能直接备案",
         "请将域名转入境内有资质的注册商（例如腾讯云），转入完成后再提交备案",
         _per_domain(lambda r, app, ctx: r.get("registrar_approved") is not True)),
    Rule("DOMAIN_NOT_REAL_NAME", "provider", "websites.*.domain", "网站域名",
         "该域名未通过实名认证",
         "请在域名注册商处完成实名认证；实名信息同步至工信部约需 3 个工作日，同步后再提交备案",
         _per_domain(lambda r, app, ctx: r.get("real_name_status") != "verified")),
    Rule("DOMAIN_HOLDER_MISMATCH", "provider", "websites.*.domain", "网站域名",
         "域名持有者的姓名或证件号码与备案主体不一致",
         "个人备案的域名须为本人持有，单位备案的域名须为本单位或其法定代表人持有；请在注册商处办理过户或修改实名信息后重新提交",
         _per_domain(_holder_mismatch)),
    _name_rule("WEBSITE_NAME_TOO_SHORT", (
        "网站名称少于 3 个汉字",
        "请使用不少于 3 个汉字、能体现网站内容的名称，例如“张三的个人博客”"),
        lambda name, site, app, ctx: 0 < V.han_count(name) < 3),
    _name_rule("WEBSITE_NAME_NOT_CHINESE", (
        "网站名称不能只由数字或英文字母组成", "请使用与网站内容相关的中文名称"),
        lambda name, site, app, ctx: V.han_count(name) == 0),
    _name_rule("WEBSITE_NAME_IS_DOMAIN", (
        "网站名称不能直接使用域名", "请填写能体现网站内容的中文名称，不要使用域名作为网站名称"),
        _name_is_domain),
    _name_rule("WEBSITE_NAME_FORBIDDEN_PREFIX", (
        "非国家机关主体的网站名称不能以“中国”“中华”“国家”“中央”“人民”“人大”开头",
        "请去掉名称开头的上述词语后重新命名"),
        lambda name, site, app, ctx: _entity(app, ctx).get("type") != "government"
        and name.startswith(FORBIDDEN_PREFIXES)),
    _name_rule("WEBSITE_NAME_PERSONAL_FORBIDDEN_WORD", (
        "个人网站名称不能含有企业、论坛、社区、平台、门户、导航、搜索等字样",
        "个人网站请使用“××的个人博客”“××的个人主页”一类名称；如需开办企业或平台类网站，请以单位主体备案"),
        lambda name, site, app, ctx: _is_personal(app, ctx)
        and any(w in name for w in PERSONAL_FORBIDDEN_WORDS)),
    _name_rule("WEBSITE_NAME_SENSITIVE", (
        "网站名称含有敏感词", "请修改网站名称，去掉敏感词后重新提交"),
        lambda name, site, app, ctx: any(w in name for w in SENSITIVE_WORDS)),
    Rule("PERSONAL_COMMERCIAL_CONTENT", "provider", "websites.*.commercial", "是否经营性网站",
         "个人主体不能备案经营性网站",
         "请取消经营性选项；如需开展经营性业务，请以单位主体备案并向通信管理局申请 ICP 经营许可证",
         _per_site("commercial", lambda s, app, ctx: _is_personal(app, ctx) and s.get("commercial") is True)),
    Rule("PERSONAL_ENTERPRISE_CONTENT", "provider", "websites.*.service_content", "网站服务内容",
         "个人网站不能开办企业官网、电子商务或门户类网站",
         "请选择与个人网站相符的服务内容（例如博客），或以单位主体备案",
         _per_site("service_content", lambda s, app, ctx: _is_personal(app, ctx)
                   and s.get("service_content") in ENTERPRISE_CONTENT)),
    Rule("PERSONAL_PRE_APPROVAL_CONTENT", "provider", "websites.*.service_content", "网站服务内容",
         "个人主体不能备案需要前置审批的内容（新闻、出版、药品和医疗器械、文化、广播电影电视、金融、网约车、游戏）",
         "个人无法取得前置审批，请更换网站服务内容，或由取得前置审批的单位主体备案",
         _per_site("service_content", lambda s, app, ctx: _is_personal(app, ctx)
                   and s.get("service_content") in PRE_APPROVAL_CONTENT)),
    Rule("PRE_APPROVAL_NUMBER_MISSING", "provider", "websites.*.pre_approval_number", "前置审批文号",
         "该网站的服务内容需要前置审批，但未填写前置审批文号",
         "请先向主管部门取得前置审批文件，再填写审批文号并上传审批材料",
         _per_site("pre_approval_number", _missing_pre_approval)),
    Rule("RESPONSIBLE_UNDER_18", "provider", "*.certificate_number", "负责人证件号码",
         "负责人未满 18 周岁", "请更换为年满 18 周岁的负责人；未成年人可由监护人作为负责人办理备案",
         _under_age),
    Rule("ID_EXPIRED", "provider", "entity.id_valid_until", "证件有效期",
         "负责人证件已过有效期", "请换领新证件，以有效证件的信息重新提交备案", _id_expired),
    Rule("ID_VALIDITY_TOO_SHORT", "provider", "entity.id_valid_until", "证件有效期",
         "证件剩余有效期不足本省管局要求（上海要求不少于 3 个月）",
         "请先换领新证件，再以新证件的信息提交备案", _id_validity_short),
    Rule("NONLOCAL_PERSONAL_ID", "provider", "entity.province", "主体所在省份",
         "身份证归属地与备案省份不一致：该省管局不接受外省身份证备案，或须申报本省居住证",
         "请在身份证归属省份备案；在接受居住证的省份，可申报本省居住证后重新提交", _nonlocal_id),
    Rule("ORG_PROVINCE_MISMATCH", "provider", "entity.province", "主体所在省份",
         "单位证件的登记地与备案省份不一致，单位须在证件登记地所在省份备案",
         "请将备案省份改为统一社会信用代码登记地所在的省份", _org_province),
    Rule("DOMAIN_NEAR_EXPIRY", "bureau", "websites.*.domain", "网站域名",
         "域名剩余有效期不足本省管局要求的期限（不少于 3 个月）",
         "请先为域名续费，使剩余有效期满足要求后重新提交", _per_domain(_near_expiry)),
    Rule("DOMAIN_CONFLICT", "bureau", "websites.*.domain", "网站域名",
         "该域名已由其他主体备案（域名冲突）",
         "请确认域名归属；如域名已转让，请原备案主体先注销该网站或取消接入后再提交备案", _domain_conflict),
    Rule("MOBILE_SHARED_WITH_OTHER_ENTITY", "bureau", "*.mobile", "负责人手机号码",
         "该手机号码已被其他备案主体使用，一个手机号码只能属于一个备案主体",
         "请更换为负责人本人名下、未用于其他主体备案的手机号码", _shared_mobile),
    Rule("ENTITY_CONFLICT", "bureau", "entity.certificate_number", "主体证件号码",
         "该主体在工信部备案系统中已有备案记录（主办者冲突），不能再次首次备案",
         "已备案的主体请使用“接入备案”或“新增网站”办理，不要重复提交首次备案", _entity_conflict),
]
_BY_CODE = {r.code: r for r in RULES}
STAGES = ("provider", "bureau")


def rule(code: str) -> Rule | None:
    return _BY_CODE.get(code)


def _natural(path):
    """websites.2 before websites.10."""
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", path)]


def audit_entry(r: Rule, path: str) -> dict:
    return {"code": r.code, "field": path, "key_name": r.key_name, "error": r.error, "suggest": r.suggest}


def review(stage: str, app: dict, ctx: ReviewContext) -> list[dict]:
    """audit_data for every failing rule of `stage`: rule order, then field order."""
    if stage not in STAGES:
        raise ValueError(f"unknown review stage: {stage}")
    entries = []
    for r in RULES:
        if r.stage == stage:
            entries += [audit_entry(r, p) for p in sorted(set(r.check(app, ctx)), key=_natural)]
    return entries
