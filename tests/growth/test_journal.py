"""The recording journal keeps what a replay needs, within caps in entries and bytes (issue #8, item 2)."""

import yaml
from api.flows import CONTROL, create_app, ok, register_domain, sms_code, usable_ip, verify, wrong_code
from support.people import personal_payload

from backend.store import keys, tx as store


def sandbox_bytes(r, sid):
    """What the sandbox's keys take in Redis (MEMORY USAGE of each), with the key count."""
    names = [keys.sandbox(sid)] + list(r.scan_iter(match=keys.children_of(sid), count=500))
    return sum(r.memory_usage(k) or 0 for k in names), len(names)


def test_refused_large_requests_add_nothing_to_redis(sandbox, r):
    register_domain(sandbox, "zhangsan-blog.cn")
    ok(sandbox.post("~/faults", json={"effect": "delay", "stage": "bureau", "delay": "2d"}, token=CONTROL), 201)
    before, keys_before = sandbox_bytes(r, sandbox.sid)
    dbsize = r.dbsize()
    big = "x" * 200_000
    for i in range(100):
        refused = sandbox.post("~/domains", json={"name": f"{big}{i}.cn", "holder_name": "张三"})
        assert refused.status_code == 422
        assert sandbox.post("~/faults", json={"effect": "nope", "note": big}, token=CONTROL).status_code == 422
    after, keys_after = sandbox_bytes(r, sandbox.sid)
    assert r.dbsize() == dbsize and keys_after == keys_before
    assert after - before < 1024, (before, after)  # 200 refused 200 KB bodies: nothing journaled
    assert r.llen(keys.journal(sandbox.sid)) == 2  # the two calls that changed something


def test_a_wrong_sms_code_is_journaled_as_the_code_alone(sandbox, r):
    """A wrong code is refused but counts towards MIIT's limit: a replay needs it, not its body."""
    from api.flows import act, until_idle

    register_domain(sandbox, "zhangsan-blog.cn")
    app = create_app(sandbox, personal_payload(usable_ip(sandbox)))["id"]
    act(sandbox, app, "submit")
    until_idle(sandbox)
    assert verify(sandbox, app, wrong_code(sms_code(sandbox, app))).status_code == 422
    last = store.dumps(store.decode(r.lrange(keys.journal(sandbox.sid), -1, -1)[0]))
    assert '"status":422' in last and len(last) < 400


def test_the_journal_is_capped_in_entries_and_the_export_says_so(sandbox, monkeypatch):
    monkeypatch.setenv("ICPSIM_JOURNAL_MAX_ENTRIES", "3")
    for n in range(5):
        register_domain(sandbox, f"site{n}.cn")
    resp = sandbox.get("~/recording")
    assert resp.status_code == 200
    assert resp.headers["X-Icpsim-Recording-Incomplete"].startswith("calls=2;")
    scenario = yaml.safe_load(resp.get_data(as_text=True))
    assert "INCOMPLETE" in scenario["description"] and "last 2 calls" in scenario["description"]
    assert len([s for s in scenario["steps"] if "call" in s]) == 3
    assert not any(s.get("name") == "final state" for s in scenario["steps"])  # no promise it cannot keep


def test_the_journal_is_capped_in_bytes(sandbox, r, monkeypatch):
    monkeypatch.setenv("ICPSIM_JOURNAL_MAX_BYTES", "1000")
    for n in range(20):
        register_domain(sandbox, f"site{n}.cn")
    stored = sum(len(x.encode()) for x in r.lrange(keys.journal(sandbox.sid), 0, -1))
    assert 0 < stored <= 1000
    lost = ok(sandbox.get("~/recording?format=json"))
    assert "INCOMPLETE" in lost["description"]
    # once full, it stays full: no later call sneaks in after a hole
    before = r.llen(keys.journal(sandbox.sid))
    register_domain(sandbox, "a.cn")
    assert r.llen(keys.journal(sandbox.sid)) == before


def test_a_sandbox_under_the_caps_exports_complete(sandbox):
    register_domain(sandbox, "zhangsan-blog.cn")
    resp = sandbox.get("~/recording")
    assert "X-Icpsim-Recording-Incomplete" not in resp.headers
    assert "INCOMPLETE" not in resp.get_data(as_text=True)
