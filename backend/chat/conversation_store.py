"""How a conversation is kept in Redis: its document in the sandbox's "conversations"
collection, its append-only list of messages, the answers already given per client message
id, and the lock that lets one reply (or one sync) run at a time. chat/engine.py runs the
conversation; this is its storage."""

import secrets
import time

from redis.exceptions import LockError, WatchError

from backend import config
from backend.domain.errors import fail
from backend.services import recording
from backend.store import keys, pipelining, tx as store

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
    (`load_for_reply`), released with its commit; `release` for the paths without one.
    `pipe`: a transaction pipeline WATCHing the lock and the sandbox's hash since the lock was
    taken (the commit's MULTI goes on it); `seen`: the conversation as stored then, and
    `seen_seq` its seq (`load_for_reply` decodes it once; the commit compares with that)."""

    def __init__(self, r, sid, cid):
        self.r, self.key, self.token, self.held = r, keys.conversation_lock(sid, cid), secrets.token_hex(16), False
        self.pipe, self.seen, self.seen_seq = None, None, None

    def unwatch(self):
        if self.pipe is not None:
            pipe, self.pipe = self.pipe, None
            pipe.reset()  # UNWATCH, the connection back to the pool

    def release(self):
        release = [("EVAL", _RELEASE, 1, self.key, self.token)] if self.held else []
        self.held = False
        if self.pipe is not None:  # UNWATCH and the release in one round trip
            pipe, self.pipe = self.pipe, None
            pipelining.unwatch_with(pipe, release)
        elif release:
            self.r.execute_command(*release[0])

    def release_in(self, tx):
        """The release in a commit's MULTI, a plain DEL: both ways to commit WATCH the lock while
        it is ours (`load_for_reply` right after its SET NX; the slow path, `_holding`, checks
        its value after the WATCH), so a holder that wrote it since (the lock expired and was
        taken) aborts the EXEC, and nobody else's lock is ever deleted; one expired and not
        taken is gone either way. No script for Redis to hash and run."""
        tx.delete_unindexed(self.key)

    def take(self):
        return ("SET", self.key, self.token, "NX", "PX", LOCK_SECONDS * 1000)


class ReplyStart:
    """A reply's first round trip begun by the token check (api/common.py), before the body is
    read: `ahead` — the rate-limit counter and the token check that takes the lock (`take`,
    SET NX) only when it passes (services/auth.guarded) — then the WATCH of the lock and the
    sandbox's hash and the reads of `load_for_reply` (the answer to a client_message_id aside:
    the body is not read yet). `hold` keeps the lock and the reads when the check took it;
    `drop` lets go of whatever is left (a 4xx before the view: the lock released)."""

    def __init__(self, r, sid, cid):
        self.sid, self.cid, self.lock, self.reader = sid, cid, ReplyLock(r, sid, cid), None

    def take(self):
        return self.lock.take()

    def send(self, ahead):
        """The round trip; the replies of `ahead`."""
        sid, lock = self.sid, self.lock
        reader, pipe = store.read(lock.r, sid), lock.r.pipeline(transaction=True)
        try:
            replies = reader.prefetch(_reply_reads(sid, self.cid), list(ahead), (pipe, [lock.key, keys.sandbox(sid)]))
        except BaseException:
            pipe.reset()
            raise
        self.reader, lock.pipe = reader, pipe
        return replies

    def hold(self, took):
        """The lock was taken (the check passed and it was free): keep it, WATCHing; else unwatch."""
        if took:
            self.lock.held, self.lock.seen = (
                True,
                self.reader.field(keys.collection(self.sid, "conversations"), self.cid),
            )
        else:
            self.lock.unwatch()

    def clock(self):
        """The sandbox's raw clock field, as read (the journal notes a change's virtual time)."""
        return self.reader.field(keys.sandbox(self.sid), "clock")

    def drop(self):
        self.lock.release()


def _reply_reads(sid, cid):
    return store.core_keys(sid, (store.META, ("conversations", cid)))


def load_for_reply(r, sid, cid, client_id, lock, begun=None):
    """One round trip: the conversation's lock (SET NX), the WATCH of the lock and the sandbox's
    hash (on `lock.pipe`, where the commit's MULTI goes), the conversation, the sandbox's meta
    hash (the clock, for `now`) and the answer already given to `client_id`, if any. While the
    lock is taken, it tries again every 0.1 s, as redis-py's Lock does, for up to LOCK_SECONDS.
    `begun` (a ReplyStart holding `lock`): that round trip was sent with the token check; only
    the answer to `client_id` is read here (one HGET: only the lock's holder writes it).
    Returns (reader, conversation, earlier answer)."""
    replies = keys.conversation_replies(sid, cid)
    if begun is not None:
        conv = begun.reader.get("conversations", cid)
        if conv is None:
            raise fail("CONVERSATION_NOT_FOUND", conversation_id=cid)
        lock.seen_seq = conv["seq"]
        return begun.reader, conv, begun.reader.field(replies, client_id) if client_id else None
    wanted = _reply_reads(sid, cid) + ([("field", replies, client_id)] if client_id else [])
    give_up = time.monotonic() + LOCK_SECONDS
    convs, take = keys.collection(sid, "conversations"), lock.take()
    while True:
        reader, pipe = store.read(r, sid), r.pipeline(transaction=True)
        try:  # the lock first, then WATCH (our own SET would abort the EXEC), then the reads
            took = reader.prefetch(wanted, take, (pipe, [lock.key, keys.sandbox(sid)]))
        except BaseException:
            pipe.reset()
            raise
        if took:
            lock.held, lock.pipe, lock.seen = True, pipe, reader.field(convs, cid)
            break
        pipe.reset()
        if time.monotonic() >= give_up:
            raise fail("CONVERSATION_BUSY", conversation_id=cid)
        time.sleep(0.1)
    conv = reader.get("conversations", cid)
    if conv is None:
        raise fail("CONVERSATION_NOT_FOUND", conversation_id=cid)
    lock.seen_seq = conv["seq"]
    done = reader.field(replies, client_id) if client_id else None
    return reader, conv, done


def commit(r, sid, conv, messages, client_message_id=None, answer_doc=None, new=False, lock=None, journal=None):
    """Save the conversation and its new messages; `lock` (a ReplyLock) released and `journal`
    (the request's journal entry, recording.append_in) appended in the same MULTI."""

    def fn(tx, stored_seq=None):
        doc = dict(conv)
        if new:
            doc["id"] = _new_id(tx)
        else:
            stored_seq = _stored_seq(tx, doc["id"]) if stored_seq is None else stored_seq
            if stored_seq + len(messages) != doc["seq"]:
                raise fail("CONVERSATION_BUSY")
        doc["updated_at"] = messages[-1]["at"] if messages else doc.get("updated_at")
        doc.setdefault("created_at", doc["updated_at"])
        tx.put("conversations", doc, chat=True)
        for msg in messages:
            tx.add_message(doc["id"], msg)
        if client_message_id:
            tx.mark_reply(doc["id"], client_message_id, answer_doc)
        if lock is not None:
            lock.release_in(tx)
        if journal is not None:
            recording.append_in(tx, journal["entry"])
        return doc

    doc = _commit_watched(r, sid, fn, lock, conv["id"]) if lock is not None and not new else None
    # the slow way, an update reads the conversation for sure: WATCHed and read with the meta hash at once
    slow = store.BASE if new else (store.META, ("conversations", conv["id"]))
    doc = store.run(r, sid, _holding(lock, fn), prefetch=slow) if doc is None else doc
    if lock is not None:
        lock.held = False
    if journal is not None:
        journal["done"] = True
    return doc


def _stored_seq(tx, cid):
    stored = tx.get("conversations", cid)
    if stored is None:
        raise fail("CONVERSATION_NOT_FOUND", conversation_id=cid)
    return stored["seq"]


def _new_id(tx):
    limit = config.conversations_max()
    if limit and tx.counter("conversation") >= limit:  # bounded growth (README: configuration)
        raise fail("CONVERSATION_LIMIT", f"沙箱的对话数已达上限（{limit} 个），请重置沙箱或新建沙箱", limit=limit)
    return tx.next_id("conversation", "C")


def _holding(lock, fn):
    """The slow path's fn: only while `lock` is still ours (a reply whose lock expired never commits)."""

    def checked(tx):
        if lock is not None and pipelining.watch_and_read(tx.pipe, [lock.key], [("GET", lock.key)])[0] != lock.token:
            raise fail("CONVERSATION_BUSY")
        return fn(tx)

    return checked


def _commit_watched(r, sid, fn, lock, cid):
    """The commit's MULTI on the pipeline that WATCHes the lock and the sandbox's hash since
    the lock was taken (`load_for_reply`): no re-read — only the lock's holder writes the
    conversation. None when a watched key changed (the lock expired or was taken over, the
    sandbox reset, deleted or its clock or settings moved): then the slow path."""
    pipe = lock.pipe
    if pipe is None:
        return None
    try:
        tx = store.Tx(pipe, sid, r)
        tx.seed({("HGET", keys.collection(sid, "conversations"), cid): lock.seen})
        doc = fn(tx, lock.seen_seq)  # the seq as loaded from `seen`: not decoded again
        if not tx.commit():  # (it always WATCHes here: the MULTI goes raw on its connection)
            pipe.execute()
        return doc
    except WatchError:
        return None
    finally:
        lock.unwatch()


def messages(r, sid, cid, first=1, last=-1):
    raw = r.lrange(keys.conversation_messages(sid, cid), first - 1, last - 1 if last > 0 else -1)
    return [store.decode(m) for m in raw]
