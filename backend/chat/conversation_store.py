"""How a conversation is kept in Redis: its document in the sandbox's "conversations"
collection, its append-only list of messages, the answers already given per client message
id, and the lock that lets one reply (or one sync) run at a time. chat/engine.py runs the
conversation; this is its storage."""

import secrets
import time

from redis.exceptions import LockError

from backend import config
from backend.domain.errors import fail
from backend.services import recording
from backend.store import keys, tx as store

LOCK_SECONDS = 60


def load(r, sid, cid):
    conv = store.read(r, sid).get("conversations", cid)
    if conv is None:
        raise fail("CONVERSATION_NOT_FOUND", conversation_id=cid)
    return conv


def _lock(r, sid, cid):
    return r.lock(keys.conversation_lock(sid, cid), timeout=LOCK_SECONDS, blocking_timeout=LOCK_SECONDS)


def locked(r, sid, cid, fn):
    lock = _lock(r, sid, cid)
    if not lock.acquire():
        raise fail("CONVERSATION_BUSY", conversation_id=cid)
    try:
        return fn()
    finally:
        try:
            lock.release()
        except LockError:  # it expired meanwhile: what fn committed stands
            pass


# Releasing the lock only while it is still ours (what redis-py's Lock.release does), run
# inside a reply's commit (MULTI) so the release costs no round trip of its own.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class ReplyLock:
    """The conversation's lock as a reply takes it: SET NX sent with the reply's first reads
    (`load_for_reply`), released with its commit; `release` for the paths without one."""

    def __init__(self, r, sid, cid):
        self.r, self.key, self.token, self.held = r, keys.conversation_lock(sid, cid), secrets.token_hex(16), False

    def release(self):
        if self.held:
            self.held = False
            self.r.eval(_RELEASE, 1, self.key, self.token)

    def release_in(self, tx):
        tx.script(_RELEASE, [self.key], [self.token])


def load_for_reply(r, sid, cid, client_id, lock):
    """One round trip: the conversation's lock (SET NX), the conversation, the sandbox's meta
    hash (the clock, for `now`) and the answer already given to `client_id`, if any. While the
    lock is taken, it tries again every 0.1 s, as redis-py's Lock does, for up to LOCK_SECONDS.
    Returns (reader, conversation, earlier answer)."""
    replies = keys.conversation_replies(sid, cid)
    wanted = store.core_keys(sid, (store.META, ("conversations", cid)))
    wanted += [("field", replies, client_id)] if client_id else []
    give_up = time.monotonic() + LOCK_SECONDS
    while True:
        reader = store.read(r, sid)
        if reader.prefetch(wanted, first=("SET", lock.key, lock.token, "NX", "PX", LOCK_SECONDS * 1000)):
            lock.held = True
            break
        if time.monotonic() >= give_up:
            raise fail("CONVERSATION_BUSY", conversation_id=cid)
        time.sleep(0.1)
    conv = reader.get("conversations", cid)
    if conv is None:
        raise fail("CONVERSATION_NOT_FOUND", conversation_id=cid)
    done = reader.field(replies, client_id) if client_id else None
    return reader, conv, done


def commit(r, sid, conv, messages, client_message_id=None, answer_doc=None, new=False, lock=None, journal=None):
    """Save the conversation and its new messages; `lock` (a ReplyLock) released and `journal`
    (the request's journal entry, recording.append_in) appended in the same MULTI."""

    def fn(tx):
        doc = dict(conv)
        if new:
            limit = config.conversations_max()
            if limit and tx.counter("conversation") >= limit:  # bounded growth (README: configuration)
                raise fail(
                    "CONVERSATION_LIMIT", f"沙箱的对话数已达上限（{limit} 个），请重置沙箱或新建沙箱", limit=limit
                )
            doc["id"] = tx.next_id("conversation", "C")
        else:
            stored = tx.get("conversations", doc["id"])
            if stored is None:
                raise fail("CONVERSATION_NOT_FOUND", conversation_id=doc["id"])
            if stored["seq"] + len(messages) != doc["seq"]:
                raise fail("CONVERSATION_BUSY")
        doc["updated_at"] = messages[-1]["at"] if messages else doc.get("updated_at")
        doc.setdefault("created_at", doc["updated_at"])
        tx.put("conversations", doc)
        for msg in messages:
            tx.add_message(doc["id"], msg)
        if client_message_id:
            tx.mark_reply(doc["id"], client_message_id, answer_doc)
        if lock is not None:
            lock.release_in(tx)
        if journal is not None:
            recording.append_in(tx, journal["entry"])
        return doc

    # an update reads the conversation for sure: WATCHed and read with the meta hash, in one round trip
    doc = store.run(r, sid, fn, prefetch=store.BASE if new else (store.META, ("conversations", conv["id"])))
    if lock is not None:
        lock.held = False
    if journal is not None:
        journal["done"] = True
    return doc


def messages(r, sid, cid, first=1, last=-1):
    raw = r.lrange(keys.conversation_messages(sid, cid), first - 1, last - 1 if last > 0 else -1)
    return [store.decode(m) for m in raw]
