"""Tencent Cloud API 3.0 over the sandbox (issue #15): API keys per sandbox, and each action's
answer from the same services and data the REST API uses (backend/tencentcloud/ is the wire)."""
import json
import os
import secrets
from datetime import datetime, timezone
from pathlib import Path

from backend import config
from backend.domain.clock import CST
from backend.domain.errors import DomainError, NotFound
from backend.services import applications, recording, world
from backend.store import keys
from backend.store import tx as store
from backend.tencentcloud import ba, credentials, errors
from backend.tencentcloud.credentials import KeyPair

SECRET_ENV = "ICPSIM_SECRET_KEY"
SECRET_FILE = "secret.key"
QR_TTL_SECONDS = 600  # a CreateWeappQRUrl link opens the page once, within ten minutes
_key_cache: dict = {}


# -- the server key that seals every SecretKey ------------------------------------------

def _key_material() -> bytes:
    configured = os.environ.get(SECRET_ENV)
    if configured:
        return configured.encode()
    path = Path(config.data_dir()) / SECRET_FILE
    try:  # created once, readable by the owner only; concurrent workers: one wins, all read it
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32))
    except FileExistsError:
        pass
    return path.read_bytes().strip()


def server_key() -> bytes:
    material = _key_material()
    if material not in _key_cache:
        _key_cache.clear()
        _key_cache[material] = credentials.server_key(material)
    return _key_cache[material]


# -- key pairs -----------------------------------------------------------------------------

def issue(tx, sid, pair: KeyPair):
    """Inside the sandbox's creation (same MULTI): the pair's records."""
    tx.set(keys.api_secret(pair.secret_id), json.dumps({"sandbox": sid, "key": credentials.seal(server_key(), pair)}))
    tx.set(keys.api_credentials(sid), pair.secret_id)


def forget(r, pipe, sid):
    """Queued on the sandbox's deletion: its SecretId no longer answers."""
    current = r.get(keys.api_credentials(sid))
    if current:
        pipe.delete(keys.api_secret(current))
    pipe.delete(keys.api_credentials(sid))


def rotate(r, sid) -> dict:
    """A new pair for the sandbox; the old SecretId stops working at once (lookup checks that a
    SecretId is its sandbox's current one), and its record goes right after."""
    pair = credentials.new_pair()
    old = r.get(keys.api_credentials(sid))

    def fn(tx):
        world.meta(tx)  # 404 for a sandbox that does not exist
        issue(tx, sid, pair)
    store.run(r, sid, fn)
    if old and old != pair.secret_id:
        r.delete(keys.api_secret(old))
    return {"id": sid, **pair.public()}


def lookup(r, secret_id):
    """(sandbox id, SecretKey) of a SecretId, or AuthFailure.SecretIdNotFound."""
    raw = r.get(keys.api_secret(secret_id))
    record = json.loads(raw) if raw else None
    if not record or r.get(keys.api_credentials(record["sandbox"])) != secret_id \
            or not r.exists(keys.sandbox(record["sandbox"])):
        raise errors.secret_id_not_found()
    secret_key = credentials.unseal(server_key(), secret_id, record["key"])
    if secret_key is None:  # sealed under another server key: the pair must be rotated
        raise errors.ApiError("AuthFailure.SecretIdNotFound",
                              "The SecretKey of this SecretId cannot be read with this server's key; rotate the credentials.")
    return record["sandbox"], secret_key


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
    data.update(entities=tx.all("entities"), websites=tx.all("websites"), account=account(tx), region=region,
                created_at=datetime.fromtimestamp(started, CST).strftime("%Y-%m-%d %H:%M:%S"),
                created_at_iso=datetime.fromtimestamp(started, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))
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
    recording.append(r, sid, {"method": "PATCH", "path": f"/applications/{app['id']}", "body": {"websites": sites},
                              "status": 200, "at": at, "who": "user"})
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
