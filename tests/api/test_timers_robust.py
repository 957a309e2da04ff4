"""Timers and RQ: one scheduled job per timer, advances that deliver each due timer once,
failed timer jobs that do not block the sandbox, texts that follow the settings, and
draws seeded by the attempt (review findings A–G)."""

import math
import time

import pytest
from rq.job import Job
from rq.registry import ScheduledJobRegistry
from support.people import personal_payload

from api.flows import (
    CONTROL,
    act,
    assert_error,
    create_app,
    get_app,
    history,
    new_sandbox,
    ok,
    outbox,
    register_domain,
    sms_code,
    until_idle,
    usable_ip,
    verify,
    wrong_code,
)
from backend.domain import workflow
from backend.services import scheduling
from backend.store import tx as store


def clock(sb):
    return ok(sb.get("~/clock", token=CONTROL))


def scale(sb, value):
    return ok(sb.put("~/clock/scale", json={"scale": value}, token=CONTROL))


def draft(sb):
    register_domain(sb, "zhangsan-blog.cn")
    return create_app(sb, personal_payload(usable_ip(sb)))["id"]


def submitted(sb):
    app_id = draft(sb)
    act(sb, app_id, "submit")
    return app_id


def scheduled(sb):
    """The sandbox's jobs in RQ's scheduled registry: {job id: epoch second}."""
    conn = scheduling.queue().connection
    rows = conn.zrange(ScheduledJobRegistry(queue=scheduling.queue()).key, 0, -1, withscores=True)
    return {k.decode(): score for k, score in rows if k.decode().startswith(f"icpsim-{sb.sid}-")}


def expected_ids(sb):
    return {f"icpsim-{sb.sid}-{t['id']}" for t in clock(sb)["pending_timers"]}


# -- A. one scheduled job per timer --------------------------------------------------------


def test_one_scheduled_job_per_pending_timer_whatever_the_scale_does(sandbox, r):
    scale(sandbox, 2)
    app_id = draft(sandbox)  # a draft on a running clock: reminders and expiry are scheduled
    assert set(scheduled(sandbox)) == expected_ids(sandbox) and len(expected_ids(sandbox)) == 4
    act(sandbox, app_id, "submit")
    for value in (5, 50, 0.5, 1000, 3):
        scale(sandbox, value)
    jobs = scheduled(sandbox)
    pending = clock(sandbox)["pending_timers"]
    assert [t["name"] for t in pending] == ["provider_review"]
    assert set(jobs) == expected_ids(sandbox)  # one job, under the timer's own id: no leak
    # … at the real second its virtual due time arrives at the current scale (rounded up)
    view = clock(sandbox)
    due = time.time() + (workflow_due(r, sandbox, pending[0]["id"]) - view["epoch"]) / 3
    assert abs(jobs[f"icpsim-{sandbox.sid}-{pending[0]['id']}"] - math.ceil(due)) <= 2
    scale(sandbox, 0)
    assert scheduled(sandbox) == {}  # paused: nothing for the scheduler
    scale(sandbox, 10)
    assert set(scheduled(sandbox)) == expected_ids(sandbox)
    act(sandbox, app_id, "withdraw")
    assert clock(sandbox)["pending_timers"] == [] and scheduled(sandbox) == {}  # disarmed with the timers
    assert not any(Job.exists(i, scheduling.queue().connection) for i in expected_ids(sandbox))


def workflow_due(r, sb, timer_id):
    return next(t["due"] for t in store.read(r, sb.sid).timers() if t["id"] == timer_id)


def test_a_rescheduled_timer_keeps_one_job_when_time_runs_and_it_fires(sandbox):
    scale(sandbox, 1000)
    app_id = submitted(sandbox)
    scale(sandbox, 2000)
    result = ok(sandbox.post("~/clock/advance", json={"until_idle": True}, token=CONTROL))
    assert [f["name"] for f in result["fired"]] == ["provider_review", "send_to_bureau"]
    assert get_app(sandbox, app_id)["state"] == "sms_verification"
    # only what is still ahead is scheduled: the SMS window, under its own id
    assert [t["name"] for t in clock(sandbox)["pending_timers"]] == ["sms_timeout"]
    assert set(scheduled(sandbox)) == expected_ids(sandbox)


class RacingScheduler:
    """RQ's scheduler, simulated in-process: whatever it holds that is due by real time it
    delivers just before the advance's own delivery (the race a running clock makes)."""

    def __init__(self, monkeypatch):
        self.delivered = []
        real_run_now = scheduling.run_now

        def run_now(sid, timer_id, tag, *rest):
            self.deliver_due()
            return real_run_now(sid, timer_id, tag, *rest)

        monkeypatch.setattr(scheduling, "run_now", run_now)

    def deliver_due(self):
        from workers import jobs

        conn = scheduling.queue().connection
        reg = ScheduledJobRegistry(queue=scheduling.queue())
        for raw in conn.zrangebyscore(reg.key, "-inf", time.time() + 1):
            job = Job.fetch(raw.decode(), connection=conn)
            conn.zrem(reg.key, raw)
            self.delivered.append((job.id, jobs.fire_timer(*job.args)))


def test_an_advance_on_a_running_clock_delivers_each_timer_once(sandbox, monkeypatch):
    scale(sandbox, 1000)
    app_id = submitted(sandbox)
    racing = RacingScheduler(monkeypatch)
    result = ok(sandbox.post("~/clock/advance", json={"until_idle": True}, token=CONTROL))
    assert [(f["name"], f["result"]) for f in result["fired"]] == [
        ("provider_review", "provider_approve"),
        ("send_to_bureau", "send_to_bureau"),
    ]
    assert racing.delivered == []  # nothing the advance delivers was left on RQ's schedule
    assert [e["action"] for e in history(sandbox, app_id)] == ["create", "submit", "provider_approve", "send_to_bureau"]


def test_an_advance_by_a_duration_on_a_running_clock_never_reports_gone(sandbox, monkeypatch):
    scale(sandbox, 500)
    app_id = submitted(sandbox)
    RacingScheduler(monkeypatch)
    result = ok(sandbox.post("~/clock/advance", json={"duration": "10d"}, token=CONTROL))
    assert [f["result"] for f in result["fired"]][:2] == ["provider_approve", "send_to_bureau"]
    assert all(f["result"] not in ("gone", "early", "stale") for f in result["fired"])
    assert get_app(sandbox, app_id)["state"] in ("sms_verification", "provider_rejected")


def test_a_scheduled_job_that_runs_early_reschedules_itself_under_its_own_id(sandbox, r, monkeypatch):
    from types import SimpleNamespace

    from rq import Retry

    from workers import jobs

    scale(sandbox, 10)
    submitted(sandbox)
    timer = clock(sandbox)["pending_timers"][0]
    left = (workflow_due(r, sandbox, timer["id"]) - clock(sandbox)["epoch"]) / 10
    monkeypatch.setattr(
        jobs, "get_current_job", lambda: SimpleNamespace(id=f"icpsim-{sandbox.sid}-{timer['id']}", retries_left=3)
    )
    result = jobs.fire_timer(sandbox.sid, timer["id"])  # RQ's scheduler, a second early
    assert isinstance(result, Retry) and abs(result.intervals[0] - left) <= 2
    assert [t["id"] for t in clock(sandbox)["pending_timers"]] == [timer["id"]]
    # the advance's own delivery is never early; anything else early just says so
    monkeypatch.setattr(jobs, "get_current_job", lambda: SimpleNamespace(id="something-else", retries_left=3))
    assert jobs.fire_timer(sandbox.sid, timer["id"]) == "early"


# -- B. the sorted set is the index the clock reads -------------------------------------------


def test_clock_view_and_advance_read_due_timers_from_the_sorted_set(sandbox, monkeypatch):
    app_id = submitted(sandbox)

    def no_full_scan(self):
        raise AssertionError("read every timer document")

    monkeypatch.setattr(store.Reader, "timers", no_full_scan)
    assert [t["name"] for t in clock(sandbox)["pending_timers"]] == ["provider_review"]
    result = until_idle(sandbox)
    assert [f["name"] for f in result["fired"]] == ["provider_review", "send_to_bureau"]
    assert get_app(sandbox, app_id)["state"] == "sms_verification"


# -- C. a failed timer job --------------------------------------------------------------------


def test_a_failed_timer_job_is_marked_reported_and_skipped(sandbox, monkeypatch):
    from backend.services import decisions

    app_id = submitted(sandbox)
    timer_id = clock(sandbox)["pending_timers"][0]["id"]

    def broken(*args, **kwargs):
        raise RuntimeError("review rules crashed")

    monkeypatch.setattr(decisions, "decide", broken)
    body = assert_error(sandbox.post("~/clock/advance", json={"until_idle": True}, token=CONTROL), 409, "TIMER_FAILED")
    assert body["timer"] == timer_id and body["application_id"] == app_id
    assert "review rules crashed" in body["error"]
    view = clock(sandbox)
    assert view["pending_timers"] == []
    assert [(t["id"], t["app_id"], t["name"]) for t in view["failed_timers"]] == [(timer_id, app_id, "provider_review")]
    assert "RuntimeError: review rules crashed" in view["failed_timers"][0]["error"]

    # the next advances skip it instead of failing again
    monkeypatch.undo()
    assert ok(sandbox.post("~/clock/advance", json={"until_idle": True}, token=CONTROL))["fired"] == []
    assert ok(sandbox.post("~/clock/advance", json={"duration": "3d"}, token=CONTROL))["fired"] == []
    assert get_app(sandbox, app_id)["state"] == "provider_review"
    # the user can still act; the failed timer goes with the state it belonged to
    act(sandbox, app_id, "withdraw")
    assert clock(sandbox)["failed_timers"] == []


def test_a_scheduled_job_failing_for_good_marks_its_timer(sandbox, r, monkeypatch):
    from types import SimpleNamespace

    from backend.services import decisions, timers
    from workers import jobs

    app_id = submitted(sandbox)
    timer = clock(sandbox)["pending_timers"][0]
    due = workflow_due(r, sandbox, timer["id"])
    timers._set_clock(r, sandbox.sid, lambda c: c.moved_to(due, time.time()), reschedule=False)
    monkeypatch.setattr(decisions, "decide", lambda *a, **k: 1 / 0)
    monkeypatch.setattr(jobs, "get_current_job", lambda: SimpleNamespace(id="x", retries_left=2))
    with pytest.raises(ZeroDivisionError):
        jobs.fire_timer(sandbox.sid, timer["id"])  # RQ will retry it: not failed yet
    assert clock(sandbox)["failed_timers"] == []
    monkeypatch.setattr(jobs, "get_current_job", lambda: SimpleNamespace(id="x", retries_left=0))
    with pytest.raises(ZeroDivisionError):
        jobs.fire_timer(sandbox.sid, timer["id"])  # the last try
    failed = clock(sandbox)["failed_timers"]
    assert [(t["id"], t["app_id"]) for t in failed] == [(timer["id"], app_id)]
    assert failed[0]["error"] == "ZeroDivisionError: division by zero"
    assert until_idle(sandbox)["fired"] == []


def test_no_worker_stays_a_503_and_marks_nothing(sandbox, monkeypatch):
    submitted(sandbox)
    monkeypatch.setenv("ICPSIM_SYNC_JOBS", "0")
    monkeypatch.setenv("ICPSIM_JOB_WAIT", "0.3")
    scheduling.reset_queue()
    try:
        assert_error(sandbox.post("~/clock/advance", json={"until_idle": True}, token=CONTROL), 503, "WORKER_TIMEOUT")
    finally:
        monkeypatch.undo()
        scheduling.reset_queue()
    view = clock(sandbox)
    assert view["failed_timers"] == [] and [t["name"] for t in view["pending_timers"]] == ["provider_review"]


def test_no_worker_for_longer_than_one_block_is_still_worker_timeout(sandbox, monkeypatch):
    # the wait blocks on the job's result stream 5 s at a time: a read timeout of 5 s (redis-py
    # 8's default) answered 503 REDIS_UNAVAILABLE and left the job queued, to run after the 503
    submitted(sandbox)
    monkeypatch.setenv("ICPSIM_SYNC_JOBS", "0")
    monkeypatch.setenv("ICPSIM_JOB_WAIT", "5.5")
    scheduling.reset_queue()
    try:
        assert_error(sandbox.post("~/clock/advance", json={"duration": "1d"}, token=CONTROL), 503, "WORKER_TIMEOUT")
        assert scheduling.queue().get_job_ids() == []  # taken back: it does not run after the 503
    finally:
        monkeypatch.undo()
        scheduling.reset_queue()
    later = ok(sandbox.post("~/clock/advance", json={"duration": "1h"}, token=CONTROL))  # the lock is free
    assert [t["name"] for t in later["pending_timers"]] == ["provider_review"] and later["fired"] == []


def test_a_worker_dying_mid_advance_is_a_503_after_the_job_wait(sandbox, monkeypatch):
    # the worker took the advance's job (STARTED) and died; no worker took it up again: the
    # advance waited its whole job timeout (10 min) instead of answering after the job wait
    import threading

    from rq.job import JobStatus

    from backend.services import advancing

    submitted(sandbox)
    enqueue = advancing._enqueue

    def taken_by_a_dead_worker(q, *args):
        job = enqueue(q, *args)
        q.remove(job.id)
        taken = Job.fetch(job.id, connection=q.connection)  # as the worker saw it, not our copy
        taken.worker_name = "ghost"  # registered nowhere: gone
        taken.set_status(JobStatus.STARTED)
        taken.save()
        return job

    monkeypatch.setattr(advancing, "_enqueue", taken_by_a_dead_worker)
    monkeypatch.setenv("ICPSIM_SYNC_JOBS", "0")
    monkeypatch.setenv("ICPSIM_JOB_WAIT", "0.5")
    scheduling.reset_queue()
    answers = []
    try:
        ask = threading.Thread(
            target=lambda: answers.append(sandbox.post("~/clock/advance", json={"duration": "1d"}, token=CONTROL)),
            daemon=True,
        )
        ask.start()
        ask.join(15)
    finally:
        monkeypatch.undo()
        scheduling.reset_queue()
    assert answers, "the advance still waits for a dead worker"
    assert_error(answers[0], 503, "WORKER_TIMEOUT")
    later = ok(sandbox.post("~/clock/advance", json={"duration": "1h"}, token=CONTROL))  # the lock is free
    assert [t["name"] for t in later["pending_timers"]] == ["provider_review"]


# -- D. the table says which user rows are endpoints -----------------------------------------


def test_the_action_endpoint_serves_exactly_the_rows_offered_via_action(sandbox):
    from backend.api import applications as api

    assert sorted({t.action for t in workflow.TRANSITIONS if t.via == "action"}) == api.ACTIONS
    app_id = draft(sandbox)
    for action in ("edit", "verify_sms", "sms_failed"):
        assert_error(sandbox.post(f"~/applications/{app_id}/actions/{action}", json={}), 404, "ACTION_UNKNOWN")


# -- E. texts follow the settings ------------------------------------------------------------

SETTINGS = {
    "sms_window_hours": 720,
    "idle_reminder_days": [3, 10, 20],
    "idle_expiry_days": 30,
    "provider_review_wd": 2,
    "to_bureau_wd_min": 2,
    "to_bureau_wd_max": 4,
}


def test_messages_quote_the_sandbox_settings(control):
    sb = new_sandbox(control, settings=SETTINGS)
    app_id = submitted(sb)
    until_idle(sb)
    texts = [m["text"] for m in outbox(sb, app_id=app_id)]
    assert any("腾讯云将在 2 个工作日内完成初审" in t for t in texts), texts
    assert any("将在 2–4 个工作日内提交至管局" in t for t in texts), texts
    assert any("请在 30 天内登录 https://beian.miit.gov.cn" in t for t in texts), texts  # MIIT's own site
    assert not any("24 小时" in t or "45 天" in t for t in texts), texts
    # the SMS window runs out: the rejection says how long it was
    ok(sb.post("~/clock/advance", json={"duration": "30d"}, token=CONTROL))
    app = get_app(sb, app_id)
    assert app["state"] == "provider_rejected"
    assert app["audit_data"][0]["code"] == "SMS_TIMEOUT"
    assert "未在 30 天内完成工信部短信核验" in app["audit_data"][0]["error"]
    # idle: reminders on the configured days, expiry on the configured day
    until_idle(sb, include_deadlines=True)
    texts = [m["text"] for m in outbox(sb, app_id=app_id, channel="site")]
    reminders = [t for t in texts if "天未处理，请尽快完善" in t]
    assert [t.split("已 ")[1].split(" 天")[0] for t in reminders] == ["3", "10", "20"], reminders
    assert all("30 天未处理将过期" in t for t in reminders), reminders
    assert any("超过 30 天未处理，已过期" in t for t in texts), texts
    assert get_app(sb, app_id)["state"] == "expired"


def test_the_sms_failure_quotes_the_allowed_wrong_codes(control):
    sb = new_sandbox(control, settings={"sms_max_wrong": 2})
    app_id = submitted(sb)
    until_idle(sb)
    code = sms_code(sb, app_id)
    for _ in range(3):
        verify(sb, app_id, wrong_code(code))
    app = get_app(sb, app_id)
    assert app["state"] == "provider_rejected"
    assert app["audit_data"][0]["code"] == "SMS_CODE_FAILED" and "超过 2 次" in app["audit_data"][0]["error"]


# -- F. draws seeded by the attempt, not the version --------------------------------------


def _bureau_timeline(control, wrong):
    sb = new_sandbox(control, seed=11)
    app_id = submitted(sb)
    until_idle(sb)
    code = sms_code(sb, app_id)
    for _ in range(wrong):
        verify(sb, app_id, wrong_code(code))
    assert ok(verify(sb, app_id, code))["state"] == "bureau_review"
    due = clock(sb)["pending_timers"][0]["due_at"]
    until_idle(sb)
    return code, due, get_app(sb, app_id)["result"]


@pytest.mark.parametrize("wrong", [1, 2, 3])
def test_wrong_sms_codes_do_not_shift_the_bureau_review(control, wrong):
    assert _bureau_timeline(control, wrong) == _bureau_timeline(control, 0)


def test_edits_before_submitting_do_not_shift_the_hand_over_or_the_code(control):
    def run(edits):
        sb = new_sandbox(control, seed=11)
        app_id = draft(sb)
        for n in range(edits):
            ok(
                sb.patch(
                    f"~/applications/{app_id}",
                    json={
                        "payload": {
                            "websites": [
                                dict(personal_payload(usable_ip(sb))["websites"][0], name=f"张三的个人博客{n}")
                            ]
                        }
                    },
                )
            )
        act(sb, app_id, "submit")
        until_idle(sb)
        return [e["at"] for e in history(sb, app_id)][-2:], sms_code(sb, app_id)

    assert run(3) == run(0)


# -- G. one Redis client per worker process -------------------------------------------------


def test_timer_jobs_share_one_redis_client(sandbox, monkeypatch):
    from workers import jobs

    monkeypatch.setattr(jobs, "_clients", {})
    made = []
    real = jobs.connect
    monkeypatch.setattr(jobs, "connect", lambda *a, **k: made.append(1) or real(*a, **k))
    submitted(sandbox)
    until_idle(sandbox)
    assert jobs.client() is jobs.client() and len(made) == 1
