"""Materials (上传资料): uploads of an order's required slots. The bytes go to disk under
config.uploads_dir()/<sandbox>/<application>/, only the metadata and the SHA-256 into Redis (the
`materials` collection, id "<app>:<slot>"); the sandbox's folder goes with the sandbox."""

import shutil
from pathlib import Path

from backend import config
from backend.domain import errors, limits, materials, readiness, uploads, workflow
from backend.domain.clock import iso
from backend.domain.errors import fail
from backend.domain.filings import Records
from backend.services import engine, world
from backend.store import tx as store

COLLECTION = "materials"
FACE_CHECKS = "face_checks"  # services/face_checks.COLLECTION (that module imports this one)


def sandbox_dir(sid: str) -> Path:
    return config.uploads_dir() / sid


def remove_sandbox_files(sid: str) -> None:
    """With the sandbox (delete, reset): its uploaded bytes."""
    shutil.rmtree(sandbox_dir(sid), ignore_errors=True)


def application(tx, app_id):
    app = tx.get("applications", app_id)
    if app is None:
        raise errors.application_not_found(app_id)
    return app


def order_entity(tx, app):
    """The entity the order is about: its payload's, else the record it resolved to."""
    record = tx.get("entities", app["entity_id"]) if app.get("entity_id") else None
    return readiness.order_entity(app, record)


def existing_sites(tx, app):
    if not app.get("entity_id"):
        return 0
    return len(Records(tx.all("entities"), tx.all("websites")).sites(app["entity_id"]))


def slots(tx, app):
    return readiness.required_slots(app, order_entity(tx, app), existing_sites(tx, app))


def uploaded(tx, app_id):
    """The order's uploads, with the provider reviewer's rejections applied (materials.with_review)."""
    have = {d["slot"]: d for d in tx.all(COLLECTION) if d["app_id"] == app_id}
    app = tx.get("applications", app_id)
    return materials.with_review(current_people_only(tx, app, have), app) if app else have


def current_people_only(tx, app, have):
    """The uploads without the ID images of an owner the order no longer names (an edit changed
    the entity's or a website's owner): those slots must be uploaded again."""
    entity, websites = order_entity(tx, app), (app.get("payload") or {}).get("websites") or []
    return {slot: d for slot, d in have.items() if uploads.shows_current_person(d, entity, websites)}


def person_and_rejection(tx, app, slot, previous, sha256):
    """The person an ID upload shows (kept with it); refuses the same bytes as a rejected upload."""
    shown = materials.with_review({slot: previous}, app).get(slot) if previous else None
    if uploads.unchanged_after_rejection(previous, shown, sha256):
        message = (
            f"该材料已被驳回（{(shown or {}).get('audit', {}).get('error', '')}），"
            "重新上传的文件与被驳回的文件完全相同：请按要求重新拍摄或扫描后上传"
        )
        raise fail("MATERIAL_UNCHANGED", message, errors={"file": [message]})
    entity, websites = order_entity(tx, app), (app.get("payload") or {}).get("websites") or []
    person = uploads.slot_person(slot, entity, websites)
    return {"person": person} if person else {}


def checklist(r, sid, app_id, reader=None):
    """Each required slot with its upload (or none), and the slots the order no longer needs.
    `reader`: a store reader holding the order already (api common.reader); the uploads and, when
    the order names an entity record, the filings on record come in one more round trip."""
    tx = reader or store.read(r, sid)
    app = application(tx, app_id)
    tx.prefetch(store.core_keys(sid, (COLLECTION, *(store.RECORDS if app.get("entity_id") else ()))))
    have = uploaded(tx, app_id)
    rows = [{"slot": s.key, "zh": s.zh, "why": s.why, "upload": have.get(s.key)} for s in slots(tx, app)]
    return {
        "application_id": app_id,
        "slots": rows,
        "missing": [row["slot"] for row in rows if row["upload"] is None or row["upload"]["status"] == "rejected"],
    }


def check_editable(app):
    if workflow.find(app["state"], workflow.EDIT, app["kind"]) is None:
        raise engine.not_allowed(app, workflow.EDIT)


def _check_caps(tx, replacing, size):
    docs = [d for d in tx.all(COLLECTION) if d["id"] != replacing]
    if len(docs) + 1 > limits.MAX_UPLOADS_PER_SANDBOX:
        raise fail("UPLOAD_QUOTA_EXCEEDED", f"沙箱内最多保存 {limits.MAX_UPLOADS_PER_SANDBOX} 个文件")
    if sum(d["bytes"] for d in docs) + size > limits.MAX_UPLOAD_BYTES_PER_SANDBOX:
        raise fail(
            "UPLOAD_QUOTA_EXCEEDED",
            f"沙箱内文件总大小不能超过 {limits.MAX_UPLOAD_BYTES_PER_SANDBOX // (1024 * 1024)} MB",
        )


def _material_doc(tx, app, wanted, filename, facts, relative, previous):
    """The metadata of one uploaded image (its bytes live at `relative` under uploads_dir)."""
    return {
        "id": f"{app['id']}:{wanted.key}",
        "app_id": app["id"],
        "slot": wanted.key,
        "zh": wanted.zh,
        "filename": filename[: limits.MAX_FILENAME],
        **facts,
        "path": relative,
        "status": "uploaded",
        "audit": None,
        "uploaded_at": iso(world.now(tx)),
        "version": (previous or {}).get("version", 0) + 1,
        "attempt": app.get("attempt", 0),
    }  # uploaded after this many submissions (with_review)


def face_check_first(tx, app):
    """process.md §4.1 (T48): 填写负责人 → 视频核身 → 上传材料 — no upload before every website owner
    passed the face check. Enforced with the other stages (`pre_submit_checks`); the sandbox setting
    `face_check_before_materials: false` lifts it."""
    settings = world.settings(tx)
    if not settings.get("pre_submit_checks") or not settings.get("face_check_before_materials", True):
        return
    tasks = [t for t in tx.all(FACE_CHECKS) if t["app_id"] == app["id"]]
    pending = readiness.face_checks_pending(app, order_entity(tx, app), tasks, world.now(tx))
    if pending:
        raise fail("FACE_CHECK_FIRST", pending=[p.path for p in pending], messages=[p.message for p in pending])


def _write_once(holder, target: Path, data: bytes) -> None:
    """An upload's bytes, before its commit (a failed write leaves no metadata); a retry of its
    transaction has the same path, so they are written once."""
    if not holder.get("written"):
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        holder["written"] = True


def upload(r, sid, app_id, slot, filename, data: bytes):
    """Check the image (Pillow), write its bytes, record its metadata; replaces the slot's earlier upload.
    The order is read and checked in the transaction itself (one round trip with its WATCH)."""
    try:
        facts = materials.check_image(data, limits.MAX_UPLOAD_BYTES, limits.MIN_IMAGE_SIDE)
    except materials.BadImage as bad:
        raise fail(bad.code, bad.message, errors={"file": [bad.message]}) from None
    holder = {}
    relative = f"{sid}/{app_id}/{slot}-{facts['sha256'][:16]}.{'jpg' if facts['format'] == 'JPEG' else 'png'}"
    target = config.uploads_dir() / relative

    def fn(tx):
        app = application(tx, app_id)
        check_editable(app)
        wanted = {s.key: s for s in slots(tx, app)}
        if slot not in wanted:
            raise fail("MATERIAL_SLOT_NOT_REQUIRED", f"该订单不需要上传「{slot}」", slots=sorted(wanted))
        face_check_first(tx, app)
        doc_id = f"{app_id}:{slot}"
        _check_caps(tx, doc_id, facts["bytes"])
        previous = tx.get(COLLECTION, doc_id)
        extra = person_and_rejection(tx, app, slot, previous, facts["sha256"])
        doc = {**_material_doc(tx, app, wanted[slot], filename, facts, relative, previous), **extra}
        tx.put(COLLECTION, doc)
        holder.update(doc=doc, previous=previous)
        _write_once(holder, target, data)  # only once the order and the slot (they name the path) pass
        return doc

    try:
        doc = store.run(r, sid, fn, prefetch=(*store.WORKFLOW, *store.RECORDS, COLLECTION, FACE_CHECKS))
    except Exception:
        if holder.get("written"):  # only what this call wrote: a refusal before it leaves the slot's file
            target.unlink(missing_ok=True)
        raise
    old = holder.get("previous")
    if old and old.get("path") != doc["path"]:
        (config.uploads_dir() / old["path"]).unlink(missing_ok=True)
    return doc


def read_bytes(r, sid, app_id, slot):
    doc = store.read(r, sid).get(COLLECTION, f"{app_id}:{slot}")
    if doc is None:
        raise fail("MATERIAL_NOT_FOUND", slot=slot)
    return doc, (config.uploads_dir() / doc["path"]).read_bytes()
