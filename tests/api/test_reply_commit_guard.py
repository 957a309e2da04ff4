"""A chat reply commits on the connection that WATCHes its lock and the sandbox's hash since it
took the lock (chat/conversation_store.py): no re-read, and still only while it holds the lock —
a reply whose lock expired or was taken over meanwhile commits nothing."""

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
    assert sent["n"] == 3 + 2, sent  # the fast path; the 2 are the test's own HGET and HSET


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
    # the 3 of the fast path (its EXEC refused), then WATCH + reads, the lock's check, the MULTI;
    # the 2 in between are the test's own
    assert sent["n"] == 3 + 3 + 2, sent
