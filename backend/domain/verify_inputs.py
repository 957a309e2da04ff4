"""验证备案类型's inputs (process.md §1.2), checked before anything is looked up: 422 with
per-field zh-CN messages — the certificate, the domains as typed, and where the entity may file."""

import unicodedata

from backend.domain import filing_province, validation
from backend.domain.errors import validation_failed
from backend.domain.filings import domain_key


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
    problems.update(_domain_inputs(req))
    if problems:
        raise validation_failed(problems)


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
