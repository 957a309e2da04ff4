"""The 31 provincial-level divisions and their filing rules (domain.md §5, §6).

The table lives in `data/provinces.csv` (package data) and is read once, at
import: it never changes while the simulator runs.
"""

import csv
import functools
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path

from backend.domain.errors import fail

_CSV = Path(__file__).parent / "data" / "provinces.csv"

# Suffixes dropped to get the short name people type ("广西", not "广西壮族自治区").
# Longest first, so the ethnic part of an autonomous region's name goes too.
_NAME_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "省", "市")

# Public-security numbers seen in the wild that the CSV does not list:
# Guizhou's police use 贵 (贵公网安备52052302000396号 next to 黔ICP备2025056580号).
_EXTRA_POLICE_ABBR = {"贵": "52"}


@dataclass(frozen=True)
class Province:
    code: str
    name: str
    icp_abbr: str
    police_abbr: str
    bureau_wd_min: int
    bureau_wd_typical: int
    bureau_wd_max: int
    nonlocal_personal_id: str  # "refused" | "residence_permit"
    domain_min_months_left: int
    id_min_months_left: int
    temporary_id_refused: bool
    notes: str

    @property
    def short_name(self):
        for suffix in _NAME_SUFFIXES:
            if self.name.endswith(suffix):
                return self.name[: -len(suffix)]
        return self.name


def _row_to_province(row):
    ints = ("bureau_wd_min", "bureau_wd_typical", "bureau_wd_max", "domain_min_months_left", "id_min_months_left")
    values = dict(row)
    for key in ints:
        values[key] = int(values[key])
    values["temporary_id_refused"] = values["temporary_id_refused"].strip() == "yes"
    values["notes"] = values.get("notes") or ""
    return Province(**values)


def _load():
    with _CSV.open(encoding="utf-8", newline="") as f:
        rows = [_row_to_province(row) for row in csv.DictReader(f)]
    return sorted(rows, key=lambda p: p.code)


_ALL = _load()
_BY_CODE = {p.code: p for p in _ALL}
_BY_ICP_ABBR = {p.icp_abbr: p for p in _ALL}
_BY_POLICE_ABBR = {p.police_abbr: p for p in _ALL}
_BY_POLICE_ABBR.update({a: _BY_CODE[c] for a, c in _EXTRA_POLICE_ABBR.items() if a not in _BY_POLICE_ABBR})
# Every text form normalize() accepts, except numeric codes.
_BY_TEXT = {**_BY_POLICE_ABBR, **_BY_ICP_ABBR, **{p.short_name: p for p in _ALL}, **{p.name: p for p in _ALL}}


def _unknown(value):
    return fail("PROVINCE_UNKNOWN", f"无法识别的省份「{value}」：请填写省份名称、简称或 2 位/6 位行政区划代码")


def all_provinces():
    return list(_ALL)


def get(code):
    province = _BY_CODE.get(code) if isinstance(code, str) else None
    if province is None:
        raise _unknown(code)
    return province


def by_icp_abbr(abbr):
    return _BY_ICP_ABBR.get(abbr)


def by_police_abbr(abbr):
    return _BY_POLICE_ABBR.get(abbr)


def normalize(value):
    """Return the 2-digit code for a code, a division code, a name or an abbreviation."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    code = _code_of(value) if isinstance(value, str) else None
    if code is None:
        raise _unknown(value)
    return code


@functools.lru_cache(maxsize=1024)  # a pure function of the text, asked several times per review
def _code_of(value: str) -> str | None:
    # People paste full-width digits and stray spaces; NFKC folds the former.
    text = "".join(unicodedata.normalize("NFKC", value).split())
    if text.isascii() and text.isdigit() and len(text) in (2, 6):
        # A 6-digit code of any level (province, city, district) starts with
        # the province's two digits (GB/T 2260).
        province = _BY_CODE.get(text[:2])
    else:
        province = _BY_TEXT.get(text)
    return None if province is None else province.code


OVERRIDABLE = (
    "bureau_wd_min",
    "bureau_wd_typical",
    "bureau_wd_max",
    "nonlocal_personal_id",
    "domain_min_months_left",
    "id_min_months_left",
    "temporary_id_refused",
)


def with_overrides(province, overrides):
    """`province` with a sandbox's per-province overrides applied (setting
    `province_overrides`: {"44": {"bureau_wd_max": 5, …}}, keys by 2-digit code);
    unknown fields are ignored, so a typo never breaks a review."""
    if province is None or not overrides:
        return province
    changes = overrides.get(province.code) or {}
    changes = {k: v for k, v in changes.items() if k in OVERRIDABLE}
    return replace(province, **changes) if changes else province
