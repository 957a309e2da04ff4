"""Atomic changes to one sandbox: optimistic WATCH/MULTI with buffered writes.

A use case reads through a `Tx` (each key is WATCHed before its first read), decides in plain
Python, and buffers its writes; `run()` applies them in one MULTI/EXEC. If anything it read changed
meanwhile, redis-py re-runs the whole function, so a transition, its history event, its outbox
messages, its timers and any record numbers it allocates land together or not at all. Id counters
live in the same transaction, so a retry never burns an id (ids stay deterministic).

Reads cost what they need: `get` is one HGET (the collection key WATCHed all the same), `all` one
HGETALL, and what a use case surely reads comes prefetched in one round trip (`run(..., prefetch=...)`).
"""

import contextvars
import json
import logging
import re

import redis

from backend import config
from backend.domain import errors
from backend.store import keys, pipelining
from backend.store.packing import decode, dumps, encode, encode_message  # noqa: F401 — the store's names for them

log = logging.getLogger("icpsim")

# What a use case prefetches (`run(..., prefetch=...)`): "meta" (the sandbox hash),
# "seq" (id counters), "timers" (timer documents) or the name of a collection.
META, SEQ, TIMERS = "meta", "seq", "timers"
APP_TIMERS = "app_timers"  # in a (APP_TIMERS, app id) prefetch item: the ids of that application's timers
BASE = (META, SEQ)  # what every use case reads: the sandbox (404, clock, seed) and the counters
WORKFLOW = (*BASE, TIMERS, "applications")  # use cases that read or move applications and timers
RECORDS = ("entities", "websites")  # the filings on record (preconditions, approval effects, gateway)

_ID = re.compile(r"(\D*)(\d+)")


def id_order(doc_id):
    """Sort key of a document id: by prefix, then number (A9999 before A10000); else its text."""
    m = _ID.fullmatch(doc_id)
    return (m[1], int(m[2]), doc_id) if m else (doc_id, -1, doc_id)


def key_of(sid, name):
    """The Redis key of a prefetch name (see META, SEQ, TIMERS; anything else is a collection)."""
    special = {META: keys.sandbox, SEQ: keys.seq, TIMERS: keys.timer_docs}
    return special[name](sid) if name in special else keys.collection(sid, name)


def core_keys(sid, names=BASE):
    """The keys a use case reads for sure, fetched in one round trip at its start: a name reads a
    whole hash; a pair (name, field) one field of it (HGET), and (APP_TIMERS, app id) the ids of
    the application's timers (SMEMBERS)."""
    out: list[tuple | str] = []
    for n in dict.fromkeys(names):
        if isinstance(n, tuple) and n[0] == APP_TIMERS:
            out.append(("set", keys.app_timers(sid, n[1])))
        elif isinstance(n, tuple):
            out.append(("field", key_of(sid, n[0]), n[1]))
        else:
            out.append(key_of(sid, n))
    return out


class Tx:
    def __init__(self, pipe, sid, r=None):
        self.pipe, self.sid, self.r = pipe, sid, r
        self._watched, self._cache = set(), {}  # _cache: key -> the whole hash, as read + our writes
        self._fields = {}  # (key, field) -> value (None: absent) of hashes not read whole
        self._sets = {}  # key -> set of members, as read + our writes
        self._writes, self.after_commit = [], []
        self._after, self.after_replies = [], None  # reads sent in the MULTI after the writes (read_after)
        self.answers_error = False  # see refuses()

    # -- reads (watched) ---------------------------------------------------
    def seed(self, reads):
        """Field reads done already ({("HGET", key, field): value}, e.g. with a token check)."""
        self._fields.update({(c[1], c[2]): v for c, v in reads.items() if c[0] == "HGET"})

    def _read(self, key, *command):
        """One read of `key`, WATCHed first: both in one round trip when it is not yet watched."""
        if key in self._watched:
            return self.pipe.execute_command(*command)
        (value,) = pipelining.watch_and_read(self.pipe, [key], [command])
        self._watched.add(key)
        return value

    def prefetch(self, wanted, first=None, watch=None):
        """WATCH the keys and read them in one round trip (a transaction's first prefetch, on its
        connection), or WATCH, then the reads on another (a write after the WATCH still aborts)."""
        new = [k for k in wanted if not self._known(k)]
        if first is not None:  # a command sent ahead of the reads (a Reader's: a lock's SET NX)
            ahead = first if isinstance(first, list) else [first]  # a list: several, their replies
            reads = [pipelining.read_command(i) for i in new]
            if watch:  # (a transaction pipeline, keys): WATCHed after `first`, before the reads
                got = pipelining.watch_and_read(watch[0], watch[1], reads, ahead=ahead)
            else:
                got = pipelining.send(self.r, [*ahead, *reads])
            self._took(new, got[len(ahead) :])
            return got[: len(ahead)] if isinstance(first, list) else got[0]
        if not new:
            return None
        unwatched = list(dict.fromkeys(k if isinstance(k, str) else k[1] for k in new))
        unwatched = [k for k in unwatched if k not in self._watched]
        commands = [pipelining.read_command(i) for i in new]
        if unwatched and not self._watched and pipelining.can_fold(self.pipe):
            values = pipelining.watch_and_read(self.pipe, unwatched, commands)  # one round trip for both
            self._watched.update(unwatched)
        else:
            if unwatched:
                self._watch_many(unwatched)
            values = pipelining.send(self.r, commands)
        self._took(new, values)
        return None

    def _took(self, new, values):
        for item, value in zip(new, values):
            if isinstance(item, str):
                self._loaded(item, value)
            elif item[0] == "set":
                self._sets[item[1]] = set(value)
            else:
                self._fields[(item[1], item[2])] = value

    def _known(self, item):
        if isinstance(item, str):
            return item in self._cache
        if item[0] == "set":
            return item[1] in self._sets
        return item[1] in self._cache or (item[1], item[2]) in self._fields

    def _watch_many(self, wanted):
        self.pipe.watch(*wanted)
        self._watched.update(wanted)

    def _loaded(self, key, value):
        """Keep a hash read whole, with what this transaction read or wrote of it field by field on top."""
        value = dict(value)
        for (k, field), v in self._fields.items():
            if k == key:
                if v is None:
                    value.pop(field, None)
                else:
                    value[field] = v
        self._cache[key] = value
        return value

    def _hash(self, key):
        if key not in self._cache:
            return self._loaded(key, self._read(key, "HGETALL", key))
        return self._cache[key]

    def _field(self, key, field):
        """One field of a hash: the whole hash's when read, else HGET (WATCHed: any change aborts)."""
        if key in self._cache:
            return self._cache[key].get(field)
        if (key, field) not in self._fields:
            self._fields[(key, field)] = self._read(key, "HGET", key, field)
        return self._fields[(key, field)]

    def _remember(self, key, field, value):
        """What a buffered write (value) or delete (None) makes later reads of this transaction see."""
        self._fields[(key, field)] = value
        if key in self._cache:
            if value is None:
                self._cache[key].pop(field, None)
            else:
                self._cache[key][field] = value

    def meta(self):
        return self._hash(keys.sandbox(self.sid))

    def field(self, key, field):
        """One field of any of the sandbox's hashes by key (as prefetched, else HGET)."""
        return self._field(key, field)

    def get(self, collection, doc_id):
        raw = self._field(keys.collection(self.sid, collection), doc_id)
        return decode(raw) if raw is not None else None

    def all(self, collection):
        """Every document of a collection, in id order (A9999 before A10000)."""
        docs = self._hash(keys.collection(self.sid, collection))
        return [decode(docs[i]) for i in sorted(docs, key=id_order)]

    def timer(self, timer_id):
        """One pending timer (None when gone): one HGET, not the whole timer hash."""
        raw = self._field(keys.timer_docs(self.sid), timer_id)
        return json.loads(raw) if raw is not None else None

    def timers_of(self, app_id):
        """The application's pending timers, earliest first: its ids (a set), then their documents in one HMGET."""
        key = keys.app_timers(self.sid, app_id)
        if key not in self._sets:
            self._sets[key] = set(self._read(key, "SMEMBERS", key))
        ids = sorted(self._sets[key])
        docs_key = keys.timer_docs(self.sid)
        missing = [i for i in ids if docs_key not in self._cache and (docs_key, i) not in self._fields]
        if missing:
            for i, raw in zip(missing, self._read(docs_key, "HMGET", docs_key, *missing)):
                self._fields[(docs_key, i)] = raw
        docs = [self.timer(i) for i in ids]
        return sorted((d for d in docs if d is not None), key=lambda t: (t["due"], id_order(t["id"])))

    def timers(self):
        """Pending timers, earliest first."""
        docs = self._hash(keys.timer_docs(self.sid))
        return sorted((json.loads(v) for v in docs.values()), key=lambda t: (t["due"], id_order(t["id"])))

    def counter(self, name):
        return int(self._hash(keys.seq(self.sid)).get(name, 0))

    # -- writes (buffered) -------------------------------------------------
    def _hset(self, key, field, value):
        self._remember(key, field, value)
        self._writes.append(("hset", key, field, value))

    def next_id(self, name, prefix, width=4):
        n = self.counter(name) + 1
        self._hset(keys.seq(self.sid), name, str(n))
        return f"{prefix}{n:0{width}d}"

    def set_counter(self, name, value):
        self._hset(keys.seq(self.sid), name, str(value))

    def put(self, collection, doc, chat=False):  # chat: a conversation's, packed with the chat's vocabulary
        self._hset(keys.collection(self.sid, collection), doc["id"], encode_message(doc) if chat else encode(doc))

    def delete(self, collection, doc_id):
        self._remember(keys.collection(self.sid, collection), doc_id, None)
        self._writes.append(("hdel", keys.collection(self.sid, collection), doc_id))

    def set_meta(self, field, value):
        self._hset(keys.sandbox(self.sid), field, value if isinstance(value, str) else dumps(value))

    def add_history(self, app_id, event):
        """Capped per application (config.history_max_events): the oldest events go first."""
        cap = config.history_max_events()
        self._writes.append(("capped", keys.history(self.sid, app_id), encode(event), cap, f"history:{app_id}"))

    def add_message(self, cid, message):
        """A conversation's transcript only grows: messages are appended, never rewritten."""
        self.append(keys.conversation_messages(self.sid, cid), encode_message(message))

    def append(self, key, value):
        """Push onto one of the sandbox's lists (a transcript; an advance's log of its deliveries)."""
        self._writes.append(("rpush", key, value))

    def mark_reply(self, cid, client_message_id, answer):  # its answer, for idempotent retries
        key = keys.conversation_replies(self.sid, cid)
        self._writes.append(("hset", key, client_message_id, encode_message(answer)))

    def add_outbox(self, message):
        """Capped per sandbox (config.outbox_max_messages): the oldest messages go first."""
        self._writes.append(("capped", keys.outbox(self.sid), encode(message), config.outbox_max_messages(), "outbox"))

    def add_timer(self, doc):
        self._hset(keys.timer_docs(self.sid), doc["id"], dumps(doc))
        self._writes.append(("zadd", keys.timers(self.sid), doc["id"], doc["due"]))
        self._set_member(keys.app_timers(self.sid, doc["app_id"]), doc["id"], True)

    def remove_timer(self, timer_id):
        doc = self.timer(timer_id)
        self._remember(keys.timer_docs(self.sid), timer_id, None)
        self._writes.append(("hdel", keys.timer_docs(self.sid), timer_id))
        self._writes.append(("zrem", keys.timers(self.sid), timer_id))
        if doc is not None:
            self._set_member(keys.app_timers(self.sid, doc["app_id"]), timer_id, False)

    def _set_member(self, key, member, present):
        self._writes.append(("sadd" if present else "srem", key, member))
        if key in self._sets:
            (self._sets[key].add if present else self._sets[key].discard)(member)

    def refuses(self):  # an error answer follows this commit (a wrong code, counted): no RIDER in it
        self.answers_error = True

    def script(self, text, script_keys, args):
        """Run a Lua script in the same MULTI (e.g. releasing a lock with the commit)."""
        self._writes.append(("eval", "", text, script_keys, args))  # "": no key for the key index

    def read_after(self, command):
        """A read sent in the MULTI after the writes: what this commit leaves, at no round trip of its own
        (an advance's next look). Its reply lands in `after_replies` (None if redis-py's execute ran it)."""
        self._after.append(command)

    # writes outside the sandbox, in the same MULTI (keys.SANDBOXES, keys.IDLE_EXPIRY, a token's key)
    def sadd(self, key, member):
        self._writes.append(("sadd", key, member))

    def zadd(self, key, member, score):
        self._writes.append(("zadd", key, member, score))

    def set(self, key, value):
        self._writes.append(("set", key, value))

    def delete_unindexed(self, key):  # e.g. a reply's lock, which this MULTI's WATCH guards: not in keys.index
        self._writes.append(("del", "", key))

    def commands(self):
        """The MULTI's commands: the buffered writes, with the sandbox's version (pages and the
        console poll it: ETag) and its key index (keys.index: every key this transaction writes
        under the sandbox, so a delete finds them without scanning) when it writes anything."""
        if not self._writes:
            return []
        meta = keys.sandbox(self.sid)  # read gone (deleted since the token check): 404, but for a create or a reset
        if self._cache.get(meta) == {} and not any(meta in write[1:3] for write in self._writes):
            raise errors.sandbox_not_found(self.sid)
        own = f"{meta}:"
        written = sorted({key[len(own) :] for _, key, *_ in self._writes if key.startswith(own)})
        head = [("INCRBY", keys.revision(self.sid), 1)]
        if written:
            head.append(("HSET", keys.index(self.sid), *[part for k in written for part in (k, "")]))
        return head + pipelining.write_commands(self._writes, keys.dropped(self.sid))

    def flush(self):
        """Queue the MULTI on the pipeline (its caller executes it)."""
        self.pipe.multi()
        for command in self.commands():
            self.pipe.execute_command(*command)

    def commit(self):
        """The MULTI sent and executed, in one round trip: on the watching connection without
        redis-py's per-command queueing when the transaction read anything (it always does
        after a prefetch), else queued for redis-py's execute. True when it was executed."""
        if self.pipe.watching and self.pipe.connection is not None:
            replies = pipelining.multi_exec(self.pipe, self.commands() + self._after)
            self.after_replies = replies[len(replies) - len(self._after) :]
            return True
        self.flush()
        return False


# A write riding in the MULTI of the first commit to its sandbox that writes something in this
# context (a request): the request's journal entry (api/journal.py), no round trip of its own.
# An object with `sid`, `ride(tx)` (buffers its writes) and `committed()`; cleared once taken.
RIDER: contextvars.ContextVar = contextvars.ContextVar("icpsim_commit_rider", default=None)


def run(r: redis.Redis, sid, fn, prefetch=BASE):
    """Run fn(tx) atomically against sandbox `sid`; returns fn's result.

    `prefetch` names what fn surely reads (BASE, WORKFLOW, RECORDS, collection names):
    WATCHed and read in one round trip at the start; anything else is read (and WATCHed)
    when fn first asks for it. Callbacks fn registered in tx.after_commit run once,
    after the commit succeeded (e.g. handing new timers to RQ).
    """
    holder = {}
    wanted = core_keys(sid, prefetch)
    rider = RIDER.get()
    if rider is not None and rider.sid != sid:
        rider = None

    def attempt(pipe):
        tx = Tx(pipe, sid, r)
        tx.prefetch(wanted)
        holder["result"] = fn(tx)
        holder["tx"] = tx
        holder["rode"] = (
            rider is not None and RIDER.get() is rider and bool(tx._writes) and not tx.answers_error
        )  # a commit that writes nothing carries nothing
        if holder["rode"]:
            rider.ride(tx)
        tx.commit()

    r.transaction(attempt)
    if holder["rode"]:
        RIDER.set(None)
        rider.committed()
    for callback in holder["tx"].after_commit:
        after_commit_safely(callback)
    return holder["result"]


def after_commit_safely(callback):
    """Run one after-commit hook (handing a timer to RQ, cancelling a job). The change is
    committed: a failing hook must not turn it into an error answer. What it would have
    done is recoverable: the timer stays in the sandbox's sorted set, so the next clock
    advance (or rescale, or recovery) delivers it."""
    try:
        callback()
    except Exception:  # noqa: BLE001 — logged, never raised past a commit
        log.exception("after-commit hook failed; the committed change stands")


class Reader(Tx):
    """The same reads without a transaction, for GET requests."""

    def __init__(self, r, sid):
        super().__init__(r, sid, r)

    def _read(self, key, *command):
        return self.r.execute_command(*command)

    def _watch_many(self, wanted):
        pass


def read(r, sid):
    return Reader(r, sid)
