"""Checks made at entry, before an application reaches any reviewer (domain.md §7).

A 422 at once beats a rejection days later, so everything that needs no registry
look-up and no date lives here: number checksums, syntax, the TLD list, which
certificate fits which entity type. Rules that need the domain registry, the
national registry or the virtual date are in `review.py`.

Single checks return a list of `(code, zh_message)` problems, empty when fine.
The aggregate functions return marshmallow-style dicts: dotted path -> messages.
"""

import ipaddress
import re
import unicodedata
from datetime import date

from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric, uscc

from backend.domain import errors, limits, provinces
from backend.domain.domain_names import check_domain, domain_ascii, domain_syntax, domain_unicode, normalize_domain  # noqa: F401

ENTITY_TYPES = (
    "personal",
    "enterprise",
    "government",
    "institution",
    "social_org",
    "private_non_enterprise",
    "foundation",
    "law_firm",
)
PERSON_CERT_TYPES = ("resident_id", "passport", "hk_macao_permit", "taiwan_permit", "foreign_permanent_id")
ORG_CERT_TYPES = ("uscc", "org_code")
CERT_TYPES = PERSON_CERT_TYPES + ORG_CERT_TYPES
SERVICE_CONTENTS = (
    "blog",
    "enterprise_site",
    "portal",
    "ecommerce",
    "news",
    "publishing",
    "drugs_medical",
    "culture",
    "radio_film_tv",
    "finance",
    "ride_hailing",
    "games",
    "education",
    "other",
)
MAX_WEBSITES = limits.MAX_WEBSITES

# Resident-ID-format numbers also start with 71/81/82/83: the residence permits
# of Taiwan, Hong Kong and Macao residents. They are not filing provinces.
_NON_PROVINCE_ID_REGIONS = ("71", "81", "82", "83")

# Certificate shapes without a public checksum: only length and charset are checked.
_CERT_PATTERNS = {
    "passport": (re.compile(r"[A-Z0-9]{5,20}"), "护照号码应为 5–20 位字母或数字"),
    "hk_macao_permit": (
        re.compile(r"[HM][0-9]{8}([0-9]{2})?"),
        "港澳居民来往内地通行证号码应为 H 或 M 开头加 8 或 10 位数字",
    ),
    "taiwan_permit": (re.compile(r"[0-9]{8}([0-9]{2})?"), "台湾居民来往大陆通行证号码应为 8 或 10 位数字"),
    "foreign_permanent_id": (
        re.compile(r"[A-Z]{3}[0-9]{12}|9[0-9]{17}"),
        "外国人永久居留身份证号码应为 15 位（3 位字母加 12 位数字）或 9 开头的 18 位数字",
    ),
    "org_code": (re.compile(r"[0-9A-Z]{8}-?[0-9X]"), "组织机构代码应为 9 位（8 位数字或大写字母加 1 位校验码）"),
}

# ASCII digits only ([0-9], not \d): str.isdigit() and \d also accept "²" or "٣", which int() or
# stdnum then choke on.
_MOBILE = re.compile(r"(?:\+?86)?(1[3-9][0-9]{9})")
_RESIDENT_ID = re.compile(r"[0-9]{17}[0-9X]")
_EMAIL_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
# Ideographic and full-width full stops: IME users type them as the dot.
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_NAME_ALLOWED = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaffA-Za-z0-9 ·]+")
MAX_WEBSITE_NAME = limits.MAX_WEBSITE_NAME


def _problem(code, message):
    return [(code, message)]


def _text(value):
    return value.strip() if isinstance(value, str) else ""


# --- people and organisations ------------------------------------------------


def check_resident_id(value) -> list:
    """18-digit resident ID: shape, province part, birth date, GB 11643 checksum.

    stdnum's county table is not used: county codes change over the years and
    the simulator only needs the province (for the non-local ID rule).
    """
    number = ric.compact(_text(value))
    if not _RESIDENT_ID.fullmatch(number):
        return _problem("ID_FORMAT_INVALID", "居民身份证号码应为 18 位，前 17 位为数字，最后一位为数字或 X")
    region = number[:2]
    if region not in _NON_PROVINCE_ID_REGIONS and not is_province_code(region):
        return _problem("ID_REGION_INVALID", "居民身份证号码前两位不是有效的省级行政区划代码")
    try:
        born = ric.get_birth_date(number)
    except stdnum_errors.ValidationError:
        born = None
    if born is None or born.year < 1900:
        return _problem("ID_BIRTH_DATE_INVALID", "居民身份证号码中的出生日期无效")
    if number[17] != ric.calc_check_digit(number):
        return _problem("ID_CHECKSUM_INVALID", "居民身份证号码校验位错误，请核对后重新填写")
    return []


def birth_date(number: str) -> date:
    """Birth date encoded in an 18-digit resident ID (digits 7–14)."""
    return ric.get_birth_date(ric.compact(number))


def id_province(number: str) -> str:
    """The 2-digit province code that starts a resident ID ('44' for Guangdong)."""
    return ric.compact(number)[:2]


def check_uscc(value) -> list:
    """Unified social credit code (GB 32100): 18 characters and a mod-31 check character."""
    number = uscc.compact(_text(value))
    try:
        uscc.validate(number)
    except stdnum_errors.InvalidChecksum:
        return _problem("USCC_CHECKSUM_INVALID", "统一社会信用代码校验位错误，请核对后重新填写")
    except stdnum_errors.ValidationError:
        return _problem("USCC_FORMAT_INVALID", "统一社会信用代码应为 18 位，由数字和大写字母组成（不含 I、O、Z、S、V）")
    return []


def uscc_province(number: str) -> str:
    """Province of a USCC's registering authority: its division code is characters 3–8."""
    return uscc.compact(number)[2:4]


def check_certificate(cert_type, number) -> list:
    if cert_type not in CERT_TYPES:
        return _problem("CERT_TYPE_UNKNOWN", "不支持的证件类型")
    if not _text(number):
        return _problem("FIELD_REQUIRED", "请填写证件号码")
    if cert_type == "resident_id":
        return check_resident_id(number)
    if cert_type == "uscc":
        return check_uscc(number)
    pattern, message = _CERT_PATTERNS[cert_type]
    if not pattern.fullmatch(_text(number).upper()):
        return _problem("CERT_NUMBER_INVALID", message)
    return []


def check_cert_type_for_entity(entity_type, cert_type) -> list:
    """Individuals file with a personal document, organisations with an organisation code."""
    if entity_type not in ENTITY_TYPES:
        return _problem("ENTITY_TYPE_UNKNOWN", "不支持的主办者性质")
    allowed = PERSON_CERT_TYPES if entity_type == "personal" else ORG_CERT_TYPES
    if cert_type in CERT_TYPES and cert_type not in allowed:
        if entity_type == "personal":
            return _problem("CERT_TYPE_MISMATCH", "个人主体应使用居民身份证、护照或港澳台居民通行证等个人证件")
        return _problem("CERT_TYPE_MISMATCH", "单位主体应使用统一社会信用代码或组织机构代码证")
    return []


def check_person_cert_type(cert_type) -> list:
    """A responsible person is a person, whatever the entity."""
    if cert_type in ORG_CERT_TYPES:
        return _problem("CERT_TYPE_MISMATCH", "负责人应使用居民身份证、护照或港澳台居民通行证等个人证件")
    return []


def normalize_mobile(value) -> str | None:
    """'+86 138-0013-8000' -> '13800138000'; None when it is not a mainland mobile."""
    digits = re.sub(r"[\s\-()]", "", value) if isinstance(value, str) else ""
    match = _MOBILE.fullmatch(digits)
    return match.group(1) if match else None


def check_mobile(value) -> list:
    if normalize_mobile(value) is None:
        return _problem("MOBILE_INVALID", "请填写有效的中国大陆手机号码（11 位，以 13–19 开头）")
    return []


def check_email(value) -> list:
    text = _text(value)
    local, at, domain = text.rpartition("@")
    ok = (
        at
        and len(text) <= 254
        and len(local) <= 64
        and _EMAIL_LOCAL.fullmatch(local)
        and "." in domain
        and not domain_syntax(domain.lower())
    )
    if not ok:
        return _problem("EMAIL_INVALID", "请填写有效的电子邮箱地址，例如 name@example.com")
    return []


def check_province(value) -> list:
    if _province_code(value) is None:
        return _problem("PROVINCE_UNKNOWN", "无法识别的省份，请填写 2 位省级行政区划代码，例如 44（广东省）")
    return []


def _province_code(value):
    try:
        return provinces.normalize(value)
    except Exception:  # provinces raises DomainError; any failure means "unknown"
        return None


def is_province_code(code) -> bool:
    """True for the 2-digit code of one of the 31 provincial-level divisions."""
    return isinstance(code, str) and len(code) == 2 and _province_code(code) == code


# --- website name ------------------------------------------------------------


def check_website_name(value) -> list:
    """Syntax only; the reviewer's naming rules (length, words) are in review.py."""
    name = unicodedata.normalize("NFKC", _text(value))
    if not name:
        return _problem("FIELD_REQUIRED", "请填写网站名称")
    if len(name) > MAX_WEBSITE_NAME:
        return _problem("WEBSITE_NAME_TOO_LONG", f"网站名称不能超过 {MAX_WEBSITE_NAME} 个字符")
    if not _NAME_ALLOWED.fullmatch(name):
        return _problem("WEBSITE_NAME_SPECIAL_CHARS", "网站名称不能包含特殊符号，只能使用中文、字母、数字和空格")
    return []


def han_count(text: str) -> int:
    return len(_HAN.findall(text or ""))


# --- aggregates: per-field error dicts ----------------------------------------
# Internally every problem is a (path, code, message) triple; the public dicts
# drop the code (marshmallow's shape), `payloads.payload_problems` keeps it.

_ENTITY_REQUIRED = ("type", "name", "certificate_type", "certificate_number", "province", "address", "responsible")
_PERSON_REQUIRED = ("name", "certificate_type", "certificate_number", "mobile", "email")
_WEBSITE_REQUIRED = ("name", "domain", "service_content")
MAX_TEXT = limits.MAX_TEXT


def at_path(path: str, problems: list) -> list[errors.Problem]:
    """(code, message) pairs of one field as Problems at `path`."""
    return [errors.Problem(path, code, message) for code, message in problems]


def is_blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


def _missing(record, fields, prefix):
    return [(f"{prefix}.{f}", "FIELD_REQUIRED", "此项为必填项") for f in fields if is_blank(record.get(f))]


def _check_text(record, field, prefix):
    value = record.get(field)
    if is_blank(value):
        return []
    if not isinstance(value, str) or len(value.strip()) > MAX_TEXT:
        return [(f"{prefix}.{field}", "FIELD_INVALID", f"请填写不超过 {MAX_TEXT} 个字符的文字")]
    return []


def _cert_problems(record, prefix):
    cert_type, number = record.get("certificate_type"), record.get("certificate_number")
    if is_blank(cert_type) or is_blank(number):
        return []
    problems = check_certificate(cert_type, number)
    path = "certificate_type" if problems and problems[0][0] == "CERT_TYPE_UNKNOWN" else "certificate_number"
    return at_path(f"{prefix}.{path}", problems)


def person_problems(person, prefix) -> list:
    """A responsible person (负责人): name, personal certificate, mobile, e-mail."""
    if not isinstance(person, dict):
        return [(prefix, "FIELD_REQUIRED", "请填写负责人信息")]
    out = _missing(person, _PERSON_REQUIRED, prefix) + _check_text(person, "name", prefix)
    if not is_blank(person.get("certificate_type")):
        out += at_path(f"{prefix}.certificate_type", check_person_cert_type(person["certificate_type"]))
    out += _cert_problems(person, prefix)
    if not is_blank(person.get("mobile")):
        out += at_path(f"{prefix}.mobile", check_mobile(person["mobile"]))
    if not is_blank(person.get("email")):
        out += at_path(f"{prefix}.email", check_email(person["email"]))
    return out


def _date_problems(record, field, prefix):
    value = record.get(field)
    if value is None:
        return []
    try:
        date.fromisoformat(value)
    except (TypeError, ValueError):
        return [(f"{prefix}.{field}", "DATE_INVALID", "请填写有效日期，格式为 YYYY-MM-DD")]
    return []


def entity_problems(entity, prefix="entity") -> list:
    if not isinstance(entity, dict):
        return [(prefix, "FIELD_REQUIRED", "请填写主体信息")]
    out = _missing(entity, _ENTITY_REQUIRED, prefix)
    out += _check_text(entity, "name", prefix) + _check_text(entity, "address", prefix)
    kind, cert_type = entity.get("type"), entity.get("certificate_type")
    if not is_blank(kind):
        for code, message in check_cert_type_for_entity(kind, cert_type):
            field = "type" if code == "ENTITY_TYPE_UNKNOWN" else "certificate_type"
            out.append((f"{prefix}.{field}", code, message))
    out += _cert_problems(entity, prefix)
    if not is_blank(entity.get("province")):
        out += at_path(f"{prefix}.province", check_province(entity["province"]))
    if not isinstance(entity.get("residence_permit", False), bool):
        out.append((f"{prefix}.residence_permit", "FIELD_INVALID", "请填写 true 或 false"))
    out += _date_problems(entity, "id_valid_until", prefix)
    if "responsible" in entity and entity["responsible"] is not None:
        out += person_problems(entity["responsible"], f"{prefix}.responsible")
    return out


def _domain_field(value, prefix):
    if isinstance(value, (list, tuple)):
        return [(prefix, "DOMAIN_ONE_PER_WEBSITE", "每个网站只能填写一个域名")]
    if not isinstance(value, str):
        return [(prefix, "DOMAIN_SYNTAX_INVALID", "请填写域名，例如 example.com")]
    return at_path(prefix, check_domain(value))


def optional_problems(website, prefix):
    out = []
    if not isinstance(website.get("commercial", False), bool):
        out.append((f"{prefix}.commercial", "FIELD_INVALID", "请填写 true 或 false"))
    number = website.get("pre_approval_number")
    if number is not None and (not isinstance(number, str) or not 0 < len(number.strip()) <= 64):
        out.append((f"{prefix}.pre_approval_number", "FIELD_INVALID", "前置审批文号应为不超过 64 个字符的文字"))
    nat_ip = website.get("nat_ip")
    if nat_ip is not None and not is_ipv4(nat_ip):
        out.append((f"{prefix}.nat_ip", "NAT_IP_INVALID", "请填写有效的 IPv4 地址"))
    if website.get("responsible") is not None:
        out += person_problems(website["responsible"], f"{prefix}.responsible")
    return out


def is_ipv4(value):
    try:
        return isinstance(value, str) and ipaddress.ip_address(value).version == 4
    except ValueError:
        return False


def website_problems(website, index) -> list:
    prefix = f"websites.{index}"
    if not isinstance(website, dict):
        return [(prefix, "FIELD_REQUIRED", "请填写网站信息")]
    out = _missing(website, _WEBSITE_REQUIRED, prefix)
    if not is_blank(website.get("name")):
        out += at_path(f"{prefix}.name", check_website_name(website["name"]))
    if not is_blank(website.get("domain")):
        out += _domain_field(website["domain"], f"{prefix}.domain")
    content = website.get("service_content")
    if not is_blank(content) and content not in SERVICE_CONTENTS:
        out.append((f"{prefix}.service_content", "SERVICE_CONTENT_UNKNOWN", "不支持的网站服务内容"))
    return out + optional_problems(website, prefix)


def _duplicate_domains(websites):
    seen: dict[str, int] = {}
    out = []
    for i, site in enumerate(websites):
        domain = site.get("domain") if isinstance(site, dict) else None
        if not isinstance(domain, str) or is_blank(domain):
            continue
        key = domain_ascii(domain)
        if key in seen:
            out.append(
                (
                    f"websites.{i}.domain",
                    "DOMAIN_DUPLICATE_IN_ORDER",
                    f"与第 {seen[key] + 1} 个网站的域名重复，同一订单中每个域名只能填写一次",
                )
            )
        else:
            seen[key] = i
    return out


def websites_problems(websites, entity_type=None) -> list:
    if not isinstance(websites, list) or not websites:
        return [("websites", "WEBSITE_COUNT_INVALID", "请至少填写 1 个网站")]
    if entity_type == "personal" and len(websites) != 1:
        out = [("websites", "WEBSITE_COUNT_INVALID", "个人备案每个订单只能包含 1 个网站")]
    elif len(websites) > MAX_WEBSITES:
        out = [("websites", "WEBSITE_COUNT_INVALID", f"每个订单最多包含 {MAX_WEBSITES} 个网站")]
    else:
        out = []
    for i, site in enumerate(websites):
        out += website_problems(site, i)
    return out + _duplicate_domains(websites)


def as_error_dict(problems) -> dict:
    return errors.as_errors(problems)


def validate_entity(entity) -> dict:
    return as_error_dict(entity_problems(entity))


def validate_website(website, index) -> dict:
    return as_error_dict(website_problems(website, index))


# A whole payload's checks depend on its kind: domain/payloads.py composes this module's
# checks by the kind's spec (payloads.payload_problems / payloads.validate_payload).
