"""Running-clock timers keep moving when a worker dies: real gunicorn and real workers
(the Procfile's worker class), SIGKILLed as a crash would.

RQ's own scheduler held its lock for 61 s after a SIGKILL (and a worker without the lock
retried only every 120 s); icpsim's scheduler lock lives 3 s, so the next timer is
delivered within seconds. The bound below (20 s) is the wait's limit, far under 60 s."""

import json
import signal
import time

import pytest
import requests
from support.people import ZHANG_SAN_ID, personal_payload
from support.procs import running_stack, stop, timeout_for

from backend.domain.clock import Clock
from backend.services import scheduling
from backend.store import keys, tx as store

CONTROL = "e2e-control"
LENIENT = {"pre_submit_checks": False}  # straight to the reviews: this test is about what follows the submit
BOUND = 20  # seconds; RQ's default scheduler needed 60–160 s


@pytest.fixture
def stack(r, redis_url, tmp_path):
    with running_stack(redis_url, CONTROL, tmp_path / "processes.log", ICPSIM_JOB_WAIT="60") as s:
        yield s


def call(method, url, token, **kw):
    resp = requests.request(method, url, headers={"Authorization": f"Bearer {token}"}, timeout=timeout_for(url), **kw)
    assert resp.headers["Content-Type"].startswith("application/json"), resp.text
    return resp


def wait_state(url, token, state, bound=BOUND):
    deadline, seen = time.monotonic() + bound, None
    while time.monotonic() < deadline:
        seen = call("GET", url, token).json()["state"]
        if seen == state:
            return
        time.sleep(0.2)
    raise AssertionError(f"still {seen!r} after {bound}s, expected {state!r}")


def submitted(base):
    """A sandbox (clock paused) with a first filing submitted: its provider review is armed."""
    sb = call(
        "POST", f"{base}/sandboxes", CONTROL, json={"seed": 42, "settings": {"sms_window_hours": 720, **LENIENT}}
    ).json()
    home = f"{base}/sandboxes/{sb['id']}"
    ip = call("GET", f"{home}/eligibility", sb["token"]).json()["usable_ips"][0]["ip"]
    call(
        "POST",
        f"{home}/domains",
        sb["token"],
        json={"name": "zhangsan-blog.cn", "holder_name": "张三", "holder_certificate_number": ZHANG_SAN_ID},
    )
    app = call("POST", f"{home}/applications", sb["token"], json={"payload": personal_payload(ip)}).json()
    url = f"{home}/applications/{app['id']}"
    assert call("POST", f"{url}/actions/submit", sb["token"], json={}).json()["state"] == "provider_review"
    return sb, home, url


def test_sigkilled_worker_does_not_stall_running_clock(stack, r):
    sb, home, url = submitted(stack.base)
    time.sleep(1.5)  # the first worker's scheduler holds its lock now
    stop(stack.workers[0], signal.SIGKILL)  # its lock stays behind...
    assert call("PUT", f"{home}/clock/scale", CONTROL, json={"scale": 200000}).status_code == 200
    stack.add_worker()
    wait_state(url, sb["token"], "sms_verification")  # ...and outlived in seconds, not a minute


def test_timer_committed_but_never_handed_over_is_delivered(stack, r):
    sb, home, url = submitted(stack.base)
    sid = sb["id"]

    # what a process killed between the commit and the hand-over leaves: the clock runs,
    # the timer is stored, and RQ has no job for it
    def run_clock(tx):
        clock = Clock.from_dict(json.loads(tx.meta()["clock"]))
        tx.set_meta("clock", clock.rescaled(200000, time.time()).to_dict())

    store.run(r, sid, run_clock)
    r.sadd(keys.RUNNING, sid)
    timer = call("GET", f"{home}/clock", sb["token"]).json()["pending_timers"][0]
    assert not r.exists(f"rq:job:{scheduling.job_id(sid, timer['id'])}")
    wait_state(url, sb["token"], "sms_verification")
    history = [e["action"] for e in call("GET", f"{url}/history", sb["token"]).json()]
    assert history.count("provider_approve") == 1 and history.count("send_to_bureau") == 1


def test_an_advance_whose_worker_died_before_starting_it_succeeds_on_the_restarted_worker(r, redis_url, tmp_path):
    """The worker dequeued the advance's job (RQ's move to the intermediate list) and was killed
    before starting it: the advance answered 503 WORKER_TIMEOUT after the whole job wait, though
    `icpsim up` starts a worker again within a second. Now the restarted worker's recovery puts
    the job back on the queue and runs it, once."""
    import threading

    with running_stack(redis_url, CONTROL, tmp_path / "processes.log", workers=0, ICPSIM_JOB_WAIT="30") as stack:
        sb, home, url = submitted(stack.base)
        answers = []
        ask = threading.Thread(
            target=lambda: answers.append(call("POST", f"{home}/clock/advance", CONTROL, json={"duration": "30d"})),
            daemon=True,
        )
        ask.start()
        queue, moved = "rq:queue:icpsim", None
        for _ in range(200):  # the advance's job on the queue (no worker yet), as a worker dequeues it
            moved = r.lmove(queue, f"{queue}:intermediate")
            if moved:
                break
            time.sleep(0.05)
        assert moved, "the advance's job never reached the queue"
        stack.add_worker()  # what `icpsim up` does a second after the worker died
        ask.join(80)
        assert answers, "the advance still waits"
        assert answers[0].status_code == 200, answers[0].text
        assert "provider_review" in [t["name"] for t in answers[0].json()["fired"]], answers[0].json()
        history = [e["action"] for e in call("GET", f"{url}/history", sb["token"]).json()]
        assert history.count("provider_approve") == 1, history  # the job ran once
        assert r.llen(f"{queue}:intermediate") == 0


def _take_job(r, queue="rq:queue:icpsim"):
    """The advance's job off the queue before any worker sees it (no worker runs yet)."""
    for _ in range(200):
        jid = r.lpop(queue)
        if jid:
            return jid
        time.sleep(0.05)
    raise AssertionError("the advance's job never reached the queue")


def _died_mid_run(r, raw, jid):
    """What a worker killed mid-advance leaves: its first delivery committed (run here, as the
    worker's own code does, its log of deliveries included), the job STARTED by a worker that is gone."""
    from rq import Queue
    from rq.job import Job
    from rq.registry import StartedJobRegistry

    from backend.services import advancing

    job = Job.fetch(jid, connection=raw)
    sid, duration, until_idle, include_deadlines, _, start = job.args
    log = advancing.fired_log(r, sid, job)
    partial = advancing.run(r, sid, duration, until_idle, include_deadlines, 1, start=start, log=log)
    assert partial["error"]["code"] == "ADVANCE_STEP_LIMIT", partial  # one timer delivered, then "killed"
    raw.hset(job.key, mapping={"status": "started", "worker_name": "killed-worker"})
    raw.zadd(StartedJobRegistry(queue=Queue("icpsim", connection=raw)).key, {f"{jid}:killed": time.time() + 600})
    return start, partial["error"]["fired"]


def _interrupted_advance(stack, r, raw, body):
    """A first filing's advance (`body`) whose worker died after the first delivery, answered after
    recovery requeued the job and a new worker ran it again: (sandbox, home, url, the clock before
    it, the answer's view)."""
    import threading

    sb, home, url = submitted(stack.base)
    before = call("GET", f"{home}/clock", sb["token"]).json()["epoch"]
    answers = []
    ask = threading.Thread(
        target=lambda: answers.append(call("POST", f"{home}/clock/advance", CONTROL, json=body)), daemon=True
    )
    ask.start()
    start, first = _died_mid_run(r, raw, _take_job(r))
    assert start == before and [t["name"] for t in first] == ["provider_review"]
    stack.add_worker()  # its recovery requeues the dead worker's job; it runs it again
    ask.join(timeout_for(f"{home}/clock/advance"))
    assert answers and answers[0].status_code == 200, answers and answers[0].text
    return sb, home, url, start, answers[0].json()


def test_an_advance_whose_worker_died_mid_run_ends_exactly_at_its_target(r, redis_url, tmp_path):
    """A worker killed mid-advance: recovery requeues the STARTED job and a worker runs it from
    scratch. The re-run aims at the target the request planned, so a paused clock advanced by
    2d ends exactly 2d later (it overshot by what the first run had moved), no timer fires twice,
    and the recording replays to the same steps as an advance that was never interrupted."""
    import redis as redis_py

    raw = redis_py.Redis.from_url(redis_url)  # RQ's connection: bytes
    with running_stack(redis_url, CONTROL, tmp_path / "processes.log", workers=0, ICPSIM_JOB_WAIT="30") as stack:
        sb, home, url, before, view = _interrupted_advance(stack, r, raw, {"duration": "2d"})
        assert view["epoch"] == before + 2 * 86400 == call("GET", f"{home}/clock", sb["token"]).json()["epoch"]
        history = [e["action"] for e in call("GET", f"{url}/history", sb["token"]).json()]
        assert history.count("provider_approve") == 1, history
        twin, twin_home, twin_url = submitted(stack.base)  # the same world, its advance never interrupted
        whole = call("POST", f"{twin_home}/clock/advance", CONTROL, json={"duration": "2d"}).json()
        assert view["epoch"] == whole["epoch"] and view["started_at"] == whole["started_at"]
        assert view["fired"] == whole["fired"]  # the first run's delivery too: the answer is complete
        assert history == [e["action"] for e in call("GET", f"{twin_url}/history", twin["token"]).json()]
        recorded = [call("GET", f"{h}/recording?format=json", CONTROL).json()["steps"] for h in (home, twin_home)]
        assert recorded[0] == recorded[1]
    raw.close()


def test_an_advance_re_run_after_its_worker_died_answers_every_timer_it_fired(r, redis_url, tmp_path):
    """`fired` of an interrupted advance until idle lists the timers of both runs — the first run's
    provider review and the re-run's hand-over to the bureau — as one uninterrupted advance answers
    them, each once; the log the runs kept is gone with the answer."""
    import redis as redis_py

    raw = redis_py.Redis.from_url(redis_url)
    with running_stack(redis_url, CONTROL, tmp_path / "processes.log", workers=0, ICPSIM_JOB_WAIT="30") as stack:
        sb, home, url, _, view = _interrupted_advance(stack, r, raw, {"until_idle": True})
        assert [t["name"] for t in view["fired"]] == ["provider_review", "send_to_bureau"], view["fired"]
        assert not r.exists(keys.advance_fired(sb["id"]))
        twin, twin_home, _ = submitted(stack.base)
        whole = call("POST", f"{twin_home}/clock/advance", CONTROL, json={"until_idle": True}).json()
        assert view["fired"] == whole["fired"] and view["epoch"] == whole["epoch"]
        history = [e["action"] for e in call("GET", f"{url}/history", sb["token"]).json()]
        assert history.count("provider_approve") == 1 and history.count("send_to_bureau") == 1, history
    raw.close()
