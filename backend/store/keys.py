"""The Redis key layout, in one place. Every key of a sandbox starts with its id."""

from backend.config import KEY_PREFIX as P

SANDBOXES = f"{P}:sandboxes"  # set of sandbox ids
SANDBOX_ORDER = f"{P}:sandboxes:by_id"  # the same ids in a sorted set (score 0): GET /sandboxes pages by id
CONTROL_TOKEN = f"{P}:control_token"  # generated control token when none is configured
CLASSES = f"{P}:classes"  # hash: class id -> JSON (the trainer console's classes of trainee sandboxes)


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


def revision(sid):
    return f"{P}:sb:{sid}:rev"  # counter bumped by every commit: the sandbox's version (live updates)


def journal(sid):
    return f"{P}:sb:{sid}:journal"  # list: the sandbox's requests, for recordings


def children_of(sid):
    """A pattern for the sandbox's other keys; `sandbox(sid)` itself is not matched.

    Not `…:sb:{sid}*`: that would also match sandbox `demo2` when deleting `demo`.
    """
    return f"{P}:sb:{sid}:*"


# Tencent Cloud API 3.0 (issue #15): outside the sandbox's prefix, so a sandbox reset keeps them
def api_secret(secret_id):
    return f"{P}:secretid:{secret_id}"  # JSON {sandbox, key: the SecretKey sealed} (SecretId -> sandbox)


def api_credentials(sid):
    return f"{P}:credentials:{sid}"  # -> the sandbox's current SecretId


def qr_exchange(sid, key):
    return f"{P}:sb:{sid}:qr:{key}"  # a CreateWeappQRUrl link's one-time exchange key (expires)


def dropped(sid):
    return f"{P}:sb:{sid}:dropped"  # hash: what a cap dropped (journal, outbox, history:<app>) -> count


IDLE_EXPIRY = f"{P}:idle_expiry"  # zset: sandbox id -> real epoch at which its idle time-to-live runs out

RUNNING = f"{P}:running"  # set of sandbox ids whose clock runs (scale > 0): what recovery sweeps
RESET_LOCK = f"{P}:reset-lock"  # held while the whole simulator resets (one reset at a time)
SCHEDULER_LOCK = f"{P}:scheduler-lock"  # the one worker moving due scheduled jobs (short TTL)


def advance_lock(sid):
    return f"{P}:sb:{sid}:advance"  # held while a clock advance or rescale runs (one at a time)


def advance_fired(sid):
    return f"{P}:sb:{sid}:advance:fired"  # list: the timers the running advance's job delivered (JSON)


def index(sid):
    """The sandbox's own keys (written by every transaction that creates one), so that deleting
    or resetting a sandbox needs no scan of the keyspace: a hash whose fields are the keys'
    names after `sandbox(sid) + ":"` (a small hash is stored compactly; a set of strings is not)."""
    return f"{P}:sb:{sid}:keys"


def indexed(sid, r):
    """Every key named in the sandbox's index, and the ones always there (fixed_children)."""
    own = f"{sandbox(sid)}:"
    return sorted({own + k for k in r.hkeys(index(sid))} | set(fixed_children(sid)))


def fixed_children(sid):
    """Keys of a sandbox written outside transactions (the journal, the clock lock)."""
    return [
        journal(sid),
        advance_lock(sid),
        seq(sid),
        outbox(sid),
        timers(sid),
        timer_docs(sid),
        index(sid),
        revision(sid),
        dropped(sid),
    ]


def app_timers(sid, app_id):
    return f"{P}:sb:{sid}:apptimers:{app_id}"  # set of the application's pending timer ids


def webhook_chain_lock(sid, webhook_id, app_id):
    return f"{P}:sb:{sid}:whlock:{webhook_id}:{app_id}"  # one delivery job per chain at a time
