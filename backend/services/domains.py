"""The sandbox's domain registry: who holds each domain, its real-name status and dates."""

from datetime import timedelta

from backend.domain import renewal, validation
from backend.domain.errors import fail, validation_failed
from backend.services import world
from backend.store import tx as store

DEFAULT_REGISTRAR = "DNSPod"


def _find(tx, name):
    """The record of a domain however it is typed (case, full-width letters, 。 as the dot,
    Unicode or punycode): by its normalised id, else by the punycode form."""
    key = validation.normalize_domain(name)
    doc = tx.get("domains", key)
    if doc is None and key:
        wanted = validation.domain_ascii(key)
        doc = next((d for d in tx.all("domains") if validation.domain_ascii(d["name"]) == wanted), None)
    return doc


def build(tx, data):
    name = validation.normalize_domain(data.get("name"))
    # the registry holds any well-formed domain; the TLD list is checked when filing
    problems = [p for p in validation.check_domain(name) if p[0] == "DOMAIN_SYNTAX_INVALID"]
    if problems:
        raise validation_failed({"name": [msg for _, msg in problems]})
    if _find(tx, name) is not None:
        raise fail("DOMAIN_EXISTS", f"域名 {name} 已在注册信息中", domain=name)
    today = world.today(tx)
    doc = {
        "registrar": DEFAULT_REGISTRAR,
        "registrar_approved": True,
        "real_name_status": "verified",
        "registered_on": (today - timedelta(days=30)).isoformat(),
        "expires_on": (today + timedelta(days=365)).isoformat(),
        **{k: v for k, v in data.items() if v is not None},
        "name": name,
    }
    doc["id"] = name
    tx.put("domains", doc)
    return doc


def create(r, sid, data):
    return store.run(r, sid, lambda tx: build(tx, data), prefetch=(*store.BASE, "domains"))


def list_all(r, sid):
    return world.domains(store.read(r, sid))


def get(r, sid, name):
    reader = store.read(r, sid)
    doc = _find(reader, name)
    if doc is None:
        raise fail("DOMAIN_NOT_FOUND", domain=name)
    return renewal.renewed(doc, world.today(reader))


def update(r, sid, name, changes):
    """Fix a registry record (e.g. complete real-name verification) — the holder's side of a rejection."""

    def fn(tx):
        doc = _find(tx, name)
        if doc is None:
            raise fail("DOMAIN_NOT_FOUND", domain=name)
        doc = {**doc, **{k: v for k, v in changes.items() if v is not None and k not in ("id", "name")}}
        tx.put("domains", doc)
        return doc

    return store.run(r, sid, fn)
