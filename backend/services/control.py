"""Operator moves on one application (control token): teleport and reset.

Both bypass the user's rules on purpose and say so in the history: a teleport is
recorded as action "teleport" by actor "system", a reset as action "reset".
"""

from backend.domain import errors, faults as F, kinds, workflow
from backend.services import effects, engine, world
from backend.store import tx as store

TELEPORT_AUDIT = {
    "code": "FAULT_INJECTED",
    "field": "entity",
    "key_name": "主体信息",
    "error": "审核未通过（模拟的故障注入：跳转状态）",
    "suggest": "请按驳回意见修改后重新提交",
}


def _get(tx, app_id):
    app = tx.get("applications", app_id)
    if app is None:
        raise errors.application_not_found(app_id)
    return app


def teleport(r, sid, app_id, target, reason=None, audit_data=None):
    """Jump to `target` if the workflow table can reach it from the current state; the
    target's entry effects run (an SMS code, record numbers on approval, messages)."""

    def fn(tx):
        app = _get(tx, app_id)
        row = workflow.teleport_row(app["state"], target, app["kind"])
        if row is None:
            raise errors.fail(
                "TELEPORT_NOT_ALLOWED",
                f"状态表中无法从「{workflow.state(app['state']).zh}」到达「{target}」",
                state=app["state"],
                target=target,
                allowed_targets=workflow.teleport_targets(app["state"], app["kind"]),
            )
        if target == workflow.APPROVED and kinds.get(app["kind"]).approval.effect not in effects.APPROVAL_EFFECTS:
            raise errors.fail(
                "TELEPORT_NOT_ALLOWED",
                f"「{kinds.get(app['kind']).zh}」的审核通过效果尚未实现",
                state=app["state"],
                target=target,
            )
        entries = None
        if target in workflow.REJECTED_STATES:
            wrong = {}
            entries = F.audit_entries(audit_data, wrong) if audit_data else [dict(TELEPORT_AUDIT)]
            if wrong:
                raise errors.validation_failed(wrong)
        return engine.apply_transition(tx, app, row, world.now(tx), reason=reason, audit_data=entries)

    return engine.view(store.run(r, sid, fn, prefetch=store.WORKFLOW))


def reset_application(r, sid, app_id, reason=None):
    """Back to a draft (payload kept; attempt, audit_data, SMS and result cleared). Records
    an approval already put on record stay on record."""

    def fn(tx):
        app = _get(tx, app_id)
        others = world.open_applications(tx, exclude=app_id)
        if others:
            raise errors.order_in_progress(others[0]["id"], "账号下已有进行中的备案订单，不能把该订单重置为草稿")
        row = workflow.reset_row(app["state"], app["kind"])
        app = {k: v for k, v in app.items() if k not in ("sms", "result", "submitted_at")}
        if kinds.get(app["kind"]).approval.new_entity:  # the entity is the order's own, not yet on record
            app.pop("entity_id", None)
        app.update(attempt=0, audit_data=[])
        return engine.apply_transition(tx, app, row, world.now(tx), reason=reason)

    return engine.view(store.run(r, sid, fn, prefetch=store.WORKFLOW))
