"""验证备案类型 when it was skipped (process.md §1.4, §9.1): an order that files something new
(`KindSpec.new_filing`: first filing, access filing, both new-website kinds) meets the
verification's blocking checks when it is created, edited or submitted — the same codes and
messages — so a client that never calls `…/filing-type/verify` does not get past them.

Always: the operator's forced codes (`verification_faults`), the account (flagged, real name
verified < 48 h, real name ≠ the order's entity), the business registry (< 7 working days), an
order of the entity open at another provider (`orders_elsewhere`, 主办者冲突) and
each new domain's real-name sync wait. With `registry` (the sandbox's `pre_submit_checks`, the
stages before submission) also what the domain registry answers — not registered, not
real-name verified, held by someone else — which otherwise the provider's review rejects a
working day later (domain.md §7, the rejection scenarios of the library).
"""

from backend.domain import verification


def request_of(spec, payload: dict, record: dict | None) -> dict:
    """The verification's request for an order: its entity (the payload's new entity, else the
    entity on record it is about) and the domains it files, with their field paths."""
    entity = payload.get("entity") if spec.payload.entity == "new" else None
    if not isinstance(entity, dict):
        entity = record or {}
    sites = payload.get("websites") or []
    return {
        "entity_type": entity.get("type"),
        "certificate_type": entity.get("certificate_type"),
        "certificate_number": entity.get("certificate_number"),
        "entity_name": entity.get("name"),
        "domains": [s.get("domain") if isinstance(s, dict) else None for s in sites],
    }


def check(spec, payload: dict, record: dict | None, world: verification.World, registry: bool = False) -> None:
    """Raise the first blocking Conflict the verification would answer for this order (if any)."""
    if spec is None or not spec.new_filing:
        return
    req = request_of(spec, payload, record)
    for code in world.faults:
        raise verification.fail(code, forced=True)
    verification.account_checks(req, world)
    verification.business_checks(req, world)
    verification.elsewhere_check(req, world)
    for i, name in enumerate(req["domains"]):
        if isinstance(name, str) and name.strip():
            where = {"field": f"payload.websites.{i}.domain", "domain": name}
            verification.registry_checks(name, req["certificate_number"], world, where, registry)
