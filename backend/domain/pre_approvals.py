"""前置审批 (process.md §2.5, §7) as data: the pre-approval types the forms offer
(`data/pre_approval_types.csv`, WeChat's `queryIcpNrlxTypes` ids next to our codes) and the type
each website content needs (`data/service_content_types.csv`, column `pre_approval`).

A website's pre-approvals come in two shapes: the real form's `pre_approvals: [{type, number}]`,
where `type` is an id `GET /reference/pre-approval-types` publishes ("1") or its code ("news"),
and the older single `pre_approval_number` (kept: scenarios and the Tencent Cloud API use it).
"""

import csv
from pathlib import Path

_DATA = Path(__file__).parent / "data"


def _rows(name):
    with (_DATA / name).open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


TYPES = {r["code"]: r for r in _rows("pre_approval_types.csv")}
_BY_ID = {r["id"]: code for code, r in TYPES.items()}
# website content -> the pre-approval type it needs ("" when none)
NEEDED = {r["code"]: r["pre_approval"] for r in _rows("service_content_types.csv")}


def type_code(value: object) -> str | None:
    """The type's code for an id ("1") or a code ("news"); None when the forms do not offer it."""
    text = str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
    if text in TYPES:
        return text
    return _BY_ID.get(text)


def needed_type(service_content: object) -> str | None:
    """The pre-approval type one content code needs (None: none)."""
    if not isinstance(service_content, str):
        return None
    return NEEDED.get(service_content) or None


def needed_types(service_content: object) -> list[str]:
    """The pre-approval types a website's contents need: a code or a list of codes (§2.3 multi-select)."""
    values = [service_content] if isinstance(service_content, str) else service_content
    if not isinstance(values, (list, tuple)):
        return []
    return sorted({t for t in (needed_type(v) for v in values) if t})


def _filled(text: object) -> bool:
    return isinstance(text, str) and bool(text.strip())


def uses_new_field(site: dict) -> bool:
    """The site was written with the real form's list (even empty: "以上都不涉及")."""
    return isinstance(site.get("pre_approvals"), list)


def _items(site: dict) -> list:
    return site["pre_approvals"] if uses_new_field(site) else []


def declared(site: dict) -> bool:
    """The site declares any pre-approval, in either shape."""
    return _filled(site.get("pre_approval_number")) or any(isinstance(i, dict) for i in _items(site))


def satisfied(site: dict, content: object = None) -> bool:
    """The site carries the pre-approval its content needs: a numbered item of the needed type, or
    (the older shape) a non-blank `pre_approval_number`."""
    if _filled(site.get("pre_approval_number")):
        return True
    wants = needed_types(content if content is not None else site.get("service_content"))
    items = [i for i in _items(site) if isinstance(i, dict) and _filled(i.get("number"))]
    if not wants:
        return bool(items)
    return all(any(type_code(item.get("type")) == want for item in items) for want in wants)
