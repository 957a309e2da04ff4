"""Live updates (issue #14): a cheap version per sandbox, for conditional polling.

Every commit of a sandbox (`store.tx.Tx.flush`) INCRs its revision key in the same
MULTI, so a version that did not change means nothing a client shows changed. Clients
ask with If-None-Match and get 304 (one Redis round trip) until something moves.
"""

import hashlib

from backend.domain import errors
from backend.store import keys

MAX_SANDBOXES = 500  # the console's listing (and its version) covers at most this many


def sandbox_version(r, sid) -> int:
    batch = r.pipeline(transaction=False)
    batch.exists(keys.sandbox(sid))
    batch.get(keys.revision(sid))
    exists, rev = batch.execute()
    if not exists:
        raise errors.sandbox_not_found(sid)
    return int(rev or 0)


def sandbox_ids(r) -> list:
    return sorted(r.smembers(keys.SANDBOXES))[:MAX_SANDBOXES]


def versions(r) -> dict:
    """Every sandbox's version (and the classes' count): what the console polls."""
    sids = sandbox_ids(r)
    revs = r.mget([keys.revision(s) for s in sids]) if sids else []
    return {sid: int(rev or 0) for sid, rev in zip(sids, revs)}


def etag_of(versions_: dict, classes: int = 0) -> str:
    text = ";".join(f"{sid}={rev}" for sid, rev in sorted(versions_.items())) + f";classes={classes}"
    return hashlib.sha256(text.encode()).hexdigest()[:20]
