"""MIIT's result first, Tencent's status later (the audit's item 13).

process.md §6.1 "Bureau → Tencent sync" [T27, T9], §6.3 and §9.7: the user hears the bureau's
result from MIIT first (MIIT's SMS; MIIT's portal shows the record) and Tencent's filing system
syncs it ~6 h later. With `tencent_sync_hours` > 0 the bureau's timer, when due, decides and
stops there: MIIT's record is made (the approval's effects on the registry, with the numbers),
MIIT texts each responsible person, the order's history records the decision (action
`miit_decided`, no move) and the same timer is armed again `tencent_sync_hours` later; that
second firing moves the order (bureau_approve / bureau_reject) with the verdict MIIT announced,
and Tencent's own notices go out then. At 0 (the default, domain.md §4) nothing here happens.
"""

from backend.domain import kinds, timeline, workflow
from backend.domain.clock import iso
from backend.services import decisions, effects, engine, world


def bureau(tx, app, spec, at):
    """The bureau's timer fired. Returns what happened (an action, or `miit_decided`), or None
    when Tencent syncs at once: the caller decides and fires as before."""
    pending = app.get("miit_result")
    if pending and pending.get("attempt") == app.get("attempt"):  # Tencent's sync of MIIT's decision
        verdict = pending["verdict"]
        action = spec.action_for(verdict)
        audit = pending.get("audit_data") if verdict == "reject" else None
        engine.fire(tx, app, action, spec.review, at, audit_data=audit)
        return action
    hours = timeline.sync_hours(world.settings(tx))
    if hours <= 0:
        return None
    verdict, findings = decisions.decide(tx, app, spec.review)
    sync_at = at + hours * 3600
    result = {
        "verdict": verdict,
        "at": iso(at),
        "attempt": app.get("attempt"),
        "audit_data": findings if verdict == "reject" else [],
        "tencent_sync_at": iso(sync_at),
        "applied": False,
    }
    numbers = ""
    if verdict == "approve":  # MIIT's record exists from now on (its portal, the gateway)
        spec_kind = kinds.get(app["kind"])
        app = effects.APPROVAL_EFFECTS[spec_kind.approval.effect](tx, app, at)
        result["applied"] = True
        if not spec_kind.approval.cancellation:
            got = app.get("result") or {}
            numbers = "、".join(n for n in [got.get("entity_number"), *(got.get("website_numbers") or [])] if n)
    app = dict(app, miit_result=result)
    app = engine.apply_transition(tx, app, workflow.miit_decided_row(app["kind"], verdict), at)
    reasons = "；".join(a.get("error", "") for a in result["audit_data"])
    effects.sms_people(tx, app, at, "MIIT_RESULT", timeline.miit_result_text(verdict, numbers, reasons))
    engine.arm_again(tx, app, spec.name, sync_at)
    return workflow.MIIT_DECIDED
