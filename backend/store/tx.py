"""Atomic changes to one sandbox: optimistic WATCH/MULTI with buffered writes.

A use case reads through a `Tx` (each key is WATCHed before its first read), decides
in plain Python, and buffers its writes; `run()` applies them in one MULTI/EXEC.
If anything it read changed meanwhile, redis-py re-runs the whole function, so a
transition, its history event, its outbox messages, its timers and any record
numbers it allocates land together or not at all. Id counters live in the same
transaction, so a retry never burns an id (ids stay deterministic).
"""
import json

import redis

from backend.store import keys


def dumps(doc):
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def core_keys(sid):
    """What nearly every use case reads: fetched in one round trip at the start."""
    return [keys.sandbox(sid), keys.seq(sid), keys.timer_docs(sid), keys.collection(sid, "applications")]


class Tx:
    def __init__(self, pipe, sid, r=None):
        self.pipe, self.sid, self.r = pipe, sid, r
        self._watched, self._cache = set(), {}
        self._writes, self.after_commit = [], []

    # -- reads (watched) ---------------------------------------------------
    def _watch(self, key):
        if key not in self._watched:
            self.pipe.watch(key)
            self._watched.add(key)

    def prefetch(self, wanted):
        """WATCH the keys in one command, then read them all in one pipelined round trip.

        Reading on another connection is safe: WATCH was issued first, so any write
        after it still aborts our EXEC.
        """
        new = [k for k in wanted if k not in self._cache]
        if not new:
            return
        unwatched = [k for k in new if k not in self._watched]
        if unwatched:
            self._watch_many(unwatched)
        batch = self.r.pipeline(transaction=False)
        for key in new:
            batch.hgetall(key)
        for key, value in zip(new, batch.execute()):
            self._cache[key] = dict(value)

    def _watch_many(self, wanted):
        self.pipe.watch(*wanted)
        self._watched.update(wanted)

    def _hash(self, key):
        if key not in self._cache:
            self._watch(key)
            self._cache[key] = dict(self.pipe.hgetall(key))
        return self._cache[key]

    def meta(self):
        return self._hash(keys.sandbox(self.sid))

    def get(self, collection, doc_id):
        raw = self._hash(keys.collection(self.sid, collection)).get(doc_id)
        return json.loads(raw) if raw is not None else None

    def all(self, collection):
        docs = self._hash(keys.collection(self.sid, collection))
        return [json.loads(v) for _, v in sorted(docs.items())]

    def timers(self):
        """Pending timers, earliest first."""
        docs = self._hash(keys.timer_docs(self.sid))
        return sorted((json.loads(v) for v in docs.values()), key=lambda t: (t["due"], t["id"]))

    def counter(self, name):
        return int(self._hash(keys.seq(self.sid)).get(name, 0))

    # -- writes (buffered) -------------------------------------------------
    def _hset(self, key, field, value):
        self._hash(key)[field] = value
        self._writes.append(("hset", key, field, value))

    def next_id(self, name, prefix, width=4):
        n = self.counter(name) + 1
        self._hset(keys.seq(self.sid), name, str(n))
        return f"{prefix}{n:0{width}d}"

    def set_counter(self, name, value):
        self._hset(keys.seq(self.sid), name, str(value))

    def put(self, collection, doc):
        self._hset(keys.collection(self.sid, collection), doc["id"], dumps(doc))

    def delete(self, collection, doc_id):
        self._hash(keys.collection(self.sid, collection)).pop(doc_id, None)
        self._writes.append(("hdel", keys.collection(self.sid, collection), doc_id))

    def set_meta(self, field, value):
        self._hset(keys.sandbox(self.sid), field, value if isinstance(value, str) else dumps(value))

    def add_history(self, app_id, event):
        self._writes.append(("rpush", keys.history(self.sid, app_id), dumps(event)))

    def add_message(self, cid, message):
        """A conversation's transcript only grows: messages are appended, never rewritten."""
        self._writes.append(("rpush", keys.conversation_messages(self.sid, cid), dumps(message)))

    def mark_reply(self, cid, client_message_id, answer):
        """Remember what a client message was answered with (idempotent retries)."""
        self._writes.append(("hset", keys.conversation_replies(self.sid, cid), client_message_id,
                             dumps(answer)))

    def add_outbox(self, message):
        self._writes.append(("rpush", keys.outbox(self.sid), dumps(message)))

    def add_timer(self, doc):
        self._hset(keys.timer_docs(self.sid), doc["id"], dumps(doc))
        self._writes.append(("zadd", keys.timers(self.sid), doc["id"], doc["due"]))

    def remove_timer(self, timer_id):
        self._hash(keys.timer_docs(self.sid)).pop(timer_id, None)
        self._writes.append(("hdel", keys.timer_docs(self.sid), timer_id))
        self._writes.append(("zrem", keys.timers(self.sid), timer_id))

    def flush(self):
        self.pipe.multi()
        for op, key, *args in self._writes:
            if op == "hset":
                self.pipe.hset(key, args[0], args[1])
            elif op == "hdel":
                self.pipe.hdel(key, args[0])
            elif op == "rpush":
                self.pipe.rpush(key, args[0])
            elif op == "zadd":
                self.pipe.zadd(key, {args[0]: args[1]})
            elif op == "zrem":
                self.pipe.zrem(key, args[0])


def run(r: redis.Redis, sid, fn):
    """Run fn(tx) atomically against sandbox `sid`; returns fn's result.

    Callbacks fn registered in tx.after_commit run once, after the commit
    succeeded (e.g. handing new timers to RQ).
    """
    holder = {}

    def attempt(pipe):
        tx = Tx(pipe, sid, r)
        tx.prefetch(core_keys(sid))
        holder["result"] = fn(tx)
        holder["tx"] = tx
        tx.flush()

    r.transaction(attempt)
    for callback in holder["tx"].after_commit:
        callback()
    return holder["result"]


class Reader(Tx):
    """The same reads without a transaction, for GET requests."""

    def __init__(self, r, sid):
        super().__init__(r, sid, r)

    def _watch(self, key):
        pass

    def _watch_many(self, wanted):
        pass


def read(r, sid):
    return Reader(r, sid)
