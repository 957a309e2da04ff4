"""Demo pacing (issue #14): the clock hurries only while something waits on the system.

A sandbox whose clock has pacing "demo" runs at its scale while a "progress" timer is
pending (a provider or bureau review, the hand-over to the bureau, a lost SMS) and at
real speed otherwise, when it is the user's turn. Arming timers is where that changes:
`hurry` re-anchors the clock, in the same transaction, so that it runs fast up to the
last such timer's due time.
"""

import time

from backend.domain.clock import DEMO, Clock


def hurry(tx, clock: Clock, armed: list) -> Clock:
    """The clock the just-armed timers are to be scheduled with (written when it changed)."""
    waiting = [t["due"] for t in armed if t.get("mode") == "progress"]
    if clock.pacing != DEMO or not waiting:
        return clock
    hurried = clock.hurried_until(max(waiting), time.time())
    tx.set_meta("clock", hurried.to_dict())
    return hurried
