"""Reading a sandbox's world inside a transaction: clock, settings, counts."""

import functools
import json
import time
from datetime import date

from backend.domain import errors, renewal, scenarios, workflow
from backend.domain.clock import Clock, to_datetime

# the account's CloudBase Run resources (eligibility reads them all)
RESOURCES = ("environments", "resource_packs", "vpcs", "nat_gateways", "services")


def meta(tx):
    m = tx.meta()
    if not m:
        raise errors.sandbox_not_found(tx.sid)
    return m


def clock(tx) -> Clock:
    return _clock_of(meta(tx)["clock"])


@functools.lru_cache(maxsize=256)  # read several times per transition; a Clock is immutable
def _clock_of(text: str) -> Clock:
    return Clock.from_dict(json.loads(text))


def now(tx) -> float:
    return clock(tx).now(time.time())


def today(tx) -> date:
    return to_datetime(now(tx)).date()


def settings(tx) -> dict:
    return json.loads(meta(tx).get("settings") or "{}")


def seed(tx):
    return meta(tx)["seed"]


def open_applications(tx, exclude=None):
    """The account's orders in progress (workflow.is_open), but `exclude`."""
    return [a for a in tx.all("applications") if a["id"] != exclude and workflow.is_open(a["state"])]


def ip_usage(tx, exclude_app=None):
    """Filings per NAT IP: websites on record at Tencent plus websites of open orders."""
    usage = {}
    entities = {e["id"]: e for e in tx.all("entities")}
    for w in scenarios.active_sites(entities, tx.all("websites")):
        if scenarios.TENCENT in (w.get("access_providers") or []) and w.get("nat_ip"):
            usage[w["nat_ip"]] = usage.get(w["nat_ip"], 0) + 1
    for app in open_applications(tx, exclude=exclude_app):
        for ip in scenarios.order_ips(app):  # new, accessed or switched websites of the order
            usage[ip] = usage.get(ip, 0) + 1
    return usage


def resources(tx):
    found = {name: tx.all(name) for name in RESOURCES}
    found["resource_packs"] = renewal.renewed_all(found["resource_packs"], today(tx))  # 自动续费 fixtures
    return found


def domains(tx):
    """The domain registry as reviews see it (auto-renewing domains renewed to today)."""
    return renewal.renewed_all(tx.all("domains"), today(tx))
