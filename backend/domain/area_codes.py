"""固定电话区号 (process.md §2.1 办公室电话, T37, T48, A6): an office phone given as a landline
carries an area code, and that code should match the mailing address — the province, and the
city where the code serves named cities (0755 深圳, 0731 长沙/湘潭/株洲). A municipality's code
(010, 021, 022, 023) and Hainan's 0898 serve the whole province.

The table is `data/area_codes.csv` (source in its header; rebuilt by tools/build_area_codes.py),
longest prefix first: a 2-digit row such as 33 (河北秦皇岛) covers the 033x codes no 3-digit row
names. A code the table does not know is not refused (the table may lag a renumbering).

Pure: no Flask, Redis or RQ.
"""

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from backend.domain import divisions

_CSV = Path(__file__).parent / "data" / "area_codes.csv"
_LANDLINE = re.compile(r"0([1-9][0-9]{1,2})-?[1-9][0-9]{6,7}")


@dataclass(frozen=True)
class AreaCode:
    prefix: str  # the digits after the trunk 0
    province: str  # 6-digit province code
    cities: tuple  # 6-digit city codes; (): the whole province


def _load() -> dict[str, AreaCode]:
    with _CSV.open(encoding="utf-8", newline="") as f:
        rows = csv.DictReader(line for line in f if not line.startswith("#"))
        return {
            r["prefix"]: AreaCode(r["prefix"], r["province"], tuple(c for c in r["cities"].split(";") if c))
            for r in rows
        }


TABLE = _load()


def of(phone: object) -> AreaCode | None:
    """The area code a landline (0755-86013388, 075586013388) dials, None for a mobile, an
    unreadable number or a code the table does not know."""
    m = _LANDLINE.fullmatch(str(phone or "").strip())
    if m is None:
        return None
    digits = str(phone).strip()[1:].replace("-", "")
    for length in (3, 2):
        hit = TABLE.get(digits[:length])
        if hit is not None:
            return hit
    return None


def mismatch(phone: object, address: object) -> str | None:
    """zh-CN message when `phone`'s area code is not the mailing address's (province, then city);
    None when it matches, or when either side cannot be told."""
    code = of(phone)
    if code is None or not isinstance(address, dict):
        return None
    province, city = str(address.get("province_code") or ""), str(address.get("city_code") or "")
    if not divisions.is_province(province):
        return None
    dialled = "0" + code.prefix
    if code.province != province:
        return f"办公室电话的区号 {dialled} 不属于通信地址所在省份（{divisions.name(province)}），请填写通信地址所在地的固定电话"
    if code.cities and divisions.contains(province, city) and city not in code.cities:
        return f"办公室电话的区号 {dialled} 不属于通信地址所在城市（{divisions.name(city)}），请填写通信地址所在地的固定电话"
    return None


def problems(person: object, address: object, path: str) -> list[tuple[str, str, str]]:
    """The 负责人's office phone against the entity's mailing address (`path`: the phone's field)."""
    if not isinstance(person, dict):
        return []
    message = mismatch(person.get("office_phone"), address)
    return [(path, "OFFICE_PHONE_AREA_CODE_MISMATCH", message)] if message else []
