"""The CloudBase Run gateway (domain.md §8): is a customer's domain served or blocked?

A request whose Host is a customer domain is served when the domain belongs to a
website on record (active, under an active entity) with Tencent among its access
providers; otherwise the gateway redirects to the fixed block page. Subdomains of a
filed domain (`www.`, `blog.`, …) count as that domain: the gateway walks up to it.

Which sandbox's world answers: the one named by `X-Icpsim-Sandbox`, else `demo`.
The simulator's own hosts (ICPSIM_HOSTS, IP literals, ICPSIM_PUBLIC_HOST) are never
customer domains, so the API keeps answering on them.
"""

import ipaddress

from backend import config
from backend.domain import scenarios, validation, workflow
from backend.store import keys, tx as store

SANDBOX_HEADER = "X-Icpsim-Sandbox"
DEFAULT_SANDBOX = "demo"

SERVED = "SERVED"
NOT_FILED = "NOT_FILED"  # no record for the domain at all
NOT_ACCESSED_AT_TENCENT = "NOT_ACCESSED_AT_TENCENT"  # on record, but accessed elsewhere only
CANCELLED = "CANCELLED"  # a record existed and was cancelled or revoked
SANDBOX_NOT_FOUND = "SANDBOX_NOT_FOUND"  # the sandbox named (or the default demo) does not exist
REASONS = (SERVED, NOT_FILED, NOT_ACCESSED_AT_TENCENT, CANCELLED, SANDBOX_NOT_FOUND)

# Unblock points per scenario (domain.md §8). A domain is served once its website is on
# record with "tencent" among its access providers — what the approval effects write for
# first filings and new websites. Some kinds serve an already-filed domain earlier, while
# their order is still open: application kind → states in which the domains of the
# order's websites (its target websites, or payload.websites[].domain) are served,
# provided the domain is on record and active. Declared per kind in
# domain/scenarios.py: an access filing is served once provider review passes.
# Changes never block: their records stay active and keep their access providers.
EARLY_SERVE: dict = scenarios.early_serve()


# -- hosts ---------------------------------------------------------------------


def normalize_host(host):
    """'WWW.Example.cn:8080' → 'www.example.cn'; '[::1]:5000' → '::1'; None → ''."""
    host = (host or "").strip().lower()
    if host.startswith("["):
        return host[1 : host.index("]")] if "]" in host else host[1:]
    if host.count(":") == 1:
        host = host.split(":", 1)[0]
    return host.rstrip(".")


def public_host():
    """Where the simulator itself answers, as host[:port] for Location headers."""
    return config.public_host()


_OWN: list = [None, frozenset()]  # [the Settings they were read from (frozen: a rebuild is a new one), the hosts]


def own_hosts():
    """The simulator's own host names (every request asks: worked out once per settings)."""
    current = config.settings()
    if _OWN[0] is not current:
        _OWN[:] = [current, frozenset({normalize_host(h) for h in config.hosts()} | {normalize_host(public_host())})]
    return _OWN[1]


def _is_ip(host):
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return False


def is_customer_host(host):
    """True when a request for `host` is for a customer's domain, not for the simulator."""
    name = normalize_host(host)
    if not name or name in own_hosts() or _is_ip(name) or "." not in name:
        return False
    # a well-formed domain is a customer's, filed or not (www., other TLDs and all)
    return not any(code == "DOMAIN_SYNTAX_INVALID" for code, _ in validation.check_domain(name))


def _candidates(host):
    """The record keys a host may belong to: itself, then each parent domain up to the
    apex (a.b.example.cn → b.example.cn → example.cn): a filing covers its subdomains."""
    labels = normalize_host(host).split(".")
    keys_ = [scenarios.domain_key(".".join(labels[i:])) for i in range(len(labels) - 1)]
    return list(dict.fromkeys(k for k in keys_ if k))


def _keys_of(website):
    return [scenarios.domain_key(d) for d in scenarios.website_domains(website)]


# -- the decision --------------------------------------------------------------


def _view(website, entity):
    entity = entity or {}
    return {
        "id": website.get("id"),
        "name": website.get("name"),
        "domain": website.get("domain"),
        "number": website.get("number"),
        "status": website.get("status"),
        "access_providers": list(website.get("access_providers") or []),
        "entity_name": entity.get("name"),
        "entity_number": entity.get("number"),
    }


def _early_served(tx, active):
    """The unblock hook: an open order of a kind in EARLY_SERVE, in one of its states,
    about one of the `active` matching websites (see EARLY_SERVE); returns that website."""
    if not EARLY_SERVE:
        return None
    for app in tx.all("applications"):
        states = EARLY_SERVE.get(app.get("kind"))
        if not states or app.get("state") not in states or workflow.state(app["state"]).terminal:
            continue
        ids = set((app.get("target") or {}).get("website_ids") or [])
        domains = {
            scenarios.domain_key(site.get("domain"))
            for site in (app.get("payload") or {}).get("websites") or []
            if isinstance(site, dict)
        }
        for w in active:
            if w["id"] in ids or domains & set(_keys_of(w)):
                return w
    return None


def decide_in(tx, host):
    """decide() over an open reader/transaction."""
    wanted = _candidates(host)
    entities = {e["id"]: e for e in tx.all("entities")}

    def rank(w):  # the exact host before its parents
        return min(wanted.index(k) for k in _keys_of(w) if k in wanted)

    matches = sorted((w for w in tx.all("websites") if set(_keys_of(w)) & set(wanted)), key=rank)
    active = [w for w in matches if scenarios.is_active_site(w, entities)]
    at_tencent = [w for w in active if "tencent" in (w.get("access_providers") or [])]

    def answer(served, reason, website):
        return {
            "served": served,
            "reason": reason,
            "host": normalize_host(host),
            "website": _view(website, entities.get(website.get("entity_id"))) if website else None,
        }

    if at_tencent:
        return answer(True, SERVED, at_tencent[0])
    early = _early_served(tx, active) if active else None
    if early:
        return answer(True, SERVED, early)
    if active:
        return answer(False, NOT_ACCESSED_AT_TENCENT, active[0])
    if matches:
        # the latest record of the domain: cancelled entity or website, or revoked number
        return answer(False, CANCELLED, max(matches, key=lambda w: (w.get("filed_at") or "", w["id"])))
    return answer(False, NOT_FILED, None)


def decide(r, sid, host):
    """{"served": bool, "website": {...} | None, "reason": SERVED | NOT_FILED |
    NOT_ACCESSED_AT_TENCENT | CANCELLED, "host": normalized host, "sandbox": sid}.

    An unknown sandbox (a mistyped X-Icpsim-Sandbox) is SANDBOX_NOT_FOUND, not an answer
    about the domain: nothing can be said about a world that does not exist."""
    if not r.exists(keys.sandbox(sid)):
        result = {"served": False, "reason": SANDBOX_NOT_FOUND, "host": normalize_host(host), "website": None}
    else:
        result = decide_in(store.read(r, sid), host)
    return {**result, "sandbox": sid}
