"""The Tencent Cloud API keys of a sandbox (issue #15): the server key that seals every
SecretKey, issuing a pair with the sandbox, rotating it, finding a SecretId's sandbox.
Apart from services/tencentcloud.py (the actions' answers) so that creating a sandbox needs
nothing from the use cases those answers call."""

import json
import os
import secrets
from pathlib import Path

from backend import config
from backend.services import world
from backend.store import keys, tx as store
from backend.tencentcloud import credentials, errors
from backend.tencentcloud.credentials import KeyPair

SECRET_ENV = "ICPSIM_SECRET_KEY"
SECRET_FILE = "secret.key"
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
    if (
        not record
        or r.get(keys.api_credentials(record["sandbox"])) != secret_id
        or not r.exists(keys.sandbox(record["sandbox"]))
    ):
        raise errors.secret_id_not_found()
    secret_key = credentials.unseal(server_key(), secret_id, record["key"])
    if secret_key is None:  # sealed under another server key: the pair must be rotated
        raise errors.ApiError(
            "AuthFailure.SecretIdNotFound",
            "The SecretKey of this SecretId cannot be read with this server's key; rotate the credentials.",
        )
    return record["sandbox"], secret_key
