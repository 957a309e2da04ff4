"""Hot paths that must not grow with the store: a sandbox's keys found by its index (no
keyspace scan), GET /sandboxes paged, clock advances that add up under concurrency, and a
job orphaned by a dead worker put back on the queue."""

import json
import subprocess
import sys
import threading
from contextlib import contextmanager
from datetime import datetime

import redis
from rq import Queue, SimpleWorker
from rq.job import JobStatus
from rq.registry import StartedJobRegistry
from support.people import ZHANG_SAN_ID, personal_payload
from support.redis_calls import commands, spent

from api.flows import assert_error, eligibility, new_sandbox, ok
from backend.domain.clock import Clock
from backend.services import recording, recovery, timers
from backend.store import keys, tx as store


def test_index_holds_every_key_and_delete_scans_nothing(control, r):
    sb = new_sandbox(control, preset="demo")
    other = new_sandbox(control, preset="demo", seed=8)  # must survive the delete
    ip = eligibility(sb)["usable_ips"][0]["ip"]
    app = ok(sb.post("~/applications", json={"payload": personal_payload(ip)}), 201)
    ok(sb.post(f"~/applications/{app['id']}/actions/submit"))
    ok(control.post(f"/api/v1/sandboxes/{sb.sid}/clock/advance", json={"until_idle": True}))
    stored = set(r.scan_iter(match=keys.children_of(sb.sid)))
    indexed = set(keys.indexed(sb.sid, r))
    assert stored and stored <= indexed, stored - indexed

    before = commands(r)
    assert control.delete(f"/api/v1/sandboxes/{sb.sid}").status_code == 204
    used = spent(r, before)
    assert "scan" not in used and "keys" not in used, used
    assert not list(r.scan_iter(match=keys.children_of(sb.sid))) and not r.exists(keys.sandbox(sb.sid))
    assert r.exists(keys.sandbox(other.sid)) and r.exists(keys.index(other.sid))
    assert ok(other.get(f"/api/v1/sandboxes/{other.sid}"))["id"] == other.sid


def test_sandboxes_listed_by_pages(control, r):
    made = {new_sandbox(control, seed=i, preset="empty").sid for i in range(7)}
    seen, query, pages = [], "limit=3", 0
    while pages < 20:
        resp = control.get(f"/api/v1/sandboxes?{query}")
        page = ok(resp)
        assert len(page) <= 3
        seen += [s["id"] for s in page]
        pages += 1
        cursor = resp.headers.get("X-Next-Cursor")
        if cursor is None:
            break
        query = f"limit=3&cursor={cursor}"
    assert seen == sorted(made) and pages == 3  # in id order, each once: 3 + 3 + 1
    first = control.get("/api/v1/sandboxes")  # default limit (100) holds them all
    assert [s["id"] for s in ok(first)] == sorted(made) and "X-Next-Cursor" not in first.headers
    for bad in ("limit=0", "limit=1001", "limit=x", "cursor=" + "x" * 201):
        assert_error(control.get(f"/api/v1/sandboxes?{bad}"), 422)
    # sandboxes stored before the ordered index existed are listed all the same
    r.delete(keys.SANDBOX_ORDER)
    assert [s["id"] for s in ok(control.get("/api/v1/sandboxes"))] == sorted(made)
    gone = sorted(made)[0]
    assert control.delete(f"/api/v1/sandboxes/{gone}").status_code == 204
    assert [s["id"] for s in ok(control.get("/api/v1/sandboxes"))] == sorted(made - {gone})


def test_parallel_advances_add_up(app, control):
    sb = new_sandbox(control)
    start = ok(sb.get("~/clock"))["now"]
    answers, errors = [], []

    def advance():
        try:
            client = app.test_client()
            resp = client.post(
                f"/api/v1/sandboxes/{sb.sid}/clock/advance",
                json={"duration": "1d"},
                headers={"Authorization": f"Bearer {control.token}"},
            )
            answers.append(resp.status_code)
        except Exception as exc:  # noqa: BLE001 — reported below
            errors.append(exc)

    threads = [threading.Thread(target=advance) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors and answers == [200] * 20, (answers, errors)
    end = ok(sb.get("~/clock"))["now"]
    moved = datetime.fromisoformat(end) - datetime.fromisoformat(start)
    assert moved.days == 20 and moved.seconds < 60, moved


def test_job_left_started_by_a_dead_worker_is_requeued(r, redis_url):
    from backend.store.connection import connect

    raw = connect(redis_url, decode_responses=False)
    q = Queue("icpsim-orphans", connection=raw)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    worker = SimpleWorker([q], connection=raw)
    worker.register_birth()
    raw.hset(worker.key, "pid", dead.pid)  # the worker's process is gone (SIGKILL leaves its hash)
    job = q.enqueue("builtins.len", "abc", result_ttl=60)
    q.remove(job)  # taken off the queue by the (dead) worker...
    worker.prepare_execution(job)  # ...and started by it, as RQ's worker does
    with raw.pipeline() as pipe:
        job.prepare_for_execution(worker.name, pipe)
        pipe.execute()
    assert job.id in StartedJobRegistry(queue=q).get_job_ids(cleanup=False)
    assert job.get_status(refresh=True) == JobStatus.STARTED
    assert recovery.rescue_orphans(q) == [job.id]
    assert job.get_status(refresh=True) == JobStatus.QUEUED
    assert job.id not in StartedJobRegistry(queue=q).get_job_ids(cleanup=False)
    assert recovery.rescue_orphans(q) == []  # idempotent
    SimpleWorker([q], connection=raw).work(burst=True)
    assert job.get_status(refresh=True) == JobStatus.FINISHED and job.return_value() == 3


def test_job_of_a_live_worker_is_left_alone(r, redis_url):
    from backend.store.connection import connect

    raw = connect(redis_url, decode_responses=False)
    q = Queue("icpsim-orphans", connection=raw)
    worker = SimpleWorker([q], connection=raw)
    worker.register_birth()  # this process: alive
    job = q.enqueue("builtins.len", "abc")
    q.remove(job)
    worker.prepare_execution(job)
    with raw.pipeline() as pipe:
        job.prepare_for_execution(worker.name, pipe)
        pipe.execute()
    assert recovery.rescue_orphans(q) == []
    assert job.get_status(refresh=True) == JobStatus.STARTED


def _crowd(r, sid, n):
    """n more applications (with a timer each) written raw, as a busy sandbox holds them."""
    pipe = r.pipeline(transaction=False)
    for i in range(n):
        app = {
            "id": f"Z{i:05d}",
            "state": "provider_review",
            "version": 1,
            "kind": "first_filing",
            "payload": {"note": "x" * 400},
        }
        pipe.hset(keys.collection(sid, "applications"), app["id"], store.dumps(app))
        timer = {
            "id": f"TZ{i:05d}",
            "app_id": app["id"],
            "name": "provider_review",
            "state": "provider_review",
            "version": 1,
            "due": 4e9,
            "due_at": "2096-10-02T07:06:40+08:00",
            "mode": "progress",
        }
        pipe.hset(keys.timer_docs(sid), timer["id"], store.dumps(timer))
        pipe.zadd(keys.timers(sid), {timer["id"]: timer["due"]})
        pipe.sadd(keys.app_timers(sid, app["id"]), timer["id"])
    pipe.execute()


def _due_timer(control, r, crowd):
    sb = new_sandbox(control)
    ok(
        sb.post(
            "~/domains",
            json={"name": "zhangsan-blog.cn", "holder_name": "张三", "holder_certificate_number": ZHANG_SAN_ID},
        ),
        201,
    )
    ip = eligibility(sb)["usable_ips"][0]["ip"]
    app = ok(sb.post("~/applications", json={"payload": personal_payload(ip)}), 201)
    ok(sb.post(f"~/applications/{app['id']}/actions/submit"))
    _crowd(r, sb.sid, crowd)
    timer = ok(sb.get("~/clock"))["pending_timers"][0]
    assert timer["app_id"] == app["id"]
    due = json.loads(r.hget(keys.timer_docs(sb.sid), timer["id"]))["due"]
    # the clock moved to the timer (paused), as an advance does before delivering it
    store.run(
        r,
        sb.sid,
        lambda tx: tx.set_meta("clock", Clock.from_dict(json.loads(tx.meta()["clock"])).moved_to(due, 0).to_dict()),
    )
    return sb, timer, app


def _fire_cost(control, r, crowd):
    sb, timer, app = _due_timer(control, r, crowd)
    before, sent = commands(r), r.info("stats")["total_net_output_bytes"]
    assert timers.fire(r, sb.sid, timer["id"], app["id"]) == "provider_approve"
    return sum(spent(r, before).values()), r.info("stats")["total_net_output_bytes"] - sent


def test_a_transition_costs_the_same_beside_1000_applications(control, r):
    calls_1, bytes_1 = _fire_cost(control, r, 0)
    calls_1000, bytes_1000 = _fire_cost(control, r, 1000)
    assert calls_1000 == calls_1, (calls_1, calls_1000)
    assert bytes_1000 <= bytes_1 * 1.2 + 2000, (bytes_1, bytes_1000)  # ~500 KB if it read them all


def test_an_advance_waiting_too_long_for_another_says_so(control, monkeypatch, r):
    sb = new_sandbox(control)
    before = ok(sb.get("~/clock"))["now"]
    held = r.lock(keys.advance_lock(sb.sid), timeout=30)
    assert held.acquire(blocking=False)  # another advance of this sandbox is running
    monkeypatch.setenv("ICPSIM_JOB_WAIT", "0.3")
    try:
        body = assert_error(
            control.post(f"/api/v1/sandboxes/{sb.sid}/clock/advance", json={"duration": "1d"}),
            409,
            "ADVANCE_IN_PROGRESS",
        )
        assert "另一个请求" in body["message"]
        assert_error(
            control.put(f"/api/v1/sandboxes/{sb.sid}/clock/scale", json={"scale": 2}), 409, "ADVANCE_IN_PROGRESS"
        )
    finally:
        held.release()
    assert ok(sb.get("~/clock"))["now"] == before  # nothing moved
    assert ok(control.post(f"/api/v1/sandboxes/{sb.sid}/clock/advance", json={"duration": "1d"}))["now"] != before


def test_recovery_sweep_skips_advancing_and_forgets_deleted_sandboxes(control, r):
    from rq.job import Job

    from backend.services import scheduling

    sb = new_sandbox(control)
    ok(
        sb.post(
            "~/domains",
            json={"name": "zhangsan-blog.cn", "holder_name": "张三", "holder_certificate_number": ZHANG_SAN_ID},
        ),
        201,
    )
    ip = eligibility(sb)["usable_ips"][0]["ip"]
    app = ok(sb.post("~/applications", json={"payload": personal_payload(ip)}), 201)
    ok(sb.post(f"~/applications/{app['id']}/actions/submit"))
    # the clock committed as running, the hand-over lost (no RQ job for its timer)
    store.run(
        r,
        sb.sid,
        lambda tx: tx.set_meta("clock", Clock.from_dict(json.loads(tx.meta()["clock"])).rescaled(2, 0).to_dict()),
    )
    r.sadd(keys.RUNNING, sb.sid)
    timer_id = ok(sb.get("~/clock"))["pending_timers"][0]["id"]
    job_key = Job.key_for(scheduling.job_id(sb.sid, timer_id))
    assert not r.exists(job_key)
    lock = r.lock(keys.advance_lock(sb.sid), timeout=30)
    assert lock.acquire(blocking=False)
    assert recovery.rehand_running(r, keys.advance_lock) == []  # mid-advance: the advance's to deliver
    lock.release()
    assert recovery.rehand_running(r, keys.advance_lock) == [(sb.sid, timer_id)]
    assert r.hget(job_key, "status") == "scheduled"
    assert recovery.rehand_running(r, keys.advance_lock) == []  # idempotent: it has its job now
    assert control.delete(f"/api/v1/sandboxes/{sb.sid}").status_code == 204
    assert not r.sismember(keys.RUNNING, sb.sid)


@contextmanager
def _round_trips():
    """What this process sends to Redis, as `make bench` counts it: one per command, one per pipeline."""
    count = {"n": 0}
    original = redis.connection.AbstractConnection.send_packed_command

    def counted(self, *args, **kwargs):
        count["n"] += 1
        return original(self, *args, **kwargs)

    redis.connection.AbstractConnection.send_packed_command = counted
    try:
        yield count
    finally:
        redis.connection.AbstractConnection.send_packed_command = original


def test_a_chat_reply_costs_two_round_trips_and_is_journaled_once(control, r):
    """The token check (with the sandbox's rate-limit counter) taking the conversation's lock
    when it passes, sent with the WATCH of the lock and the sandbox's hash and the first reads
    (the meta hash with the clock the journal notes, the conversation); and the commit's MULTI
    on that connection — which also releases the lock and appends the journal entry (no
    re-read of the conversation)."""
    sb = new_sandbox(control, preset="demo")
    cid = ok(sb.post("~/conversations", json={}), 201)["id"]
    ok(sb.post(f"~/conversations/{cid}/replies", json={"command": "help"}))  # scripts loaded, connections open
    before = len(recording.entries(r, sb.sid))
    with _round_trips() as trips:
        answer = ok(sb.post(f"~/conversations/{cid}/replies", json={"command": "help"}))
    assert answer["messages"] and trips["n"] == 2, trips
    journal = recording.entries(r, sb.sid)
    assert len(journal) == before + 1 and journal[-1]["path"] == f"/conversations/{cid}/replies"
    assert journal[-1]["status"] == 200 and journal[-1]["body"] == {"command": "help"}
    assert not r.exists(keys.conversation_lock(sb.sid, cid))  # released with the commit
    # the same client message again: answered from what was kept, the lock released all the same
    first = ok(sb.post(f"~/conversations/{cid}/replies", json={"command": "help", "client_message_id": "m1"}))
    ok(
        sb.post(f"~/conversations/{cid}/replies", json={"command": "help", "client_message_id": "m1"})
    )  # a 2nd connection
    # the token check with the lock and the reads, the answer kept for the id (the body is read
    # after the token check), the messages, UNWATCH + release, journal
    with _round_trips() as trips:
        again = ok(sb.post(f"~/conversations/{cid}/replies", json={"command": "help", "client_message_id": "m1"}))
    assert again == first and not r.exists(keys.conversation_lock(sb.sid, cid)) and trips["n"] == 5, trips


def test_a_change_sends_its_watch_with_its_first_reads(control, r):
    """A transaction's WATCH travels with its prefetch: a timer's delivery is its WATCH with
    every read (the timer, its application and that application's timers, what the review
    decides on, the order's uploads), and the MULTI."""
    sb, timer, app = _due_timer(control, r, 0)
    with _round_trips() as trips:
        assert timers.fire(r, sb.sid, timer["id"], app["id"]) == "provider_approve"
    assert trips["n"] <= 2, trips


def test_get_of_an_application_costs_one_round_trip(control, r):
    """The token check, the sandbox's rate-limit counter and the application's document: one pipeline."""
    sb = new_sandbox(control)
    ip = eligibility(sb)["usable_ips"][0]["ip"]
    app = ok(sb.post("~/applications", json={"payload": personal_payload(ip)}), 201)
    for token in (None, control.token):  # the sandbox's own token, then the control token
        ok(sb.get(f"~/applications/{app['id']}", token=token))
        with _round_trips() as trips:
            got = ok(sb.get(f"~/applications/{app['id']}", token=token))
        assert got == app and trips["n"] == 1, trips
    assert sb.get("~/applications/A9999").status_code == 404
    assert new_sandbox(control, seed=9).get(f"/api/v1/sandboxes/{sb.sid}/applications/{app['id']}").status_code == 404


# Round trips of each call of the README's first filing (the advances aside: a worker's job):
# the token check (with the rate-limit counter) is in every one; a change adds its WATCH with
# its reads and its MULTI (which appends the journal's entry too: api/journal.py); a sandbox
# this process created is not touched on its first call (its idle time has just started).
FIRST_FILING_TRIPS = {
    "POST domains": 3,
    "GET eligibility": 2,
    "POST applications": 3,  # a new order has no timers to read (engine.apply_transition)
    "POST submit": 3,
    "GET outbox": 1,
    "POST sms-verification": 3,
    "GET application": 1,
}


def test_the_first_filing_calls_read_what_they_need_at_once(control, r):
    from api.flows import register_domain, until_idle

    register_domain(new_sandbox(control, seed=20), "zhangsan-blog.cn")  # scripts loaded (the journal's)
    sb = new_sandbox(control, seed=21)
    spent_by = {}

    def counted(name, call):
        with _round_trips() as trips:
            out = call()
        spent_by[name] = trips["n"]
        return out

    counted("POST domains", lambda: register_domain(sb, "zhangsan-blog.cn"))
    ip = counted("GET eligibility", lambda: eligibility(sb))["usable_ips"][0]["ip"]
    app = counted(
        "POST applications", lambda: ok(sb.post("~/applications", json={"payload": personal_payload(ip)}), 201)
    )
    counted("POST submit", lambda: ok(sb.post(f"~/applications/{app['id']}/actions/submit")))
    until_idle(sb)
    sms = counted("GET outbox", lambda: ok(sb.get("~/outbox?channel=sms")))
    code = sms[-1]["text"].split("核验码为 ")[1][:6]
    counted(
        "POST sms-verification",
        lambda: ok(sb.post(f"~/applications/{app['id']}/sms-verification", json={"code": code})),
    )
    until_idle(sb)
    assert counted("GET application", lambda: ok(sb.get(f"~/applications/{app['id']}")))["state"] == "approved"
    assert spent_by == FIRST_FILING_TRIPS


def test_an_advance_counts_its_lag_with_its_first_read(control, r):
    """The advance job's lag (for /metrics) rides in the pipeline of its first read of the clock
    and the timers: counted once per advance, whatever the advance fires."""
    from backend import observability

    sb = new_sandbox(control)
    before = observability.read_counters(r)["timer_lag"]["count"]
    view = ok(control.post(f"/api/v1/sandboxes/{sb.sid}/clock/advance", json={"duration": "1d"}))
    assert view["fired"] == []
    ok(control.post(f"/api/v1/sandboxes/{sb.sid}/clock/advance", json={"until_idle": True}))
    assert observability.read_counters(r)["timer_lag"]["count"] == before + 2
