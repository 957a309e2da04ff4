"""The sandbox account's CloudBase Run resources, and eligibility for the 云托管 filing type."""

from datetime import date, timedelta

from backend.domain import eligibility
from backend.domain.errors import validation_failed
from backend.domain.rng import rng
from backend.services import world
from backend.store import tx as store

COLLECTIONS = {
    "environments": "env-",
    "resource_packs": "pack-",
    "vpcs": "vpc-",
    "nat_gateways": "nat-",
    "services": "svc-",
}


def _ref(tx, collection, doc_id, field):
    if not doc_id or tx.get(collection, doc_id) is None:
        raise validation_failed({field: [f"{field} 指向的资源不存在：{doc_id}"]})


def _ip(tx, n):
    r = rng(world.seed(tx), "nat-ip", n)
    return f"{r.choice((81, 101, 106, 119, 129, 162, 175))}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}"


def build(tx, collection, data):
    """Validate references, fill defaults, store; returns the new document."""
    doc = dict(data)
    if collection == "resource_packs":
        _ref(tx, "environments", doc.get("env_id"), "env_id")
        today = world.today(tx)
        bought = date.fromisoformat(doc.get("bought_on") or today.isoformat())
        doc["bought_on"] = bought.isoformat()
        if not doc.get("expires_on"):
            doc["expires_on"] = eligibility.pack_expires_on(bought, int(doc.get("months") or 12)).isoformat()
    elif collection == "vpcs":
        if doc.get("env_id"):
            _ref(tx, "environments", doc["env_id"], "env_id")
        doc.setdefault("created_by", "system")
    elif collection == "nat_gateways":
        _ref(tx, "vpcs", doc.get("vpc_id"), "vpc_id")
        doc.setdefault("created_by", "system")
        doc.setdefault("size", "micro")
        if not doc.get("ip"):
            doc["ip"] = _ip(tx, tx.counter("nat_gateways") + 1)
        if any(n["ip"] == doc["ip"] for n in tx.all("nat_gateways")):
            raise validation_failed({"ip": [f"IP {doc['ip']} 已被另一个 NAT 网关使用"]})
    elif collection == "services":
        _ref(tx, "environments", doc.get("env_id"), "env_id")
        _ref(tx, "vpcs", doc.get("vpc_id"), "vpc_id")
    elif collection == "environments":
        doc.setdefault("plan", "personal")
    doc["id"] = tx.next_id(collection, COLLECTIONS[collection])
    tx.put(collection, doc)
    return doc


def create(r, sid, collection, data):
    return store.run(r, sid, lambda tx: build(tx, collection, data))


def list_all(r, sid, collection):
    if collection == "resource_packs":
        return world.resources(store.read(r, sid))[collection]
    return store.read(r, sid).all(collection)


def eligible_world(tx, auto_renew=False):
    """The `eligible` preset: a pack with 365 days left and one system NAT IP behind a service
    (`auto_renew`: the pack renews itself, for demos and classes whose clock races ahead)."""
    env = build(tx, "environments", {"name": "prod", "plan": "personal"})
    today = world.today(tx)
    pack = {
        "env_id": env["id"],
        "bought_on": today.isoformat(),
        "expires_on": (today + timedelta(days=365)).isoformat(),
    }
    build(tx, "resource_packs", dict(pack, auto_renew=True) if auto_renew else pack)
    vpc = build(tx, "vpcs", {"env_id": env["id"], "created_by": "system"})
    build(tx, "nat_gateways", {"vpc_id": vpc["id"], "created_by": "system", "size": "micro"})
    build(tx, "services", {"env_id": env["id"], "vpc_id": vpc["id"], "name": "web"})


def evaluate(tx, exclude_app=None):
    return eligibility.evaluate(
        world.resources(tx),
        world.today(tx),
        world.ip_usage(tx, exclude_app),
        world.settings(tx).get("rule_set", "default"),
    )


def check(r, sid):
    reader = store.read(r, sid)  # what `evaluate` reads, in one round trip
    reader.prefetch(store.core_keys(sid, (store.META, *world.RESOURCES, *store.RECORDS, "applications")))
    return evaluate(reader)
