"""The national filing registry (domain.md §1): seeding records and MIIT's public query.

A sandbox's `entities` and `websites` collections are what MIIT's public query
would show. Approvals at Tencent add to them (services/effects.py); this module
lets an operator seed records directly — typically filings made at another
provider (access filings, new websites under an external entity, domain
conflicts need them) — and answers the public query over the active records.
"""

from backend.domain import numbering, provinces, records, scenarios, validation
from backend.domain.clock import iso, parse_instant, to_datetime
from backend.domain.errors import DomainError, fail, validation_failed
from backend.domain.rng import rng
from backend.domain.scenarios import ACTIVE, domain_key, number_key  # one definition, in the domain
from backend.services import effects, world
from backend.store import tx as store

PROVIDERS = ("tencent", "other")
# A seeded number moves its province/year sequence past it (_reserve); the sequence has 6
# digits, so a seed near the top would leave no number for the next approval: refused.
MAX_SEEDED_SEQUENCE = 989_999


def active_entities(tx):
    return {e["id"]: e for e in tx.all("entities") if e.get("status") == ACTIVE}


def active_websites(tx):
    """Websites on record whose own status and whose entity's status are active."""
    return scenarios.active_sites(active_entities(tx), tx.all("websites"))


# -- seeding -------------------------------------------------------------------


def _province(data, errors):
    try:
        return provinces.normalize(data.get("province"))
    except DomainError as e:
        errors.setdefault("province", []).append(e.message)
        return None


def _entity_number(data, province, today, errors):
    """The given entity number, parsed and checked against the province; None if absent."""
    if not data.get("number"):
        return None
    try:
        parsed = numbering.parse(data["number"], today=today)
    except numbering.InvalidNumber as e:
        errors.setdefault("number", []).append(e.message)
        return None
    if parsed["kind"] != "entity":
        errors.setdefault("number", []).append(
            "主体备案号格式应为「省简称ICP备编号号」，不带网站序号，例如 粤ICP备2026012345号"
        )
        return None
    if province and parsed["province_code"] != province:
        errors.setdefault("number", []).append(
            f"备案号的省份（{parsed['province_name']}）与主体所在省份（{provinces.get(province).name}）不一致"
        )
        return None
    return parsed


def _website_index(site, i, entity_number, today, errors):
    """The site index of a given website number (checked to extend the entity number); None if absent."""
    if not site.get("number"):
        return None
    path = f"websites.{i}.number"
    try:
        parsed = numbering.parse(site["number"], today=today)
    except numbering.InvalidNumber as e:
        errors.setdefault(path, []).append(e.message)
        return None
    if parsed["kind"] != "website":
        errors.setdefault(path, []).append("网站备案号格式应为「主体备案号-网站序号」，例如 粤ICP备2026012345号-1")
        return None
    if entity_number and parsed["entity_number"] != entity_number:
        errors.setdefault(path, []).append(f"网站备案号须以主体备案号 {entity_number} 开头")
        return None
    return parsed["site_index"]


def _check_entity(data, errors):
    for code, message in validation.check_cert_type_for_entity(data.get("type"), data.get("certificate_type")):
        errors.setdefault("type" if code == "ENTITY_TYPE_UNKNOWN" else "certificate_type", []).append(message)
    problems = validation.check_certificate(data.get("certificate_type"), data.get("certificate_number"))
    for _code, message in problems:
        errors.setdefault("certificate_number", []).append(message)
    if data.get("responsible") is not None:
        for path, _code, message in validation.person_problems(data["responsible"], "responsible"):
            errors.setdefault(path, []).append(message)


def _check_sites(sites, errors):
    seen = {}
    for i, site in enumerate(sites):
        for _code, message in validation.check_domain(site.get("domain")):
            errors.setdefault(f"websites.{i}.domain", []).append(message)
        for j, extra in enumerate(site.get("extra_domains") or []):
            for _code, message in validation.check_domain(extra):
                errors.setdefault(f"websites.{i}.extra_domains.{j}", []).append(message)
        for _code, message in validation.check_website_name(site.get("name")):
            errors.setdefault(f"websites.{i}.name", []).append(message)
        for j, domain in enumerate([site.get("domain"), *(site.get("extra_domains") or [])]):
            key = domain_key(domain)
            path = f"websites.{i}.domain" if j == 0 else f"websites.{i}.extra_domains.{j - 1}"
            if key in seen:
                errors.setdefault(path, []).append(f"与第 {seen[key] + 1} 个网站的域名重复")
            elif key:
                seen[key] = i
        if site.get("responsible") is not None:
            for path, _code, message in validation.person_problems(site["responsible"], f"websites.{i}.responsible"):
                errors.setdefault(path, []).append(message)


def _reserve(tx, parsed):
    """A number seeded by hand must never be issued again: move its province/year
    sequence past it when the sequence has not got there yet (as effects.next_entity_number
    counts: the stored counter, or its seeded starting offset)."""
    province, year, seq = parsed["province_code"], parsed["year"], parsed["sequence"]
    name = f"icp:{province}:{year}"
    current = tx.counter(name) or rng(world.seed(tx), "icp-seq", province, year).randint(1000, 60000)
    if seq > current:
        tx.set_counter(name, seq)


def _conflicts(tx, entity_number, cert_type, cert_number, account, sites):
    entities = tx.all("entities")
    if entity_number and any(number_key(e.get("number")) == entity_number for e in entities):
        raise fail(
            "ENTITY_NUMBER_EXISTS", f"主体备案号 {entity_number} 已存在，备案号不可重复使用", number=entity_number
        )
    cert = (cert_type, str(cert_number).strip().upper())
    for e in entities:
        if (
            e.get("status") == ACTIVE
            and (e.get("certificate_type"), str(e.get("certificate_number", "")).strip().upper()) == cert
        ):
            raise fail(
                "ENTITY_EXISTS",
                f"该证件已有备案主体 {e['number']}，一个主体只能有一个主体备案号",
                number=e["number"],
                entity_id=e["id"],
            )
    if account == "self" and any(e.get("status") == ACTIVE and e.get("account") == "self" for e in entities):
        raise fail("ENTITY_ALREADY_FILED")
    on_record = {domain_key(d): w for w in active_websites(tx) for d in scenarios.website_domains(w)}
    for i, site in enumerate(sites):
        for domain in [site["domain"], *(site.get("extra_domains") or [])]:
            taken = on_record.get(domain_key(domain))
            if taken:
                raise fail(
                    "DOMAIN_CONFLICT",
                    f"域名 {domain} 已在备案信息中（{taken['number']}），不能重复备案",
                    domain=domain,
                    number=taken["number"],
                    field=f"websites.{i}.domain",
                )


def _filed_at(data, now, errors):
    if not data.get("filed_at"):
        return iso(now)
    try:
        return iso(parse_instant(data["filed_at"]))
    except (TypeError, ValueError):
        errors.setdefault("filed_at", []).append("时间格式须为 ISO 8601，例如 2019-03-01T10:00:00+08:00")
        return None


def build(tx, data):
    """Put one entity and its websites on record; returns {entity, websites}."""
    now = world.now(tx)
    sites, province, parsed, indexes, filed_at = _checked(data, now)
    for site in sites:
        site["domain"] = validation.normalize_domain(site["domain"])
        site["extra_domains"] = [validation.normalize_domain(d) for d in site.get("extra_domains") or []]
    account = data.get("account") or "external"
    given_number = parsed["normalized"] if parsed else None
    _conflicts(tx, given_number, data["certificate_type"], data["certificate_number"], account, sites)
    if parsed:
        _reserve(tx, parsed)
        entity_number = given_number
    else:
        entity_number = effects.next_entity_number(tx, province, now)
    return _put_on_record(tx, data, sites, indexes, entity_number, province, account, filed_at)


def _checked(data, now):
    """Every per-field problem of a seeded filing at once (422), then the sequence bound;
    returns (sites, province, parsed entity number, website indexes, filed_at)."""
    today = to_datetime(now).date()
    sites = [dict(s) for s in data.get("websites") or []]
    errors = {}
    if not sites:
        errors["websites"] = ["请至少填写 1 个网站"]
    province = _province(data, errors)
    _check_entity(data, errors)
    _check_sites(sites, errors)
    parsed = _entity_number(data, province, today, errors)
    given_number = parsed["normalized"] if parsed else None
    indexes = [_website_index(s, i, given_number, today, errors) for i, s in enumerate(sites)]
    if not given_number and any(s.get("number") for s in sites) and "number" not in errors:
        errors.setdefault("number", []).append("填写了网站备案号时须同时填写主体备案号")
    used = {}
    for i, n in enumerate(indexes):
        if n is not None and n in used:
            errors.setdefault(f"websites.{i}.number", []).append(f"与第 {used[n] + 1} 个网站的备案号重复")
        elif n is not None:
            used[n] = i
    filed_at = _filed_at(data, now, errors)
    if errors:
        raise validation_failed(errors)
    if parsed and parsed["sequence"] > MAX_SEEDED_SEQUENCE:
        message = (
            f"备案号的顺序号 {parsed['sequence']:06d} 过大：预置的顺序号须小于 {MAX_SEEDED_SEQUENCE + 1}，"
            "以便后续审核通过的备案仍能分配备案号"
        )
        raise fail("NUMBER_SEQUENCE_TOO_HIGH", message, errors={"number": [message]})
    return sites, province, parsed, indexes, filed_at


def _put_on_record(tx, data, sites, indexes, entity_number, province, account, filed_at):
    provider = data.get("access_provider") or "other"
    filed = dict(data, name=data["name"].strip(), certificate_number=str(data["certificate_number"]).strip())
    entity = records.new_entity(
        tx.next_id("entity", "E"),
        filed,
        number=entity_number,
        province=province,
        account=account,
        access_providers=[provider],
        filed_at=filed_at,
        seeded=True,
    )
    # explicit numbers first, so numbers left blank continue after the highest one
    entity["max_site_index"] = max([n for n in indexes if n is not None], default=0)
    websites = []
    for site, index in zip(sites, indexes):
        if index is None:
            entity["max_site_index"] += 1
            index = entity["max_site_index"]
        providers = list(dict.fromkeys(site.get("access_providers") or [provider]))
        for p in providers:
            if p not in entity["access_providers"]:
                entity["access_providers"].append(p)
        doc = records.new_website(
            tx.next_id("website", "W"),
            dict(site, name=site["name"].strip()),
            entity_id=entity["id"],
            number=numbering.website_number(entity_number, index),
            site_index=index,
            access_providers=providers,
            filed_at=filed_at,
            responsible=site.get("responsible") or data.get("responsible"),
            seeded=True,
        )
        tx.put("websites", doc)
        websites.append(doc)
    tx.put("entities", entity)
    return {"entity": entity, "websites": websites}


def seed_entity(r, sid, data):
    """Seed an entity on record with its websites, atomically (control token at the API)."""

    def fn(tx):
        world.meta(tx)  # 404 for an unknown sandbox
        return build(tx, data)

    return store.run(r, sid, fn, prefetch=(*store.BASE, *store.RECORDS))


# -- MIIT's public query --------------------------------------------------------


def _row(entity, website):
    return {
        "entity": {
            "name": entity["name"],
            "type": entity["type"],
            "number": entity["number"],
            "province": entity["province"],
        },
        "website": (
            {"name": website["name"], "domain": website["domain"], "number": website["number"]} if website else None
        ),
        "access_providers": list((website or entity).get("access_providers") or []),
        "filed_at": (website or entity).get("filed_at"),
    }


def _wanted_number(number):
    """The parsed filing number searched for: an entity's or a website's, else a 422."""
    try:
        wanted = numbering.parse(number)
    except numbering.InvalidNumber as e:
        raise validation_failed({"number": [e.message]}) from None
    if wanted["kind"] not in numbering.ENTITY_KINDS + numbering.WEBSITE_KINDS:
        raise validation_failed(
            {"number": ["请填写 ICP 备案号：主体备案号（如 粤ICP备2026012345号）或网站备案号（如 …号-1）"]}
        )
    return wanted


def search(tx, domain=None, number=None, entity_name=None):
    """Rows of active records matching every criterion given (see query())."""
    if not any(v not in (None, "") for v in (domain, number, entity_name)):
        raise validation_failed({"query": ["请提供 domain（域名）、number（备案号）或 entity（主体名称）之一"]})
    wanted_number = _wanted_number(number) if number not in (None, "") else None
    wanted_domain = domain_key(domain) if domain not in (None, "") else None
    name_part = entity_name.strip() if isinstance(entity_name, str) and entity_name.strip() else None

    entities = active_entities(tx)
    sites_of = {}
    for w in active_websites(tx):
        sites_of.setdefault(w["entity_id"], []).append(w)
    rows = []
    for entity in sorted(entities.values(), key=lambda e: (e["number"], e["id"])):
        if name_part and name_part not in entity["name"]:
            continue
        if wanted_number and wanted_number["entity_number"] != number_key(entity["number"]):
            continue
        sites = sorted(sites_of.get(entity["id"], []), key=lambda w: (w.get("site_index") or 0, w["id"]))
        if wanted_number and wanted_number["kind"] in numbering.WEBSITE_KINDS:
            sites = [w for w in sites if number_key(w["number"]) == wanted_number["normalized"]]
        if wanted_domain:
            sites = [w for w in sites if wanted_domain in map(domain_key, scenarios.website_domains(w))]
        if sites:
            rows.extend(_row(entity, w) for w in sites)
        elif (
            not sites_of.get(entity["id"])
            and not wanted_domain
            and not (wanted_number and wanted_number["kind"] in numbering.WEBSITE_KINDS)
        ):
            rows.append(_row(entity, None))  # an entity on record with no active website left
    return rows


def query(r, sid, domain=None, number=None, entity_name=None):
    """Like MIIT's public query: active records by exact domain, by record number (an entity
    number gives the entity and all its websites, a website number that website) or by a
    substring of the entity's name. Cancelled records are not shown."""
    tx = store.read(r, sid)
    world.meta(tx)
    return search(tx, domain=domain, number=number, entity_name=entity_name)
