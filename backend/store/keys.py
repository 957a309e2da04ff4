"""The Redis key layout, in one place. Every key of a sandbox starts with its id."""
from backend.config import KEY_PREFIX as P

SANDBOXES = f"{P}:sandboxes"  # set of sandbox ids
CONTROL_TOKEN = f"{P}:control_token"  # generated control token when none is configured


def token(token_hash):
    return f"{P}:token:{token_hash}"  # -> sandbox id


def sandbox(sid):
    return f"{P}:sb:{sid}"  # hash: meta, clock, settings


def seq(sid):
    return f"{P}:sb:{sid}:seq"  # hash: id counters and record-number sequences


def collection(sid, name):
    return f"{P}:sb:{sid}:col:{name}"  # hash: id -> JSON document


def history(sid, app_id):
    return f"{P}:sb:{sid}:hist:{app_id}"  # list of JSON events


def outbox(sid):
    return f"{P}:sb:{sid}:outbox"  # list of JSON messages


def timers(sid):
    return f"{P}:sb:{sid}:timers"  # zset: timer id -> virtual due time


def timer_docs(sid):
    return f"{P}:sb:{sid}:timer"  # hash: timer id -> JSON


def conversation_messages(sid, cid):
    return f"{P}:sb:{sid}:conv:{cid}:messages"  # list of JSON messages (index = seq - 1)


def conversation_replies(sid, cid):
    return f"{P}:sb:{sid}:conv:{cid}:replies"  # hash: client_message_id -> JSON answer


def conversation_lock(sid, cid):
    return f"{P}:sb:{sid}:conv:{cid}:lock"  # one reply (or sync) at a time


def journal(sid):
    return f"{P}:sb:{sid}:journal"  # list: the sandbox's requests, for recordings


def children_of(sid):
    """A pattern for the sandbox's other keys; `sandbox(sid)` itself is not matched.

    Not `…:sb:{sid}*`: that would also match sandbox `demo2` when deleting `demo`.
    """
    return f"{P}:sb:{sid}:*"


def webhook_chain_lock(sid, webhook_id, app_id):
    return f"{P}:sb:{sid}:whlock:{webhook_id}:{app_id}"  # one delivery job per chain at a time
