"""How a conversation is kept in Redis: its document in the sandbox's "conversations"
collection, its append-only list of messages, the answers already given per client message
id, and the lock that lets one reply (or one sync) run at a time. chat/engine.py runs the
conversation; this is its storage."""

import json

from redis.exceptions import LockError

from backend import config
from backend.domain.errors import Conflict, DomainError, NotFound
from backend.store import keys, tx as store

LOCK_SECONDS = 60


def load(r, sid, cid):
    conv = store.read(r, sid).get("conversations", cid)
    if conv is None:
        raise NotFound("CONVERSATION_NOT_FOUND", "对话不存在", conversation_id=cid)
    return conv


def _lock(r, sid, cid):
    return r.lock(keys.conversation_lock(sid, cid), timeout=LOCK_SECONDS, blocking_timeout=LOCK_SECONDS)


def locked(r, sid, cid, fn):
    lock = _lock(r, sid, cid)
    if not lock.acquire():
        raise DomainError("CONVERSATION_BUSY", "对话正在处理上一条消息，请稍后重试", status=503, conversation_id=cid)
    try:
        return fn()
    finally:
        try:
            lock.release()
        except LockError:  # it expired meanwhile: what fn committed stands
            pass


def load_for_reply(r, sid, cid, client_id):
    """One round trip: the conversation, the sandbox's meta hash (the clock, for `now`) and the
    answer already given to `client_id`, if any. Returns (reader, conversation, earlier answer)."""
    reader = store.read(r, sid)
    replies = keys.conversation_replies(sid, cid)
    wanted = store.core_keys(sid, (store.META, ("conversations", cid)))
    reader.prefetch(wanted + ([("field", replies, client_id)] if client_id else []))
    conv = reader.get("conversations", cid)
    if conv is None:
        raise NotFound("CONVERSATION_NOT_FOUND", "对话不存在", conversation_id=cid)
    done = reader.field(replies, client_id) if client_id else None
    return reader, conv, done


def commit(r, sid, conv, messages, client_message_id=None, answer_doc=None, new=False):
    def fn(tx):
        doc = dict(conv)
        if new:
            limit = config.conversations_max()
            if limit and tx.counter("conversation") >= limit:  # bounded growth (README: configuration)
                raise Conflict(
                    "CONVERSATION_LIMIT", f"沙箱的对话数已达上限（{limit} 个），请重置沙箱或新建沙箱", limit=limit
                )
            doc["id"] = tx.next_id("conversation", "C")
        else:
            stored = tx.get("conversations", doc["id"])
            if stored is None:
                raise NotFound("CONVERSATION_NOT_FOUND", "对话不存在", conversation_id=doc["id"])
            if stored["seq"] + len(messages) != doc["seq"]:
                raise DomainError("CONVERSATION_BUSY", "对话已被并发修改，请重试", status=503)
        doc["updated_at"] = messages[-1]["at"] if messages else doc.get("updated_at")
        doc.setdefault("created_at", doc["updated_at"])
        tx.put("conversations", doc)
        for msg in messages:
            tx.add_message(doc["id"], msg)
        if client_message_id:
            tx.mark_reply(doc["id"], client_message_id, answer_doc)
        return doc

    # an update reads the conversation for sure: WATCHed and read with the meta hash, in one round trip
    return store.run(r, sid, fn, prefetch=store.BASE if new else (store.META, ("conversations", conv["id"])))


def messages(r, sid, cid, first=1, last=-1):
    raw = r.lrange(keys.conversation_messages(sid, cid), first - 1, last - 1 if last > 0 else -1)
    return [store.decode(m) for m in raw]
