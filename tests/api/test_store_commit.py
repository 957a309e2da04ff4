"""A transaction's commit (store/tx.py `commit`, store/pipelining.py): its buffered writes go out
as fewer commands with the same end state, in one MULTI/EXEC written on the watching connection
without redis-py's queueing — and every failure still ends as redis-py's execute would end it."""

import pytest
import redis
from support.redis_calls import commands, spent

from backend.store import keys, pipelining, tx as store

SID = "sb_commit"


@pytest.fixture
def world(r):
    r.hset(keys.sandbox(SID), mapping={"id": SID, "seed": "1"})
    return r


def test_field_writes_to_one_hash_fold_into_its_first_hset_while_nothing_else_touches_it():
    writes = [
        ("hset", "k:seq", "outbox", "3"),
        ("capped", "k:outbox", "m1", 5000, "outbox"),
        ("hset", "k:seq", "outbox", "4"),
        ("capped", "k:outbox", "m2", 5000, "outbox"),
        ("hset", "k:seq", "timer", "6"),
        ("hdel", "k:timer", "T5"),
        ("hset", "k:timer", "T6", "{}"),
        ("hset", "k:timer", "T7", "{}"),
        ("eval", "", "return 0", ["k:seq"], []),
        ("hset", "k:seq", "outbox", "5"),  # after a script: a new HSET (the script may read the hash)
        ("hset", "k:dropped", "outbox", "0"),
        ("capped", "k:history", "e1", 1000, "history:A1"),  # counts into the dropped hash
        ("hset", "k:dropped", "x", "1"),
    ]
    assert pipelining.merged(writes) == [
        ("hset", "k:seq", {"outbox": "4", "timer": "6"}),
        ("capped", "k:outbox", ("m1", "m2"), 5000, "outbox"),
        ("hdel", "k:timer", "T5"),
        ("hset", "k:timer", {"T6": "{}", "T7": "{}"}),  # after the HDEL, not folded before it
        ("eval", "", "return 0", ["k:seq"], []),
        ("hset", "k:seq", {"outbox": "5"}),
        ("hset", "k:dropped", {"outbox": "0"}),
        ("capped", "k:history", ("e1",), 1000, "history:A1"),
        ("hset", "k:dropped", {"x": "1"}),
    ]


def test_capped_pushes_to_one_list_stay_apart_when_their_caps_differ():
    writes = [("capped", "k:l", "a", 3, "l"), ("capped", "k:l", "b", 4, "l"), ("rpush", "k:m", "x")]
    assert [w[2] for w in pipelining.merged(writes)] == [("a",), ("b",), "x"]


@pytest.mark.parametrize("before", [0, 1, 2, 3, 7])
def test_capped_pushes_together_keep_and_count_what_one_by_one_would(world, before):
    r = world
    for name in ("one", "many"):
        if before:
            r.rpush(f"list:{name}", *[f"old{i}" for i in range(before)])
    values = ["a", "b", "c"]
    for v in values:
        r.eval(pipelining.CAPPED_PUSH, 2, "list:one", "dropped:one", v, 4, "n")
    r.eval(pipelining.CAPPED_PUSH_MANY, 2, "list:many", "dropped:many", 4, "n", *values)
    assert r.lrange("list:many", 0, -1) == r.lrange("list:one", 0, -1)
    assert r.hget("dropped:many", "n") == r.hget("dropped:one", "n")


def test_a_commit_stores_what_redis_py_queueing_stored(world):
    """The same writes, committed on the watching connection and queued for redis-py's execute
    (as a caller of `flush` does): the same keys with the same values, in fewer commands."""
    r = world
    other = "sb_commit_flushed"
    r.hset(keys.sandbox(other), mapping={"id": other, "seed": "1"})

    def fn(tx):
        for n in (1, 2, 3):
            tx.put("applications", {"id": f"A{n:04d}", "n": n})
            tx.add_outbox({"id": tx.next_id("outbox", "M", 6), "text": f"第{n}条"})
        tx.add_history("A0001", {"action": "submit"})
        tx.add_timer({"id": "T000001", "app_id": "A0001", "due": 1.5})
        tx.delete("applications", "A0002")

    before = commands(r)
    store.run(r, SID, fn)
    used = spent(r, before)

    def flushed(pipe):
        tx = store.Tx(pipe, other, r)
        tx.prefetch(store.core_keys(other))
        fn(tx)
        tx.flush()

    r.transaction(flushed)
    for name in ("seq", "outbox", "index", "revision"):
        mine, theirs = getattr(keys, name)(SID), getattr(keys, name)(other)
        assert r.dump(mine) == r.dump(theirs), name
    assert r.hgetall(keys.collection(SID, "applications")) == r.hgetall(keys.collection(other, "applications"))
    assert r.lrange(keys.history(SID, "A0001"), 0, -1) == r.lrange(keys.history(other, "A0001"), 0, -1)
    assert used["multi"] == used["exec"] == 1 and used["hset"] == 4 and used["eval"] == 2, used


def test_a_command_failing_in_the_exec_is_raised_and_the_connection_goes_back(world):
    r = world
    r.set(keys.collection(SID, "applications"), "not a hash")
    with pytest.raises(redis.ResponseError, match="WRONGTYPE"):
        store.run(r, SID, lambda tx: tx.put("applications", {"id": "A0001"}))
    assert r.ping() and len(r.connection_pool._in_use_connections) == 0


def test_a_command_refused_when_queued_aborts_the_whole_exec(world):
    r = world
    pipe = r.pipeline()
    pipe.watch(keys.sandbox(SID))
    with pytest.raises(redis.ResponseError, match="wrong number of arguments"):
        pipelining.multi_exec(pipe, [("SET", "written:first", "1"), ("HSET", "a:hash")])
    assert not r.exists("written:first") and pipe.connection is None and not pipe.watching


def test_a_dropped_connection_in_the_commit_runs_the_transaction_again(world, monkeypatch):
    r = world
    runs = []
    original = redis.connection.AbstractConnection.send_packed_command

    def drop_the_first_multi(self, command, *args, **kwargs):
        if len(runs) == 1 and b"MULTI" in b"".join(command if isinstance(command, list) else [command]):
            runs.append("dropped")
            self.disconnect()
            raise redis.ConnectionError("dropped")
        return original(self, command, *args, **kwargs)

    monkeypatch.setattr(redis.connection.AbstractConnection, "send_packed_command", drop_the_first_multi)

    def fn(tx):
        runs.append("run")
        tx.put("applications", {"id": "A0001", "n": len(runs)})

    store.run(r, SID, fn)
    assert runs == ["run", "dropped", "run"]
    assert store.decode(r.hget(keys.collection(SID, "applications"), "A0001")) == {"id": "A0001", "n": 3}


def test_commands_are_packed_as_redis_py_packs_them(r):
    conn = r.connection_pool.get_connection()
    try:
        every = [
            ("MULTI",),
            ("HSET", "icpsim:sb:x:seq", "outbox", "4", "timer", "6"),
            ("ZADD", "icpsim:sb:x:timers", 1780534800.0, "T000006"),
            ("EVAL", pipelining.CAPPED_PUSH, 2, "k", "d", "~2张三😀", 5000, "outbox"),
            ("INCRBY", "icpsim:sb:x:rev", 1),
            ("HSET", "k", "f", ""),
            ("EXEC",),
        ]
        assert pipelining.packed(conn, every) == [b"".join(conn.pack_commands(every))]
    finally:
        r.connection_pool.release(conn)
