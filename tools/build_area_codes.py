"""Rebuild backend/domain/data/area_codes.csv: which province and cities each Chinese landline
area code (长途区号) serves, for the office-phone check (process.md §2.1: the office phone's area
code should match the mailing address).

Usage: python tools/build_area_codes.py > backend/domain/data/area_codes.csv
Needs the `phonenumbers` package (PyPI; only for this rebuild, not a dependency of icpsim): its
offline geocoder names, for each +86 prefix, the place in Chinese ("广东省深圳市"). The names are
matched to backend/domain/data/divisions.csv: a city by its name or its stem (黔南 → 黔南布依族苗族
自治州), a county-level city (芒市, 仙桃市) by its parent city.

One row per prefix (the digits after the trunk 0, 2 or 3 of them; a 2-digit prefix such as 33
covers every 033x code the table does not list itself). `cities` empty: the code serves the whole
province (the municipalities, and Hainan's 0898).
"""

import csv
import re
import sys
from pathlib import Path

DIVISIONS = Path(__file__).resolve().parent.parent / "backend" / "domain" / "data" / "divisions.csv"
WHOLE_PROVINCE = {"10", "21", "22", "23", "898"}  # 010 北京, 021 上海, 022 天津, 023 重庆, 0898 海南
ALIASES = {"襄樊": "襄阳", "株州": "株洲"}  # the geocoder's old or misspelt names
# cities sharing a code with the one the geocoder names (it lists only one), and 0378 it lacks
EXTRA = {
    "378": ("410000", ["开封市"]),
    "391": ("410000", ["济源市"]),
    "558": ("340000", ["亳州市"]),
    "719": ("420000", ["神农架林区"]),
    "772": ("450000", ["来宾市"]),
    "774": ("450000", ["贺州市"]),
    "775": ("450000", ["贵港市"]),
    "935": ("620000", ["金昌市"]),
    "937": ("620000", ["嘉峪关市"]),
}
_SUFFIX = re.compile(r"(市|地区|自治州|盟)$")
_PROVINCE_SUFFIX = re.compile(r"(省|市|壮族自治区|回族自治区|维吾尔自治区|自治区)$")


def _divisions():
    with DIVISIONS.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(line for line in f if not line.startswith("#")))
    provinces = {r["code"]: r["name"] for r in rows if not r["parent"]}
    cities = {r["code"]: r for r in rows if r["parent"] in provinces and r["code"] != r["parent"]}
    districts = [r for r in rows if r["parent"] in cities and r["code"] != r["parent"]]
    return provinces, cities, districts


def _province(text, provinces):
    for code, name in provinces.items():
        stem = _PROVINCE_SUFFIX.sub("", name)
        if text.startswith(name) or text.startswith(stem):
            return code, text[len(name) if text.startswith(name) else len(stem) :]
    return None, text


def _city(name, province, cities, districts):
    """The city code a geocoder place name stands for, within `province`; None when unknown."""
    mine = {c: r for c, r in cities.items() if c[:2] == province[:2]}
    for code, row in mine.items():
        if row["name"] == name:
            return code
    for row in districts:
        if row["code"][:2] == province[:2] and row["name"] == name:
            return row["parent"] if row["parent"] in mine else row["code"][:4] + "00"
    stem = _SUFFIX.sub("", name)
    stem = ALIASES.get(stem, stem)
    hits = [c for c, r in mine.items() if r["name"].startswith(stem)]
    return hits[0] if len(hits) == 1 else None


def rows():
    from phonenumbers.geodata import GEOCODE_DATA

    provinces, cities, districts = _divisions()
    out, unknown = [], []
    for key, names in sorted(GEOCODE_DATA.items(), key=lambda kv: str(kv[0])):
        key = str(key)
        prefix = key[2:]
        if (
            not key.startswith("86")
            or not 2 <= len(prefix) <= 3
            or (prefix[0] == "1" and prefix != "10")
            or not names.get("zh")
        ):
            continue
        province, rest = _province(names["zh"], provinces)
        if province is None:
            unknown.append(names["zh"])
            continue
        codes = []
        if prefix not in WHOLE_PROVINCE:
            for name in filter(None, rest.split("、")):
                city = _city(name, province, cities, districts)
                if city is None:
                    unknown.append(names["zh"] + f" ({name})")
                elif city not in codes:
                    codes.append(city)
        out.append((prefix, province, codes, names["zh"]))
    known = {row[0]: row for row in out}
    for prefix, (province, names) in EXTRA.items():
        row = known.get(prefix) or (prefix, province, [], "")
        if prefix not in known:
            out.append(row)
        for name in names:
            row[2].append(_city(name, province, cities, districts))
        known[prefix] = (prefix, province, row[2], "、".join(filter(None, [row[3], *names])))
    out = sorted((known[p] for p in {row[0] for row in out}), key=lambda row: row[0])
    out = [(p, province, ";".join(codes), place) for p, province, codes, place in out]
    for text in unknown:
        print(f"unmatched: {text}", file=sys.stderr)
    return out


def main():
    w = csv.writer(sys.stdout, lineterminator="\n")
    sys.stdout.write(
        "# 固定电话长途区号 → 省、市（6 位行政区划代码）。来源：PyPI phonenumbers（libphonenumber）离线地理编码数据，"
        "与 divisions.csv 的城市名匹配；cities 为空：全省（直辖市、海南 0898）。重建：tools/build_area_codes.py\n"
    )
    w.writerow(("prefix", "province", "cities", "place"))
    w.writerows(rows())


if __name__ == "__main__":
    main()
