"""An advance's job re-run from scratch (recovery requeues a STARTED job whose worker died
mid-run): it aims at the target the request planned (`start` + the duration, read with the
clock lock), so the clock ends exactly there however many times the job runs, and no timer
fires twice (each delivery is its own transaction; a re-run sees what is left). Real Redis,
the job run by an RQ worker as in production."""

from rq import SimpleWorker
from support.people import personal_payload

from api.flows import eligibility, new_sandbox, ok, register_domain
from backend.domain.clock import iso, parse_duration
from backend.services import advancing, recording, recovery, scheduling
from backend.store import keys

SEED = 7


def _submitted(control):
    sb = new_sandbox(control, seed=SEED)
    register_domain(sb, "zhangsan-blog.cn")
    app = ok(sb.post("~/applications", json={"payload": personal_payload(eligibility(sb)["usable_ips"][0]["ip"])}), 201)
    ok(sb.post(f"~/applications/{app['id']}/actions/submit"))
    return sb, app["id"]


def _history(sb, app_id):
    return [(h["action"], h["at"]) for h in ok(sb.get(f"~/applications/{app_id}/history"))]


def _partial_run(r, sid, duration, start, log=None):
    """A first run that dies after its first delivery: the clock moved to that timer's due time."""
    answer = advancing.run(r, sid, duration, False, False, 1, start=start, log=log)
    assert answer["error"]["code"] == "ADVANCE_STEP_LIMIT" and len(answer["error"]["fired"]) == 1, answer
    return answer["error"]["fired"]


def test_a_re_run_after_a_partial_first_run_stops_exactly_at_the_planned_target(control, r):
    once, once_app = _submitted(control)  # the same world advanced in one go
    start = recording.clock_now(r, once.sid)
    whole = advancing.run(r, once.sid, "5d", False, False, 500, start=start)["view"]
    assert len(whole["fired"]) >= 2, whole["fired"]  # a partial run leaves something to the re-run

    sb, app_id = _submitted(control)
    assert recording.clock_now(r, sb.sid) == start
    first = _partial_run(r, sb.sid, "5d", start)
    assert recording.clock_now(r, sb.sid) > start  # the first run moved the clock part of the way
    again = advancing.run(r, sb.sid, "5d", False, False, 500, start=start)["view"]
    assert again["epoch"] == start + parse_duration("5d") == whole["epoch"]
    assert again["started_at"] == iso(start) == whole["started_at"]
    assert [f["timer"] for f in first + again["fired"]] == [f["timer"] for f in whole["fired"]]  # none twice
    assert _history(sb, app_id) == _history(once, once_app)
    assert again["pending_timers"] == whole["pending_timers"]


def test_without_a_planned_start_the_re_run_overshoots(control, r):
    """What the planned start fixes: a re-run that reads its start from the clock adds the whole
    duration to what the first run already moved."""
    sb, _ = _submitted(control)
    start = recording.clock_now(r, sb.sid)
    _partial_run(r, sb.sid, "5d", None)
    moved = recording.clock_now(r, sb.sid) - start
    again = advancing.run(r, sb.sid, "5d", False, False, 500)["view"]
    assert again["epoch"] == start + moved + parse_duration("5d") > start + parse_duration("5d")


def test_until_idle_re_run_ends_where_one_run_ends(control, r):
    once, once_app = _submitted(control)
    start = recording.clock_now(r, once.sid)
    whole = advancing.run(r, once.sid, None, True, False, 500, start=start)["view"]
    sb, app_id = _submitted(control)
    answer = advancing.run(r, sb.sid, None, True, False, 1, start=start)
    first = answer["error"]["fired"]
    again = advancing.run(r, sb.sid, None, True, False, 500, start=start)["view"]
    assert again["epoch"] == whole["epoch"] and again["started_at"] == whole["started_at"]
    assert [f["timer"] for f in first + again["fired"]] == [f["timer"] for f in whole["fired"]]
    assert _history(sb, app_id) == _history(once, once_app)


def test_the_advance_job_run_twice_by_a_worker_moves_the_clock_once(control, r, monkeypatch):
    """The real job (workers.jobs.advance_clock) with the start the web planned, run by an RQ
    worker, then put back on the queue as recovery.rescue_orphans does and run again."""
    sb, app_id = _submitted(control)
    monkeypatch.setenv("ICPSIM_SYNC_JOBS", "0")
    scheduling.reset_queue()
    try:
        q = scheduling.queue()
        start = recording.clock_now(r, sb.sid)
        job = advancing._enqueue(q, sb.sid, "5d", False, False, 500, start)
        SimpleWorker([q], connection=q.connection).work(burst=True)
        first = job.latest_result().return_value["view"]
        history = _history(sb, app_id)
        recovery.requeue_started(q, job)  # the dead worker's job, requeued (same id, same arguments)
        SimpleWorker([q], connection=q.connection).work(burst=True)
        second = job.latest_result().return_value["view"]
    finally:
        monkeypatch.undo()
        scheduling.reset_queue()
    assert first["fired"] and second["fired"] == first["fired"]  # the re-run fired nothing, answers all
    assert first["epoch"] == second["epoch"] == start + parse_duration("5d")
    assert second["started_at"] == first["started_at"] == iso(start)
    assert _history(sb, app_id) == history  # nothing fired twice
    assert recording.clock_now(r, sb.sid) == start + parse_duration("5d")


def test_a_re_run_answers_every_timer_the_advance_fired(control, r):
    """`fired` of a re-run's answer: the timers its first run delivered (kept, with the job's id, in
    each delivery's own MULTI), then its own, as one uninterrupted run answers them."""
    once, _ = _submitted(control)
    start = recording.clock_now(r, once.sid)
    whole = advancing.run(r, once.sid, "5d", False, False, 500, start=start)["view"]
    sb, _ = _submitted(control)
    r.rpush(keys.advance_fired(sb.sid), '{"job": "J-of-a-dead-web", "entry": {"timer": "T9"}}')  # not this job's
    first = _partial_run(r, sb.sid, "5d", start, advancing.FiredLog(r, sb.sid, "J1"))
    assert r.llen(keys.advance_fired(sb.sid)) == 1 + len(first)
    again = advancing.run(
        r, sb.sid, "5d", False, False, 500, start=start, log=advancing.FiredLog(r, sb.sid, "J1", True)
    )
    assert again["view"]["fired"] == whole["fired"]
    failed = advancing.run(r, sb.sid, "5d", False, False, 500, start=start, log=advancing.FiredLog(r, sb.sid, "J2"))
    assert failed["view"]["fired"] == []  # another advance (a first run) reads nothing


def test_the_log_of_deliveries_goes_with_the_clock_lock(control, r):
    """The web deletes the list when it answers (a 200 or an error): it is kept only while the advance runs."""
    sb, app_id = _submitted(control)
    view = ok(control.post(f"/api/v1/sandboxes/{sb.sid}/clock/advance", json={"until_idle": True}))
    assert [f["name"] for f in view["fired"]] == ["provider_review", "send_to_bureau"]
    assert not r.exists(keys.advance_fired(sb.sid))
    r.rpush(keys.advance_fired(sb.sid), "left by an advance whose web died")
    ok(control.post(f"/api/v1/sandboxes/{sb.sid}/clock/advance", json={"duration": "1h"}))
    assert not r.exists(keys.advance_fired(sb.sid))
