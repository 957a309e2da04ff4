"""Record numbers (备案号): issuing entity/website numbers and reading any number (domain.md §6).

The simulator issues only entity (`粤ICP备2026012345号`) and website (`…号-3`)
numbers. It reads more, because users type them into forms: App (`…号-3A`) and
mini-program (`…号-3X`) numbers, ICP licences (`粤B2-20090059`, `京ICP证030173号`)
and public-security numbers (`京公网安备11010802020287号`). The "year + sequence"
reading of serials is an inference from real numbers, not a published rule.
"""

import re
import unicodedata

from backend.domain import provinces
from backend.domain.errors import DomainError

FOUR_DIGIT_YEAR_FROM = 2020  # entity serials carry a 4-digit year from 2020 on
FIRST_FILING_YEAR = 2004  # oldest year accepted in an ICP备 serial
FIRST_LICENCE_YEAR = 2000  # ICP licences predate the filing system (京ICP证000007号)
MAX_SEQUENCE = 999_999  # an entity serial ends in 6 digits


# What parse() calls a number an entity's records hang from, and a website's number under it: an
# ICP licence holder's records use the licence as the entity number (process.md §7, W12, D2).
ENTITY_KINDS = ("entity", "icp_licence", "icp_licence_legacy")
WEBSITE_KINDS = ("website", "website_on_licence")


class InvalidNumber(DomainError):
    status = 422


# --- issuing -------------------------------------------------------------


def entity_number(province_code, year, seq):
    abbr = provinces.get(province_code).icp_abbr
    if not FIRST_FILING_YEAR <= year <= 9999:
        raise ValueError(f"year out of range: {year}")
    if not 1 <= seq <= MAX_SEQUENCE:
        raise ValueError(f"sequence out of range: {seq}")
    if year >= FOUR_DIGIT_YEAR_FROM:
        return f"{abbr}ICP备{year:04d}{seq:06d}号"
    return f"{abbr}ICP备{year % 100:02d}{seq:06d}号"


def licence_entity_number(licence):
    """The entity number of an ICP licence holder: the licence as written on record (粤B2-20090059)."""
    parsed = parse(licence)
    if parsed["kind"] not in ENTITY_KINDS[1:]:
        raise ValueError(f"not an ICP licence number: {licence}")
    return parsed["normalized"]


def website_number(entity_number, n):
    if n < 1:
        raise ValueError(f"website index must be >= 1: {n}")
    parsed = parse(entity_number)
    if parsed["kind"] not in ENTITY_KINDS:
        raise ValueError(f"not an entity number: {entity_number}")
    return f"{parsed['normalized']}-{n}"


# --- reading -------------------------------------------------------------

# Dashes people type instead of "-" (NFKC already folds the full-width one).
_DASHES = dict.fromkeys(map(ord, "‐‑‒–—―−﹘﹣"), "-")
# Invisible characters that survive copy-paste from web pages.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)

_SITE = r"(?:-(?P<site>[0-9]+)(?P<suffix>[AX])?)?"
# The province part is matched loosely (`.*?`) so a wrong or unknown one gets
# its own reason code instead of "unknown format".
_PATTERNS = (
    # 号 may also sit after the site index, as in 滇ICP备09010050-5号.
    ("icp", re.compile(rf"(?P<abbr>.*?)ICP备(?P<serial>[0-9]+)(?P<hao1>号)?{_SITE}(?P<hao2>号)?")),
    ("legacy", re.compile(rf"(?P<abbr>.*?)ICP证(?P<serial>[0-9]+)(?P<hao1>号)?{_SITE}(?P<hao2>号)?")),
    ("b2", re.compile(rf"(?P<abbr>.*?)B2-(?P<serial>[0-9]+){_SITE}")),
    ("police", re.compile(r"(?P<abbr>.*?)公网安备(?P<serial>[0-9]+)(?P<hao1>号)?")),
)

_KIND_BY_SUFFIX = {
    "icp": {None: "website", "A": "app", "X": "miniprogram"},
    "licence": {None: "website_on_licence", "A": "app_on_licence", "X": "miniprogram_on_licence"},
}


def _fail(code, message):
    raise InvalidNumber(code, message)


def _clean(text):
    text = unicodedata.normalize("NFKC", text).translate(_DASHES).translate(_INVISIBLE)
    return "".join(text.split()).upper()


def _match(text):
    for family, pattern in _PATTERNS:
        m = pattern.fullmatch(text)
        if m and not (m.groupdict().get("hao1") and m.groupdict().get("hao2")):
            return family, m
    _fail("NUMBER_UNKNOWN_FORMAT", f"无法识别的备案号格式：{text}")


def _province(family, abbr):
    """Find the province; ICP numbers use 蜀 for Sichuan, public-security ones 川."""
    if family == "icp":
        found, other = provinces.by_icp_abbr(abbr), provinces.by_police_abbr(abbr)
    elif family == "police":
        found, other = provinces.by_police_abbr(abbr), provinces.by_icp_abbr(abbr)
    else:
        # Licences: 川B2-… is seen next to 蜀ICP备…, so both forms are accepted.
        found, other = provinces.by_icp_abbr(abbr) or provinces.by_police_abbr(abbr), None
    if found:
        return found
    if other:
        right = other.icp_abbr if family == "icp" else other.police_abbr
        what = "ICP备案号" if family == "icp" else "公安备案号"
        _fail("NUMBER_WRONG_ABBR_FOR_KIND", f"{other.name}的{what}使用简称「{right}」，不是「{abbr}」")
    if not abbr:
        _fail("NUMBER_UNKNOWN_PROVINCE", "备案号缺少省份简称（如 粤、京）")
    _fail("NUMBER_UNKNOWN_PROVINCE", f"无法识别的省份简称「{abbr}」")


def _two_digit_year(yy):
    # 90-99 read as the 1990s, so they fail the earliest-year check rather
    # than pass as the 2090s.
    return 1900 + yy if yy >= 90 else 2000 + yy


def _check_year(year, earliest, today):
    if today is not None and year > today.year:
        _fail("NUMBER_BAD_YEAR", f"备案号中的年份 {year} 晚于当前日期")
    if year < earliest:
        _fail("NUMBER_BAD_YEAR", f"备案号中的年份 {year} 早于 {earliest} 年，不可能存在")


def _icp_serial(serial, today):
    """ICP备 serial: yy + 6 digits before 2020, yyyy + 6 digits from 2020."""
    if len(serial) not in (8, 10):
        _fail(
            "NUMBER_BAD_SERIAL_LENGTH",
            f"ICP 备案号的编号应为 8 位（2020 年前）或 10 位（2020 年起），实为 {len(serial)} 位",
        )
    if len(serial) == 10:
        year = int(serial[:4])
        _check_year(year, FIRST_FILING_YEAR, today)
        if year < FOUR_DIGIT_YEAR_FROM:
            _fail("NUMBER_BAD_YEAR", f"4 位年份的编号从 {FOUR_DIGIT_YEAR_FROM} 年起才使用，{year} 年的编号应为 8 位")
    else:
        year = _two_digit_year(int(serial[:2]))
        _check_year(year, FIRST_FILING_YEAR, today)
        if year >= FOUR_DIGIT_YEAR_FROM:
            _fail("NUMBER_BAD_YEAR", f"{FOUR_DIGIT_YEAR_FROM} 年起的编号使用 4 位年份，{year} 年的编号应为 10 位")
    return year, int(serial[-6:])


def _licence_serial(family, serial, today):
    """B2-YYYYNNNN, or the older ICP证 yyNNNN."""
    expected = 8 if family == "b2" else 6
    if len(serial) != expected:
        _fail("NUMBER_BAD_SERIAL_LENGTH", f"经营许可证编号应为 {expected} 位，实为 {len(serial)} 位")
    year = int(serial[:4]) if family == "b2" else _two_digit_year(int(serial[:2]))
    _check_year(year, FIRST_LICENCE_YEAR, today)
    return year, int(serial[-4:])


def _police_serial(serial, province):
    """14 digits starting with the county-level division code of the police office."""
    if len(serial) != 14:
        _fail("NUMBER_BAD_SERIAL_LENGTH", f"公安备案号应为 14 位数字，实为 {len(serial)} 位")
    if serial[:2] != province.code:
        _fail(
            "NUMBER_POLICE_DIVISION_MISMATCH",
            f"公安备案号的行政区划代码 {serial[:6]} 不属于{province.name}（应以 {province.code} 开头）",
        )


def _site_index(site):
    if site is None:
        return None
    if site.startswith("0"):
        _fail("NUMBER_BAD_SITE_INDEX", f"网站序号「{site}」无效：应为从 1 开始、不带前导 0 的数字")
    return int(site)


def _result(kind, province, abbr, serial, year, seq, site, suffix, base):
    tail = "" if site is None else f"-{site}{suffix or ''}"
    return {
        "kind": kind,
        "normalized": base + tail,
        "province_code": province.code,
        "province_abbr": abbr,
        "province_name": province.name,
        "serial": serial,
        "year": year,
        "sequence": seq,
        "site_index": site,
        "suffix": suffix,
        "entity_number": base if kind != "public_security" else None,
    }


def parse(text, today=None):
    """Describe any record number, or raise InvalidNumber with a stable reason code.

    `today` (a date, e.g. the sandbox's virtual date) enables the future-year
    check; without it the result does not depend on the clock.
    """
    if text is None or (isinstance(text, str) and not _clean(text)):
        _fail("NUMBER_EMPTY", "请填写备案号")
    if not isinstance(text, str):
        _fail("NUMBER_UNKNOWN_FORMAT", f"备案号应为文本：{text!r}")
    family, m = _match(_clean(text))
    # The abbreviation is kept as written once validated: 川B2-… and
    # 贵公网安备… are the usual forms, not misspellings of 蜀/黔.
    abbr, serial, suffix = m["abbr"], m["serial"], m.groupdict().get("suffix")
    province = _province(family, abbr)
    if family == "police":
        _police_serial(serial, province)
        return _result("public_security", province, abbr, serial, None, None, None, None, f"{abbr}公网安备{serial}号")
    site = _site_index(m["site"])
    if family == "icp":
        year, seq = _icp_serial(serial, today)
        base = f"{abbr}ICP备{serial}号"
        kind = "entity" if site is None else _KIND_BY_SUFFIX["icp"][suffix]
    else:
        year, seq = _licence_serial(family, serial, today)
        base = f"{abbr}B2-{serial}" if family == "b2" else f"{abbr}ICP证{serial}号"
        plain = "icp_licence" if family == "b2" else "icp_licence_legacy"
        kind = plain if site is None else _KIND_BY_SUFFIX["licence"][suffix]
    return _result(kind, province, abbr, serial, year, seq, site, suffix, base)


# Why a number that reads as a record number is still not written as one. Checked in this
# order on the text as typed; the first that applies is the reason (each with a stable code).
_NOT_AS_WRITTEN = (
    (
        "NUMBER_INVISIBLE_CHARACTERS",
        lambda t: any(ord(c) in _INVISIBLE for c in t),
        "备案号中含有不可见字符（常见于从网页复制），请删除后重新填写",
    ),
    ("NUMBER_HAS_SPACES", lambda t: any(c.isspace() for c in t), "备案号中不能有空格"),
    (
        "NUMBER_FULL_WIDTH",
        lambda t: unicodedata.normalize("NFKC", t) != t,
        "备案号中的字母、数字和连字符应为半角字符，不能使用全角字符",
    ),
    ("NUMBER_WRONG_DASH", lambda t: any(ord(c) in _DASHES for c in t), "网站序号前应使用半角连字符「-」"),
    ("NUMBER_LOWERCASE", lambda t: t != t.upper(), "备案号中的字母应为大写（如「ICP」「B2」「A」「X」）"),
)


def _as_written(text, normalized):
    """None when `text` is the number exactly as it is written, else (code, message)."""
    if text == normalized:
        return None
    for code, applies, message in _NOT_AS_WRITTEN:
        if applies(text):
            return code, message
    if "号" not in text and "号" in normalized:
        return "NUMBER_MISSING_HAO", "备案号的编号后缺少「号」字"
    if text.endswith("号") and not normalized.endswith("号"):
        return "NUMBER_HAO_MISPLACED", "「号」应紧跟在编号之后、网站序号之前"
    return "NUMBER_NOT_AS_WRITTEN", "备案号的写法不规范"


def describe(text, today=None):
    """The validator: a dict either way, never an exception for bad input.

    Strict: a number is valid only as it is written on record. A typed form that parse()
    reads (spaces, lower case, full-width characters, a missing 号…) is invalid with the
    reason, and `suggestion` gives the number as it should be written."""
    try:
        parsed = parse(text, today=today)
    except InvalidNumber as e:
        return {"valid": False, "code": e.code, "message": e.message, "input": text}
    problem = _as_written(text, parsed["normalized"])
    if problem:
        return {
            "valid": False,
            "code": problem[0],
            "message": f"{problem[1]}，应为：{parsed['normalized']}",
            "input": text,
            "suggestion": parsed["normalized"],
        }
    return {"valid": True, **parsed}
