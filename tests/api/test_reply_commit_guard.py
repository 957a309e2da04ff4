"""A chat reply commits on the connection that WATCHes its lock and the sandbox's hash since it
took the lock (chat/conversation_store.py): no re-read, and still only while it holds the lock —
a reply whose lock expired or was taken over meanwhile commits nothing."""

import time

import pytest
import redis

from api.flows import new_sandbox, ok
from backend.chat import engine
from backend.services import recording
from backend.store import keys, tx as store


@pytest.fixture
def chat(control, r):
    sb = new_sandbox(control, preset="demo")
    cid = ok(sb.post("~/conversations", json={}), 201)["id"]
    ok(sb.post(f"~/conversations/{cid}/replies", json={"command": "help"}))
    return sb, cid


def _meanwhile(monkeypatch, action):
    """`action` runs while the reply is being answered (after its lock, before its commit)."""
    original = engine.answer

    def answer(ctx, body):
        action()
        return original(ctx, body)

    monkeypatch.setattr(engine, "answer", answer)


def _state(r, sb, cid):
    conv = store.read(r, sb.sid).get("conversations", cid)
    return conv["seq"], r.llen(keys.conversation_messages(sb.sid, cid)), len(recording.entries(r, sb.sid))


@pytest.mark.parametrize("lost", ["expired", "taken over"])
def test_a_reply_that_lost_its_lock_commits_nothing(chat, r, monkeypatch, lost):
    sb, cid = chat
    lock = keys.conversation_lock(sb.sid, cid)
    before = _state(r, sb, cid)
    _meanwhile(monkeypatch, lambda: r.delete(lock) if lost == "expired" else r.set(lock, "another-holder"))
    resp = sb.post(f"~/conversations/{cid}/replies", json={"command": "help"})
    assert resp.status_code == 503 and resp.get_json()["code"] == "CONVERSATION_BUSY"
    assert _state(r, sb, cid) == before
    assert r.get(lock) == (None if lost == "expired" else "another-holder")  # never another holder's lock released


def test_a_reply_whose_lock_really_expired_and_was_taken_never_deletes_the_new_holders_lock(chat, r, monkeypatch):
    """The commit releases the lock with a plain DEL in its MULTI (no script comparing the value):
    safe because the lock is WATCHed while ours, so another holder's SET aborts the EXEC —
    here with Redis's own expiry (PX) rather than a DEL standing in for it."""
    sb, cid = chat
    lock = keys.conversation_lock(sb.sid, cid)
    before = _state(r, sb, cid)

    def expire_then_take():
        r.pexpire(lock, 1)
        for _ in range(200):  # bounded: ~1 s at most
            if r.set(lock, "another-holder", nx=True, px=60_000):
                return
            time.sleep(0.005)
        raise AssertionError("the lock never expired")

    _meanwhile(monkeypatch, expire_then_take)
    resp = sb.post(f"~/conversations/{cid}/replies", json={"command": "help"})
    assert resp.status_code == 503 and resp.get_json()["code"] == "CONVERSATION_BUSY"
    assert _state(r, sb, cid) == before
    assert r.get(lock) == "another-holder"


def _sent(monkeypatch):
    """Round trips from now on (a new connection's own handshake not counted)."""
    sent = {"n": 0}
    original = redis.connection.AbstractConnection.send_packed_command

    def counted(self, command, *args, **kwargs):
        packed = command if isinstance(command, bytes) else b"".join(command)
        # a new connection's handshake: HELLO, CLIENT SETINFO, and SELECT on a database other than 0
        sent["n"] += not any(word in packed[:20] for word in (b"HELLO", b"CLIENT", b"SELECT"))
        return original(self, command, *args, **kwargs)

    monkeypatch.setattr(redis.connection.AbstractConnection, "send_packed_command", counted)
    return sent


def test_another_conversation_saved_meanwhile_does_not_disturb_a_reply(chat, r, monkeypatch):
    """Replies to two conversations of one sandbox at once (the benchmark's case): each holds
    its own lock, and the commit watches the lock and the sandbox's hash, not the shared
    conversations hash."""
    sb, cid = chat
    other = ok(sb.post("~/conversations", json={}), 201)["id"]
    convs = keys.collection(sb.sid, "conversations")
    seq, messages, journaled = _state(r, sb, cid)
    _meanwhile(monkeypatch, lambda: r.hset(convs, other, r.hget(convs, other)))
    sent = _sent(monkeypatch)
    answer = ok(sb.post(f"~/conversations/{cid}/replies", json={"command": "help"}))
    monkeypatch.undo()
    assert answer["last_seq"] == seq + 2 and _state(r, sb, cid) == (seq + 2, messages + 2, journaled + 1)
    assert sent["n"] == 2 + 2, sent  # the fast path; the 2 are the test's own HGET and HSET


def test_a_sandbox_changed_meanwhile_sends_the_reply_the_slow_way(chat, r, monkeypatch):
    sb, cid = chat
    seq, messages, journaled = _state(r, sb, cid)
    meta = keys.sandbox(sb.sid)
    _meanwhile(monkeypatch, lambda: r.hset(meta, "name", r.hget(meta, "name")))  # touches the watched hash
    sent = _sent(monkeypatch)
    answer = ok(sb.post(f"~/conversations/{cid}/replies", json={"command": "help"}))
    monkeypatch.undo()
    assert answer["last_seq"] == seq + 2 and _state(r, sb, cid) == (seq + 2, messages + 2, journaled + 1)
    assert not r.exists(keys.conversation_lock(sb.sid, cid))
    # the 2 of the fast path (its EXEC refused), then WATCH + reads, the lock's check, the MULTI;
    # the 2 in between are the test's own
    assert sent["n"] == 2 + 3 + 2, sent


def _writes(r):
    """Changes to the store so far (every write counts one: Redis's own dirty counter)."""
    return r.info("persistence")["rdb_changes_since_last_save"]


@pytest.mark.parametrize("body", [{"command": "help"}, {"command": "jump"}], ids=["good body", "bad body"])
def test_a_refused_token_on_the_reply_takes_no_lock_and_sees_nothing(chat, control, r, body):
    """The reply's lock and first reads ride with its token check (common.begins): a refused
    token still gets its 401/404 (before any 422), takes no lock — not even for a moment — and
    sees none of what was read; it writes no more than a request without a token (its
    rate-limit counter)."""
    sb, cid = chat
    other = new_sandbox(control, seed=99)
    path = f"/api/v1/sandboxes/{sb.sid}/conversations/{cid}/replies"
    before = _state(r, sb, cid)
    refused = {
        "no token": (None, 401, "TOKEN_MISSING"),
        "unknown token": ("ict_nobody", 401, "TOKEN_INVALID"),
        "another sandbox's token": (other.token, 404, "SANDBOX_NOT_FOUND"),
    }
    sb.client.post(path, json=body)  # the rate-limit window opened (its EXPIRE)
    spent = {}
    for name, (token, status, code) in refused.items():
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        writes = _writes(r)
        resp = sb.client.post(path, json=body, headers=headers)
        spent[name] = _writes(r) - writes
        assert (resp.status_code, resp.get_json()["code"]) == (status, code), name
        assert set(resp.get_json()) <= {"code", "message", "errors", "sandbox_id", "request_id"}, name
    assert spent["unknown token"] == spent["another sandbox's token"] == spent["no token"], spent
    # the control token on a sandbox that does not exist: 404, no lock there either
    resp = control.post(f"/api/v1/sandboxes/sb_000000000000/conversations/{cid}/replies", json=body)
    assert resp.status_code == 404 and resp.get_json()["code"] == "SANDBOX_NOT_FOUND"
    assert not r.exists(keys.conversation_lock("sb_000000000000", cid))
    assert _state(r, sb, cid) == before and not r.exists(keys.conversation_lock(sb.sid, cid))


def test_a_reply_refused_after_its_token_check_lets_go_of_the_lock(chat, control, r):
    """A 422 (or 400) after the token check took the lock: released before the answer, and
    nothing committed; the next reply goes through at once (no wait for the lock)."""
    sb, cid = chat
    before = _state(r, sb, cid)
    for body, status in (({"command": "jump"}, 422), ({"choice": "a", "text": "b"}, 422)):
        assert sb.post(f"~/conversations/{cid}/replies", json=body).status_code == status
        assert not r.exists(keys.conversation_lock(sb.sid, cid))
    resp = sb.client.post(
        f"/api/v1/sandboxes/{sb.sid}/conversations/{cid}/replies",
        data=b"{not json",
        headers={"Authorization": f"Bearer {sb.token}", "Content-Type": "application/json"},
    )
    assert resp.status_code == 400 and not r.exists(keys.conversation_lock(sb.sid, cid))
    assert _state(r, sb, cid) == before
    for token in (None, control.token):  # the sandbox's token, then the control token
        seq = _state(r, sb, cid)[0]
        assert (
            ok(sb.post(f"~/conversations/{cid}/replies", json={"command": "help"}, token=token))["last_seq"] == seq + 2
        )


def test_a_reply_whose_lock_is_busy_at_its_token_check_waits_for_it(chat, r):
    """The lock held by another reply when the token check tries it: the reply takes the
    ordinary way (tries again every 0.1 s) and is answered once the other lets go."""
    sb, cid = chat
    seq = _state(r, sb, cid)[0]
    r.set(keys.conversation_lock(sb.sid, cid), "another-holder", px=250)
    answer = ok(sb.post(f"~/conversations/{cid}/replies", json={"command": "help"}))
    assert answer["last_seq"] == seq + 2 and not r.exists(keys.conversation_lock(sb.sid, cid))
