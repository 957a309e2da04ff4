"""What `icpsim up` prepares: the control token and the demo sandbox; the simulator reset
that brings the demo back."""

from redis.exceptions import LockError

from backend import config
from backend.domain.clock import DEMO
from backend.domain.errors import DomainError, fail
from backend.services import auth, sandboxes
from backend.store import keys

DEMO_ID = "demo"
# The demo is paced for people (domain.clock, pacing "demo"): while a reviewer, the bureau
# or the hand-over is at work it runs at 20000× (a first filing's ~15 calendar days of
# reviews pass in about a minute); when it is the user's turn (the SMS code, a rejected
# order to fix) it runs at real speed, so the 24 h SMS window is 24 real hours. Its
# resource pack and domain renew themselves (preset "training"): it never expires.
DEMO_SCALE = 20000
DEMO_SETTINGS = {}


def prepare(r, demo_token=None, revision=0):
    """Idempotent. `demo_token`/`revision`: a simulator reset recreating the demo as clients knew it."""
    token = auth.ensure_control_token(r)
    if not r.exists(keys.sandbox(DEMO_ID)):
        sandboxes.create(
            r,
            seed=2026,
            preset="training",
            scale=DEMO_SCALE,
            settings=DEMO_SETTINGS,
            name="demo",
            sid=DEMO_ID,
            pacing=DEMO,
            token=demo_token,
            revision=revision,
        )
    demo = sandboxes.describe(r, DEMO_ID)
    return {"control_token": token, "demo_sandbox_id": DEMO_ID, "demo_token": demo["token"]}


RESET_LOCK_SECONDS = 300  # a reset that died holding the lock frees it by then


def reset_all(r):
    """Every sandbox gone (tokens too); the demo sandbox of `icpsim up` comes back fresh, with
    the same id and token (the banner's URL and open pages keep working) and a higher version.
    One at a time: two at once deleted each other's sandboxes (404s) and lost the demo."""
    lock = r.lock(keys.RESET_LOCK, timeout=RESET_LOCK_SECONDS, blocking_timeout=config.job_wait_seconds())
    if not lock.acquire():
        raise fail("RESET_IN_PROGRESS")
    try:
        return _reset_all_held(r)
    finally:
        try:
            lock.release()
        except LockError:  # held past its timeout (a reset of thousands of sandboxes): expired already
            pass


def _reset_all_held(r):
    demo = r.hmget(keys.sandbox("demo"), "token")[0]
    demo_revision = int(r.get(keys.revision("demo")) or 0)
    sids = sorted(r.smembers(keys.SANDBOXES))
    for sid in sids:
        try:
            sandboxes.delete(r, sid)
        except DomainError as error:  # deleted meanwhile by a DELETE of its own: gone all the same
            if error.code != "SANDBOX_NOT_FOUND":
                raise
    for pattern in (f"{keys.P}:sb:*", f"{keys.P}:token:*"):
        for key in r.scan_iter(match=pattern, count=500):
            r.delete(key)
    r.delete(keys.CLASSES)  # a class's sandboxes are gone with the rest
    recreated = []
    if demo:
        prepare(r, demo_token=demo, revision=demo_revision)
        recreated.append("demo")
    return {"deleted": len(sids), "recreated": recreated}
