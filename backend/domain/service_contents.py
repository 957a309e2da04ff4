"""网站服务内容 (process.md §2.3, §2.4): a multi-select. A website's `service_content` is a list of
codes (data/service_content_types.csv); a single code (the shape orders were written in before the
list) reads as a one-item list, so older payloads, scenarios and records keep their meaning."""

import csv
from pathlib import Path

with (Path(__file__).parent / "data" / "service_content_types.csv").open(encoding="utf-8") as _f:
    TYPES = {row["code"]: row for row in csv.DictReader(_f)}
CODES = tuple(TYPES)
# the table's rule columns (process.md §2.4, §2.5, §7; T10, T15): content that needs a 前置审批,
# and enterprise-type content a person cannot file (file as an organisation)
PRE_APPROVAL = frozenset(code for code, row in TYPES.items() if row["pre_approval"])
ENTERPRISE = frozenset(code for code, row in TYPES.items() if row["enterprise"] == "yes")
MAX_ITEMS = 5  # [inference] WeChat's content picker allows ≤5 (process.md §2.4, W16); icpsim uses the same cap


def of(value: object) -> list[str]:
    """The codes a value or a website (dict) carries: 'blog' -> ['blog'], ['news', 'blog'] as is,
    anything else (None, a number) -> []. Unknown codes are kept (entry validation reports them)."""
    if isinstance(value, dict):
        value = value.get("service_content")
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, (list, tuple)):
        return [v for v in value if isinstance(v, str)]
    return []


def any_in(value: object, codes) -> bool:
    """One of the website's contents is one of `codes`."""
    return any(c in codes for c in of(value))


def problems(value: object, prefix: str) -> list[tuple[str, str, str]]:
    """Entry check of the field: a code or a non-empty list of distinct known codes."""
    path = f"{prefix}.service_content"
    if isinstance(value, str):
        return [] if value in TYPES else [(path, "SERVICE_CONTENT_UNKNOWN", _unknown())]
    if not isinstance(value, list) or not value:
        return [(path, "FIELD_REQUIRED", "请至少选择 1 项网站服务内容")]
    out = []
    if len(value) > MAX_ITEMS:
        out.append((path, "SERVICE_CONTENT_TOO_MANY", f"网站服务内容最多选择 {MAX_ITEMS} 项"))
    seen = set()
    for j, code in enumerate(value):
        if not isinstance(code, str) or code not in TYPES:
            out.append((f"{path}.{j}", "SERVICE_CONTENT_UNKNOWN", _unknown()))
        elif code in seen:
            out.append((f"{path}.{j}", "SERVICE_CONTENT_DUPLICATE", "网站服务内容不能重复选择"))
        seen.add(code)
    return out


def _unknown() -> str:
    return "不支持的网站服务内容，可选：" + "、".join(CODES)
