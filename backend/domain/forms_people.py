"""The people of one order, checked together at entry (process.md §2.1, §2.7, §8): the same person
(one certificate number) named twice must not contradict their own ID validity; different people
need different mobiles and e-mails, and an emergency phone must not be another person's mobile; a temporary
resident ID (临时居民身份证) is refused where the province says so (provinces.csv).

`problems(payload, province, record)` gives (path, code, zh message) triples like forms_rules;
`record` is the entity on record the order is about (its 主体负责人 counts as one of the people).
"""

import re
from datetime import date

from backend.domain import provinces, validation
from backend.domain.filings import same_text
from backend.domain.review_checks import add_months, age_on

VALIDITY_FIELDS = {"id_valid_from": "证件有效期起始日期", "id_valid_until": "证件有效期截止日期"}
TEMPORARY_ID_MAX_MONTHS = 12  # a validity span under a year is a 临时居民身份证 (valid 3 months)


def _where(prefix: str | None) -> str:
    if prefix is None:
        return "已备案的主体负责人"
    if prefix == "entity":
        return "主体信息"
    if prefix == "entity.responsible":
        return "主体负责人"
    return f"网站 {int(prefix.split('.')[1]) + 1} 的负责人"


def people(payload: dict, record: dict | None = None) -> list[tuple[str | None, dict]]:
    """(path prefix, person) of everyone the order names, the record's 主体负责人 first (prefix None)."""
    out: list[tuple[str | None, dict]] = []
    if isinstance(record, dict) and isinstance(record.get("responsible"), dict):
        out.append((None, record["responsible"]))
    entity = payload.get("entity")
    if isinstance(entity, dict):
        if entity.get("type") == "personal":
            out.append(("entity", entity))  # a person files as themself: the entity is that person
        if isinstance(entity.get("responsible"), dict):
            out.append(("entity.responsible", entity["responsible"]))
    for i, site in enumerate(payload.get("websites") or []):
        if isinstance(site, dict) and isinstance(site.get("responsible"), dict):
            out.append((f"websites.{i}.responsible", site["responsible"]))
    return out


def _same(a: dict, b: dict) -> bool:
    return same_text(a.get("certificate_number"), b.get("certificate_number"))


def consistency_problems(named: list) -> list[tuple[str, str, str]]:
    """One person, several places: the ID validity must read the same everywhere in the order."""
    out = []
    for k, (prefix, person) in enumerate(named):
        if prefix is None:
            continue  # the record may be older than a renewed ID
        for field, label in VALIDITY_FIELDS.items():
            value = person.get(field)
            first = next(
                (
                    p
                    for p, other in named[:k]
                    if p is not None and _same(person, other) and other.get(field) not in (None, "")
                ),
                None,
            )
            if value in (None, "") or first is None:
                continue
            earlier = dict(named)[first].get(field)
            if str(earlier).strip() != str(value).strip():
                out.append(
                    (
                        f"{prefix}.{field}",
                        "PERSON_DATA_CONFLICT",
                        f"同一人（证件号码相同）的{label}前后不一致：与{_where(first)}填写的「{earlier}」不同",
                    )
                )
    return out


def _email(person: dict) -> str:
    return str(person.get("email") or "").strip().lower()


def email_problems(named: list) -> list[tuple[str, str, str]]:
    """§2.7 (H5): different people need different e-mails (the record's 主体负责人 counts)."""
    out = []
    for k, (prefix, person) in enumerate(named):
        email = _email(person)
        if prefix is None or not email:
            continue
        other_prefix = next((p for p, other in named[:k] if not _same(person, other) and _email(other) == email), "")
        if other_prefix != "":
            out.append(
                (
                    f"{prefix}.email",
                    "EMAIL_SHARED_BETWEEN_PEOPLE",
                    f"不同负责人不能使用同一电子邮箱：该邮箱已是{_where(other_prefix)}的电子邮箱",
                )
            )
    return out


def phone_problems(named: list) -> list[tuple[str, str, str]]:
    """§2.7: different people need different mobiles; no one's emergency phone is another's mobile."""
    out = []
    for k, (prefix, person) in enumerate(named):
        if prefix is None:
            continue
        mobile = validation.normalize_mobile(person.get("mobile"))
        emergency = validation.normalize_mobile(person.get("emergency_phone"))
        for other_prefix, other in named[:k] if mobile else []:
            if not _same(person, other) and validation.normalize_mobile(other.get("mobile")) == mobile:
                out.append(
                    (
                        f"{prefix}.mobile",
                        "MOBILE_SHARED_BETWEEN_PEOPLE",
                        f"不同负责人不能使用同一手机号码：该号码已是{_where(other_prefix)}的手机号码",
                    )
                )
                break
        for other_prefix, other in named if emergency else []:
            if not _same(person, other) and validation.normalize_mobile(other.get("mobile")) == emergency:
                out.append(
                    (
                        f"{prefix}.emergency_phone",
                        "EMERGENCY_IS_OTHERS_MOBILE",
                        f"应急联系电话不能是其他负责人的手机号码（该号码是{_where(other_prefix)}的手机号码）",
                    )
                )
                break
    return out


def _date(value):
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def is_temporary_id(person: dict) -> bool:
    """A resident ID valid for less than a year: a 临时居民身份证 (regular ones run 5 years or more)."""
    start, end = _date(person.get("id_valid_from")), _date(person.get("id_valid_until"))
    if person.get("certificate_type", "resident_id") != "resident_id" or start is None or end is None:
        return False
    return end < add_months(start, TEMPORARY_ID_MAX_MONTHS)


def temporary_id_problems(named: list, province: str | None) -> list[tuple[str, str, str]]:
    try:
        refused = provinces.get(str(province or "")[:2]).temporary_id_refused
    except Exception:  # unknown province: entry validation reports it
        return []
    return [
        (f"{prefix}.id_valid_from", "TEMPORARY_ID_REFUSED", "本省不接受临时居民身份证备案，请使用正式居民身份证")
        for prefix, person in named
        if prefix is not None and refused and is_temporary_id(person)
    ]


# 香港身份证 A123456(7) / AB123456(A); 澳门身份证 1234567(8); brackets half- or full-width
_HK_MACAO_ID = re.compile(r"([A-Z]{1,2}[0-9]{6}|[157][0-9]{6})[(（][0-9A][)）]")


def hk_macao_id_problems(named: list) -> list[tuple[str, str, str]]:
    """The HK/Macau ID card number a permit holder may add (Zhejiang's SMS check asks its last 6,
    process.md §5 [A1, V2]): only with 港澳居民来往内地通行证, in the card's format."""
    out = []
    for prefix, person in named:
        given = person.get("hk_macao_id") if prefix not in (None, "entity") else None
        if not given:
            continue
        if person.get("certificate_type") != "hk_macao_permit":
            message = "只有持港澳居民来往内地通行证的负责人才填写港澳居民身份证号码"
            out.append((f"{prefix}.hk_macao_id", "FIELD_NOT_ALLOWED", message))
        elif not _HK_MACAO_ID.fullmatch(str(given).strip().upper()):
            message = "港澳居民身份证号码格式如 A123456(7)（香港）或 1234567(8)（澳门）"
            out.append((f"{prefix}.hk_macao_id", "FIELD_INVALID", message))
    return out


# an 18-digit resident-ID-shaped number carries the birth date (the residence permits too)
_BIRTH_DATED = ("resident_id", "hk_macao_residence_permit", "taiwan_residence_permit")
ROLE_ZH = {"entity.responsible": "主体负责人"}


def minor_problems(named: list, today: date, min_age: int) -> list[tuple[str, str, str]]:
    """A responsible person (主体负责人, 网站负责人; a person filing as themself) under `min_age`
    on the sandbox's virtual date, from the birth date in the ID number: refused at entry (the
    provider's review keeps the same rule, RESPONSIBLE_UNDER_18, for orders written before)."""
    out = []
    for prefix, person in named:
        if prefix is None or prefix == "entity" and any(p == "entity.responsible" for p, _ in named):
            continue  # the record's own; a person filing as themself is checked as entity.responsible
        number = person.get("certificate_number")
        if person.get("certificate_type", "resident_id") not in _BIRTH_DATED or validation.check_certificate(
            person.get("certificate_type", "resident_id"), number
        ):
            continue  # only a valid birth-dated number tells the age; a bad one is reported elsewhere
        age = age_on(validation.birth_date(number), today)
        if age < min_age:
            role = "网站负责人" if prefix.startswith("websites.") else "主体负责人"
            out.append(
                (
                    f"{prefix}.certificate_number",
                    "RESPONSIBLE_UNDER_18",
                    f"{role}须年满 {min_age} 周岁（按证件号码中的出生日期，现年 {age} 周岁）；"
                    "未成年人可由监护人作为负责人办理备案",
                )
            )
    return out


def problems(payload: dict, province: str | None, record: dict | None = None) -> list[tuple[str, str, str]]:
    named = people(payload, record)
    return (
        consistency_problems(named)
        + phone_problems(named)
        + email_problems(named)
        + temporary_id_problems(named, province)
        + hk_macao_id_problems(named)
    )
