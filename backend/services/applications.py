"""Use cases of an application (备案订单): create, edit, act, verify the SMS code, read."""

import copy

from backend.domain import (
    eligibility,
    entity_mobiles,
    errors,
    filing_province,
    forms_people,
    forms_rules,
    kinds,
    mobile_home,
    order_rules,
    payloads,
    records,
    review_checks,
    scenarios,
    website_owners,
    workflow,
)
from backend.domain.clock import iso
from backend.domain.errors import Unprocessable, fail, validation_failed
from backend.services import cloud, engine, face_checks, filing_type as verify_step, verification, world
from backend.store import keys, tx as store

# what create, edit and act read: the orders and their timers, the filings on record
# (preconditions), the account's resources (eligibility of the NAT IPs) and the domain registry
# (the verification's checks of a new filing, services/filing_type.order_gate)
CHECKS = (*store.WORKFLOW, *store.RECORDS, *world.RESOURCES, "domains")


def _get(tx, app_id):
    app = tx.get("applications", app_id)
    if app is None:
        raise errors.application_not_found(app_id)
    return app


def _check_kind(kind):
    if kinds.get(kind) is None:
        raise validation_failed({"kind": [f"未知的备案类型：{kind}"]})
    if kind not in kinds.IMPLEMENTED:
        raise errors.kind_not_available(kind, kinds.get(kind).zh)


def _no_order_in_progress(tx, app_id=None):
    others = world.open_applications(tx, exclude=app_id)
    if others:
        raise errors.order_in_progress(others[0]["id"])


def _preconditions(tx, kind, app_id=None, payload=None, check_ips=True):
    """The account rules and the kind's preconditions (scenarios.SCENARIOS), then entry
    validation of the payload they normalize; returns the scenarios.Resolution."""
    _no_order_in_progress(tx, app_id)
    if payload is None:
        return None
    if payloads.validate_payload(kind, payload):
        _validate(tx, kind, payload, app_id)  # raises, with every problem (IPs included)
    on_record = scenarios.Records(tx.all("entities"), tx.all("websites"))
    resolution = scenarios.resolve(kind, on_record, payload, kinds.get(kind).sms_to)
    # 验证备案类型's blocking checks, whether or not verify was called (§1.4)
    verify_step.order_gate(tx, kind, resolution.payload, resolution.entity_id)
    if check_ips:
        record = tx.get("entities", resolution.entity_id) if resolution.entity_id else None
        _validate(tx, kind, resolution.payload, app_id, record, clean=payload)
    return resolution


def _resolved(app, resolution):
    """The application with what its preconditions found: the records it is about."""
    out = dict(
        app,
        payload=resolution.payload,
        target=resolution.target(),
        province=resolution.province,
        contacts=resolution.contacts,
    )
    if resolution.entity_id:
        out["entity_id"] = resolution.entity_id
    return out


def _key(path):
    return "payload" if path == "payload" else f"payload.{path}"


def _validate(tx, kind, payload, app_id=None, record=None, clean=None):
    """Entry validation; `record` is the entity on record the order is about (新增网站);
    `clean`: a payload that passed validate_payload already (not checked again when equal)."""
    problems = {} if clean is not None and payload == clean else payloads.validate_payload(kind, payload)
    for path, _code, message in forms_rules.problems(kind, payload, world.today(tx), record):  # the real forms (§2)
        problems.setdefault(path, []).append(message)
    # where the entity may file (§1.2, §8): the rule verification and the review apply too
    for path, _code, message in filing_province.entry_problems(kinds.get(kind), payload, world.settings(tx)):
        problems.setdefault(path, []).append(message)
    min_age = world.settings(tx).get("min_age", review_checks.DEFAULT_SETTINGS["min_age"])
    for path, _code, message in forms_people.minor_problems(forms_people.people(payload), world.today(tx), min_age):
        problems.setdefault(path, []).append(message)  # minors refused at entry (process.md §8)
    for path, _code, message in _mobile_problems(tx, payload):  # 手机号归属地 (§2.7)
        problems.setdefault(path, []).append(message)
    for path, _code, message in _owner_problems(tx, kind, payload, record):  # one owner, one entity (§2.3)
        problems.setdefault(path, []).append(message)
    on_record = scenarios.Records(tx.all("entities"), [])
    for path, _code, message in entity_mobiles.problems(payload, on_record, record):  # one mobile, one entity
        problems.setdefault(path, []).append(message)
    result = cloud.evaluate(tx, exclude_app=app_id)
    requests = scenarios.ip_requests(kind, payload)
    for path, ip, filing_type in requests:
        if filing_type != "cloudbase_run":
            problems.setdefault(f"{path}.filing_type", []).append("备案类型须选择「云托管」")
            continue
        code = eligibility.check_ip(result, ip)
        if code:
            problems.setdefault(f"{path}.nat_ip", []).append(_IP_MESSAGES.get(code, code))
    # one IP serves two filings: count this order's own websites too
    mine = [ip for _, ip, _ in requests]
    for row in result["usable_ips"]:
        if mine.count(row["ip"]) > row["slots_left"]:
            problems.setdefault("websites", []).append(f"IP {row['ip']} 只剩 {row['slots_left']} 次备案次数")
    if problems:
        # the same dotted paths as marshmallow's problems for the request body
        raise errors.validation_failed({_key(path): msgs for path, msgs in problems.items()})


def _mobile_problems(tx, payload):
    """Mobiles the entity's province wants local, by the sandbox's number registry (none: all local)."""
    known = mobile_home.registry(world.settings(tx).get("mobile_registry"))
    if not known:
        return []
    own = scenarios.Records(tx.all("entities"), []).own()
    return mobile_home.problems(payload, own, known)


def _owner_problems(tx, kind, payload, record):
    """A new website's owner already website owner of another entity on record (Chongqing: in it at
    all); Jiangxi: an entity with many websites on record adds one per order (order_rules)."""
    if kind not in forms_rules.NEW_SITE_KINDS:
        return []
    on_record = scenarios.Records(tx.all("entities"), tx.all("websites"))
    filed = len(on_record.sites(record["id"])) if record else 0
    return website_owners.problems(payload, on_record, record) + order_rules.filed_sites_problems(
        record, filed, payload.get("websites") or []
    )


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
        resolution = _preconditions(tx, kind, payload=payload)
        now = world.now(tx)
        app = records.new_application(tx.next_id("application", "A"), kind, iso(now), payload)
        return engine.apply_transition(tx, _resolved(app, resolution), workflow.create_row(kind), now)

    return engine.view(store.run(r, sid, fn, prefetch=CHECKS))


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
        if workflow.find(app["state"], workflow.EDIT, app["kind"]) is None:
            raise engine.not_allowed(app, workflow.EDIT)
        payload = merge(app["payload"], scenarios.edit_patch(app["kind"], patch))
        resolution = _preconditions(tx, app["kind"], app_id, payload=payload)
        now = world.now(tx)
        app = _resolved(app, resolution)
        return engine.fire(tx, app, workflow.EDIT, "user", now, reason="修改订单信息")

    return engine.view(store.run(r, sid, fn, prefetch=(*CHECKS, (store.APP_TIMERS, app_id))))


def act(r, sid, app_id, action, reason=None):
    """A user action from the table: submit, resubmit, withdraw, recall, reopen."""

    def fn(tx):
        app = _get(tx, app_id)
        if action in workflow.RECHECKING_ACTIONS and workflow.find(app["state"], action, app["kind"]):
            # the world may have changed since the order was written: check it again
            resolution = _preconditions(
                tx, app["kind"], app_id, payload=app["payload"], check_ips=action != workflow.REOPEN
            )
            app = _resolved(app, resolution)
        if action in (workflow.SUBMIT, workflow.RESUBMIT) and world.settings(tx).get("pre_submit_checks"):
            _ready(tx, app)  # the stages before submission: forms, face check, materials (readiness.missing)
        return engine.fire(tx, app, action, "user", world.now(tx), reason=reason)

    reads = (*CHECKS, (store.APP_TIMERS, app_id))
    if action in (workflow.SUBMIT, workflow.RESUBMIT):  # the stages' checks may read them (`_ready`):
        reads = (*reads, *face_checks.STAGES)  # in the same round trip, small hashes, empty without stages
    return engine.view(store.run(r, sid, fn, prefetch=reads))


def _ready(tx, app):
    missing = face_checks.missing(tx, app)
    if missing:
        raise fail(
            "SUBMIT_NOT_READY",
            "提交前还有未完成的步骤：" + "；".join(m.message for m in missing[:5]),
            missing=[m._asdict() for m in missing],
        )


def verify_sms(r, sid, app_id, code, person=None, mobile=None, id_last6=None):
    """One responsible person's MIIT check (services/verification.py)."""
    return verification.verify(r, sid, app_id, code, person=person, mobile=mobile, id_last6=id_last6)


def get(r, sid, app_id, reader=None):
    """`reader`: a store reader holding what the request read already (api common.reader)."""
    return engine.view(_get(reader or store.read(r, sid), app_id))


def check(r, sid, kind, payload, app_id=None):
    """The entry validation of create/edit, without writing anything: {payload.path: [msgs]}.

    The chat validates each form as it is answered with it (a partial payload: the
    caller keeps the errors of the fields it asked for).
    """
    _check_kind(kind)
    try:
        _validate(store.read(r, sid), kind, payload, app_id)
    except Unprocessable as exc:
        return exc.errors
    return {}


def list_all(r, sid):
    return [engine.view(a) for a in store.read(r, sid).all("applications")]


def history(r, sid, app_id):
    _get(store.read(r, sid), app_id)
    return [store.decode(e) for e in r.lrange(keys.history(sid, app_id), 0, -1)]
