"""The national division tree the address forms pick from (process.md §2.1, §2.2): provinces,
cities and districts with 6-digit codes, as WeChat's queryIcpDistrictCode serves them.

The table is `data/divisions.csv` (source and date in its header; rebuilt by
tools/build_divisions.py), read once at import. A code may appear twice: a city without
districts (东莞 441900) is its own district, with itself as parent, so the tree is kept as
parent → children rather than code → parent.
"""

import csv
from pathlib import Path

_CSV = Path(__file__).parent / "data" / "divisions.csv"


def _load() -> dict[str | None, tuple[dict[str, str], ...]]:
    with _CSV.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(line for line in f if not line.startswith("#")))
    tree: dict[str | None, list[dict[str, str]]] = {}
    for row in rows:
        tree.setdefault(row["parent"] or None, []).append({"code": row["code"], "name": row["name"]})
    return {parent: tuple(kids) for parent, kids in tree.items()}


_TREE = _load()
_CODES = {parent: frozenset(kid["code"] for kid in kids) for parent, kids in _TREE.items()}
_NAMES = {kid["code"]: kid["name"] for kids in _TREE.values() for kid in kids}


def children(code: str | None) -> list[dict[str, str]]:
    """One level down the tree (the provinces when code is None); [] for an unknown code."""
    return [dict(kid) for kid in _TREE.get(code, ())]


def is_province(code: str) -> bool:
    return code in _CODES[None]


def contains(parent: str, code: str) -> bool:
    """True when `code` is a division directly under `parent`."""
    return code in _CODES.get(parent, frozenset())


def name(code: str) -> str | None:
    return _NAMES.get(code)


def size() -> int:
    return sum(len(kids) for kids in _TREE.values())
