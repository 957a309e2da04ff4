"""验证备案类型 and 我的备案 (process.md §1, §9.1): the first step of every new filing, and the
account's filings that changes and cancellations start from."""

from backend.domain import kinds, new_filing_gate, verification
from backend.domain.clock import to_datetime
from backend.domain.filings import TENCENT, Records, domain_key, website_domains
from backend.services import cloud, world
from backend.store import tx as store


def _world(tx, resources=True) -> verification.World:
    """What the verification reads; without `resources`, not the account's IPs and orders
    (an order's gate: its own preconditions check those)."""
    settings = world.settings(tx)
    opened = world.open_applications(tx) if resources else None
    return verification.World(
        records=Records(tx.all("entities"), tx.all("websites")),
        domains={domain_key(d["name"]): d for d in tx.all("domains")},
        account=settings.get("account") or {},
        business={str(k).upper(): v for k, v in (settings.get("business_registry") or {}).items()},
        orders_elsewhere={str(k).upper(): v for k, v in (settings.get("orders_elsewhere") or {}).items()},
        eligibility=cloud.evaluate(tx) if resources else {},
        open_order=opened[0]["id"] if opened else None,
        now=to_datetime(world.now(tx)),
        faults=list(settings.get("verification_faults") or []),
        settings=settings,
    )


def verify(r, sid, request: dict) -> dict:
    """The scenario that applies, or a blocking Conflict (code, message, suggest)."""
    return verification.decide(request, _world(store.read(r, sid)))


def order_gate(tx, kind, payload, entity_id=None) -> None:
    """An order that files something new meets the verification's blocking checks (raised) even
    when verify was never called (domain/new_filing_gate.py), in the caller's transaction."""
    spec = kinds.get(kind)
    if spec is None or not spec.new_filing:
        return
    found = _world(tx, resources=False)
    record = found.records.entity(entity_id) if entity_id else None
    registry = bool(world.settings(tx).get("pre_submit_checks"))
    new_filing_gate.check(spec, payload, record, found, registry=registry)


def account_gate(r, sid, kind):
    """verification.account_gate on the sandbox as it is now."""
    tx = store.read(r, sid)
    opened = world.open_applications(tx)
    return verification.account_gate(
        kind, Records(tx.all("entities"), tx.all("websites")), opened[0]["id"] if opened else None
    )


def open_order_gate(r, sid):
    """ORDER_IN_PROGRESS (with what to do) while the account has an order in progress, else None."""
    opened = world.open_applications(store.read(r, sid))
    return verification.fail("ORDER_IN_PROGRESS", application_id=opened[0]["id"]) if opened else None


def _site_view(site):
    at_tencent = TENCENT in (site.get("access_providers") or [])
    return {
        "id": site["id"],
        "number": site["number"],
        "name": site.get("name"),
        "domain": site.get("domain"),
        "domains": website_domains(site),
        "service_content": site.get("service_content"),
        "filing_type": site.get("filing_type"),
        "nat_ip": site.get("nat_ip"),
        "responsible": site.get("responsible"),
        "access": "tencent" if at_tencent else "other",
        "access_providers": site.get("access_providers") or [],
    }


def _entity_prefill(entity):
    keep = (
        "type",
        "name",
        "certificate_type",
        "certificate_number",
        "province",
        "address",
        "responsible",
        "id_valid_until",
        "residence_permit",
    )
    return {k: entity[k] for k in keep if entity.get(k) is not None}


def _offer(kind, label, available, **rest):
    """One order the account may place; whether it needs an IP is the kind's (its spec)."""
    return {"kind": kind, "label": label, "needs_ip": kinds.KINDS[kind].chat.needs_ip, "available": available, **rest}


def offers_for(records: Records, eligible: bool) -> list:
    """The orders that apply to the account's filings on `records` (none without an entity)."""
    own = records.own()
    return offers(own, [_site_view(s) for s in records.sites(own["id"])], eligible) if own else []


def offers(entity, sites, eligible):
    """The orders that apply to the account's filings, each with its pre-filled payload.
    Changes and cancellations need no IP; a new website does (the eligibility gate)."""
    at_tencent = TENCENT in (entity.get("access_providers") or [])
    if not at_tencent:
        return [
            _offer(
                kinds.ACCESS_FILING,
                "接入备案",
                eligible,
                payload={
                    "entity_number": entity["number"],
                    "websites": [{"website_number": s["number"]} for s in sites],
                },
            )
        ]
    out = _entity_offers(entity, eligible)
    for site in (s for s in sites if s["access"] == "tencent"):
        out.extend(_website_offers(site, len(sites)))
    return out


def _entity_offers(entity, eligible):
    """An entity accessed at Tencent: a new website, a change of the entity, its cancellation."""
    return [
        _offer(kinds.ADD_WEBSITE, "新增网站", eligible, payload={"websites": []}),
        _offer(kinds.CHANGE_FILING, "变更主体信息", True, payload={"entity": _entity_prefill(entity)}),
        _offer(kinds.CANCEL_ENTITY, "注销主体", True, payload={"entity_number": entity["number"]}),
    ]


def _website_offers(site, site_count):
    """One website accessed at Tencent: change it, cancel it, cancel its access."""
    ref = {"website_number": site["number"]}
    keep = {k: site[k] for k in ("name", "service_content", "responsible") if site.get(k) is not None}
    out = [
        _offer(
            kinds.CHANGE_WEBSITE,
            f"变更网站 {site['number']}",
            True,
            website_number=site["number"],
            payload={"websites": [dict(ref, domain=site["domain"], **keep)]},
        )
    ]
    # the last website of an entity is cancelled with the entity (LAST_WEBSITE_CANCEL_ENTITY)
    if site_count > 1:
        out.append(
            _offer(kinds.CANCEL_WEBSITE, f"注销网站 {site['number']}", True, website_number=site["number"], payload=ref)
        )
    out.append(
        _offer(kinds.CANCEL_ACCESS, f"取消接入 {site['number']}", True, website_number=site["number"], payload=ref)
    )
    return out


def my_filings(r, sid) -> dict:
    tx = store.read(r, sid)
    records = Records(tx.all("entities"), tx.all("websites"))
    own = records.own()
    opened = world.open_applications(tx)
    base = {"order_in_progress": opened[0]["id"] if opened else None}
    if own is None:
        return dict(base, entity=None, websites=[], offers=[])
    sites = [_site_view(s) for s in records.sites(own["id"])]
    eligible = bool(cloud.evaluate(tx).get("usable_ips"))
    entity = {
        "id": own["id"],
        "number": own["number"],
        "name": own.get("name"),
        "type": own.get("type"),
        "certificate_type": own.get("certificate_type"),
        "certificate_number": own.get("certificate_number"),
        "province": own.get("province"),
        "icp_licence_number": own.get("icp_licence_number"),
        "access": "tencent" if TENCENT in (own.get("access_providers") or []) else "other",
    }
    found = offers(own, sites, eligible)
    if base["order_in_progress"]:
        for offer in found:
            offer["available"] = False  # one order at a time (ORDER_IN_PROGRESS)
    return dict(base, entity=entity, websites=sites, offers=found)
