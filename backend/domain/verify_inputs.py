"""验证备案类型's inputs (process.md §1.2), checked before anything is looked up: 422 with
per-field zh-CN messages — the certificate, the domains as typed, and where the entity may file."""

import unicodedata

from backend.domain import divisions, filing_province, validation
from backend.domain.errors import validation_failed
from backend.domain.filings import domain_key, province_code


def check_request(req: dict) -> None:
    """The inputs themselves (422, per field), before anything is looked up."""
    problems = {}
    ent_type, cert_type = req.get("entity_type"), req.get("certificate_type")
    for path, found in (
        ("province", validation.check_province(req.get("province"))),
        ("entity_type", validation.check_cert_type_for_entity(ent_type, cert_type)),
        ("certificate_number", validation.check_certificate(cert_type, req.get("certificate_number"))),
    ):
        if found:
            problems[path] = [m for _, m in found]
    if province_code(req.get("province")):
        problems.update(_region_inputs(req))
    problems.update(_domain_inputs(req))
    if problems:
        raise validation_failed(problems)


def _region_inputs(req: dict) -> dict:
    """备案地域's optional city and district (process.md §1.2): 6-digit division codes, the city
    directly under the province, the district directly under the city (GET /reference/divisions)."""
    province = f"{province_code(req.get('province'))}0000"
    city, district = str(req.get("city") or ""), str(req.get("district") or "")
    if district and not city:
        return {"city": ["选择区县前请先选择城市（6 位行政区划代码，如 440300）"]}
    if city and not divisions.contains(province, city):
        return {"city": [_outside(city, "城市", "440300", divisions.name(province))]}
    if district and not divisions.contains(city, district):
        return {"district": [_outside(district, "区县", "440305", divisions.name(city))]}
    return {}


def _outside(code: str, what: str, example: str, parent: str | None) -> str:
    if divisions.name(code) is None:
        return f"无法识别的{what}，请填写 6 位行政区划代码，例如 {example}"
    return f"所选{what}（{divisions.name(code)}）不属于{parent}"


def _domain_inputs(req: dict) -> dict:
    """The domains as typed: well-formed, each once, one for a person (one website, one domain)."""
    problems: dict = {}
    domains = req.get("domains") or []
    if not domains:
        problems["domains"] = ["请至少填写一个域名"]
    elif req.get("entity_type") == "personal" and len(domains) > 1:
        problems["domains"] = ["个人备案只能填写 1 个域名（一个网站、一个域名）"]
    seen: dict = {}
    for i, name in enumerate(domains):
        found = [p for p in validation.check_domain(name) if p[0] != "DOMAIN_TLD_NOT_APPROVED"]
        if found:
            problems[f"domains.{i}"] = [m for _, m in found]
        elif domain_key(name) in seen:
            problems[f"domains.{i}"] = [f"与第 {seen[domain_key(name)] + 1} 个域名重复"]
        else:
            seen[domain_key(name)] = i
    return problems


def normalized(req: dict) -> dict:
    """The request as the lookups compare it: a certificate number typed with full-width
    characters or spaces is the same number (NFKC, no spaces, upper case)."""
    number = req.get("certificate_number")
    if not isinstance(number, str):
        return req
    return dict(req, certificate_number="".join(unicodedata.normalize("NFKC", number).split()).upper())


def where_to_file(req: dict, settings: dict) -> None:
    """§1.2: an organisation files in its certificate's province, a person in their ID's unless that
    bureau accepts non-local IDs (the residence permit is declared on the form, after this)."""
    who = {
        "type": req.get("entity_type"),
        "certificate_type": req.get("certificate_type"),
        "certificate_number": req.get("certificate_number"),
    }
    province = filing_province.province_of(req.get("province"), settings)
    found = filing_province.problems(who, province, strict=filing_province.strict(settings))
    if found:
        raise validation_failed({"province": [message for _, message in found]})
    region = filing_province.region_problems(
        who, province, req.get("city"), req.get("district"), strict=filing_province.strict(settings)
    )
    if region:
        raise validation_failed({path: [message] for path, _code, message in region})
