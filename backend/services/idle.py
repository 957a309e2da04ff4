"""Idle sandboxes: a sandbox's idle time-to-live, moved by every call and swept lazily."""

import time

from backend.domain.errors import NotFound
from backend.services.sandboxes import delete
from backend.store import keys

# A sandbox created with `idle_ttl_seconds` is listed in keys.IDLE_EXPIRY, scored by the
# real moment its time runs out; every API call to it moves that moment (`touch`). Expired
# sandboxes are deleted lazily by the web process: the one a request names at once
# (`touch`), the others by a sweep at most every ICPSIM_IDLE_SWEEP_SECONDS (`sweep_idle`).

_TOUCH = """
local old = redis.call('ZSCORE', KEYS[1], ARGV[2])
if not old then return -1 end
if tonumber(old) <= tonumber(ARGV[1]) then return 0 end
local ttl = redis.call('HGET', KEYS[2], 'idle_ttl')
if not ttl then return -1 end
redis.call('ZADD', KEYS[1], 'XX', tonumber(ARGV[1]) + tonumber(ttl), ARGV[2])
return tonumber(ttl)
"""


def touch(r, sid, now=None):
    """An API call reached sandbox `sid`: its idle time starts again. Returns its
    time-to-live in seconds, None when it has none, 0 when its time had run out already
    (it is deleted now)."""
    now = time.time() if now is None else now
    ttl = r.eval(_TOUCH, 2, keys.IDLE_EXPIRY, keys.sandbox(sid), now, sid)
    if ttl == 0:
        return 0 if _expire(r, sid, now) else None
    return None if ttl < 0 else int(ttl)


def _expire(r, sid, now):
    score = r.zscore(keys.IDLE_EXPIRY, sid)
    if score is None or score > now:  # touched meanwhile
        return False
    try:
        delete(r, sid)
    except NotFound:
        r.zrem(keys.IDLE_EXPIRY, sid)  # deleted by someone else: only the listing is left
    return True


def sweep_idle(r, now=None, limit=100):
    """Delete up to `limit` sandboxes whose idle time-to-live ran out; returns their ids."""
    now = time.time() if now is None else now
    due = r.zrangebyscore(keys.IDLE_EXPIRY, "-inf", now, start=0, num=limit)
    return [sid for sid in due if _expire(r, sid, now)]
