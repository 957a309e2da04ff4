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

from backend.domain import errors, limits, service_contents
from backend.domain.domain_names import check_domain, domain_ascii, domain_syntax, domain_unicode, normalize_domain  # noqa: F401
from backend.domain.identity_checks import (  # noqa: F401  (re-exported: callers know them as validation.*)
    CERT_TYPE_TABLE,
    CERT_TYPES,
    ENTITY_TYPE_TABLE,
    ENTITY_TYPES,
    ORG_CERT_TYPES,
    PERSON_CERT_TYPES,
    birth_date,
    check_cert_type_for_entity,
    check_certificate,
    check_email,
    check_mobile,
    check_person_cert_type,
    check_province,
    check_resident_id,
    check_uscc,
    id_province,
    is_province_code,
    normalize_mobile,
    problem as _problem,
    text_of as _text,
    uscc_province,
)

SERVICE_CONTENTS = service_contents.CODES  # data/service_content_types.csv; a website picks several
MAX_WEBSITES = limits.MAX_WEBSITES

# Ideographic and full-width full stops: IME users type them as the dot.
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_NAME_ALLOWED = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaffA-Za-z0-9 ·]+")
MAX_WEBSITE_NAME = limits.MAX_WEBSITE_NAME


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
    if not is_blank(website.get("service_content")):
        out += service_contents.problems(website["service_content"], prefix)
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
