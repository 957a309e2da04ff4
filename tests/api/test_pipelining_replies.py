"""Pipelined replies read in bulk (backend/store/pipelining.replies) against a real Redis: the
same values, errors and connection handling as redis-py's reply-by-reply reads."""

import pytest
from redis.exceptions import ExecAbortError, ResponseError, WatchError

from backend.store import pipelining

BIG = "x" * 200_000  # several socket reads (redis-py reads 64 KiB at a time)


def test_replies_are_what_redis_py_reads_one_by_one(r):
    r.set("pl:s", "text")
    r.hset("pl:h", mapping={"a": "1", "b": BIG})
    r.sadd("pl:set", "m", "n")
    commands = [("GET", "pl:s"), ("HGETALL", "pl:h"), ("SMEMBERS", "pl:set"), ("HGET", "pl:h", "b"), ("GET", "pl:none")]
    pipe = r.pipeline(transaction=False)
    for command in commands:
        pipe.execute_command(*command)
    assert pipelining.send(r, commands) == pipe.execute()


def test_an_error_reply_stays_in_its_place_and_the_connection_serves_on(r):
    r.set("pl:s", "text")
    got = pipelining.send(r, [("HGET", "pl:s", "f"), ("GET", "pl:s")], raise_on_error=False)
    assert isinstance(got[0], ResponseError) and "WRONGTYPE" in str(got[0])
    assert got[1] == "text"
    with pytest.raises(ResponseError, match="WRONGTYPE"):
        pipelining.send(r, [("HGET", "pl:s", "f"), ("GET", "pl:s")])
    assert pipelining.send(r, [("GET", "pl:s")] * 3) == ["text"] * 3  # every reply was read


def test_a_connection_the_server_closed_is_retried_once(r):
    r.set("pl:s", "again")
    conn = r.connection_pool.get_connection()
    conn.send_command("CLIENT", "ID")
    own_id = conn.read_response()
    r.client_kill_filter(_id=own_id)  # on another connection: `conn` is held
    r.connection_pool.release(conn)  # the next one taken (the pool hands out its last first)
    assert pipelining.send(r, [("GET", "pl:s"), ("HGET", "pl:h", "a")]) == ["again", None]


def test_a_transaction_reads_its_replies_in_bulk_and_raises_as_redis_py_does(r):
    r.set("pl:s", "text")
    pipe = r.pipeline()
    assert pipelining.watch_and_read(pipe, ["pl:s"], [("GET", "pl:s"), ("HGETALL", "pl:nohash")]) == ["text", {}]
    assert pipe.watching
    assert pipelining.multi_exec(pipe, [("SET", "pl:s", BIG), ("GET", "pl:s")]) == [
        "OK",
        BIG,
    ]  # raw replies: no callbacks
    pipe = r.pipeline()
    pipelining.watch_and_read(pipe, ["pl:s"], [("GET", "pl:s")])
    r.set("pl:s", "changed")
    with pytest.raises(WatchError):
        pipelining.multi_exec(pipe, [("SET", "pl:s", "mine")])
    assert r.get("pl:s") == "changed"
    pipe = r.pipeline()
    pipelining.watch_and_read(pipe, ["pl:s"], [])
    with pytest.raises(ResponseError, match="wrong number of arguments") as refused:
        pipelining.multi_exec(pipe, [("SET", "pl:s"), ("GET", "pl:s")])  # refused when queued
    assert not isinstance(refused.value, ExecAbortError)
    assert r.get("pl:s") == "changed"
