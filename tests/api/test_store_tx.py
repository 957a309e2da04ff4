"""The store's transactions (backend/store/tx.py) against a real Redis: what a use case reads,
in how many round trips, and that reading less never makes a transaction less safe."""

import threading

import pytest
from support.redis_calls import commands, spent

from backend.store import keys, tx as store

SID = "sb_store"


@pytest.fixture
def world(r):
    """A bare sandbox hash and 3 applications, written directly (no service involved)."""
    r.hset(keys.sandbox(SID), mapping={"id": SID, "seed": "1"})
    for n in (1, 2, 3):
        r.hset(keys.collection(SID, "applications"), f"A{n:04d}", store.dumps({"id": f"A{n:04d}", "n": n}))
    return r


def test_get_reads_one_field_and_caches_it(world):
    r = world
    reader = store.read(r, SID)
    before = commands(r)
    assert reader.get("applications", "A0002") == {"id": "A0002", "n": 2}
    assert reader.get("applications", "A0002")["n"] == 2  # from the cache
    assert reader.get("applications", "A0404") is None
    assert reader.get("applications", "A0404") is None  # an absent field is cached too
    assert spent(r, before) == {"hget": 2}


def test_get_after_a_whole_read_costs_nothing(world):
    r = world
    reader = store.read(r, SID)
    reader.all("applications")
    before = commands(r)
    assert reader.get("applications", "A0003")["n"] == 3
    assert spent(r, before) == {}


def test_a_transaction_sees_its_own_writes_field_by_field_and_whole(world):
    r = world

    def fn(tx):
        tx.put("applications", {"id": "A0002", "n": 20})
        tx.delete("applications", "A0001")
        tx.put("applications", {"id": "A0004", "n": 4})
        seen = {"get": (tx.get("applications", "A0002")["n"], tx.get("applications", "A0001"))}
        seen["all"] = [a["n"] for a in tx.all("applications")]  # read whole after the writes
        tx.put("applications", {"id": "A0003", "n": 30})  # and a write after the whole read
        seen["again"] = [a["n"] for a in tx.all("applications")]
        return seen

    assert store.run(r, SID, fn) == {"get": (20, None), "all": [20, 3, 4], "again": [20, 30, 4]}
    stored = {k: store.decode(v)["n"] for k, v in r.hgetall(keys.collection(SID, "applications")).items()}
    assert stored == {"A0002": 20, "A0003": 30, "A0004": 4}


def test_a_change_to_the_collection_after_a_get_reruns_the_transaction(world):
    """HGET reads one field, but the whole collection key is WATCHed: another client's write
    to any document of it, between our read and our EXEC, makes redis-py run fn again."""
    r = world
    runs = []

    def fn(tx):
        runs.append(tx.get("applications", "A0001")["n"])
        if len(runs) == 1:  # someone else writes meanwhile (another document, even)
            r.hset(keys.collection(SID, "applications"), "A0002", store.dumps({"id": "A0002", "n": 99}))
            r.hset(keys.collection(SID, "applications"), "A0001", store.dumps({"id": "A0001", "n": 10}))
        app = tx.get("applications", "A0001")
        tx.put("applications", dict(app, n=app["n"] + 1))

    store.run(r, SID, fn)
    assert runs == [1, 10]
    assert store.decode(r.hget(keys.collection(SID, "applications"), "A0001"))["n"] == 11


def test_concurrent_increments_through_get_never_lose_an_update(world):
    r = world
    errors = []

    def bump():
        try:
            for _ in range(15):

                def fn(tx):
                    app = tx.get("applications", "A0001")
                    tx.put("applications", dict(app, n=app["n"] + 1))

                store.run(r, SID, fn)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=bump) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert store.decode(r.hget(keys.collection(SID, "applications"), "A0001"))["n"] == 1 + 4 * 15


def test_ids_sort_by_number_not_by_text(world):
    r = world
    for doc_id in ("A10000", "A9999", "A0100", "B0002"):
        r.hset(keys.collection(SID, "applications"), doc_id, store.dumps({"id": doc_id}))
    ids = [a["id"] for a in store.read(r, SID).all("applications")]
    assert ids == ["A0001", "A0002", "A0003", "A0100", "A9999", "A10000", "B0002"]


def test_id_order():
    assert sorted(["W10", "W9", "W0010", "env-0011", "env-0002"], key=store.id_order) == [
        "W9",
        "W0010",
        "W10",
        "env-0002",
        "env-0011",
    ]  # W0010 and W10: both 10, then by text
    # names without a number at the end (domains) keep their alphabetical order
    assert sorted(["b.cn", "a.cn", "a2.cn"], key=store.id_order) == ["a.cn", "a2.cn", "b.cn"]
    assert sorted(["site10", "site9"], key=store.id_order) == ["site9", "site10"]


def test_timers_due_together_fire_in_id_order(world):
    r = world
    for doc_id in ("T1000000", "T999999"):
        r.hset(keys.timer_docs(SID), doc_id, store.dumps({"id": doc_id, "due": 5.0}))
    assert [t["id"] for t in store.read(r, SID).timers()] == ["T999999", "T1000000"]


def test_run_prefetches_meta_and_seq_unless_told(world, monkeypatch):
    r = world
    fetched = []
    original = store.Tx.prefetch
    monkeypatch.setattr(
        store.Tx, "prefetch", lambda self, wanted: (fetched.append(list(wanted)), original(self, wanted))[1]
    )
    store.run(r, SID, lambda tx: tx.set_meta("name", "x"))
    store.run(r, SID, lambda tx: tx.get("applications", "A0001"), prefetch=store.WORKFLOW)
    store.run(r, SID, lambda tx: None, prefetch=(*store.BASE, *store.RECORDS, "domains"))
    assert fetched == [
        [keys.sandbox(SID), keys.seq(SID)],
        [keys.sandbox(SID), keys.seq(SID), keys.timer_docs(SID), keys.collection(SID, "applications")],
        [
            keys.sandbox(SID),
            keys.seq(SID),
            keys.collection(SID, "entities"),
            keys.collection(SID, "websites"),
            keys.collection(SID, "domains"),
        ],
    ]


@pytest.fixture
def tx_reads(monkeypatch):
    """The keys transactions (not GET readers) read, in order."""
    read = []

    def spy(name):
        original = getattr(store.Tx, name)

        def wrapper(self, key, *rest):
            if not isinstance(self, store.Reader):
                read.extend([key] if isinstance(key, str) else key)
            return original(self, key, *rest)

        monkeypatch.setattr(store.Tx, name, wrapper)

    for name in ("prefetch", "_hash", "_field"):
        spy(name)
    return read


def test_clock_and_fault_changes_read_no_order(sandbox, control, tx_reads):
    """Only the use cases about orders read orders and timers: a clock speed change or a new
    fault rule reads the sandbox hash and the counters."""
    resp = control.put(f"/api/v1/sandboxes/{sandbox.sid}/clock/scale", json={"scale": 0})
    assert resp.status_code == 200, resp.get_json()
    assert set(tx_reads) == {keys.sandbox(sandbox.sid), keys.seq(sandbox.sid)}


def test_order_use_cases_read_nothing_beyond_their_prefetch(sandbox, tx_reads):
    """Creating, submitting, withdrawing: every key the transaction reads came in the
    prefetch's one round trip (applications.CHECKS, and for an action the application's
    timer set, for a submit the stages' collections its checks may read)."""
    from support.people import personal_payload

    from backend.services import applications, face_checks

    ip = sandbox.get("~/eligibility").get_json()["usable_ips"][0]["ip"]
    wanted = set(store.core_keys(sandbox.sid, applications.CHECKS))
    tx_reads.clear()
    app = sandbox.post("~/applications", json={"kind": "first_filing", "payload": personal_payload(ip)}).get_json()
    for action in ("submit", "withdraw"):
        resp = sandbox.post(f"~/applications/{app['id']}/actions/{action}", json={})
        assert resp.status_code == 200, resp.get_json()
    wanted |= set(store.core_keys(sandbox.sid, [(store.APP_TIMERS, app["id"]), *face_checks.STAGES]))
    assert tx_reads and set(tx_reads) <= wanted, set(tx_reads) - wanted


def test_multi_exec_answers_as_redis_py_does(r):
    """pipelining.multi_exec (every commit, a chat reply's too): the raw replies; WatchError when a
    watched key changed; an error reply raised (queued or at EXEC); the connection back in
    the pool each time."""
    import redis as redis_py

    from backend.store import pipelining

    def watched(*queued):
        pipe = r.pipeline(transaction=True)
        pipelining.watch_and_read(pipe, ["w:a"], [("GET", "w:a")])
        return pipe, list(queued)

    r.set("w:a", "1")
    pipe = watched(("SET", "w:b", "2"), ("INCR", "w:c"), ("HSET", "w:h", "f", "v"))
    assert pipelining.multi_exec(*pipe) == ["OK", 1, 1] and pipe[0].connection is None and not pipe[0].watching
    assert r.get("w:b") == "2"
    pipe = watched(("SET", "w:b", "3"))
    r.set("w:a", "changed")
    with pytest.raises(redis_py.WatchError):
        pipelining.multi_exec(*pipe)
    assert r.get("w:b") == "2" and pipe[0].connection is None
    with pytest.raises(redis_py.ResponseError, match="WRONGTYPE"):
        pipelining.multi_exec(*watched(("SET", "w:b", "4"), ("INCR", "w:h")))  # refused at EXEC
    assert r.get("w:b") == "4"  # Redis applies the rest of a MULTI whose command failed at EXEC
    with pytest.raises(redis_py.ResponseError):
        pipelining.multi_exec(*watched(("SET", "w:b", "5"), ("NOSUCHCOMMAND",)))  # refused when queued
    assert r.get("w:b") == "4" and r.ping()
