"""Firing one workflow transition inside a transaction, with everything it implies.

The only place that changes an application's state (`apply_transition`): it applies a
row of the workflow table, bumps the version, appends the history event, disarms the
old state's timers and arms the new state's, and runs the entry effects (SMS code,
notifications, record numbers on approval). API actions, timers, SMS verification,
teleports and resets all come here.
"""

from collections.abc import Callable
from dataclasses import dataclass

from backend import observability
from backend.domain import errors, kinds, provinces, records, scenarios, timeline, wechat, workflow
from backend.domain.clock import iso
from backend.domain.durations import due
from backend.domain.rng import rng
from backend.services import effects, faults, pacing, scheduling, sms_codes, webhooks, world


def not_allowed(app, action):
    return errors.action_not_allowed(
        workflow.state(app["state"]).zh, action, app["state"], workflow.user_actions(app["state"], app["kind"])
    )


@dataclass(frozen=True)
class Moved:
    """One committed transition, as the after-commit hooks see it."""

    sandbox: str
    app_id: str
    kind: str
    action: str
    source: str | None
    target: str
    actor: str
    version: int
    at: float


# Called with a Moved once per transition, after its transaction committed (never for an
# attempt that lost a WATCH race and was re-run). Modules that react to moves (outbound
# events, notifications) append here instead of editing the callers.
AFTER_COMMIT: list[Callable[[Moved], None]] = []


def fire(
    tx, app: dict, action: str, actor: str, at: float, reason: str | None = None, audit_data: list | None = None
) -> dict:
    """Move `app` by the table's row for (state, `action`, kind), fired by `actor`."""
    row = workflow.find(app["state"], action, app["kind"])
    if row is None or row.actor != actor:
        raise not_allowed(app, action)
    return apply_transition(tx, app, row, at, reason=reason, audit_data=audit_data)


def _history_event(app, row, at, reason, audit_data):
    """The history entry of one applied row (a teleport is marked as a fault)."""
    event = {
        "at": iso(at),
        "action": row.action,
        "from": row.source,
        "to": row.target,
        "actor": row.actor,
        "reason": reason or row.zh,
        "version": app["version"],
    }
    if row.action == workflow.TELEPORT:
        event["fault"] = True
    if audit_data:
        event["audit_data"] = audit_data
    return event


def apply_transition(
    tx, app: dict, row: workflow.Transition, at: float, reason: str | None = None, audit_data: list | None = None
) -> dict:
    """The one way an application moves: a row of the workflow table (or one of its
    pseudo-rows: create, a wrong SMS code, reset, teleport) applied inside `tx`.

    State, version, `updated_at`, the history event, the timers (disarmed and armed for
    the new state), the entry effects (outbox messages, SMS code, record numbers) and the
    document, all buffered in the one transaction; AFTER_COMMIT hooks run once it commits.
    Returns the updated document."""
    new = "version" not in app  # records.new_application: it has no timers yet, none to read
    app = dict(app, state=row.target, version=app.get("version", 0) + 1)
    if row.activity:
        app["updated_at"] = iso(at)
    if audit_data is not None:
        app["audit_data"] = audit_data
    event = _history_event(app, row, at, reason, audit_data)
    tx.add_history(app["id"], event)
    if row.activity:
        if not new:
            disarm(tx, app["id"])
        if row.target != row.source:
            app = effects.on_enter(tx, app, row, at)
        arm(tx, app, at)  # an edit (a self-loop) is activity too: the idle clock starts again
    else:
        _keep_timers(tx, app)
    tx.put("applications", app)
    observability.count_transition_in(tx, app["kind"], row.target)
    moved = Moved(tx.sid, app["id"], app["kind"], row.action, row.source, row.target, row.actor, app["version"], at)
    for hook in AFTER_COMMIT:
        tx.after_commit.append(lambda hook=hook: hook(moved))
    if row.source is not None and row.target != row.source:  # a state change (not creation, not a wrong code)
        webhooks.on_transition(tx, app, event)  # events out (issue #13): written in this same MULTI
    return app


def _keep_timers(tx, app: dict) -> None:
    """A move that is no activity keeps the timers' due times; their version follows the
    application's, so they still fire."""
    for t in tx.timers_of(app["id"]):  # its own timers only, not the sandbox's whole timer hash
        tx.add_timer(dict(t, version=app["version"]))


def disarm(tx, app_id):
    """Remove the application's timers (failed ones too) and, once committed, their RQ jobs.
    (A paused clock has none: pausing took every timer off RQ's schedule.)"""
    running = world.clock(tx).scale > 0
    for t in tx.timers_of(app_id):  # its own timers only, not the sandbox's whole timer hash
        tx.remove_timer(t["id"])
        if running:
            tx.after_commit.append(lambda sid=tx.sid, tid=t["id"]: scheduling.unschedule(sid, tid))


# workflow.Timer.guard -> whether the timer is armed for this order under these settings
GUARDS = {
    # process.md §5: the order came back from the SMS check, nothing edited since, setting on
    "sms_resubmit": lambda app, settings: timeline.resubmit_hours(settings) is not None and timeline.resubmit_due(app),
    # process.md §5 [M2]: MIIT's resend at 12:00 the next day, when it falls inside the SMS window
    "sms_auto_resend": lambda app, settings: timeline.auto_resend_due(app, settings),
}
if set(GUARDS) != set(workflow.GUARDS):  # the table's guards and their implementations agree
    raise ImportError(f"timer guards: table {sorted(workflow.GUARDS)}, implemented {sorted(GUARDS)}")


def arm(tx, app, at):
    """Arm the timers the table declares for the state just entered.

    Durations are drawn from an RNG seeded by (sandbox seed, application, stage, attempt)
    (DESIGN invariant 6): not by the version, which wrong SMS codes and edits also bump."""
    settings = world.settings(tx)
    seed = world.seed(tx)
    clock = world.clock(tx)
    province = provinces.get(scenarios.province_of(app))
    province = provinces.with_overrides(province, settings.get("province_overrides"))
    armed = []
    for spec in workflow.timers_for(app["state"]):
        if spec.guard is not None and not (
            GUARDS[spec.guard](app, settings) and all(workflow.find(app["state"], a, app["kind"]) for a in spec.actions)
        ):
            continue
        rand = rng(seed, app["id"], spec.name, app.get("attempt", 0))
        when = due(spec.delay, at, province=province, kind=app["kind"], settings=settings, rand=rand)
        when += faults.extra_delay(tx, app, spec.name)  # fault injection: "delay a stage"
        mode = spec.mode
        if spec.name == workflow.SMS_TIMEOUT and (app.get("sms") or {}).get("lost"):
            mode = "progress"  # a forced SMS timeout: the code never came, so time runs out
        doc = records.new_timer(tx.next_id("timer", "T", 6), app, spec.name, when, iso(when), mode)
        tx.add_timer(doc)
        armed.append(doc)
    _schedule(tx, clock, armed)


def _schedule(tx, clock, armed):
    clock = pacing.hurry(tx, clock, armed)  # a demo-paced clock runs fast while the system works
    for doc in armed:
        if clock.scale > 0:  # a paused clock schedules nothing: an advance delivers its timers
            tx.after_commit.append(lambda d=doc, sid=tx.sid, c=clock: scheduling.hand_to_rq(sid, d, c))


def arm_again(tx, app, name, when):
    """Arm one timer of the table for the order's current state and version at `when` (a
    stage that goes on after a step that is no move: Tencent's sync after MIIT's decision)."""
    spec = workflow.timer(app["state"], name)
    doc = records.new_timer(tx.next_id("timer", "T", 6), app, spec.name, when, iso(when), spec.mode)
    tx.add_timer(doc)
    _schedule(tx, world.clock(tx), [doc])
    return doc


def view(app):
    """The application as clients see it: our state beside WeChat's codes."""
    st = workflow.state(app["state"])
    kind = kinds.get(app["kind"])
    out = dict(app)
    out.pop("sms", None)
    out["verifications"] = sms_codes.public(app)  # MIIT's per-person checks, codes never shown
    out.update(
        {
            "state_zh": st.zh if app["state"] != workflow.APPROVED else f"{st.zh}（{kind.approved_zh}）",
            "kind_zh": kind.zh,
            "wechat": wechat.brief(app),  # the full getIcpEntranceInfo object: GET …/wechat
            "allowed_actions": workflow.user_actions(app["state"], app["kind"]),
            "waits_on": st.waits_on,
        }
    )
    return out
