"""One website owner, one entity (process.md §2.3; T39, J2-Chongqing): a 网站负责人 cannot be the
website owner of several different entities (companies); in Chongqing a website owner may not
appear in another entity at all — as its 主体负责人, as the person of a personal entity, or as a
website owner. Checked at entry against the filings on record: the national registry and the
account's own records (`filings.Records`, cancelled records left out).

A website's owner is its own 网站负责人, else the 主体负责人 ("同主体负责人"), on both sides: the
records keep the owner they were approved with. People are compared by certificate number.

`problems(payload, records, record)` gives (path, code, zh message) triples like forms_rules;
`record` is the entity on record the order is about (新增网站 carries no entity form).
"""

from collections.abc import Iterator

from backend.domain import province_rules
from backend.domain.filings import ACTIVE, Records, province_code, same_text

OWNER_ELSEWHERE_ZH = "该网站负责人已是其他主体网站的负责人：同一人不能担任多个主体的网站负责人"
IN_OTHER_ENTITY_ZH = "重庆：网站负责人不能出现在其他备案主体中（已是其他主体的主体负责人或网站负责人）"


def _cert(person: object) -> str:
    return str((person or {}).get("certificate_number") or "").strip() if isinstance(person, dict) else ""


def owners(payload: dict, record: dict | None = None) -> Iterator[tuple[str, dict]]:
    """(path, person) of the owner of each website the order files."""
    entity: dict = payload["entity"] if isinstance(payload.get("entity"), dict) else record or {}
    for i, site in enumerate(payload.get("websites") or []):
        if not isinstance(site, dict):
            continue
        person = site.get("responsible") if isinstance(site.get("responsible"), dict) else entity.get("responsible")
        if isinstance(person, dict) and _cert(person):
            yield f"websites.{i}.responsible", person


def _people_of(entity: dict, sites: list[dict]) -> tuple[set, set]:
    """(website owners, everybody) of an entity on record, as upper-case certificate numbers."""
    site_owners = {_cert(w.get("responsible") or entity.get("responsible")).upper() for w in sites}
    everybody = site_owners | {_cert(entity.get("responsible")).upper()}
    if entity.get("type") == "personal":
        everybody.add(str(entity.get("certificate_number") or "").strip().upper())
    return site_owners - {""}, everybody - {""}


def problems(payload: dict, records: Records, record: dict | None = None) -> list[tuple[str, str, str]]:
    entity = payload.get("entity") if isinstance(payload.get("entity"), dict) else record
    if not isinstance(entity, dict) or not str(entity.get("certificate_number") or "").strip():
        return []  # whose entity this is is not known yet: nothing to compare with
    anywhere = province_rules.get(province_code(entity.get("province"))).website_owner_one_entity
    site_owners: set = set()
    everybody: set = set()
    for other in records.entities.values():
        if other.get("status") != ACTIVE or same_text(other.get("certificate_number"), entity["certificate_number"]):
            continue
        owners_there, people_there = _people_of(other, records.sites(other["id"]))
        site_owners |= owners_there
        everybody |= people_there
    out = []
    for path, person in owners(payload, record):
        cert = _cert(person).upper()
        if cert in site_owners:
            out.append((path, "WEBSITE_OWNER_OF_OTHER_ENTITY", OWNER_ELSEWHERE_ZH))
        elif anywhere and cert in everybody:
            out.append((path, "WEBSITE_OWNER_IN_OTHER_ENTITY", IN_OTHER_ENTITY_ZH))
    return out
