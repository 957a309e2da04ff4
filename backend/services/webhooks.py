"""Events out: a sandbox's webhooks, the events it emits, their delivery log.

Every state change, verification result and outbox message becomes an event. `emit`
writes one delivery per matching webhook into the sandbox (collection
`webhook_deliveries`) inside the transaction that made the change, so the event exists
exactly when the change does; after the commit, one RQ job per (webhook, application)
chain delivers them in order (services/webhook_delivery.py, workers/webhooks.py).

Payloads: a state change is shaped like WeChat's `notify_apply_icpfiling_result` event
(`InfoType`, `authorizer_appid`, `beian_status` = WeChat's status), the end of a
verification like `notify_icpfiling_verify_result` (`task_id`, `result` 2 failed / 3
success), and so does a face-check (真实性核验) attempt — the event WeChat really pushes it for —
with the face task's id; our fields beside under `icpsim`. Nothing is written when the sandbox has no
webhook (one field of the sandbox hash, which every use case reads anyway).
"""

import secrets
from urllib.parse import urlsplit

from backend.domain import wechat, workflow
from backend.domain.clock import iso
from backend.domain.errors import fail, validation_failed
from backend.services import webhook_delivery, world
from backend.services.webhook_delivery import DELIVERIES, HOOKS, MAX_DELIVERIES, SECRET  # noqa: F401 (the sender's keys)
from backend.store import tx as store

EVENT_TYPES = (
    "application.state_changed",
    "verification.result",
    "verification.person",
    "face_check.result",
    "outbox.message",
)
MAX_WEBHOOKS = 10
MAX_URL = 500
ON = "webhooks_on"  # field of the sandbox hash: "1" when at least one webhook is registered
VERIFY_END = {workflow.VERIFY_SMS: 3, workflow.SMS_FAILED: 2, workflow.SMS_TIMEOUT: 2}  # action -> WeChat's result


# -- registration ----------------------------------------------------------------------


def _check_url(url):
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username or parts.password:
        raise validation_failed({"url": ["回调地址须为 http(s)://主机[:端口]/路径，且不含用户名密码"]})
    problem = webhook_delivery.address_problem(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
    if problem:
        raise fail("WEBHOOK_URL_REFUSED", "回调地址不允许：" + problem, errors={"url": [problem]})


def register(r, sid, url, events=None):
    _check_url(url)
    unknown = sorted(set(events or ()) - set(EVENT_TYPES))
    if unknown:
        raise validation_failed({"events": [f"未知的事件类型：{', '.join(unknown)}"]})

    def fn(tx):
        hooks = tx.all(HOOKS)
        if len(hooks) >= MAX_WEBHOOKS:
            raise fail("WEBHOOK_LIMIT", f"每个沙箱最多注册 {MAX_WEBHOOKS} 个回调地址", limit=MAX_WEBHOOKS)
        secret = world.meta(tx).get(SECRET) or secrets.token_hex(32)
        hook = {
            "id": tx.next_id("webhook", "H", 3),
            "url": url,
            "events": sorted(set(events)) if events else None,
            "created_at": iso(world.now(tx)),
        }
        tx.put(HOOKS, hook)
        tx.set_meta(SECRET, secret)
        tx.set_meta(ON, "1")
        return dict(hook, secret=secret)

    return store.run(r, sid, fn)


def list_hooks(r, sid):
    tx = store.read(r, sid)
    secret = world.meta(tx).get(SECRET)
    return [dict(h, secret=secret) for h in tx.all(HOOKS)]


def remove(r, sid, hook_id):
    def fn(tx):
        if tx.get(HOOKS, hook_id) is None:
            raise fail("WEBHOOK_NOT_FOUND", webhook_id=hook_id)
        tx.delete(HOOKS, hook_id)
        tx.set_meta(ON, "1" if len(tx.all(HOOKS)) else "0")

    store.run(r, sid, fn)


# -- events ------------------------------------------------------------------------------


def _on(tx):
    return world.meta(tx).get(ON) == "1"


def _wanted(hook, event_type):
    return not hook.get("events") or event_type in hook["events"]


def emit(tx, event_type, app_id, body):
    """One event: a delivery per matching webhook, written in the caller's transaction, and
    its chain's delivery job enqueued once that commits. Returns the deliveries written."""
    if not _on(tx):
        return []
    seq = int(tx.next_id("webhook_event", "", 9))
    at = iso(world.now(tx))
    out = []
    for hook in tx.all(HOOKS):
        if not _wanted(hook, event_type):
            continue
        doc = {
            "id": tx.next_id("webhook_delivery", "D", 8),
            "webhook_id": hook["id"],
            "app_id": app_id or "-",
            "seq": seq,
            "state": "pending",
            "attempts": [],
            "event": {"id": f"EV{seq:09d}", "type": event_type, "sandbox": tx.sid, "created_at": at, **body},
        }
        tx.put(DELIVERIES, doc)
        out.append(doc)
        tx.after_commit.append(lambda sid=tx.sid, h=hook["id"], a=doc["app_id"]: _start(sid, h, a))
    _emitted(tx).extend(out)
    return out


def _emitted(tx):
    """The deliveries this transaction wrote so far (kept on the Tx for `on_transition`)."""
    if not hasattr(tx, "_icpsim_events"):
        tx._icpsim_events = []
    return tx._icpsim_events


def _start(sid, hook_id, app_id):
    webhook_delivery.kick(sid, hook_id, app_id)


def on_message(tx, message):
    """An outbox message (SMS, e-mail, in-site) was written."""
    emit(
        tx,
        "outbox.message",
        message.get("app_id"),
        {"InfoType": "icpsim_outbox_message", "icpsim": {"message": message}},
    )


def _state_change(app, event, info):
    """icpsim's own account of a transition, carried in both WeChat-shaped events."""
    return {
        "application_id": app["id"],
        "kind": app["kind"],
        "state": app["state"],
        "from": event["from"],
        "action": event["action"],
        "actor": event["actor"],
        "reason": event["reason"],
        "at": event["at"],
        "version": app["version"],
        "wechat": info,
        "audit_data": app.get("audit_data") or [],
        "result": app.get("result"),
    }


def on_transition(tx, app, event):
    """A transition committed with `app` in its new state (after its entry effects): the state
    change comes first in the chain, before the messages its effects wrote."""
    if not _on(tx):
        return
    earlier = [d for d in _emitted(tx) if d["app_id"] == app["id"]]
    info = wechat.brief(app)
    ours = _state_change(app, event, info)
    written = emit(
        tx,
        "application.state_changed",
        app["id"],
        {
            "AppId": "icpsim",
            "CreateTime": _unix(event["at"]),
            "InfoType": "notify_apply_icpfiling_result",
            "authorizer_appid": tx.sid,
            "beian_status": info["status"],
            "icpsim": ours,
        },
    )
    if event["action"] in VERIFY_END:
        written += emit(
            tx,
            "verification.result",
            app["id"],
            {
                "AppId": "icpsim",
                "CreateTime": _unix(event["at"]),
                "InfoType": "notify_icpfiling_verify_result",
                "task_id": f"{app['id']}-{app.get('attempt', 0)}",
                "verify_appid": tx.sid,
                "result": VERIFY_END[event["action"]],
                "icpsim": ours,
            },
        )
    _first(tx, earlier, written)
    tx._icpsim_events = []  # a later transition in this transaction reorders only its own messages


def _first(tx, earlier, written):
    """Give the just-written deliveries the earliest event numbers of this transaction's
    events of the same application (the messages move after them)."""
    if not earlier:
        return
    seqs = sorted({d["seq"] for d in earlier + written})
    order = list(dict.fromkeys(d["seq"] for d in written)) + list(dict.fromkeys(d["seq"] for d in earlier))
    renumber = dict(zip(order, seqs))
    for d in earlier + written:
        d["seq"] = renumber[d["seq"]]
        d["event"]["id"] = f"EV{d['seq']:09d}"
        tx.put(DELIVERIES, d)


def on_person(tx, app, person, result):
    """One person's MIIT check ended (verified, or failed on the wrong code too many)."""
    emit(
        tx,
        "verification.person",
        app["id"],
        {
            "InfoType": "icpsim_verification_person",
            "icpsim": {
                "application_id": app["id"],
                "person": person["person"],
                "roles": person["roles"],
                "mobile_masked": person.get("mobile_masked") or "",
                "result": result,
            },
        },
    )


def on_face_check(tx, app, task, now):
    """A face-check attempt ended (`task` as it now is): WeChat's `notify_icpfiling_verify_result`
    with the face task's id and `result` 3 success / 2 failed; `is_finish` false on a failure means
    the owner may try again while the notice lives."""
    emit(
        tx,
        "face_check.result",
        app["id"],
        {
            "AppId": "icpsim",
            "CreateTime": int(now),
            "InfoType": "notify_icpfiling_verify_result",
            "task_id": task["id"],
            "verify_appid": tx.sid,
            "result": task["status"],
            "icpsim": {
                "application_id": app["id"],
                "task_id": task["id"],
                "site_index": task.get("site_index"),
                "person": {"name": (task.get("person") or {}).get("name")},
                "face_status": task["status"],
                "is_finish": task["is_finish"],
                "reason": task.get("reason"),
                "reason_zh": task.get("reason_zh"),
                "attempts": task.get("attempts", 0),
                "at": iso(now),
            },
        },
    )


def _unix(at_iso):
    from datetime import datetime

    return int(datetime.fromisoformat(at_iso).timestamp())


# -- the log -----------------------------------------------------------------------------


def log(r, sid, webhook_id=None, app_id=None, state=None, limit=100):
    """Deliveries, newest first, with their attempts (status, latency, response excerpt)."""
    docs = store.read(r, sid).all(DELIVERIES)
    docs = [
        d
        for d in docs
        if (webhook_id is None or d["webhook_id"] == webhook_id)
        and (app_id is None or d["app_id"] == app_id)
        and (state is None or d["state"] == state)
    ]
    return sorted(docs, key=lambda d: (d["seq"], store.id_order(d["id"])), reverse=True)[:limit]


def redeliver(r, sid, delivery_id):
    """The same event again, as a new delivery at the end of its chain."""

    def fn(tx):
        old = tx.get(DELIVERIES, delivery_id)
        if old is None:
            raise fail("DELIVERY_NOT_FOUND", delivery_id=delivery_id)
        if tx.get(HOOKS, old["webhook_id"]) is None:
            raise fail("WEBHOOK_NOT_FOUND", "该回调地址已删除，无法重新投递", status=409, webhook_id=old["webhook_id"])
        doc = dict(
            old,
            id=tx.next_id("webhook_delivery", "D", 8),
            state="pending",
            attempts=[],
            seq=int(tx.next_id("webhook_event", "", 9)),
            redelivery_of=old["id"],
        )
        tx.put(DELIVERIES, doc)
        tx.after_commit.append(lambda: _start(sid, doc["webhook_id"], doc["app_id"]))
        return doc

    return store.run(r, sid, fn)
