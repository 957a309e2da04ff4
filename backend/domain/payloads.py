"""Entry validation of an order's payload, by its kind's declared shape (KindSpec.payload):
no registry look-ups (the preconditions do those). Paths are relative to the payload."""

from backend.domain import kinds, limits, numbering, service_contents, validation
from backend.domain.errors import Problem
from backend.domain.filings import FILING_TYPES, WEBSITE_REFS, merge_changes, province_code
from backend.domain.kinds.spec import Payload
from backend.domain.preconditions import CHANGE_FIELDS


def edit_patch(kind: str, patch: object) -> object:
    """A merge patch of an order about one website: naming the website anew (by any reference)
    drops the references stored before, so an edit cannot leave two that disagree."""
    sc = kinds.get(kind)
    if (
        sc is None
        or sc.reference != "website"
        or not isinstance(patch, dict)
        or not any(k in patch for k in WEBSITE_REFS)
    ):
        return patch
    return {**dict.fromkeys(WEBSITE_REFS), **patch}


# -- entry validation per kind (no registry look-ups) -------------------------------------


def _refs_problems(entry, prefix=""):
    """A reference to a website on record: website_id, website_number or domain (top level: no prefix)."""

    def at(name):
        return f"{prefix}.{name}" if prefix else name

    out = []
    if not any(entry.get(k) for k in WEBSITE_REFS):
        out.append(
            (
                prefix or "website_id",
                "WEBSITE_REF_REQUIRED",
                "请填写网站 ID（website_id）、网站备案号（website_number）或域名（domain）",
            )
        )
    number = entry.get("website_number")
    if number:
        try:
            kind = numbering.parse(number)["kind"]
        except (numbering.InvalidNumber, TypeError, AttributeError) as e:
            out.append((at("website_number"), "NUMBER_INVALID", getattr(e, "message", "备案号格式不正确")))
        else:
            if kind not in numbering.WEBSITE_KINDS:
                out.append((at("website_number"), "NUMBER_INVALID", "请填写网站备案号，例如 粤ICP备2026012345号-1"))
    if entry.get("domain") is not None and not isinstance(entry.get("domain"), str):
        out.append((at("domain"), "DOMAIN_SYNTAX_INVALID", "请填写域名，例如 example.com"))
    return out


def _entity_number_problems(value, path):
    if not isinstance(value, str) or not value.strip():
        return [(path, "FIELD_REQUIRED", "请填写主体备案号，例如 粤ICP备2026012345号")]
    try:
        kind = numbering.parse(value)["kind"]
    except numbering.InvalidNumber as e:
        return [(path, "NUMBER_INVALID", e.message)]
    if kind not in numbering.ENTITY_KINDS:
        return [(path, "NUMBER_INVALID", "请填写主体备案号（不带网站序号），例如 粤ICP备2026012345号")]
    return []


def _ref_site_problems(entry, i):
    prefix = f"websites.{i}"
    if not isinstance(entry, dict):
        return [(prefix, "FIELD_REQUIRED", "请填写网站信息")]
    out = _refs_problems(entry, prefix)
    if validation.is_blank(entry.get("nat_ip")):
        out.append((f"{prefix}.nat_ip", "FIELD_REQUIRED", "此项为必填项"))
    elif not validation.is_ipv4(entry["nat_ip"]):
        out.append((f"{prefix}.nat_ip", "NAT_IP_INVALID", "请填写有效的 IPv4 地址"))
    return out


def _change_site_problems(entry, i):
    prefix = f"websites.{i}"
    if not isinstance(entry, dict):
        return [(prefix, "FIELD_REQUIRED", "请填写网站信息")]
    out = _refs_problems(entry, prefix)
    if not any(k in entry for k in CHANGE_FIELDS) and not (
        entry.get("domain") and (entry.get("website_id") or entry.get("website_number"))
    ):
        out.append((prefix, "NOTHING_TO_CHANGE", "请填写要变更的网站信息"))
    if "name" in entry:
        out += validation.at_path(f"{prefix}.name", validation.check_website_name(entry["name"]))
    if "service_content" in entry:
        out += service_contents.problems(entry["service_content"], prefix)
    for key in ("remove_domains", "add_domains"):
        if key in entry and (not isinstance(entry[key], list) or not all(isinstance(d, str) for d in entry[key])):
            out.append((f"{prefix}.{key}", "FIELD_INVALID", '请填写域名列表，例如 ["old.example.com"]'))
    if "filing_type" in entry and entry["filing_type"] not in FILING_TYPES:
        out.append((f"{prefix}.filing_type", "FIELD_INVALID", "备案类型须为 cloudbase_run（云托管）"))
    rest = {k: v for k, v in entry.items() if k in ("commercial", "pre_approval_number", "nat_ip")}
    out += validation.optional_problems(rest, prefix)
    if "responsible" in entry:
        out += _partial_person_problems(entry["responsible"], f"{prefix}.responsible")
    return out


# a valid stand-in for the fields a change leaves out: only the given fields are reported
_PERSON_PROBE = {
    "name": "张三",
    "certificate_type": "passport",
    "certificate_number": "E12345678",
    "mobile": "13800138000",
    "email": "probe@example.com",
}
_ENTITY_PROBE = {
    "type": "personal",
    "name": "张三",
    "certificate_type": "passport",
    "certificate_number": "E12345678",
    "province": "44",
    "address": "广东省深圳市",
    "responsible": _PERSON_PROBE,
}


def _partial_person_problems(person, prefix):
    """A changed responsible person: the fields given are checked; the rest stay as on record."""
    if not isinstance(person, dict) or not person:
        return [(prefix, "FIELD_INVALID", "请填写要变更的负责人信息")]
    given = {f"{prefix}.{k}" for k in person}
    if "certificate_number" in person and "certificate_type" not in person:
        person = dict(person, certificate_type="resident_id")
    return [p for p in validation.person_problems(merge_changes(_PERSON_PROBE, person), prefix) if p[0] in given]


def _entity_change_problems(changes):
    if not isinstance(changes, dict) or not changes:
        return [("entity", "NOTHING_TO_CHANGE", "请填写要变更的主体信息")]
    probe = merge_changes(_ENTITY_PROBE, {k: v for k, v in changes.items() if k != "responsible"})
    wanted = {f"entity.{k}" for k in changes if k != "responsible"}
    out = [p for p in validation.entity_problems(probe) if p[0] in wanted]
    if "responsible" in changes:
        out += _partial_person_problems(changes["responsible"], "entity.responsible")
    return out


def payload_problems(kind: str, payload: object) -> list[Problem]:
    """Shape problems of a payload as (path, code, zh_message), by the kind's declared shape."""
    sc = kinds.get(kind)
    if sc is None:
        return [Problem("kind", "KIND_UNKNOWN", "不支持的备案类型")]
    if not isinstance(payload, dict):
        return [Problem("payload", "FIELD_REQUIRED", "请填写备案信息")]
    shape = sc.payload
    entity, websites = payload.get("entity"), payload.get("websites")
    out = _entity_part(shape, entity) + _websites_part(shape, websites, entity) + _reference_part(shape, payload)
    if shape.entity_or_websites and entity is None and websites is None:
        out.append(Problem("payload", "NOTHING_TO_CHANGE", "请填写要变更的主体信息或网站信息"))
    reason = payload.get("reason")
    if reason is not None and (not isinstance(reason, str) or len(reason) > limits.MAX_REASON):
        out.append(Problem("reason", "FIELD_INVALID", f"请填写不超过 {limits.MAX_REASON} 个字符的原因"))
    return out


def validate_payload(kind: str, payload: object) -> dict:
    """The payload's problems as a per-field error dict (marshmallow's shape: no codes)."""
    return validation.as_error_dict(payload_problems(kind, payload))


def _entity_part(shape: Payload, entity: object) -> list:
    if shape.entity == "new" and (entity is not None or shape.entity_required):
        return validation.entity_problems(entity)
    if shape.entity == "changes" and entity is not None:
        return _entity_change_problems(entity)
    if shape.entity == "match" and entity is not None and not isinstance(entity, dict):
        return [Problem("entity", "FIELD_INVALID", "主体信息须为对象")]
    if shape.entity is None and entity is not None:
        return [Problem("entity", "FIELD_NOT_ALLOWED", "该类型的订单不填写主体信息：使用账号已备案的主体")]
    return []


def _websites_part(shape: Payload, websites: object, entity: object) -> list:
    if shape.websites is None:
        return [Problem("websites", "FIELD_NOT_ALLOWED", "该类型的订单不填写网站列表")] if websites is not None else []
    if websites is None and not shape.websites_required:
        return []
    if shape.websites == "new":
        return validation.websites_problems(websites, entity.get("type") if isinstance(entity, dict) else None)
    if not isinstance(websites, list) or not websites:
        return [Problem("websites", "WEBSITE_COUNT_INVALID", "请至少填写 1 个网站")]
    out = []
    if len(websites) > shape.max_websites:
        out.append(
            Problem(
                "websites",
                "WEBSITE_COUNT_INVALID",
                "每个订单只能变更 1 个网站"
                if shape.max_websites == 1
                else f"每个订单最多包含 {shape.max_websites} 个网站",
            )
        )
    check = _ref_site_problems if shape.websites == "refs" else _change_site_problems
    for i, entry in enumerate(websites):
        out += check(entry, i)
    return out


def _reference_part(shape: Payload, payload: dict) -> list:
    number = payload.get("entity_number")
    if shape.reference == "entity_number" or (shape.reference == "entity_number?" and number is not None):
        return _entity_number_problems(number, "entity_number")
    if shape.reference == "website":
        return _refs_problems(payload)
    if number is not None and shape.reference is None:
        return [Problem("entity_number", "FIELD_NOT_ALLOWED", "该类型的订单不填写主体备案号")]
    return []


def ip_requests(kind: str | None, payload: object) -> list[tuple[str, str | None, str]]:
    """(path, ip, filing type) of every NAT IP this order asks a filing slot of."""
    sc = kinds.get(kind)
    if sc is None or sc.websites is None or not isinstance(payload, dict):
        return []
    out = []
    for i, site in enumerate(payload.get("websites") or []):
        if not isinstance(site, dict):
            continue
        if sc.websites == "changes":
            if site.get("nat_ip"):
                out.append((f"websites.{i}", site["nat_ip"], site.get("filing_type", "cloudbase_run")))
        else:
            out.append((f"websites.{i}", site.get("nat_ip"), site.get("filing_type", "cloudbase_run")))
    return out


def order_ips(app: dict) -> list[str]:
    """NAT IPs an open order holds a filing slot of (its new or switched websites)."""
    return [ip for _, ip, _ in ip_requests(app.get("kind"), app.get("payload")) if ip]


def province_of(app: dict) -> str | None:
    """The province whose bureau handles the order: the payload's entity, else the record's."""
    entity = (app.get("payload") or {}).get("entity")
    given = entity.get("province") if isinstance(entity, dict) else None
    return province_code(given) or given or app.get("province")
