"""What the trainer console reads (issue #14): every sandbox with its applications, and
the workflow table as a graph the page draws (states, moves, the main path)."""

from collections import deque
from datetime import datetime, timedelta

from backend.domain import face_check, faults, kinds, review, timeline, workflow
from backend.services import engine, live, sandboxes
from backend.store import tx as store

MAX_APPLICATIONS = 50  # per sandbox in the overview (the newest)
APP_FIELDS = ("id", "kind", "kind_zh", "state", "state_zh", "waits_on", "updated_at", "attempt", "result")


def main_path(kind=kinds.FIRST_FILING):
    """The shortest way from a draft to approval in the table: the progress bar's steps."""
    start, goal = workflow.DRAFT, workflow.APPROVED
    came = {start: None}
    queue = deque([start])
    while queue:
        here = queue.popleft()
        for t in workflow.TRANSITIONS:
            if t.source == here and kind in t.kinds and t.target not in came:
                came[t.target] = here
                queue.append(t.target)
    path, node = [], goal if goal in came else None
    while node is not None:
        path.append(node)
        node = came[node]
    return path[::-1]


def progress(app) -> dict:
    """How far along the main path an application is (a rejection counts where it happened)."""
    path = main_path(app["kind"])
    state = app["state"]
    at = {workflow.PROVIDER_REJECTED: workflow.PROVIDER_REVIEW, workflow.BUREAU_REJECTED: workflow.BUREAU_REVIEW}.get(
        state, state
    )
    step = path.index(at) if at in path else 0
    return {"step": step, "steps": len(path) - 1, "path": path}


def app_summary(app) -> dict:
    view = engine.view(app)
    out = {k: view.get(k) for k in APP_FIELDS}
    out["progress"] = progress(app)
    out.update(after_submission(app))
    return out


def after_submission(app) -> dict:
    """What the timeline settings (domain/timeline.py) left on the order, for the trainer:
    MIIT's result (`pending` until Tencent syncs it) and Tencent's resubmission after an SMS
    timeout (`due_at`; `pending` while the order is 初审驳回 and unedited). Absent otherwise."""
    out = {}
    miit = app.get("miit_result")
    if miit:
        pending = app["state"] == workflow.BUREAU_REVIEW and miit.get("attempt") == app.get("attempt")
        out["miit_result"] = {
            **{k: miit.get(k) for k in ("verdict", "at", "tencent_sync_at", "applied")},
            "codes": [a.get("code") for a in miit.get("audit_data") or []],
            "pending": pending,
        }
    mark = app.get("sms_resubmit")
    if mark:
        try:
            due = datetime.fromisoformat(mark["returned_at"]) + timedelta(hours=float(mark["hours"]))
        except (KeyError, TypeError, ValueError):
            return out
        pending = app["state"] == workflow.PROVIDER_REJECTED and timeline.resubmit_due(app)
        out["sms_resubmit"] = {
            "returned_at": mark["returned_at"],
            "due_at": due.isoformat(timespec="seconds"),
            "pending": pending,
        }
    return out


def sandbox_summary(r, sid) -> dict:
    info = sandboxes.describe(r, sid)
    apps = store.read(r, sid).all("applications")[-MAX_APPLICATIONS:]
    info["applications"] = [app_summary(a) for a in apps]
    info["version"] = live.sandbox_version(r, sid)
    return info


def overview(r) -> list:
    out = []
    for sid in live.sandbox_ids(r):
        try:
            out.append(sandbox_summary(r, sid))
        except Exception as exc:  # deleted meanwhile: leave it out
            if getattr(exc, "code", None) != "SANDBOX_NOT_FOUND":
                raise
    return out


def workflow_graph() -> dict:
    """States (with who acts next), moves between different states (actors merged per
    pair), the main path, and the mermaid text `icpsim diagram` prints."""
    edges = {}
    for t in workflow.TRANSITIONS:
        if t.source == t.target:
            continue
        edge = edges.setdefault(
            (t.source, t.target), {"source": t.source, "target": t.target, "actions": [], "actors": []}
        )
        if t.action not in edge["actions"]:
            edge["actions"].append(t.action)
        if t.actor not in edge["actors"]:
            edge["actors"].append(t.actor)
    states = [
        {"name": s.name, "zh": s.zh, "waits_on": s.waits_on, "terminal": s.terminal, "wechat_status": s.wechat_status}
        for s in workflow.STATES.values()
    ]
    reasons = [{"code": r.code, "stage": r.stage, "key_name": r.key_name, "error": r.error} for r in review.RULES]
    return {
        "states": states,
        "transitions": list(edges.values()),
        "main_path": main_path(),
        "mermaid": workflow.mermaid(),
        "rejection_reasons": reasons,
        # the face_fail fault's reasons (POST …/faults {"effect": "face_fail", "reason": …})
        "face_fail_reasons": [{"code": r, "zh": face_check.FAILURE_REASONS[r]} for r in faults.FACE_REASONS],
    }
