"""WeChat's getIcpEntranceInfo view of an application and of the account, beside ours."""

from backend.domain import scenarios, wechat, workflow
from backend.domain.errors import fail
from backend.services import cloud, engine
from backend.store import tx as store


def _eligible(tx) -> bool:
    return bool(cloud.evaluate(tx)["eligible"])


def _filed(tx) -> bool:
    """Something of this account is filed and accessed at Tencent (WeChat's 已备案)."""
    entities = {e["id"]: e for e in tx.all("entities")}
    return any(
        scenarios.TENCENT in (w.get("access_providers") or [])
        and entities.get(w.get("entity_id"), {}).get("account") == "self"
        for w in scenarios.active_sites(entities, tx.all("websites"))
    )


def _envelope(info, ours):
    return {
        "errcode": 0,
        "errmsg": "ok",
        "info": info,
        "status_zh": wechat.STATUS_ZH.get(info["status"], ""),
        "icpsim": ours,
    }


def application(r, sid, app_id) -> dict:
    tx = store.read(r, sid)
    app = tx.get("applications", app_id)
    if app is None:
        raise fail("APPLICATION_NOT_FOUND", application_id=app_id)
    eligible = _eligible(tx)
    missing = wechat.draft_missing(app, eligible) if app["state"] == workflow.DRAFT else None
    view = engine.view(app)
    return _envelope(
        wechat.info(app, available=eligible or app["state"] != workflow.DRAFT, missing=missing), _ours(view)
    )


def account(r, sid) -> dict:
    tx = store.read(r, sid)
    apps = tx.all("applications")
    eligible = _eligible(tx)
    info = wechat.account_info(apps, _filed(tx), eligible, lambda a: wechat.draft_missing(a, eligible))
    current = next((a for a in reversed(apps) if a["state"] != workflow.WITHDRAWN), None)
    return _envelope(
        info,
        {"eligible": eligible, "filed": _filed(tx), "application": _ours(engine.view(current)) if current else None},
    )


def _ours(view):
    keep = (
        "id",
        "kind",
        "kind_zh",
        "state",
        "state_zh",
        "waits_on",
        "allowed_actions",
        "attempt",
        "updated_at",
        "verifications",
        "result",
    )
    return {k: view[k] for k in keep if k in view}
