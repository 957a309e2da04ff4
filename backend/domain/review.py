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
from collections.abc import Callable
from dataclasses import dataclass

from backend.domain import material_review, review_checks as checks, service_contents, timeline, validation as V
from backend.domain.review_checks import (  # noqa: F401  (re-exported: the rules' words and context)
    DEFAULT_SETTINGS,
    ENTERPRISE_CONTENT,
    FORBIDDEN_PREFIXES,
    PERSONAL_FORBIDDEN_WORDS,
    PRE_APPROVAL_CONTENT,
    SENSITIVE_WORDS,
    ReviewContext,
    add_months,
    age_on,
)


@dataclass(frozen=True)
class Rule:
    code: str
    stage: str  # "provider" | "bureau"
    field: str  # fnmatch pattern of the paths it reports ("*" spans dots)
    key_name: str
    error: str
    suggest: str
    check: Callable[[dict, ReviewContext], list]
    example: str = ""  # the path a forced rejection names (faults); default: `field` with * -> 0

    @property
    def example_path(self) -> str:
        return self.example or self.field.replace("*", "0")


# --- the rules -----------------------------------------------------------------


def _name_rule(code, key_error_suggest, failed):
    error, suggest = key_error_suggest
    return Rule(code, "provider", "websites.*.name", "网站名称", error, suggest, checks.per_name(failed))


RULES = [
    Rule(
        "DOMAIN_NOT_REGISTERED",
        "provider",
        "websites.*.domain",
        "网站域名",
        "该域名尚未注册，或在域名注册信息中查询不到",
        "请核对域名拼写，并在工信部批准的域名注册服务机构完成注册后再提交备案",
        checks.not_registered,
    ),
    Rule(
        "DOMAIN_EXPIRED",
        "provider",
        "websites.*.domain",
        "网站域名",
        "该域名已过注册有效期",
        "请先在域名注册商处为域名续费，再重新提交备案",
        checks.per_domain(checks.expired_of),
    ),
    Rule(
        "DOMAIN_REGISTRAR_NOT_APPROVED",
        "provider",
        "websites.*.domain",
        "网站域名",
        "该域名的注册商不是工信部批准的域名注册服务机构，境外注册商注册的域名不能直接备案",
        "请将域名转入境内有资质的注册商（例如腾讯云），转入完成后再提交备案",
        checks.per_domain(lambda r, app, ctx: r.get("registrar_approved") is not True),
    ),
    Rule(
        "DOMAIN_NOT_REAL_NAME",
        "provider",
        "websites.*.domain",
        "网站域名",
        "该域名未通过实名认证",
        "请在域名注册商处完成实名认证；实名信息同步至工信部约需 3 个工作日，同步后再提交备案",
        checks.per_domain(lambda r, app, ctx: r.get("real_name_status") != "verified"),
    ),
    Rule(
        "DOMAIN_HOLDER_MISMATCH",
        "provider",
        "websites.*.domain",
        "网站域名",
        "域名持有者的姓名或证件号码与备案主体不一致",
        "个人备案的域名须为本人持有，单位备案的域名须为本单位或其法定代表人持有；请在注册商处办理过户或修改实名信息后重新提交",
        checks.per_domain(checks.holder_mismatch),
    ),
    _name_rule(
        "WEBSITE_NAME_TOO_SHORT",
        ("网站名称少于 3 个汉字", "请使用不少于 3 个汉字、能体现网站内容的名称，例如“张三的个人博客”"),
        lambda name, site, app, ctx: 0 < V.han_count(name) < 3,
    ),
    _name_rule(
        "WEBSITE_NAME_NOT_CHINESE",
        ("网站名称不能只由数字或英文字母组成", "请使用与网站内容相关的中文名称"),
        lambda name, site, app, ctx: V.han_count(name) == 0,
    ),
    _name_rule(
        "WEBSITE_NAME_IS_DOMAIN",
        ("网站名称不能直接使用域名", "请填写能体现网站内容的中文名称，不要使用域名作为网站名称"),
        checks.name_is_domain,
    ),
    _name_rule(
        "WEBSITE_NAME_FORBIDDEN_PREFIX",
        (
            "非国家机关主体的网站名称不能以“中国”“中华”“国家”“中央”“人民”“人大”开头",
            "请去掉名称开头的上述词语后重新命名",
        ),
        lambda name, site, app, ctx: (
            checks.entity_of(app, ctx).get("type") != "government" and name.startswith(FORBIDDEN_PREFIXES)
        ),
    ),
    _name_rule(
        "WEBSITE_NAME_PERSONAL_FORBIDDEN_WORD",
        (
            "个人网站名称不能含有企业、论坛、社区、平台、门户、导航、搜索等字样",
            "个人网站请使用“××的个人博客”“××的个人主页”一类名称；如需开办企业或平台类网站，请以单位主体备案",
        ),
        lambda name, site, app, ctx: checks.is_personal(app, ctx) and any(w in name for w in PERSONAL_FORBIDDEN_WORDS),
    ),
    _name_rule(
        "WEBSITE_NAME_SENSITIVE",
        ("网站名称含有敏感词", "请修改网站名称，去掉敏感词后重新提交"),
        lambda name, site, app, ctx: any(w in name for w in SENSITIVE_WORDS),
    ),
    Rule(
        "PERSONAL_COMMERCIAL_CONTENT",
        "provider",
        "websites.*.commercial",
        "是否经营性网站",
        "个人主体不能备案经营性网站",
        "请取消经营性选项；如需开展经营性业务，请以单位主体备案并向通信管理局申请 ICP 经营许可证",
        checks.per_site("commercial", lambda s, app, ctx: checks.is_personal(app, ctx) and s.get("commercial") is True),
    ),
    Rule(
        "PERSONAL_ENTERPRISE_CONTENT",
        "provider",
        "websites.*.service_content",
        "网站服务内容",
        "个人网站不能开办企业官网、电子商务或门户类网站",
        "请选择与个人网站相符的服务内容（例如博客），或以单位主体备案",
        checks.per_site(
            "service_content",
            lambda s, app, ctx: checks.is_personal(app, ctx) and service_contents.any_in(s, ENTERPRISE_CONTENT),
        ),
    ),
    Rule(
        "PERSONAL_PRE_APPROVAL_CONTENT",
        "provider",
        "websites.*.service_content",
        "网站服务内容",
        "个人主体不能备案需要前置审批的内容（新闻、出版、教育、药品和医疗器械、文化、广播电影电视、金融、网约车、游戏）",
        "个人无法取得前置审批，请更换网站服务内容，或由取得前置审批的单位主体备案",
        checks.per_site(
            "service_content",
            lambda s, app, ctx: checks.is_personal(app, ctx) and service_contents.any_in(s, PRE_APPROVAL_CONTENT),
        ),
    ),
    Rule(
        "PRE_APPROVAL_NUMBER_MISSING",
        "provider",
        "websites.*.pre_approval*",
        "前置审批文号",
        "该网站的服务内容需要前置审批，但未填写前置审批文号",
        "请先向主管部门取得前置审批文件，再填写审批文号并上传审批材料",
        checks.missing_pre_approval,
        example="websites.0.pre_approval_number",
    ),
    Rule(
        "RESPONSIBLE_UNDER_18",
        "provider",
        "*.certificate_number",
        "负责人证件号码",
        "负责人未满 18 周岁",
        "请更换为年满 18 周岁的负责人；未成年人可由监护人作为负责人办理备案",
        checks.under_age,
    ),
    Rule(
        "ID_EXPIRED",
        "provider",
        "*id_valid_until",
        "证件有效期",
        "负责人证件已过有效期",
        "请换领新证件，以有效证件的信息重新提交备案",
        checks.id_expired,
        example="entity.id_valid_until",
    ),
    Rule(
        "ID_VALIDITY_TOO_SHORT",
        "provider",
        "*id_valid_until",
        "证件有效期",
        "证件剩余有效期不足本省管局要求（上海要求不少于 3 个月）",
        "请先换领新证件，再以新证件的信息提交备案",
        checks.id_validity_short,
        example="entity.id_valid_until",
    ),
    Rule(
        "NONLOCAL_PERSONAL_ID",
        "provider",
        "entity.province",
        "主体所在省份",
        "身份证归属地与备案省份不一致：该省管局不接受外省身份证备案，或须申报本省居住证",
        "请在身份证归属省份备案；在接受居住证的省份，可申报本省居住证后重新提交",
        checks.nonlocal_id,
    ),
    Rule(
        "ORG_PROVINCE_MISMATCH",
        "provider",
        "entity.province",
        "主体所在省份",
        "单位证件的登记地与备案省份不一致，单位须在证件登记地所在省份备案",
        "请将备案省份改为统一社会信用代码登记地所在的省份",
        checks.org_province,
    ),
    Rule(
        # the reviewer's phone call (初审 电话核实, process.md §6.1 "Call" [T45, T10], §9.5): unanswered,
        # again ~1 h later, still unanswered → rejected; a seeded share (`call_unreachable_rate`, 0)
        "CALL_UNREACHABLE",
        "provider",
        "*.responsible.mobile",
        "负责人手机号码",
        timeline.CALL_UNREACHABLE_ERROR,
        timeline.CALL_UNREACHABLE_SUGGEST,
        lambda app, ctx: (
            [timeline.called_path(app)]
            if timeline.call_unanswered(app, ctx.settings.get("call_unreachable_rate") or 0, ctx.seed)
            else []
        ),
        example="entity.responsible.mobile",
    ),
    Rule(
        "DOMAIN_NEAR_EXPIRY",
        "bureau",
        "websites.*.domain",
        "网站域名",
        "域名剩余有效期不足本省管局要求的期限（不少于 3 个月）",
        "请先为域名续费，使剩余有效期满足要求后重新提交",
        checks.per_domain(checks.near_expiry),
    ),
    Rule(
        "DOMAIN_CONFLICT",
        "bureau",
        "websites.*.domain",
        "网站域名",
        "该域名已由其他主体备案（域名冲突）",
        "请确认域名归属；如域名已转让，请原备案主体先注销该网站或取消接入后再提交备案",
        checks.domain_conflict,
    ),
    Rule(
        "MOBILE_SHARED_WITH_OTHER_ENTITY",
        "bureau",
        "*.mobile",
        "负责人手机号码",
        "该手机号码已被其他备案主体使用，一个手机号码只能属于一个备案主体",
        "请更换为负责人本人名下、未用于其他主体备案的手机号码",
        checks.shared_mobile,
    ),
    Rule(
        "SITE_REACHABLE_DURING_REVIEW",
        "bureau",
        "websites.*.domain",
        "网站域名",
        "管局审核期间网站可以访问：首次备案或新增网站在备案通过前不得开通访问",
        "请暂停域名解析（关闭网站访问），在备案通过前保持网站无法访问，然后重新提交",
        checks.per_domain(checks.site_online),
    ),
    Rule(
        "ENTITY_CONFLICT",
        "bureau",
        "entity.certificate_number",
        "主体证件号码",
        "该主体在工信部备案系统中已有备案记录（主办者冲突），不能再次首次备案",
        "已备案的主体请使用“接入备案”或“新增网站”办理，不要重复提交首次备案",
        checks.entity_conflict,
    ),
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
    if stage == "provider" and ctx.materials:  # the uploads, after the rules (material_review.py)
        # the sharpness setting only when the sandbox sets it: else each slot kind's own threshold
        settings = {
            "material_min_sharpness": ctx.settings.get("material_min_sharpness"),
            "material_rejection_rate": ctx.setting("material_rejection_rate"),
        }
        entries += material_review.judge(app["id"], ctx.materials, settings, ctx.seed)
    return entries
