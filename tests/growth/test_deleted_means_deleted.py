"""A sandbox deleted while a request of its is still running leaves no key behind: the request's
token check passed before the DELETE, but its commit (or its journal entry) must not write a key
of a sandbox that is gone — nothing would ever delete it."""

import pytest

from backend.chat import engine as chat
from backend.config import KEY_PREFIX
from backend.domain.errors import DomainError
from backend.services import domains, recording, sandboxes
from backend.store import tx as store

DOMAIN = {"name": "zhangsan-blog.cn", "holder_name": "张三", "holder_certificate_number": "110101199003074514"}


def keys_of(r, sid):
    return sorted(r.scan_iter(match=f"{KEY_PREFIX}:sb:{sid}*", count=1000))


@pytest.mark.parametrize("change", ["a new conversation", "a domain"])
def test_a_change_committed_after_the_delete_is_refused_and_writes_nothing(sandbox, r, change):
    """A new conversation reads nothing of the sandbox but its hash and counters: it used to be
    written, with the sandbox's version, counters and key index, after the DELETE."""
    sandboxes.delete(r, sandbox.sid)  # after the request's token check, before its use case
    with pytest.raises(DomainError) as refused:
        if change == "a domain":
            domains.create(r, sandbox.sid, dict(DOMAIN))
        else:
            chat.start(r, sandbox.sid)
    assert refused.value.code == "SANDBOX_NOT_FOUND" and refused.value.status == 404
    assert keys_of(r, sandbox.sid) == []


def test_a_delete_between_a_change_s_reads_and_its_commit_leaves_no_key(sandbox, r):
    """The DELETE lands after the transaction WATCHed and read the sandbox: its EXEC aborts, and
    the retry, which reads the sandbox gone, writes nothing (it used to write the change, the
    version and the key index of a sandbox that no longer existed)."""
    tries = []

    def fn(tx):
        tries.append(1)
        if len(tries) == 1:
            sandboxes.delete(r, sandbox.sid)  # another connection: the WATCHed hash goes
        tx.put("conversations", {"id": tx.next_id("conversation", "C")})  # reads no more than BASE

    with pytest.raises(DomainError) as refused:
        store.run(r, sandbox.sid, fn)
    assert refused.value.code == "SANDBOX_NOT_FOUND"
    assert len(tries) == 2
    assert keys_of(r, sandbox.sid) == []


def test_a_create_and_a_reset_still_write_the_sandbox(control, r):
    """The refusal is for a change to a sandbox read empty that does not write its hash: creating
    and resetting one write it."""
    sid = control.post("/api/v1/sandboxes", json={"seed": 3}).get_json()["id"]
    assert control.post(f"/api/v1/sandboxes/{sid}/reset").status_code == 200
    assert r.exists(f"{KEY_PREFIX}:sb:{sid}")


def test_no_journal_entry_is_appended_for_a_deleted_sandbox(sandbox, r):
    sandboxes.delete(r, sandbox.sid)
    assert recording.append(r, sandbox.sid, {"method": "POST", "path": "/x", "status": 200}) is False
    r.execute_command(*recording.append_command(sandbox.sid, {"method": "POST", "path": "/y", "status": 200}))
    assert keys_of(r, sandbox.sid) == []
