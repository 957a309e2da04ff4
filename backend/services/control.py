"""Operator moves on one application (control token): teleport and reset.

Both bypass the user's rules on purpose and say so in the history: a teleport is
recorded as action "teleport" by actor "system", a reset as action "reset".
"""
from backend.domain import faults as F
from backend.domain import kinds, workflow
from backend.domain.clock import iso
from backend.domain.errors import Conflict, NotFound, Unprocessable
from backend.services import effects, engine, webhooks, world
from backend.store import tx as store

TELEPORT_AUDIT = {"code": "FAULT_INJECTED", "field": "entity", "key_name": "主体信息",
                  "error": "审核未通过（模拟的故障注入：跳转状态）", "suggest": "请按驳回意见修改后重新提交"}
REJECTED = ("provider_rejected", "bureau_rejected")


def _get(tx, app_id):
    app = tx.get("applications", app_id)
    if app is None:
        raise NotFound("APPLICATION_NOT_FOUND", "备案订单不存在", application_id=app_id)
    return app


def teleport(r, sid, app_id, target, reason=None, audit_data=None):
    """Jump to `target` if the workflow table can reach it from the current state; the
    target's entry effects run (an SMS code, record numbers on approval, messages)."""
    def fn(tx):
        app = _get(tx, app_id)
        row = workflow.teleport_row(app["state"], target, app["kind"])
        if row is None:
            raise Conflict("TELEPORT_NOT_ALLOWED",
                           f"状态表中无法从「{workflow.state(app['state']).zh}」到达「{target}」",
                           state=app["state"], target=target,
                           allowed_targets=workflow.teleport_targets(app["state"], app["kind"]))
        if target == "approved" and app["kind"] not in effects.APPROVAL_EFFECTS:
            raise Conflict("TELEPORT_NOT_ALLOWED", f"「{kinds.get(app['kind']).zh}」的审核通过效果尚未实现",
                           state=app["state"], target=target)
        now = world.now(tx)
        source = app["state"]
        app = dict(app, state=target, version=app["version"] + 1, updated_at=iso(now))
        event = {"at": iso(now), "action": workflow.TELEPORT, "from": source, "to": target, "actor": "system",
                 "reason": reason or row.zh, "version": app["version"], "fault": True}
        if target in REJECTED:
            errors = {}
            entries = F.audit_entries(audit_data, errors) if audit_data else [dict(TELEPORT_AUDIT)]
            if errors:
                raise Unprocessable(errors)
            app["audit_data"] = entries
            event["audit_data"] = app["audit_data"]
        tx.add_history(app["id"], event)
        engine.disarm(tx, app["id"])
        app = effects.on_enter(tx, app, row, now)
        engine.arm(tx, app, now)
        tx.put("applications", app)
        webhooks.on_transition(tx, app, event)  # events out (issue #13); drop once teleport goes through engine.fire
        return app
    return engine.view(store.run(r, sid, fn, prefetch=store.WORKFLOW))


def reset_application(r, sid, app_id, reason=None):
    """Back to a draft (payload kept; attempt, audit_data, SMS and result cleared). Records
    an approval already put on record stay on record."""
    def fn(tx):
        app = _get(tx, app_id)
        others = world.open_applications(tx, exclude=app_id)
        if others:
            raise Conflict("ORDER_IN_PROGRESS", "账号下已有进行中的备案订单，不能把该订单重置为草稿",
                           application_id=others[0]["id"])
        now = world.now(tx)
        source = app["state"]
        app = {k: v for k, v in app.items() if k not in ("sms", "result", "submitted_at")}
        if app["kind"] == "first_filing":
            app.pop("entity_id", None)
        app.update(state="draft", version=app["version"] + 1, updated_at=iso(now), attempt=0, audit_data=[])
        event = {"at": iso(now), "action": "reset", "from": source, "to": "draft",
                 "actor": "system", "reason": reason or "控制 API：订单重置为草稿", "version": app["version"]}
        tx.add_history(app_id, event)
        engine.disarm(tx, app_id)
        engine.arm(tx, app, now)
        tx.put("applications", app)
        webhooks.on_transition(tx, app, event)  # events out (issue #13)
        return app
    return engine.view(store.run(r, sid, fn, prefetch=store.WORKFLOW))
