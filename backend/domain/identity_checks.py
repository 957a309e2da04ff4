"""Entry checks of people and organisations (domain.md §7): certificate numbers with their
checksums, which certificate fits which entity type, mobile, e-mail, province.

Each returns a list of `(code, zh_message)` problems, empty when fine; `validation`
re-exports them and builds the per-field error dicts from them.
"""

import csv
import functools
import re
from datetime import date
from pathlib import Path

from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric, uscc

from backend.domain import provinces
from backend.domain.domain_names import domain_syntax

_DATA = Path(__file__).parent / "data"


def _rows(name):
    with (_DATA / name).open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


# process.md §2.2 as data: the entity types (names canonical, GH1/GH2 ids kept as data) with the
# certificates each accepts, and the certificate types with their number rule
ENTITY_TYPE_TABLE = {r["code"]: r for r in _rows("entity_types.csv")}
CERT_TYPE_TABLE = {r["code"]: r for r in _rows("certificate_types.csv")}
ENTITY_TYPES = tuple(ENTITY_TYPE_TABLE)
PERSON_CERT_TYPES = tuple(c for c, r in CERT_TYPE_TABLE.items() if r["holder"] == "person")
ORG_CERT_TYPES = tuple(c for c, r in CERT_TYPE_TABLE.items() if r["holder"] == "org")
CERT_TYPES = PERSON_CERT_TYPES + ORG_CERT_TYPES
ACCEPTED_CERTS = {code: tuple(r["certificates"].split()) for code, r in ENTITY_TYPE_TABLE.items()}

# Resident-ID-format numbers also start with 71/81/82/83: the residence permits
# of Taiwan, Hong Kong and Macao residents. They are not filing provinces.
_NON_PROVINCE_ID_REGIONS = ("71", "81", "82", "83")

# Certificate shapes without a public checksum: only length and charset are checked.
_CERT_PATTERNS = {
    code: (re.compile(r["pattern"]), r["message"])
    for code, r in CERT_TYPE_TABLE.items()
    if r["rule"] in ("pattern", "uscc_or_legacy")
}


def names(codes) -> str:
    """'居民身份证（resident_id）、护照（passport）…': the allowed list a message names."""
    table = {**ENTITY_TYPE_TABLE, **CERT_TYPE_TABLE}
    return "、".join(f"{table[c]['name']}（{c}）" if c in table else c for c in codes)


# ASCII digits only ([0-9], not \d): str.isdigit() and \d also accept "²" or "٣", which int() or
# stdnum then choke on.
_MOBILE = re.compile(r"(?:\+?86)?(1[3-9][0-9]{9})")
# Virtual-operator (移动通信转售) ranges: MIIT's verification SMS does not reach them (process.md
# §1.4 不支持该手机号段, §2.7); the prefixes are data.
with (Path(__file__).parent / "data" / "unsupported_mobile_ranges.csv").open(encoding="utf-8") as _f:
    UNSUPPORTED_MOBILE_PREFIXES = tuple(row["prefix"] for row in csv.DictReader(_f))
_RESIDENT_ID = re.compile(r"[0-9]{17}[0-9X]")
_EMAIL_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")


def problem(code, message):
    return [(code, message)]


def text_of(value):
    return value.strip() if isinstance(value, str) else ""


def check_resident_id(value) -> list:
    """18-digit resident ID: shape, province part, birth date, GB 11643 checksum.

    stdnum's county table is not used: county codes change over the years and
    the simulator only needs the province (for the non-local ID rule).
    """
    return list(_resident_id_problems(text_of(value)))


# A pure function of the number, asked several times per review of the same few numbers (the
# rules, the materials a person needs, the filing province): remembered, a bounded cache.
@functools.lru_cache(maxsize=4096)
def _resident_id_problems(text: str) -> tuple:
    number = ric.compact(text)
    if not _RESIDENT_ID.fullmatch(number):
        return (("ID_FORMAT_INVALID", "居民身份证号码应为 18 位，前 17 位为数字，最后一位为数字或 X"),)
    region = number[:2]
    if region not in _NON_PROVINCE_ID_REGIONS and not is_province_code(region):
        return (("ID_REGION_INVALID", "居民身份证号码前两位不是有效的省级行政区划代码"),)
    try:
        born = ric.get_birth_date(number)
    except stdnum_errors.ValidationError:
        born = None
    if born is None or born.year < 1900:
        return (("ID_BIRTH_DATE_INVALID", "居民身份证号码中的出生日期无效"),)
    if number[17] != ric.calc_check_digit(number):
        return (("ID_CHECKSUM_INVALID", "居民身份证号码校验位错误，请核对后重新填写"),)
    return ()


@functools.lru_cache(maxsize=4096)
def birth_date(number: str) -> date:
    """Birth date encoded in an 18-digit resident ID (digits 7–14)."""
    return ric.get_birth_date(ric.compact(number))


@functools.lru_cache(maxsize=4096)
def id_province(number: str) -> str:
    """The 2-digit province code that starts a resident ID ('44' for Guangdong)."""
    return ric.compact(number)[:2]


def check_uscc(value) -> list:
    """Unified social credit code (GB 32100): 18 characters and a mod-31 check character."""
    number = uscc.compact(text_of(value))
    try:
        uscc.validate(number)
    except stdnum_errors.InvalidChecksum:
        return problem("USCC_CHECKSUM_INVALID", "统一社会信用代码校验位错误，请核对后重新填写")
    except stdnum_errors.ValidationError:
        return problem("USCC_FORMAT_INVALID", "统一社会信用代码应为 18 位，由数字和大写字母组成（不含 I、O、Z、S、V）")
    return []


def uscc_province(number: str) -> str:
    """Province of a USCC's registering authority: its division code is characters 3–8."""
    return uscc.compact(number)[2:4]


def check_certificate(cert_type, number) -> list:
    """The number of a certificate type by the type's rule (data/certificate_types.csv): the GB
    checksums of resident IDs and USCCs, a resident-ID number of the permit's region, or a shape."""
    if cert_type not in CERT_TYPES:
        return problem("CERT_TYPE_UNKNOWN", "不支持的证件类型，可选：" + names(CERT_TYPES))
    if not text_of(number):
        return problem("FIELD_REQUIRED", "请填写证件号码")
    rule = CERT_TYPE_TABLE[cert_type]["rule"]
    if rule == "resident_id":
        return check_resident_id(number)
    if rule == "resident_id_region":
        regions = tuple(CERT_TYPE_TABLE[cert_type]["pattern"].split())
        if not ric.compact(text_of(number)).startswith(regions):
            return problem("CERT_NUMBER_INVALID", CERT_TYPE_TABLE[cert_type]["message"])
        return check_resident_id(number)
    if rule == "uscc" or (rule == "uscc_or_legacy" and len(uscc.compact(text_of(number))) == 18):
        return check_uscc(number)
    pattern, message = _CERT_PATTERNS[cert_type]
    if not pattern.fullmatch(text_of(number).upper()):
        return problem("CERT_NUMBER_INVALID", message)
    return []


def check_cert_type_for_entity(entity_type, cert_type) -> list:
    """Which certificates an entity type files with (process.md §2.2, data/entity_types.csv)."""
    if entity_type not in ENTITY_TYPES:
        return problem("ENTITY_TYPE_UNKNOWN", "不支持的主办者性质，可选：" + names(ENTITY_TYPES))
    allowed = ACCEPTED_CERTS[entity_type]
    if cert_type in CERT_TYPES and cert_type not in allowed:
        if entity_type == "personal":
            return problem("CERT_TYPE_MISMATCH", "个人主体应使用居民身份证、护照或港澳台居民通行证等个人证件")
        if cert_type in PERSON_CERT_TYPES:
            return problem("CERT_TYPE_MISMATCH", "单位主体应使用统一社会信用代码或组织机构代码证")
        label = ENTITY_TYPE_TABLE[entity_type]["name"]
        return problem("CERT_TYPE_MISMATCH", f"主办者性质为{label}时，证件类型可选：{names(allowed)}")
    return []


def check_person_cert_type(cert_type) -> list:
    """A responsible person is a person, whatever the entity."""
    if cert_type in ORG_CERT_TYPES:
        return problem("CERT_TYPE_MISMATCH", "负责人应使用居民身份证、护照或港澳台居民通行证等个人证件")
    return []


def normalize_mobile(value) -> str | None:
    """'+86 138-0013-8000' -> '13800138000'; None when it is not a mainland mobile."""
    digits = re.sub(r"[\s\-()]", "", value) if isinstance(value, str) else ""
    match = _MOBILE.fullmatch(digits)
    return match.group(1) if match else None


def check_mobile(value) -> list:
    mobile = normalize_mobile(value)
    if mobile is None:
        return problem("MOBILE_INVALID", "请填写有效的中国大陆手机号码（11 位，以 13–19 开头）")
    if mobile.startswith(UNSUPPORTED_MOBILE_PREFIXES):
        return problem(
            "MOBILE_RANGE_UNSUPPORTED",
            f"不支持该手机号段：{mobile[:3]} 等虚拟运营商号段收不到工信部核验短信，请更换三大运营商的手机号码",
        )
    return []


def check_email(value) -> list:
    text = text_of(value)
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
        return problem("EMAIL_INVALID", "请填写有效的电子邮箱地址，例如 name@example.com")
    return []


def check_province(value) -> list:
    if _province_code(value) is None:
        return problem("PROVINCE_UNKNOWN", "无法识别的省份，请填写 2 位省级行政区划代码，例如 44（广东省）")
    return []


def _province_code(value):
    try:
        return provinces.normalize(value)
    except Exception:  # provinces raises DomainError; any failure means "unknown"
        return None


def is_province_code(code) -> bool:
    """True for the 2-digit code of one of the 31 provincial-level divisions."""
    return isinstance(code, str) and len(code) == 2 and _province_code(code) == code
