"""Sandboxes with an idle time-to-live are deleted once untouched that long (issue #8).

Deleted lazily by the web process: the sandbox a request names at once, the others by a
sweep (on a change, at most every ICPSIM_IDLE_SWEEP_SECONDS). No timed assertions: `now` is passed explicitly,
or real time is waited for in a bounded loop on a condition."""

import time

import pytest
from api.flows import assert_error, field_errors, ok, register_domain
from conftest import new_sandbox

from backend.services import idle
from backend.store import keys


def test_a_sandbox_carries_its_ttl_and_when_it_expires(control):
    sb = new_sandbox(control, idle_ttl_seconds=3600)
    info = ok(control.get(f"/api/v1/sandboxes/{sb.sid}"))
    assert info["idle_ttl_seconds"] == 3600 and info["expires_at"]
    plain = new_sandbox(control)
    assert ok(control.get(f"/api/v1/sandboxes/{plain.sid}"))["idle_ttl_seconds"] is None


@pytest.mark.parametrize("ttl", [0, -5, 10**9, "soon", True])
def test_a_bad_ttl_is_refused(control, ttl):
    field_errors(control.post("/api/v1/sandboxes", json={"idle_ttl_seconds": ttl}), "idle_ttl_seconds")


def test_the_sweep_deletes_expired_sandboxes_only(control, r):
    short = new_sandbox(control, idle_ttl_seconds=60)
    register_domain(short, "zhangsan-blog.cn")
    long_ = new_sandbox(control, idle_ttl_seconds=3600)
    forever = new_sandbox(control)
    assert idle.sweep_idle(r, now=time.time() + 120) == [short.sid]
    assert_error(control.get(f"/api/v1/sandboxes/{short.sid}"), 404)
    assert not list(r.scan_iter(match=keys.children_of(short.sid)))  # its data went too
    assert_error(short.get("~/domains"), 401)  # and its token
    for sb in (long_, forever):
        ok(control.get(f"/api/v1/sandboxes/{sb.sid}"))
    assert r.zcard(keys.IDLE_EXPIRY) == 1  # long_ only


def test_a_call_restarts_the_idle_time(control, r):
    sb = new_sandbox(control, idle_ttl_seconds=60)
    first = r.zscore(keys.IDLE_EXPIRY, sb.sid)
    assert idle.touch(r, sb.sid, now=time.time() + 50) == 60
    assert r.zscore(keys.IDLE_EXPIRY, sb.sid) > first + 40
    assert idle.sweep_idle(r, now=time.time() + 90) == []  # 50 + 60 > 90


def test_a_call_to_an_expired_sandbox_finds_it_gone(control, r):
    sb = new_sandbox(control, idle_ttl_seconds=1)
    deadline = time.monotonic() + 10
    while (r.zscore(keys.IDLE_EXPIRY, sb.sid) or 0) > time.time() and time.monotonic() < deadline:
        time.sleep(0.1)  # real time passes: bounded wait on a condition
    assert_error(control.get(f"/api/v1/sandboxes/{sb.sid}"), 404)
    assert r.zscore(keys.IDLE_EXPIRY, sb.sid) is None


def test_the_web_sweeps_other_expired_sandboxes(control, r, monkeypatch):
    monkeypatch.setenv("ICPSIM_IDLE_SWEEP_SECONDS", "0")
    sb = new_sandbox(control, idle_ttl_seconds=1)
    deadline = time.monotonic() + 10
    while (r.zscore(keys.IDLE_EXPIRY, sb.sid) or 0) > time.time() and time.monotonic() < deadline:
        time.sleep(0.1)
    other = new_sandbox(control)  # any change in any sandbox sweeps
    register_domain(other, "zhangsan-blog.cn")
    assert not r.exists(keys.sandbox(sb.sid))


def test_a_reset_keeps_the_ttl(control):
    sb = new_sandbox(control, idle_ttl_seconds=600)
    from conftest import CONTROL

    assert ok(sb.post("~/reset", token=CONTROL))["idle_ttl_seconds"] == 600
