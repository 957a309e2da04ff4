"""真实性核验: one task per distinct website owner of an order, completed by the owner's (simulated)
phone. Tasks live in the `face_checks` collection (id "<app>:<n>"); expiry is computed in virtual
time when read. Each result lands in the outbox and goes to the sandbox's webhooks as WeChat's
`notify_icpfiling_verify_result` (event type `face_check.result`)."""

from backend.domain import face_check, forms_rules, readiness
from backend.domain.errors import fail
from backend.services import effects, faults, materials, phone_checks, webhooks, world
from backend.store import tx as store

COLLECTION = "face_checks"
# the stages' collections the readiness of an order reads (`missing`): uploads, face checks, phones
STAGES = (materials.COLLECTION, COLLECTION, phone_checks.COLLECTION)
PAGE = "/miniprogram/face.html"


def tasks_of(tx, app_id):
    return [t for t in tx.all(COLLECTION) if t["app_id"] == app_id]


def _link(sid, task_id):
    return f"{PAGE}?sandbox={sid}&task={task_id}"


def _view(sid, task, now):
    return dict(face_check.at(task, now), link=_link(sid, task["id"]))


def start(r, sid, app_id):
    """Send the notice to every website owner who has no live or passed task yet."""

    def fn(tx):
        app = materials.application(tx, app_id)
        materials.check_editable(app)
        if not readiness.needs_face_check(app):
            raise fail("FACE_CHECK_NOT_NEEDED")
        now = world.now(tx)
        entity = materials.order_entity(tx, app)
        have = [face_check.at(t, now) for t in tasks_of(tx, app_id)]
        out = []
        for index, person in readiness.website_owners(entity, app["payload"].get("websites") or []):
            mine = [
                t
                for t in have
                if t["person"].get("certificate_number") == person.get("certificate_number")
                and (t["status"] == face_check.SUCCESS or not t["is_finish"])
            ]
            if mine:
                out.append(mine[-1])
                continue
            task = face_check.new_task(f"{app_id}:{len(have) + len(out) + 1}", app_id, index, person, now)
            tx.put(COLLECTION, task)
            effects.notify(
                tx,
                app,
                now,
                "FACE_CHECK_NOTICE",
                f"【腾讯云】请网站负责人{person.get('name') or ''}在 24 小时内完成备案真实性核验（人脸核验）：{_link(sid, task['id'])}",
                channel="sms",
                to=person.get("mobile") or "account",
            )
            out.append(task)
        return [_view(sid, t, now) for t in out]

    return store.run(r, sid, fn, prefetch=(*store.WORKFLOW, *store.RECORDS, COLLECTION))


def _task(tx, task_id):
    task = tx.get(COLLECTION, task_id)
    if task is None:
        raise fail("FACE_CHECK_NOT_FOUND", task_id=task_id)
    return task


def get(r, sid, task_id):
    tx = store.read(r, sid)
    return _view(sid, _task(tx, task_id), world.now(tx))


def list_for(r, sid, app_id, reader=None):
    """`reader`: a store reader holding the order already (api common.reader)."""
    tx = reader or store.read(r, sid)
    materials.application(tx, app_id)
    tx.prefetch(store.core_keys(sid, (store.META, COLLECTION)))
    now = world.now(tx)
    return [_view(sid, t, now) for t in tasks_of(tx, app_id)]


def _forced_failure(tx):
    """A face_check_faults setting fails the next attempt with its reason (one per attempt)."""
    settings = world.settings(tx)
    queue = list(settings.get("face_check_faults") or [])
    if not queue:
        return None
    used = int(tx.meta().get("face_check_faults_used") or 0)
    if used >= len(queue):
        return None
    tx.set_meta("face_check_faults_used", str(used + 1))
    return queue[used]


def _forced(tx, app, task):
    """Why a passing attempt fails anyway: the face_check_faults setting first (its queue), then
    a face_fail fault rule. An attempt the task refuses raises, and the transaction uses nothing up."""
    return _forced_failure(tx) or faults.face_failure(tx, app, task)


def complete(r, sid, task_id, passed, reason=None):
    """The owner's phone: pass, or fail with a reason (background, occlusion, another person, …)."""

    def fn(tx):
        task = _task(tx, task_id)
        now = world.now(tx)
        app = materials.application(tx, task["app_id"])
        forced = _forced(tx, app, task) if passed else None
        try:
            done = face_check.complete(task, passed and not forced, forced or reason, now)
        except face_check.TaskError as exc:
            raise fail(exc.code, exc.message, task_id=task_id) from None
        tx.put(COLLECTION, face_check.stored(done))
        webhooks.on_face_check(tx, app, done, now)  # the result first, then the message it wrote
        text = (
            "真实性核验已通过"
            if done["status"] == face_check.SUCCESS
            else f"真实性核验未通过：{done['reason_zh']}，请在通知有效期内重新核验"
        )
        effects.notify(
            tx,
            app,
            now,
            "FACE_CHECK_RESULT",
            f"网站负责人{task['person'].get('name') or ''}{text}（face_status={done['status']}）",
        )
        return _view(sid, done, now)

    return store.run(r, sid, fn, prefetch=(*store.WORKFLOW, COLLECTION))


def resend(r, sid, task_id):
    def fn(tx):
        task = _task(tx, task_id)
        now = world.now(tx)
        if face_check.needs_new_task(task, now):
            return _renew(tx, sid, task, now)
        try:
            fresh = face_check.resend(task, now)
        except face_check.TaskError as exc:
            raise fail(exc.code, exc.message, task_id=task_id) from None
        tx.put(COLLECTION, face_check.stored(fresh))
        app = materials.application(tx, task["app_id"])
        effects.notify(
            tx,
            app,
            now,
            "FACE_CHECK_NOTICE",
            f"【腾讯云】核验通知已重新发送，请在 24 小时内完成真实性核验：{_link(sid, task_id)}",
            channel="sms",
            to=task["person"].get("mobile") or "account",
        )
        return _view(sid, fresh, now)

    return store.run(r, sid, fn, prefetch=(*store.WORKFLOW, COLLECTION))


def missing(tx, app):
    """readiness.missing of an order inside a transaction (the submit guard, the checklist): with
    the phones' OTP checks and the agreement (services/phone_checks.py)."""
    entity = materials.order_entity(tx, app)
    return readiness.missing(
        app,
        entity,
        materials.uploaded(tx, app["id"]),
        tasks_of(tx, app["id"]),
        world.now(tx),
        materials.existing_sites(tx, app),
        phone_checks=phone_checks.checks_of(tx, app["id"]),
        agreement=app.get("agreement"),
        on_record=phone_checks.on_record(tx, app),
    )


def reads_of_missing(app):
    """What `missing` reads besides the order, for a prefetch (one round trip): the sandbox (its
    clock), the stages' collections, and the filings on record only when the order names one."""
    return (store.META, *STAGES, *(store.RECORDS if app.get("entity_id") else ()))


def requirements(r, sid, app_id, reader=None):
    """`reader`: a store reader holding what the request read already (the order: api common.reader)."""
    tx = reader or store.read(r, sid)
    app = materials.application(tx, app_id)
    tx.prefetch(store.core_keys(sid, reads_of_missing(app)))
    rows = missing(tx, app)
    entity = materials.order_entity(tx, app)
    return {
        "application_id": app_id,
        "ready": not rows,
        "enforced": bool(world.settings(tx).get("pre_submit_checks")),
        "missing": [row._asdict() for row in rows],
        "notices": forms_rules.notices(app.get("payload") or {}, entity),
    }


def _renew(tx, sid, task, now):
    """A resend after the 24 h notice: a new task (and notice) for the same owner; the old one is
    closed, pointing to it (W5)."""
    app = materials.application(tx, task["app_id"])
    materials.check_editable(app)
    new_id = f"{app['id']}:{len(tasks_of(tx, app['id'])) + 1}"
    fresh = face_check.new_task(new_id, app["id"], task["site_index"], task["person"], now)
    tx.put(COLLECTION, face_check.stored(face_check.replaced(task, new_id, now)))
    tx.put(COLLECTION, fresh)
    effects.notify(
        tx,
        app,
        now,
        "FACE_CHECK_NOTICE",
        f"【腾讯云】原核验通知已超过 24 小时，已重新发起真实性核验，请在 24 小时内完成：{_link(sid, new_id)}",
        channel="sms",
        to=task["person"].get("mobile") or "account",
    )
    return _view(sid, fresh, now)


def begin(r, sid, task_id):
    """The owner's phone opened the notice and began recording (face_status 1 等待中)."""

    def fn(tx):
        task = _task(tx, task_id)
        now = world.now(tx)
        try:
            started = face_check.begin(task, now)
        except face_check.TaskError as exc:
            raise fail(exc.code, exc.message, task_id=task_id) from None
        tx.put(COLLECTION, face_check.stored(started))
        return _view(sid, started, now)

    return store.run(r, sid, fn, prefetch=(*store.WORKFLOW, COLLECTION))
