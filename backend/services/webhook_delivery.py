"""Delivering webhook events: signed POSTs, one chain per (webhook, application), in order.

A chain's deliveries go out oldest event first; one job at a time drains a chain (a Redis
lock), so order holds with any number of workers. A failed attempt (not 2xx, timeout,
refused) is retried with exponential backoff — the chain waits meanwhile, later events
stay behind it — until MAX_ATTEMPTS, then the delivery is marked failed and the chain
moves on. Redirects are not followed; the response is read up to READ_LIMIT bytes.

Signature: `X-Icpsim-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, f"{t}.{body}")>`,
with the sandbox's webhook secret (returned when a webhook is registered).
"""

import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import os
import secrets
import socket
import time
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

from backend.store import keys
from backend.store.tx import decode, dumps

log = logging.getLogger("icpsim.webhooks")

# Where a sandbox keeps its webhooks and their delivery log (services/webhooks.py writes them
# too; they live here, with the sender, so the sender needs nothing from the registration side).
HOOKS, DELIVERIES = "webhooks", "webhook_deliveries"
MAX_DELIVERIES = 1000  # the log keeps this many per sandbox (the oldest finished go first)
SECRET = "webhook_secret"


def allow_loopback() -> bool:
    """ICPSIM_WEBHOOK_ALLOW_LOOPBACK=1: callbacks to 127.0.0.1 / ::1 allowed (tests, local dev)."""
    return os.environ.get("ICPSIM_WEBHOOK_ALLOW_LOOPBACK", "") in ("1", "true", "yes")


MAX_ATTEMPTS = int(os.environ.get("ICPSIM_WEBHOOK_MAX_ATTEMPTS", "5"))
BACKOFF_S = float(os.environ.get("ICPSIM_WEBHOOK_BACKOFF_S", "2"))  # attempt n+1 waits BACKOFF * 2**(n-1)
MAX_BACKOFF_S = 600
TIMEOUT_S = float(os.environ.get("ICPSIM_WEBHOOK_TIMEOUT_S", "3"))
READ_LIMIT, EXCERPT = 4096, 300
LOCK_S = 120  # longer than one attempt can take
PER_RUN = 200  # deliveries one job sends before handing the chain to a fresh job
USER_AGENT = "icpsim-webhooks/1"


def sign(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def address_problem(host: str, port: int) -> str | None:
    """Why the simulator will not call this host (None: it will). Every address the name
    resolves to must be public; loopback only with ICPSIM_WEBHOOK_ALLOW_LOOPBACK=1."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, ValueError):
        return "无法解析回调地址的主机名"
    for info in infos:
        ip = ipaddress.ip_address(info[4][0].split("%")[0])
        ip = getattr(ip, "ipv4_mapped", None) or ip
        if ip.is_loopback:
            if not allow_loopback():
                return "不允许回环地址（本地调试可设置 ICPSIM_WEBHOOK_ALLOW_LOOPBACK=1）"
            continue
        if ip.is_private or ip.is_link_local or ip.is_multicast or ip.is_reserved or ip.is_unspecified:
            return "不允许内网、链路本地、组播或保留地址"
    return None


def backoff(attempts: int) -> float:
    return min(BACKOFF_S * 2 ** (attempts - 1), MAX_BACKOFF_S)


# -- one attempt ---------------------------------------------------------------------------


def _headers(secret, stamp, body, delivery):
    """The delivery's headers: the event type, the delivery id and the body's signature."""
    return {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-Icpsim-Event": delivery["event"]["type"],
        "X-Icpsim-Delivery": delivery["id"],
        "X-Icpsim-Signature": f"t={stamp},v1={sign(secret, stamp, body)}",
    }


def post(url: str, secret: str, delivery: dict) -> dict:
    """POST the delivery's event; the attempt's record (never raises)."""
    body = json.dumps(delivery["event"], ensure_ascii=False, separators=(",", ":")).encode()
    stamp = int(time.time())
    started = time.perf_counter()
    record = {
        "n": len(delivery["attempts"]) + 1,
        "at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "status": None,
        "ok": False,
    }
    parts = urlsplit(url)
    problem = address_problem(parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80))
    if problem:  # checked again at each attempt: the name may resolve elsewhere now
        return dict(record, error=problem, latency_ms=0, response_excerpt="")
    conn_cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    conn = conn_cls(parts.hostname, parts.port, timeout=TIMEOUT_S)
    try:
        conn.request(
            "POST",
            (parts.path or "/") + (f"?{parts.query}" if parts.query else ""),
            body=body,
            headers=_headers(secret, stamp, body, delivery),
        )
        resp = conn.getresponse()  # a 3xx is an answer like any other: never followed
        excerpt = resp.read(READ_LIMIT).decode("utf-8", "replace")[:EXCERPT]
        record.update(status=resp.status, ok=200 <= resp.status < 300, response_excerpt=excerpt)
    except (OSError, http.client.HTTPException) as exc:
        record.update(
            error="timeout"
            if isinstance(exc, TimeoutError | socket.timeout)
            else f"{type(exc).__name__}: {str(exc)[:120]}",
            response_excerpt="",
        )
    finally:
        conn.close()
    record["latency_ms"] = int((time.perf_counter() - started) * 1000)
    return record


# -- a chain -------------------------------------------------------------------------------


def _docs(r, sid):
    return [decode(v) for v in r.hgetall(keys.collection(sid, DELIVERIES)).values()]


def _head(r, sid, hook_id, app_id):
    pending = [
        d for d in _docs(r, sid) if d["webhook_id"] == hook_id and d["app_id"] == app_id and d["state"] == "pending"
    ]
    return min(pending, key=lambda d: (d["seq"], d["id"])) if pending else None


def _save(r, sid, doc):
    if r.exists(keys.sandbox(sid)):  # a deleted sandbox stays deleted
        r.hset(keys.collection(sid, DELIVERIES), doc["id"], dumps(doc))


def drain(r, sid, hook_id, app_id):
    """Send the chain's pending deliveries in order; returns what stopped it."""
    lock, token = keys.webhook_chain_lock(sid, hook_id, app_id), secrets.token_hex(8)
    if not r.set(lock, token, nx=True, ex=LOCK_S):
        return "busy"  # the job holding the chain sends ours too (it looks again before leaving)
    try:
        outcome = _drain_locked(r, sid, hook_id, app_id)
    finally:
        if r.get(lock) == token:
            r.delete(lock)
    if outcome == "done" and _head(r, sid, hook_id, app_id) is not None:
        kick(sid, hook_id, app_id)  # written while we were leaving
    _trim(r, sid)
    return outcome


def _drain_locked(r, sid, hook_id, app_id):
    for _ in range(PER_RUN):
        doc = _head(r, sid, hook_id, app_id)
        if doc is None:
            return "done"
        wait = (doc.get("next_attempt_at") or 0) - time.time()
        if wait > 0:
            # RQ's scheduled registry keeps whole seconds, so a retry job may come up to a
            # second early: it schedules itself again for what is left rather than be lost
            _retry_later(sid, hook_id, app_id, wait)
            return "waiting"
        raw = r.hget(keys.collection(sid, HOOKS), hook_id)
        secret = r.hget(keys.sandbox(sid), SECRET)
        if raw is None or secret is None:
            _save(r, sid, dict(doc, state="failed", error="回调地址已删除"))
            continue
        attempt = post(decode(raw)["url"], secret, doc)
        doc = dict(doc, attempts=[*doc["attempts"], attempt][-MAX_ATTEMPTS:])
        if attempt["ok"]:
            _save(r, sid, dict(doc, state="delivered", next_attempt_at=None))
        elif attempt["n"] >= MAX_ATTEMPTS:
            _save(r, sid, dict(doc, state="failed", next_attempt_at=None))
        else:
            wait = backoff(attempt["n"])
            _save(r, sid, dict(doc, next_attempt_at=time.time() + wait))
            _retry_later(sid, hook_id, app_id, wait)
            return "retry"
    kick(sid, hook_id, app_id)
    return "more"


def _trim(r, sid):
    """Keep the log bounded: the oldest finished deliveries go first."""
    key = keys.collection(sid, DELIVERIES)
    extra = r.hlen(key) - MAX_DELIVERIES
    if extra > 0:
        done = sorted((d for d in _docs(r, sid) if d["state"] != "pending"), key=lambda d: (d["seq"], d["id"]))
        if done[:extra]:
            r.hdel(key, *[d["id"] for d in done[:extra]])


# -- jobs ------------------------------------------------------------------------------------


def kick(sid, hook_id, app_id):
    """A job to drain the chain now (RQ; inline in the API tests' synchronous mode)."""
    from backend.services import scheduling

    try:
        scheduling.queue().enqueue(
            "workers.webhooks.deliver", sid, hook_id, app_id, result_ttl=60, failure_ttl=3600, job_timeout=LOCK_S
        )
    except Exception:  # events never break the change that emitted them; the log shows what is pending
        log.exception("could not enqueue the webhook delivery of %s %s %s", sid, hook_id, app_id)


def _retry_later(sid, hook_id, app_id, wait):
    from backend.services import scheduling

    scheduling.queue().enqueue_in(
        timedelta(seconds=wait),
        "workers.webhooks.deliver",
        sid,
        hook_id,
        app_id,
        result_ttl=60,
        failure_ttl=3600,
        job_timeout=LOCK_S,
    )
