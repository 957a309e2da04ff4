"""Fault injection rules of a sandbox (stored in its meta hash, field `faults`) and the
hooks the simulator calls where it decides: reviews (decisions.decide), sending the
MIIT SMS (effects), arming a stage's timer (engine.arm), a face-check attempt
(face_checks.complete).

Every hook runs inside the caller's transaction, so a rule's use count moves with
the transition it caused: a rule that fires "once" fires exactly once.
"""

import json

from backend.domain import faults as F
from backend.domain.errors import fail
from backend.domain.rng import rng
from backend.services import world
from backend.store import tx as store

FIELD = "faults"


def rules(tx):
    raw = world.meta(tx).get(FIELD)
    return json.loads(raw) if raw else []


def _save(tx, items):
    tx.set_meta(FIELD, store.dumps(items))


# -- the control API ---------------------------------------------------------------


def list_rules(r, sid):
    return rules(store.read(r, sid))


def add(r, sid, data):
    def fn(tx):
        items = rules(tx)
        rule = F.normalize(data, tx.next_id("fault", "F"))
        _save(tx, items + [rule])
        return rule

    return store.run(r, sid, fn)


def clear(r, sid):
    def fn(tx):
        n = len(rules(tx))
        _save(tx, [])
        return n

    return store.run(r, sid, fn)


def remove(r, sid, rule_id):
    def fn(tx):
        items = rules(tx)
        kept = [x for x in items if x["id"] != rule_id]
        if len(kept) == len(items):
            raise fail("FAULT_NOT_FOUND", fault_id=rule_id)
        _save(tx, kept)

    store.run(r, sid, fn)


# -- hooks ------------------------------------------------------------------------


def _first(tx, app, effects, stage, draw=None):
    """(index, rule) of the first rule that applies, or (None, None)."""
    items = rules(tx) if world.meta(tx).get(FIELD) else []
    for i in F.candidates(items, app, effects, stage):
        rule = items[i]
        if rule.get("probability") is not None and draw is not None and not draw(rule):
            continue  # the seeded draw missed: as if the rule did not match
        _save(tx, F.used(items, i))
        return i, rule
    return None, None


def decision(tx, app, stage):
    """A forced review outcome ('reject' | 'approve', audit_data) or None (review as usual)."""

    def draw(rule):
        rand = rng(world.seed(tx), app["id"], stage, app.get("attempt", 0), "fault", rule["id"])
        return rand.random() < rule["probability"]

    _, rule = _first(tx, app, ("reject", "approve"), stage, draw)
    if rule is None:
        return None
    if rule["effect"] == "approve":
        return "approve", []
    return "reject", [dict(a) for a in rule["audit_data"]]


def sms_lost(tx, app):
    """True when a rule forces an SMS timeout: the code never arrives."""
    _, rule = _first(tx, app, ("sms_timeout",), "sms")
    return rule is not None


def extra_delay(tx, app, timer_name):
    """Seconds a rule adds to the timer `timer_name` being armed (0 when none)."""
    stage = F.TIMER_STAGES.get(timer_name)
    if stage is None:
        return 0.0
    _, rule = _first(tx, app, ("delay",), stage)
    return float(rule["delay_seconds"]) if rule else 0.0


def face_failure(tx, app, task):
    """The reason a rule fails this face-check attempt with, or None (the phone's word stands)."""

    def draw(rule):
        rand = rng(world.seed(tx), app["id"], "face", task["id"], task.get("attempts", 0), "fault", rule["id"])
        return rand.random() < rule["probability"]

    _, rule = _first(tx, app, ("face_fail",), "face", draw)
    return rule["reason"] if rule else None
