"""Firing one workflow transition inside a transaction, with everything it implies.

The only place that changes an application's state: it checks the move against
the workflow table, bumps the version, appends the history event, disarms the old
state's timers and arms the new state's, and runs the entry effects (SMS code,
notifications, record numbers on approval).
"""
from backend.domain import kinds, provinces, scenarios, wechat, workflow
from backend.domain.clock import iso
from backend.domain.durations import due
from backend.domain.errors import Conflict
from backend.domain.rng import rng
from backend.services import effects, faults, scheduling, verification, webhooks, world


def not_allowed(app, action):
    return Conflict("ACTION_NOT_ALLOWED", f"当前状态「{workflow.state(app['state']).zh}」下不能执行此操作",
                    action=action, state=app["state"],
                    allowed_actions=workflow.user_actions(app["state"], app["kind"]))


def fire(tx, app, action, actor, at, reason=None, audit_data=None):
    """Move `app` by `action`; returns the updated document (already buffered in tx)."""
    row = workflow.find(app["state"], action, app["kind"])
    if row is None or row.actor != actor:
        raise not_allowed(app, action)
    source = app["state"]
    app = dict(app, state=row.target, version=app["version"] + 1, updated_at=iso(at))
    if audit_data is not None:
        app["audit_data"] = audit_data
    event = {"at": iso(at), "action": action, "from": source, "to": row.target, "actor": actor,
             "reason": reason or row.zh, "version": app["version"]}
    if audit_data:
        event["audit_data"] = audit_data
    tx.add_history(app["id"], event)
    disarm(tx, app["id"])
    if row.target != source:
        app = effects.on_enter(tx, app, row, at)
    arm(tx, app, at)  # an edit (a self-loop) is activity too: the idle clock starts again
    tx.put("applications", app)
    webhooks.on_transition(tx, app, event)  # events out (issue #13): written in this same MULTI
    return app


def disarm(tx, app_id):
    """Remove the application's timers (failed ones too) and, once committed, their RQ jobs.
    (A paused clock has none: pausing took every timer off RQ's schedule.)"""
    running = world.clock(tx).scale > 0
    for t in tx.timers():
        if t["app_id"] == app_id:
            tx.remove_timer(t["id"])
            if running:
                tx.after_commit.append(lambda sid=tx.sid, tid=t["id"]: scheduling.unschedule(sid, tid))


def arm(tx, app, at):
    """Arm the timers the table declares for the state just entered.

    Durations are drawn from an RNG seeded by (sandbox seed, application, stage, attempt)
    (DESIGN invariant 6): not by the version, which wrong SMS codes and edits also bump."""
    settings = world.settings(tx)
    seed = world.seed(tx)
    clock = world.clock(tx)
    province = provinces.get(scenarios.province_of(app))
    province = provinces.with_overrides(province, settings.get("province_overrides"))
    for spec in workflow.timers_for(app["state"]):
        rand = rng(seed, app["id"], spec.name, app.get("attempt", 0))
        when = due(spec.delay, at, province=province, kind=app["kind"], settings=settings, rand=rand)
        when += faults.extra_delay(tx, app, spec.name)  # fault injection: "delay a stage"
        mode = spec.mode
        if spec.name == "sms_timeout" and (app.get("sms") or {}).get("lost"):
            mode = "progress"  # a forced SMS timeout: the code never came, so time runs out
        doc = {"id": tx.next_id("timer", "T", 6), "app_id": app["id"], "name": spec.name,
               "state": app["state"], "version": app["version"], "due": when, "due_at": iso(when),
               "mode": mode}
        tx.add_timer(doc)
        if clock.scale > 0:  # a paused clock schedules nothing: an advance delivers its timers
            tx.after_commit.append(lambda d=doc, sid=tx.sid, c=clock: scheduling.hand_to_rq(sid, d, c))


def view(app):
    """The application as clients see it: our state beside WeChat's codes."""
    st = workflow.state(app["state"])
    kind = kinds.get(app["kind"])
    out = dict(app)
    out.pop("sms", None)
    out["verifications"] = verification.public(app)  # MIIT's per-person checks, codes never shown
    out.update({
        "state_zh": st.zh if app["state"] != "approved" else f"{st.zh}（{kind.approved_zh}）",
        "kind_zh": kind.zh,
        "wechat": wechat.brief(app),  # the full getIcpEntranceInfo object: GET …/wechat
        "allowed_actions": workflow.user_actions(app["state"], app["kind"]),
        "waits_on": st.waits_on,
    })
    return out
