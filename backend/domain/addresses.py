"""通信地址 (process.md §2.1): the mailing address as division codes + street, inside the filing
province, and — in Hebei, Henan and Guizhou — in the same city as the 证件住所 (H2: "通讯地址与
证件住址不可跨市"; province_rules.csv `address_same_city`).

The 证件住所 is free text as printed on the certificate; its city is the first city (or, failing
that, county-level division) of the province it names. An address that names none cannot be told
and is left to the reviewer.

Pure: no Flask, Redis or RQ.
"""

import re

from backend.domain import divisions, limits

MAX_STREET = limits.MAX_STREET
_SUFFIX = re.compile(r"(市|地区|自治州|盟)$")
_PROVINCE_SUFFIX = re.compile(r"(省|市|壮族自治区|回族自治区|维吾尔自治区|自治区)$")


def address_problems(addr, province, prefix):
    if not isinstance(addr, dict):
        return [(prefix, "FIELD_REQUIRED", "请选择通信地址的省、市、区县并填写街道门牌")]
    out = []
    p, c, d = (str(addr.get(k) or "") for k in ("province_code", "city_code", "district_code"))
    if not divisions.is_province(p):
        out.append((f"{prefix}.province_code", "DIVISION_UNKNOWN", "请选择省份（6 位行政区划代码，如 440000）"))
    elif province and p[:2] != str(province)[:2]:
        out.append((f"{prefix}.province_code", "ADDRESS_PROVINCE_MISMATCH", "通信地址须在备案地域所在省份"))
    if not divisions.contains(p, c):
        out.append((f"{prefix}.city_code", "DIVISION_NOT_IN_PARENT", "所选城市不属于所选省份"))
    if not divisions.contains(c, d):
        out.append((f"{prefix}.district_code", "DIVISION_NOT_IN_PARENT", "所选区县不属于所选城市"))
    street = str(addr.get("street") or "").strip()
    if not street:
        out.append(
            (f"{prefix}.street", "FIELD_REQUIRED", "请填写街道和门牌号（详细到门牌；已是最详细地址的请在备注说明）")
        )
    elif len(street) > MAX_STREET:
        out.append((f"{prefix}.street", "FIELD_TOO_LONG", f"街道地址不能超过 {MAX_STREET} 个字符"))
    return out


def _places(province: str) -> list[tuple[str, str]]:
    """(name as written, city code) for the cities of a province and their stems (石家庄市 → 石家庄),
    then its county-level divisions (涿州市 → 保定市), the way an address may name them."""
    cities = [c for c in divisions.children(province) if c["code"] != province]
    out = []
    for city in cities:
        stem = _SUFFIX.sub("", city["name"])
        if city["name"] != "市辖区":
            out += [(city["name"], city["code"])] + ([(stem, city["code"])] if len(stem) >= 2 else [])
    for city in cities:
        out += [(d["name"], city["code"]) for d in divisions.children(city["code"]) if len(d["name"]) >= 3]
    return out


def city_named(text: str, province: str) -> str | None:
    """The city code of the first city a free-text address names within `province` (6 digits)."""
    name = divisions.name(province) or ""
    for head in (name, _PROVINCE_SUFFIX.sub("", name)):
        if head and text.startswith(head):
            text = text[len(head) :]
            break
    hits = [(text.find(written), code) for written, code in _places(province) if written in text]
    return min(hits)[1] if hits else None


def cross_city_problems(entity: dict, rules, path: str) -> list[tuple[str, str, str]]:
    """The mailing address in another city than the 证件住所, where the province forbids it."""
    address, printed = entity.get("mailing_address"), entity.get("certificate_address")
    if not (rules.address_same_city and isinstance(address, dict) and isinstance(printed, str)):
        return []
    province, city = str(address.get("province_code") or ""), str(address.get("city_code") or "")
    if not divisions.contains(province, city):
        return []
    named = city_named(printed.strip(), province)
    if named is None or named == city:
        return []
    return [
        (
            path,
            "ADDRESS_CROSS_CITY",
            f"本省通信地址不能跨市：须与证件住所在同一城市（{divisions.name(named)}）",
        )
    ]
