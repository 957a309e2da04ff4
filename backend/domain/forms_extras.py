"""The real forms' last free-text fields (process.md §2.1, §2.3): 证件住所 (the address printed on
the entity's certificate, distinct from the mailing address), 投资人或主管单位 (a person: their own
name; an organisation: its legal representative or parent organisation), 主体备注 and 网站备注.

Checked at entry when given, with per-field zh-CN messages; the two the real form requires
(证件住所, and 投资人或主管单位 for organisations) are asked by `missing` before submission
(readiness.missing, through forms_rules.missing_fields), never at create, so payloads written
before these fields keep working. A person's investor is their own name: the form fills it, so it
is never missing, and one that is given must be that name.

Pure: no Flask, Redis or RQ.
"""

from urllib.parse import urlsplit

from backend.domain import limits
from backend.domain.filings import domain_key, same_text

# the entity's and a website's extra fields, as filed and as a change may set them
ENTITY_FIELDS = ("certificate_address", "investor", "remark")
WEBSITE_FIELDS = ("homepage_url", "remark")
OPTIONAL_FIELDS = ("remark",)  # free text a change may clear (blank or null)

_LABELS = {
    "certificate_address": "证件住所",
    "investor": "投资人或主管单位",
    "remark": "备注",
}
_BOUNDS = {
    "certificate_address": limits.MAX_CERT_ADDRESS,
    "investor": limits.MAX_TEXT,
    "remark": limits.MAX_REMARK,
}


def _text(value, path, name, required):
    """A free-text field: text, not blank when `required`, within its bound."""
    label = _LABELS[name]
    if not isinstance(value, str):
        return [(path, "FIELD_INVALID", f"{label}须为文本")]
    text = value.strip()
    if required and not text:
        return [
            (
                path,
                "FIELD_REQUIRED",
                f"请填写{label}" + ("（与证件上的地址一致）" if name == "certificate_address" else ""),
            )
        ]
    if len(text) > _BOUNDS[name]:
        return [(path, "FIELD_TOO_LONG", f"{label}不能超过 {_BOUNDS[name]} 个字符")]
    return []


def _is_personal(entity, record):
    kind = (entity or {}).get("type") or (record or {}).get("type")
    return kind == "personal"


def entity_problems(entity: dict, record: dict | None = None, prefix: str = "entity") -> list[tuple[str, str, str]]:
    """The given extra fields of an entity form (or of an entity change, `record` the entity on record)."""
    out = []
    for name in ENTITY_FIELDS:
        if name in entity and entity[name] is not None:
            out += _text(entity[name], f"{prefix}.{name}", name, required=name != "remark")
    investor = entity.get("investor")
    own_name = entity.get("name") or (record or {}).get("name")
    if (
        isinstance(investor, str)
        and investor.strip()
        and _is_personal(entity, record)
        and own_name
        and not same_text(investor, own_name)
    ):
        out.append(
            (
                f"{prefix}.investor",
                "INVESTOR_NOT_SELF",
                f"个人备案的投资人为本人，请填写「{own_name}」",
            )
        )
    return out


def website_problems(site: dict, prefix: str) -> list[tuple[str, str, str]]:
    """网站备注: optional free text within its bound (网站首页地址 is forms_rules.homepage_problems)."""
    if site.get("remark") is None:
        return []
    return _text(site["remark"], f"{prefix}.remark", "remark", required=False)


def cleared(change: dict) -> dict:
    """A change's optional free-text fields (备注) given blank are a clearing, kept as None, the
    same as `null`: the record then has no remark (process.md §2.1, §2.3: remarks are optional)."""
    out = dict(change)
    for name in OPTIONAL_FIELDS:
        if isinstance(out.get(name), str) and not out[name].strip():
            out[name] = None
    return out


def _url_host(url):
    """The host of an http(s) URL without credentials and with a valid port, else None."""
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018  (a bad port raises)
    except (AttributeError, ValueError):
        return None
    if parts.scheme not in ("http", "https") or parts.username or parts.password or not parts.hostname:
        return None
    return domain_key(parts.hostname)


def homepage_problems(url, domains, path):
    """网站首页 URL (process.md §2.3: "one of the site's URLs"): http(s), on one of the website's
    domains — the domain itself or a name under it (www.example.cn for example.cn)."""
    host = _url_host(url) if isinstance(url, str) else None
    if host is None:
        return [
            (
                path,
                "HOMEPAGE_URL_INVALID",
                "请填写以 http:// 或 https:// 开头的网站首页地址，例如 https://www.example.cn/",
            )
        ]
    keys = [k for k in (domain_key(d) for d in domains) if k]
    if keys and not any(host == k or host.endswith("." + k) for k in keys):
        shown = "、".join(d for d in domains if d)
        return [
            (
                path,
                "HOMEPAGE_NOT_ON_DOMAIN",
                f"网站首页地址须在该网站的域名上（{shown}），例如 https://www.{domains[0]}/",
            )
        ]
    return []


def problems(payload: dict, record: dict | None = None) -> list[tuple[str, str, str]]:
    """Every order's entity form or entity change, and its websites' remarks (absent fields are not checked)."""
    ent = payload.get("entity")
    out = entity_problems(ent, record) if isinstance(ent, dict) else []
    for i, site in enumerate(payload.get("websites") or []):
        if isinstance(site, dict):
            out += website_problems(site, f"websites.{i}")
    return out


def missing(entity: dict) -> list[tuple[str, str, str]]:
    """What a new entity form still lacks before submission: 证件住所; an organisation's investor."""
    out = []
    if not str(entity.get("certificate_address") or "").strip():
        out.append(("entity.certificate_address", "FORM_FIELD_MISSING", "请填写证件住所（与证件上的地址一致）"))
    if not _is_personal(entity, None) and not str(entity.get("investor") or "").strip():
        out.append(
            (
                "entity.investor",
                "FORM_FIELD_MISSING",
                "请填写投资人或主管单位（企业填写法定代表人或投资单位，机关、事业单位填写主管单位）",
            )
        )
    return out


def on_record(data: dict, fields: tuple) -> dict:
    """The extra fields given in a form, as the record keeps them."""
    return {k: data[k] for k in fields if data.get(k) not in (None, "")}
