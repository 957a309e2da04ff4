"""Rate limits (backend/api/ratelimits.py): a sandbox's counter rides in the token check's
pipeline, yet every request counts — refused tokens and pages answered before the check
included — and a 429 comes before any other answer. (The basic 429 + Retry-After and the
gateway's pages: tests/api/test_http_edge.py.)"""

from conftest import CONTROL, Api

from api.flows import assert_error, new_sandbox, ok


def _app(r):
    from backend.app import create_app

    return create_app(r)


def test_refused_tokens_count_and_429_comes_before_401_and_404(r, monkeypatch):
    monkeypatch.setenv("ICPSIM_RATE_LIMIT_SANDBOX", "4 per minute")
    control = Api(_app(r).test_client(), token=CONTROL)
    sb = new_sandbox(control)
    assert_error(sb.get("~/clock", token="sbt_wrong"), 401, "TOKEN_INVALID")  # 1
    assert sb.client.get(f"/api/v1/sandboxes/{sb.sid}/clock").status_code == 401  # 2: no token
    stranger = new_sandbox(control, seed=9)
    assert stranger.get(f"/api/v1/sandboxes/{sb.sid}/clock").status_code == 404  # 3: another sandbox's token
    ok(sb.get("~/clock"))  # 4
    for token in (None, "sbt_wrong", stranger.token, ""):  # over the limit: 429 whatever the token
        resp = sb.get("~/clock", token=token) if token != "" else sb.client.get(f"/api/v1/sandboxes/{sb.sid}/clock")
        assert_error(resp, 429, "TOO_MANY_REQUESTS")
        assert resp.headers["Retry-After"] == "60"
    assert_error(sb.post("~/domains", json={"name": "x"}), 429, "TOO_MANY_REQUESTS")  # before the body's 422
    ok(stranger.get("~/clock"))  # the other sandbox has its own budget


def test_counters_are_fixed_windows_under_the_ratelimit_prefix(r, monkeypatch):
    monkeypatch.setenv("ICPSIM_RATE_LIMIT_SANDBOX", "100 per minute; 3 per hour")
    control = Api(_app(r).test_client(), token=CONTROL)
    sb = new_sandbox(control)
    assert [sb.get("~/clock").status_code for _ in range(4)] == [200, 200, 200, 429]
    resp = sb.get("~/clock")
    assert resp.status_code == 429 and resp.headers["Retry-After"] == "3600"  # the hour's limit was hit
    minute = f"icpsim:ratelimit:LIMITER/sandbox:{sb.sid}/100/1/minute"
    hour = f"icpsim:ratelimit:LIMITER/sandbox:{sb.sid}/3/1/hour"
    assert r.get(minute) == "5" and r.get(hour) == "5"  # each counted until the first one over
    assert 0 < r.ttl(minute) <= 60 and 3000 < r.ttl(hour) <= 3600
    assert sorted(r.scan_iter(match="icpsim:ratelimit*")) == sorted(
        [minute, hour, "icpsim:ratelimit:LIMITER/addr:127.0.0.1/6000/1/minute"]
    )


def test_a_page_answered_before_the_token_check_counts_too(r, monkeypatch):
    """A customer's Host on a sandbox path: the gateway answers before the token check, and
    the sandbox's counter is still counted — and enforced."""
    monkeypatch.setenv("ICPSIM_RATE_LIMIT_SANDBOX", "2 per minute")
    app = _app(r)
    sb = new_sandbox(Api(app.test_client(), token=CONTROL))
    client = app.test_client()
    path = f"/api/v1/sandboxes/{sb.sid}/clock"
    statuses = [client.get(path, headers={"Host": "zhangsan-blog.cn"}).status_code for _ in range(3)]
    assert 429 not in statuses[:2] and statuses[2] == 429
    assert_error(sb.get("~/clock"), 429, "TOO_MANY_REQUESTS")


def test_a_broken_counter_never_fails_a_request_and_off_counts_nothing(r, monkeypatch):
    monkeypatch.setenv("ICPSIM_RATE_LIMIT_SANDBOX", "1 per minute")
    control = Api(_app(r).test_client(), token=CONTROL)
    sb = new_sandbox(control)
    r.delete(f"icpsim:ratelimit:LIMITER/sandbox:{sb.sid}/1/1/minute")
    r.hset(f"icpsim:ratelimit:LIMITER/sandbox:{sb.sid}/1/1/minute", "x", "1")  # not a counter
    assert [sb.get("~/clock").status_code for _ in range(3)] == [200, 200, 200]
    monkeypatch.setenv("ICPSIM_RATE_LIMITS", "off")
    r.flushdb()
    control = Api(_app(r).test_client(), token=CONTROL)
    sb = new_sandbox(control)
    assert [sb.get("~/clock").status_code for _ in range(3)] == [200, 200, 200]
    assert not list(r.scan_iter(match="icpsim:ratelimit*"))


def test_a_chat_reply_over_the_limit_leaves_no_lock(r, monkeypatch):
    """The reply's lock rides with the token check and the counter (api/begun.py): a 429 there
    releases it before the answer, and commits nothing."""
    from backend.store import keys

    monkeypatch.setenv("ICPSIM_RATE_LIMIT_SANDBOX", "2 per minute")
    control = Api(_app(r).test_client(), token=CONTROL)
    sb = new_sandbox(control, preset="demo")  # a control call: not on the sandbox's counter
    cid = sb.post("~/conversations", json={}).get_json()["id"]  # 1
    assert sb.post(f"~/conversations/{cid}/replies", json={"command": "help"}).status_code == 200  # 2
    seq = r.llen(keys.conversation_messages(sb.sid, cid))
    assert_error(sb.post(f"~/conversations/{cid}/replies", json={"command": "help"}), 429)
    assert not r.exists(keys.conversation_lock(sb.sid, cid))
    assert r.llen(keys.conversation_messages(sb.sid, cid)) == seq
