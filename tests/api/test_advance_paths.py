"""A clock advance's round trips (issue #11): the web request 4 — the token check taking the
clock lock (SET NX) when it passes, the job's enqueue, one blocking read of its result, and the
journal's entry appended with the lock's release — and the worker's job 1 + 2 per timer it
fires (the next look at the clock and the timers rides in each delivery's MULTI). The lock
still lets one advance of a sandbox run at a time, is released by a failed advance, and the
journal entry (with the answer's epoch) is written only for a 200."""

import re
import threading
from collections import Counter
from contextlib import contextmanager

import pytest
import redis
from rq import SimpleWorker
from support.people import personal_payload

from api.flows import CONTROL, assert_error, eligibility, new_sandbox, ok, register_domain
from backend.domain.errors import NotFound
from backend.services import advancing, recording, scheduling
from backend.store import keys

# a new connection's own handshake (a thread may open one while another holds the pooled one)
_HANDSHAKE = re.compile(rb"^\*\d+\r\n\$\d+\r\n(HELLO|CLIENT|SELECT|AUTH)\r\n")


@contextmanager
def _round_trips_by_thread():
    """What each thread of this process sends to Redis: one per command, one per pipeline; a
    new connection's handshake aside."""
    count = Counter()
    original = redis.connection.AbstractConnection.send_packed_command

    def counted(self, command, *args, **kwargs):
        blob = b"".join(command) if isinstance(command, list) else command
        if not _HANDSHAKE.match(blob[:32]):
            count[threading.get_ident()] += 1
        return original(self, command, *args, **kwargs)

    redis.connection.AbstractConnection.send_packed_command = counted
    try:
        yield count
    finally:
        redis.connection.AbstractConnection.send_packed_command = original


def _submitted(control):
    sb = new_sandbox(control)
    register_domain(sb, "zhangsan-blog.cn")
    app = ok(sb.post("~/applications", json={"payload": personal_payload(eligibility(sb)["usable_ips"][0]["ip"])}), 201)
    ok(sb.post(f"~/applications/{app['id']}/actions/submit"))
    return sb


def _advance_entries(r, sid):
    return [e for e in recording.entries(r, sid) if e["path"] == "/clock/advance"]


def _on_a_worker(call):
    """`call()` on a thread of its own, its advance's job run by an RQ worker on this one (as
    the web and the worker are two processes); (its answer, the calling thread's id)."""
    out = {}

    def request():
        out["thread"] = threading.get_ident()
        out["answer"] = call()

    caller = threading.Thread(target=request)
    caller.start()
    q = scheduling.queue()
    while caller.is_alive():
        SimpleWorker([q], connection=q.connection).work(burst=True)
        caller.join(0.005)
    return out["answer"], out["thread"]


def test_an_advance_costs_its_web_request_four_round_trips(control, r, monkeypatch):
    sb = _submitted(control)
    monkeypatch.setenv("ICPSIM_SYNC_JOBS", "0")  # the job goes to a worker, as in production
    monkeypatch.setenv("ICPSIM_JOB_WAIT", "30")
    scheduling.reset_queue()
    try:
        ok(_on_a_worker(lambda: control.post(f"/api/v1/sandboxes/{sb.sid}/clock/advance", json={"duration": "1s"}))[0])
        with _round_trips_by_thread() as trips:
            answer, thread = _on_a_worker(
                lambda: control.post(f"/api/v1/sandboxes/{sb.sid}/clock/advance", json={"until_idle": True})
            )
    finally:
        monkeypatch.undo()
        scheduling.reset_queue()
    view = ok(answer)
    assert view["fired"], view  # the job delivered timers: the web request's cost is the same
    assert trips[thread] == 4, trips
    entries = _advance_entries(r, sb.sid)
    assert len(entries) == 2 and entries[-1]["body"] == {"until_idle": True} and entries[-1]["status"] == 200
    assert entries[-1]["now"] == view["epoch"] and entries[-1]["who"] == "control"
    assert not r.exists(keys.advance_lock(sb.sid))


def test_the_advance_job_costs_one_round_trip_and_two_per_timer_it_fires(control, r):
    """Its first look at the clock and the timers (with the job's lag for /metrics), then per
    timer: the delivery's WATCH with its reads, and its MULTI, which reads the next look (the
    last one is the answer's view: no read of its own)."""
    advancing.run(r, new_sandbox(control).sid, None, True, False, 500)  # scripts loaded
    for sb in (new_sandbox(control), _submitted(control)):
        with _round_trips_by_thread() as trips:
            view = advancing.run(r, sb.sid, None, True, False, 500)["view"]
        assert sum(trips.values()) == 1 + 2 * len(view["fired"]), (trips, view["fired"])
    assert [f["name"] for f in view["fired"]] == ["provider_review", "send_to_bureau"]
    assert view["pending_timers"] == ok(sb.get("~/clock"))["pending_timers"]
    # a duration: then the clock's move (its WATCH with its reads, its MULTI, which reads the view)
    with _round_trips_by_thread() as trips:
        view = advancing.run(r, sb.sid, "2h", False, False, 500)["view"]
    assert view["fired"] == [] and sum(trips.values()) == 3, trips
    clock = ok(sb.get("~/clock"))
    assert view["now"] == clock["now"] and view["pending_timers"] == clock["pending_timers"]


def test_the_lock_is_held_while_the_job_runs_and_released_after(control, r, monkeypatch):
    sb, seen = _submitted(control), []
    run = advancing.run

    def watched(*args, **kwargs):
        seen.append(r.get(keys.advance_lock(sb.sid)))
        return run(*args, **kwargs)

    monkeypatch.setattr(advancing, "run", watched)
    ok(control.post(f"/api/v1/sandboxes/{sb.sid}/clock/advance", json={"until_idle": True}))
    assert len(seen) == 1 and seen[0] is not None  # taken by the token check's round trip
    assert not r.exists(keys.advance_lock(sb.sid))


def test_a_failed_advance_releases_its_lock_and_journals_nothing(control, r, monkeypatch):
    from backend.services import decisions

    sb = _submitted(control)
    monkeypatch.setattr(decisions, "decide", lambda *a, **k: 1 / 0)
    assert_error(sb.post("~/clock/advance", json={"until_idle": True}, token=CONTROL), 409, "TIMER_FAILED")
    assert not r.exists(keys.advance_lock(sb.sid)) and _advance_entries(r, sb.sid) == []
    monkeypatch.undo()
    # refused by the service after the lock was taken (a duration past the limit), and by the
    # schema before the view (a 422 after the token check took the lock): released both times
    assert_error(sb.post("~/clock/advance", json={"duration": "9999d"}, token=CONTROL), 422)
    assert not r.exists(keys.advance_lock(sb.sid))
    assert_error(sb.post("~/clock/advance", json={"duration": 5}, token=CONTROL), 422)
    assert not r.exists(keys.advance_lock(sb.sid)) and _advance_entries(r, sb.sid) == []
    # a refused check takes no lock, even for a moment (the SET runs only when it passes)
    assert_error(control.post("/api/v1/sandboxes/sb_gone/clock/advance", json={"until_idle": True}), 404)
    assert not r.exists(keys.advance_lock("sb_gone"))
    view = ok(sb.post("~/clock/advance", json={"duration": "1d"}, token=CONTROL))
    assert [e["now"] for e in _advance_entries(r, sb.sid)] == [view["epoch"]]


def test_parallel_advances_run_in_turn_and_journal_in_that_order(app, control, r):
    sb = new_sandbox(control)
    start = ok(sb.get("~/clock"))["epoch"]
    answers = []

    def advance():
        client = app.test_client()
        resp = client.post(
            f"/api/v1/sandboxes/{sb.sid}/clock/advance",
            json={"duration": "1d"},
            headers={"Authorization": f"Bearer {control.token}"},
        )
        answers.append((resp.status_code, (resp.get_json() or {}).get("epoch")))

    threads = [threading.Thread(target=advance) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert [a[0] for a in answers] == [200] * 12, answers
    nows = [e["now"] for e in _advance_entries(r, sb.sid)]
    # one day each, in turn: the journal lists them in the order the lock gave them
    assert nows == sorted(a[1] for a in answers) and len(nows) == 12
    assert all(abs(b - a - 86400) < 30 for a, b in zip([start, *nows], nows)), nows
    assert not r.exists(keys.advance_lock(sb.sid))


def test_a_broken_lag_counter_never_fails_the_advance_it_rides_with(control, r):
    """The job's lag script is sent ahead of the first look in its round trip: its error is
    ignored there (the look's own error is not)."""
    from backend import observability
    from backend.services import timers

    sb = new_sandbox(control)
    r.delete(observability.METRICS_KEY)
    r.set(observability.METRICS_KEY, "not a hash")  # HINCRBYFLOAT fails on it
    try:
        clock, pending = timers.snapshot(r, sb.sid, [observability.timer_lag_script(0.5)])
    finally:
        r.delete(observability.METRICS_KEY)
    assert pending == [] and clock.scale == 0
    with pytest.raises(NotFound) as gone:
        timers.snapshot(r, "sb_gone", [observability.timer_lag_script(0.5)])
    assert gone.value.code == "SANDBOX_NOT_FOUND"
