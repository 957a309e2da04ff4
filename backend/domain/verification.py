"""验证备案类型 (filing-type verification, process.md §1): before any form, the certificate and
the domains are looked up in the account, the national registry and the domain registry; the
answer is the scenario that applies (§1.3) or the first blocking check that fails (§1.4), with
its zh-CN message and what to do.

Pure: `decide(request, world)` reads a `World` snapshot the service builds, never the store.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from backend.domain import calendar, errors, filing_province, kinds, province_rules, tlds, validation, verify_inputs
from backend.domain.clock import CST
from backend.domain.errors import DomainError, validation_failed
from backend.domain.filings import TENCENT, Records, domain_key, province_code, same_organisation, same_text

# how long a fresh real-name or business registration takes to reach the filing system (§1.4)
REALNAME_SYNC_HOURS = 48
BIZ_SYNC_WORKDAYS = 7  # the sources say 3–7 working days; the simulator waits the longest
DOMAIN_REALNAME_SYNC_DAYS = 3  # natural days at Tencent's registrar (DNSPod), working days at others (T41, T15)
TENCENT_REGISTRARS = ("dnspod", "tencent", "腾讯")  # what a registrar's name contains when it is Tencent's

# the kinds this step can answer (§1.3), with what the user does next
NEXT_STEP = {
    kinds.FIRST_FILING: "请填写主体信息、网站信息和负责人信息",
    kinds.ACCESS_FILING: "请确认备案信息（接入备案不能修改备案内容），选择云托管 IP",
    kinds.ADD_WEBSITE: "主体信息已从备案记录带出，请填写新网站的信息",
    kinds.ADD_WEBSITE_EXTERNAL: "主体信息须与备案记录一致，请填写新网站的信息",
}
SCENARIO_ZH = {kind: kinds.KINDS[kind].zh for kind in NEXT_STEP}


@dataclass
class World:
    """What the verification looks at, read by the service in one snapshot."""

    records: Records
    domains: dict  # domain_key -> registry document
    account: dict  # the account's real-name data (sandbox settings["account"])
    business: dict  # certificate number -> {"updated_on": ISO date} (sandbox settings["business_registry"])
    eligibility: dict  # eligibility.evaluate(...) of the account
    open_order: str | None  # an order in progress (its id), if any
    now: datetime
    faults: list = field(default_factory=list)  # verification codes forced by the operator
    settings: dict = field(default_factory=dict)  # the sandbox's (strict_nonlocal_id, province_overrides)
    # certificate number -> {"provider": …}: an order open at another provider (settings["orders_elsewhere"])
    orders_elsewhere: dict = field(default_factory=dict)


def blocked(code: str, message: str | None, suggest: str, **details) -> DomainError:
    return errors.fail(code, message, suggest=suggest, **details)


# every code this step can answer, with what to do (process.md §1.4; the message is the code's
# in errors.CODES); the tests walk them
BLOCKING = {
    "ACCOUNT_FLAGGED": "请更换账号（不保证通过）或提交工单申诉",
    "REALNAME_SYNC_PENDING": "请在实名认证完成 48 小时后再验证",
    "ACCOUNT_REALNAME_MISMATCH": (
        "新增备案要求备案主体与腾讯云账号实名认证主体一致；请使用与主体一致的账号，或变更账号实名认证"
    ),
    "BIZ_INFO_SYNC_PENDING": "请在登记或变更满 7 个工作日后再验证，并核对主办者性质和证件号码",
    "CERTIFICATE_LOOKUP_FAILED": "请 30 分钟后重试；连续两次失败请提交工单",
    "TLD_NOT_FILEABLE": "请使用工信部批准的域名后缀，或使用境外服务器",
    "DOMAIN_NOT_REGISTERED": "请先注册该域名，或核对域名拼写",
    "DOMAIN_REALNAME_PENDING": "请先在注册商处完成域名实名认证",
    "DOMAIN_REALNAME_SYNC_PENDING": "请在域名实名认证完成 3 天后再验证",
    "DOMAIN_HOLDER_MISMATCH": "请将域名过户到备案主体名下，或更换域名",
    "DOMAIN_ALREADY_FILED": "该域名已由其他主体备案；请确认域名归属，或由原主体先注销该网站或取消接入",
    "INFO_CONFLICT": "请在工信部备案管理系统查询原记录并核对；原记录有误的请先在原接入商办理变更",
    "ENTITY_IN_OTHER_ACCOUNT": "请登录该账号办理，或申请备案迁移（账号转移），或先注销主体",
    "ORDER_IN_PROGRESS": "请先完成或撤销该订单",
    "ENTITY_ORDER_ELSEWHERE": "管局同一主体同一时间只受理一个备案订单（主办者冲突）；请先在该接入商完成或撤销该订单，再来验证",
    "NO_RESOURCE": "请购买或续费云托管资源包、使用系统创建的微小型 NAT 网关，或使用备案授权码",
}
# this step's own words for a code other steps word otherwise (the suggestion says the rest)
_MESSAGE = {"ORDER_IN_PROGRESS": "此账号存在进行中的备案订单"}


# another registrar's domain syncs in working days (process.md §1.4): the same code, its own wording
SYNC_PENDING_WORKDAYS = (
    "域名未实名认证：域名实名信息尚未同步到工信部（非腾讯云注册的域名需 3 个工作日）",
    "请在域名实名认证完成 3 个工作日后再验证",
)


def fail(code: str, **details) -> DomainError:
    return blocked(code, _MESSAGE.get(code), BLOCKING[code], **details)


def account_checks(req, world) -> str | None:
    """The account (§1.4); returns the entity name its real name was compared with, None when the
    request names no entity and nothing on record or in the domain registry does."""
    acct = world.account
    if acct.get("flagged"):
        raise fail("ACCOUNT_FLAGGED")
    verified_at = acct.get("real_name_verified_at")
    if verified_at and (world.now - _aware(verified_at)).total_seconds() < REALNAME_SYNC_HOURS * 3600:
        raise fail("REALNAME_SYNC_PENDING", real_name_verified_at=verified_at)
    if not acct.get("real_name"):
        return None
    name = req.get("entity_name") or _known_name(req, world)
    if name is not None and not same_text(acct["real_name"], name):
        raise fail("ACCOUNT_REALNAME_MISMATCH", account_real_name=acct["real_name"])
    return name


def _aware(when: str) -> datetime:
    """A stored instant; one without an offset is China Standard Time, the filing system's."""
    moment = datetime.fromisoformat(when)
    return moment if moment.tzinfo else moment.replace(tzinfo=CST)


def _known_name(req, world) -> str | None:
    """The name that goes with the certificate: its entity on record, else the real-name holder of
    one of the domains registered under that certificate."""
    entity = world.records.by_certificate(req.get("certificate_number"))
    if entity is not None and entity.get("name"):
        return entity["name"]
    for name in req.get("domains") or []:
        doc = world.domains.get(domain_key(name)) or {}
        if doc.get("holder_name") and same_text(doc.get("holder_certificate_number"), req.get("certificate_number")):
            return doc["holder_name"]
    return None


def elsewhere_check(req, world) -> None:
    """One entity, one order at the bureau (process.md §1.3 [A5, T9]): a certificate with an order
    open at another provider is refused before any form, not as 主办者冲突 at the bureau."""
    found = world.orders_elsewhere.get(str(req.get("certificate_number") or "").upper())
    if found is not None:
        provider = found.get("provider") if isinstance(found, dict) else None
        raise fail("ENTITY_ORDER_ELSEWHERE", provider=provider or "other")


def business_checks(req, world):
    info = world.business.get(str(req.get("certificate_number", "")).upper())
    if req.get("entity_type") != "personal" and info and info.get("updated_on"):
        updated = date.fromisoformat(info["updated_on"])
        if calendar.working_days_between(updated, world.now.date()) < BIZ_SYNC_WORKDAYS:
            raise fail("BIZ_INFO_SYNC_PENDING", updated_on=info["updated_on"])


def _domain_checks(req, world, entity):
    for i, name in enumerate(req["domains"]):
        where = {"field": f"domains.{i}", "domain": name}
        labels = validation.domain_unicode(validation.normalize_domain(name)).split(".")
        if not tlds.is_approved(labels[-1]):
            raise fail("TLD_NOT_FILEABLE", **where)
        registry_checks(name, req["certificate_number"], world, where)
        site = world.records.site_with_domain(name)
        if site is not None and (entity is None or site["entity_id"] != entity["id"]):
            raise fail("DOMAIN_ALREADY_FILED", number=site["number"], **where)


def registry_checks(name: str, certificate: str, world: World, where: dict, registry: bool = True) -> None:
    """What the domain registry answers for one domain (raised). Without `registry` only the
    real-name sync wait: the rest the provider's review also checks (domain.md §7)."""
    doc = world.domains.get(domain_key(name))
    if doc is None or doc.get("real_name_status") != "verified":
        if registry:
            raise fail("DOMAIN_NOT_REGISTERED" if doc is None else "DOMAIN_REALNAME_PENDING", **where)
        return
    sync_pending(doc, world.now.date(), where)
    holder = doc.get("holder_certificate_number") or None
    if registry and holder and not same_organisation(holder, certificate):
        raise fail("DOMAIN_HOLDER_MISMATCH", **where)


def at_tencent_registrar(doc: dict) -> bool:
    name = str(doc.get("registrar") or "").casefold()
    return any(mark in name for mark in TENCENT_REGISTRARS)


def sync_pending(doc: dict, today: date, where: dict) -> None:
    """DOMAIN_REALNAME_SYNC_PENDING (raised) while a fresh real-name verification has not reached
    MIIT: 3 natural days for a domain at Tencent's registrar, 3 working days elsewhere."""
    since = doc.get("real_name_verified_on")
    if not since:
        return
    start = date.fromisoformat(since)
    if at_tencent_registrar(doc):
        if (today - start).days < DOMAIN_REALNAME_SYNC_DAYS:
            raise fail("DOMAIN_REALNAME_SYNC_PENDING", real_name_verified_on=since, **where)
    elif calendar.working_days_between(start, today) < DOMAIN_REALNAME_SYNC_DAYS:
        message, suggest = SYNC_PENDING_WORKDAYS
        raise blocked("DOMAIN_REALNAME_SYNC_PENDING", message, suggest, real_name_verified_on=since, **where)


def _scenario(req, world, entity):
    """§1.3, once nothing blocks: which kind of order this is."""
    if entity is None:
        return kinds.FIRST_FILING, None
    filed = [world.records.site_with_domain(d) for d in req["domains"]]
    for i, site in enumerate(filed):
        if site is not None and TENCENT in (site.get("access_providers") or []):
            raise blocked(
                "DOMAIN_ALREADY_FILED",
                f"域名 {req['domains'][i]} 已在本主体下备案并接入腾讯云（{site['number']}）",
                "同一域名不能重复备案；修改网站信息请办理「变更网站」",
                field=f"domains.{i}",
                number=site["number"],
            )
    if all(filed):
        return kinds.ACCESS_FILING, entity
    if any(filed):
        raise validation_failed(
            {
                "domains": [
                    "已备案的域名与未备案的域名不能在同一订单中办理："
                    "已备案的请办理「接入备案」，新域名请办理「新增网站」"
                ]
            }
        )
    own = world.records.own()
    if own is not None and own["id"] == entity["id"] and TENCENT in (entity.get("access_providers") or []):
        return kinds.ADD_WEBSITE, entity
    return kinds.ADD_WEBSITE_EXTERNAL, entity


RENEWED_LICENCE_ROUTES = {
    "new_licence": "请以原组织机构代码 {old} 办理（证件类型选择组织机构代码证），上传新的营业执照；"
    "备案通过后再办理「变更备案」，将证件号码更新为统一社会信用代码",
    "old_document": "请以原组织机构代码 {old} 办理（证件类型选择组织机构代码证），并上传仍在有效期内的原组织机构代码证",
    "": "本省须先在原接入商办理「变更备案」，将证件号码更新为统一社会信用代码后再验证",
}


def renewed_licence_check(req: dict, world: World) -> None:
    """A USCC whose embedded organisation code (positions 9–17) is an entity on record under that
    old number (process.md §1.2, §1.3, T36, T58): the same organisation, filed before 三证合一. The
    answer says so and what this province wants (province_rules.csv `renewed_licence`)."""
    old = world.records.by_old_org_code(req["certificate_number"])
    if old is None:
        return
    route = province_rules.get(province_code(old.get("province"))).renewed_licence
    if route == "by_kind":  # Jiangsu: an access filing with the new licence, a new website with the old document
        filed = [world.records.site_with_domain(d) for d in req["domains"]]
        route = "new_licence" if filed and all(s and s["entity_id"] == old["id"] for s in filed) else "old_document"
    number = old["certificate_number"]
    raise blocked(
        "ENTITY_FILED_UNDER_OLD_NUMBER",
        f"该单位已以三证合一前的组织机构代码 {number} 备案（{old['number']}），请勿以统一社会信用代码重新备案",
        RENEWED_LICENCE_ROUTES.get(route, RENEWED_LICENCE_ROUTES[""]).format(old=number),
        old_certificate_type="org_code",
        old_certificate_number=number,
        entity_number=old["number"],
        route=route or "change_first",
    )


def _record_checks(req: dict, entity: dict) -> None:
    """The certificate is on record: not in another account, and the same type of entity."""
    if entity.get("account") not in (None, "self") and TENCENT in (entity.get("access_providers") or []):
        raise fail("ENTITY_IN_OTHER_ACCOUNT", entity_number=entity["number"])
    if not same_text(entity.get("type"), req["entity_type"]) or not same_text(
        entity.get("certificate_type"), req["certificate_type"]
    ):
        raise fail("INFO_CONFLICT", entity_number=entity["number"])
    if province_code(req["province"]) != province_code(entity.get("province")):
        where = filing_province.province_of(entity.get("province"))
        raise validation_failed(
            {
                "province": [
                    f"该主体已在{where.name if where else '其他省份'}备案（{entity['number']}），备案地域须与备案记录一致"
                ]
            }
        )


def decide(req: dict, world: World) -> dict:
    """The scenario for this certificate and these domains, or the first blocking Conflict (raised)."""
    req = verify_inputs.normalized(req)
    verify_inputs.check_request(req)
    verify_inputs.where_to_file(req, world.settings)
    for code in world.faults:
        raise fail(code, forced=True)
    compared = account_checks(req, world)
    business_checks(req, world)
    entity = world.records.by_certificate(req["certificate_number"])
    if entity is not None:
        _record_checks(req, entity)
    elif req.get("certificate_type") == "uscc":
        renewed_licence_check(req, world)
    elsewhere_check(req, world)
    own = world.records.own()
    if own is not None and (entity is None or own["id"] != entity["id"]):
        raise blocked(
            "ENTITY_ALREADY_FILED",
            f"该账号已有备案主体 {own['number']}，一个账号只能备案一个主体",
            "其他主体请使用该主体自己的腾讯云账号办理；本主体的网站请办理「新增网站」",
            entity_number=own["number"],
        )
    _domain_checks(req, world, entity)
    if world.open_order:
        raise fail("ORDER_IN_PROGRESS", application_id=world.open_order)
    if not world.eligibility.get("eligible") or not world.eligibility.get("usable_ips"):
        raise fail("NO_RESOURCE", rules=[r for r in world.eligibility.get("rules", []) if not r["passed"]])
    nat_ip = req.get("nat_ip")
    if nat_ip and all(row["ip"] != nat_ip for row in world.eligibility["usable_ips"]):
        raise fail("NO_RESOURCE", nat_ip=nat_ip)
    kind, record = _scenario(req, world, entity)
    return _answer(req, world, kind, record, compared)


# what a verify without `entity_name` could not compare, said in its answer
NAME_NOT_CHECKED = "未填写主体名称，备案主体与账号实名认证主体（{real_name}）是否一致将在创建订单时核对"


def _answer(req, world, kind, record, compared):
    nat_ip = req.get("nat_ip")
    out = {
        "scenario": kind,
        "scenario_zh": SCENARIO_ZH[kind],
        "next_step": NEXT_STEP[kind],
        "province": province_code(req["province"]),
        "entity_number": record["number"] if record else None,
        "entity_id": record["id"] if record else None,
        "domains": [validation.normalize_domain(d) for d in req["domains"]],
        "nat_ip": nat_ip or world.eligibility["usable_ips"][0]["ip"],
        "usable_ips": world.eligibility["usable_ips"],
    }
    out.update(_region(req))
    if world.account.get("real_name") and compared is None:
        real_name = world.account["real_name"]
        out["not_checked"] = [
            {"code": "ACCOUNT_REALNAME_MISMATCH", "message": NAME_NOT_CHECKED.format(real_name=real_name)}
        ]
    return out


def _region(req: dict) -> dict:
    """备案地域's city and district when the request chose them (§1.2), and the 通信地址 the forms
    start from (its street still to type): the mailing address lies in the chosen region."""
    city, district = req.get("city"), req.get("district")
    if not city:
        return {}
    address = {"province_code": f"{province_code(req['province'])}0000", "city_code": city}
    if district:
        address["district_code"] = district
    return {"city": city, "district": district, "mailing_address": address}


# -- the account rules of a kind, before its first form (the chat's kind choice) ----------------

NEEDS_OWN_AT_TENCENT = frozenset(kind for kind, spec in kinds.KINDS.items() if spec.acts_on_own_entity)


def account_gate(kind: str, records: Records, open_order: str | None = None) -> DomainError | None:
    """The refusal every submission of `kind` would meet from the account's own state, or None: the
    conversation says it at the kind choice instead of after the forms."""
    from backend.domain import preconditions  # the kinds' shared answers

    if open_order:
        return errors.order_in_progress(open_order)
    own = records.own()
    at_tencent = own is not None and TENCENT in (own.get("access_providers") or [])
    if kind == kinds.FIRST_FILING and own is not None:
        return blocked(
            "ENTITY_ALREADY_FILED",
            f"该账号已有备案主体 {own['number']}，不能再办理首次备案",
            "一个账号只能备案一个主体：新增网站请选择「新增网站（原备案在腾讯云）」",
            entity_number=own["number"],
        )
    if kind == kinds.ADD_WEBSITE_EXTERNAL and own is not None and at_tencent:
        return blocked(
            "ENTITY_FILED_AT_TENCENT",
            f"该账号的主体 {own['number']} 已在腾讯云备案",
            "请办理「新增网站（原备案在腾讯云）」",
            entity_number=own["number"],
        )
    if kind in NEEDS_OWN_AT_TENCENT and not at_tencent:
        return preconditions.no_entity_at_tencent(own)
    if kind == kinds.CANCEL_WEBSITE and own is not None and len(records.sites(own["id"])) <= 1:
        return blocked(
            "LAST_WEBSITE_CANCEL_ENTITY",
            f"主体 {own['number']} 下只有一个网站，不能单独注销",
            "注销主体下最后一个网站，请办理「注销主体」",
            entity_number=own["number"],
        )
    return None
