"""Tencent Cloud API 3.0 over the sandbox (issue #15): each action's answer from the same services
and data the REST API uses (backend/tencentcloud/ is the wire; the API keys: services/api_credentials.py)."""

import json
import secrets
from datetime import datetime, timezone

from backend.domain.clock import CST
from backend.domain.errors import DomainError, NotFound
from backend.services import applications, recording, world
from backend.store import keys, tx as store
from backend.tencentcloud import ba, errors

QR_TTL_SECONDS = 600  # a CreateWeappQRUrl link opens the page once, within ten minutes


# -- the account's real-name state (DescribeGetAuthInfo) ------------------------------------


def account(tx) -> dict:
    """Kept in the sandbox's meta; a sandbox that never set it has its preset's default."""
    meta = world.meta(tx)
    if meta.get("account"):
        return json.loads(meta["account"])
    from backend.domain import presets

    return ba.default_account(bool(presets.PRESETS.get(meta.get("preset"), {}).get("resources")))


def read_account(r, sid) -> dict:
    return account(store.read(r, sid))


def set_account(r, sid, real_name_status=None, real_name_type=None, level=None) -> dict:
    def fn(tx):
        current = account(tx)
        if real_name_status is not None:
            current["real_name"]["status"] = real_name_status
        if real_name_type is not None:
            current["real_name"]["type"] = real_name_type
        if level is not None:
            current["level"] = level
        tx.set_meta("account", json.dumps(current, ensure_ascii=False))
        return current

    return store.run(r, sid, fn)


# -- the actions ----------------------------------------------------------------------------


def _created(meta) -> float:
    origin = json.loads(meta.get("origin") or "{}")
    return float(origin.get("clock_start") or 0)


def view(r, sid, region) -> dict:
    """What the read actions map: the cloud resources, the records, the account — read once."""
    tx = store.read(r, sid)
    meta = world.meta(tx)
    started = _created(meta)  # the sandbox's virtual start: the same answer on every run
    data = {name: tx.all(name) for name in world.RESOURCES}
    data.update(
        entities=tx.all("entities"),
        websites=tx.all("websites"),
        account=account(tx),
        region=region,
        created_at=datetime.fromtimestamp(started, CST).strftime("%Y-%m-%d %H:%M:%S"),
        created_at_iso=datetime.fromtimestamp(started, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
    return data


def call(r, sid, service, action_name, action, params, region, origin) -> dict:
    """One action's response fields (RequestId is the wire's)."""
    if action.answer is not None:
        return action.answer(params, view(r, sid, region))
    if (service, action_name) == ("ba", "CreateWeappQRUrl"):
        return {"Url": qr_link(r, sid, origin)}
    if (service, action_name) == ("ba", "SyncIcpOrderWebInfo"):
        return sync_websites(r, sid, params)
    raise errors.internal_error()


def sync_websites(r, sid, params) -> dict:
    """Through applications.edit: the same rules as a PATCH of the order (its state must allow
    editing, the websites are validated again)."""
    try:
        app = applications.get(r, sid, params["IcpOrderId"])
    except NotFound:
        raise errors.resource_not_found(f"The order `{params['IcpOrderId']}` does not exist.") from None
    sites = ba.synced_websites(params, app)
    at = recording.clock_now(r, sid)
    try:
        applications.edit(r, sid, app["id"], {"websites": sites})
    except DomainError as e:
        if e.status == 422:
            raise errors.invalid_parameter_value(f"{e.message}: {json.dumps(e.details, ensure_ascii=False)}") from None
        raise errors.resource_unavailable(f"{e.code}: {e.message}") from None
    # the sandbox's recording replays it as the PATCH it amounts to
    recording.append(
        r,
        sid,
        {
            "method": "PATCH",
            "path": f"/applications/{app['id']}",
            "body": {"websites": sites},
            "status": 200,
            "at": at,
            "who": "user",
        },
    )
    return {}


# -- the filing mini-program's QR link (CreateWeappQRUrl) --------------------------------------


def qr_link(r, sid, origin) -> str:
    """A link with a one-time exchange key, never the sandbox token: the link ends up in logs."""
    key = secrets.token_urlsafe(18)
    r.set(keys.qr_exchange(sid, key), "1", ex=QR_TTL_SECONDS)
    return f"{origin}/miniprogram/qr?sandbox={sid}&exchangeKey={key}"


def qr_valid(r, sid, key) -> bool:
    return bool(sid and key and r.exists(keys.qr_exchange(sid, key)))


def qr_exchange(r, sid, key):
    """The sandbox token for a valid exchange key, once; None otherwise."""
    if not (sid and key) or not r.getdel(keys.qr_exchange(sid, key)):
        return None
    return r.hget(keys.sandbox(sid), "token")
