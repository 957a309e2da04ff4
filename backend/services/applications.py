"""Use cases of an application (备案订单): create, edit, act, verify the SMS code, read."""
import copy
import json

from backend.domain import audit, eligibility, kinds, validation, workflow
from backend.domain.clock import iso
from backend.domain.errors import Conflict, NotFound, Unprocessable
from backend.services import cloud, engine, world
from backend.store import keys
from backend.store import tx as store


def _get(tx, app_id):
    app = tx.get("applications", app_id)
    if app is None:
        raise NotFound("APPLICATION_NOT_FOUND", "备案订单不存在", application_id=app_id)
    return app


def _check_kind(kind):
    if kinds.get(kind) is None:
        raise Unprocessable({"kind": [f"未知的备案类型：{kind}"]})
    if kind not in kinds.IMPLEMENTED:
        raise Conflict("KIND_NOT_AVAILABLE", f"暂不支持「{kinds.get(kind).zh}」订单", kind=kind)


def _preconditions(tx, kind, app_id=None):
    others = world.open_applications(tx, exclude=app_id)
    if others:
        raise Conflict("ORDER_IN_PROGRESS", "账号下已有进行中的备案订单，请先完成或撤销该订单",
                       application_id=others[0]["id"])
    if kind == "first_filing" and any(
            e["status"] == "active" and e.get("account") == "self" for e in tx.all("entities")):
        raise Conflict("ENTITY_ALREADY_FILED", "该账号已有备案主体，请选择「新增网站」或「变更备案」")


def _validate(tx, kind, payload, app_id=None):
    errors = validation.validate_payload(kind, payload)
    result = cloud.evaluate(tx, exclude_app=app_id)
    for i, site in enumerate(payload.get("websites") or []):
        if site.get("filing_type", "cloudbase_run") != "cloudbase_run":
            errors.setdefault(f"websites.{i}.filing_type", []).append("备案类型须选择「云托管」")
            continue
        code = eligibility.check_ip(result, site.get("nat_ip"))
        if code:
            errors.setdefault(f"websites.{i}.nat_ip", []).append(_IP_MESSAGES.get(code, code))
    # one IP serves two filings: count this order's own websites too
    mine = [s.get("nat_ip") for s in payload.get("websites") or []]
    for row in result["usable_ips"]:
        if mine.count(row["ip"]) > row["slots_left"]:
            errors.setdefault("websites", []).append(f"IP {row['ip']} 只剩 {row['slots_left']} 次备案次数")
    if errors:
        # the same dotted paths as marshmallow's errors for the request body
        raise Unprocessable({f"payload.{path}": msgs for path, msgs in errors.items()})


_IP_MESSAGES = {
    "NAT_IP_NOT_USABLE": "该 IP 不是可用于备案的系统 NAT 网关 IP，请从可用 IP 中选择",
    "NAT_IP_QUOTA_EXHAUSTED": "该 IP 的两次备案次数已用完",
    "NO_RESOURCE_PACK": "不满足云托管备案要求：没有云托管资源包",
    "RESOURCE_PACK_VALIDITY_LT_90D": "不满足云托管备案要求：资源包剩余有效期不足 90 天",
    "NO_SYSTEM_NAT_GATEWAY": "不满足云托管备案要求：没有系统创建的微小型 NAT 网关",
}


def create(r, sid, kind, payload):
    _check_kind(kind)

    def fn(tx):
        _preconditions(tx, kind)
        _validate(tx, kind, payload)
        now = world.now(tx)
        app = {"id": tx.next_id("application", "A"), "kind": kind, "state": "draft", "version": 1,
               "created_at": iso(now), "updated_at": iso(now), "payload": payload, "attempt": 0,
               "audit_data": []}
        tx.add_history(app["id"], {"at": iso(now), "action": "create", "from": None, "to": "draft",
                                   "actor": "user", "reason": "创建订单", "version": 1})
        engine.arm(tx, app, now)
        tx.put("applications", app)
        return app
    return engine.view(store.run(r, sid, fn))


def merge(base, patch):
    """JSON merge patch (RFC 7396) — websites replace as a whole list."""
    out = copy.deepcopy(base)
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def edit(r, sid, app_id, patch):
    def fn(tx):
        app = _get(tx, app_id)
        if workflow.find(app["state"], "edit", app["kind"]) is None:
            raise engine.not_allowed(app, "edit")
        payload = merge(app["payload"], patch)
        _validate(tx, app["kind"], payload, app_id)
        now = world.now(tx)
        app = dict(app, payload=payload)
        return engine.fire(tx, app, "edit", "user", now, reason="修改订单信息")
    return engine.view(store.run(r, sid, fn))


def act(r, sid, app_id, action, reason=None):
    """A user action from the table: submit, resubmit, withdraw, reopen."""
    def fn(tx):
        app = _get(tx, app_id)
        if action in ("submit", "resubmit", "reopen"):
            _preconditions(tx, app["kind"], app_id)
        if action in ("submit", "resubmit"):
            _validate(tx, app["kind"], app["payload"], app_id)
        return engine.fire(tx, app, action, "user", world.now(tx), reason=reason)
    return engine.view(store.run(r, sid, fn))


def verify_sms(r, sid, app_id, code):
    """A right code moves on; a wrong one is counted, and the 6th wrong one fails the check."""
    def fn(tx):
        app = _get(tx, app_id)
        if workflow.find(app["state"], "verify_sms", app["kind"]) is None:
            raise engine.not_allowed(app, "verify_sms")
        now = world.now(tx)
        if code == app["sms"]["code"]:
            return engine.fire(tx, app, "verify_sms", "user", now), None
        wrong = app["sms"]["wrong"] + 1
        allowed = int(world.settings(tx).get("sms_max_wrong", 5))
        if wrong > allowed:
            return engine.fire(tx, app, "sms_failed", "user", now, audit_data=[audit.SMS_CODE_FAILED]), None
        app = dict(app, sms=dict(app["sms"], wrong=wrong), version=app["version"] + 1)
        tx.add_history(app_id, {"at": iso(now), "action": "verify_sms_wrong", "from": app["state"],
                                "to": app["state"], "actor": "user", "version": app["version"],
                                "reason": f"短信核验码错误（第 {wrong} 次）"})
        _keep_timers(tx, app)
        tx.put("applications", app)
        return app, allowed - wrong + 1
    app, left = store.run(r, sid, fn)
    if left is not None:
        raise Unprocessable({"code": [f"核验码错误，还可尝试 {left} 次"]}, code="SMS_CODE_WRONG",
                            message="短信核验码错误")
    return engine.view(app)


def _keep_timers(tx, app):
    """A wrong code bumps the version; the SMS window timer must keep matching it."""
    for t in tx.timers():
        if t["app_id"] == app["id"]:
            tx.add_timer(dict(t, version=app["version"]))


def get(r, sid, app_id):
    return engine.view(_get(store.read(r, sid), app_id))


def list_all(r, sid):
    return [engine.view(a) for a in store.read(r, sid).all("applications")]


def history(r, sid, app_id):
    _get(store.read(r, sid), app_id)
    return [json.loads(e) for e in r.lrange(keys.history(sid, app_id), 0, -1)]
