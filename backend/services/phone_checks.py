"""Phone OTP while filling the forms (domain/phone_otp.py) and the agreement step (process.md
§1.1): both recorded per order and read by the pre-submission readiness (face_checks.missing).

A code goes to the person's mobile (an outbox SMS from 腾讯云备案) and, when the form gives one,
their e-mail (`SendEmailVerificationCode`); codes are drawn from the sandbox seed like MIIT's.
Checks live in the `phone_checks` collection (id "<app>:<mobile>")."""

from backend.domain import mail, phone_otp, readiness
from backend.domain.clock import iso
from backend.domain.errors import fail
from backend.domain.rng import rng
from backend.services import effects, materials, webhooks, world
from backend.store import tx as store

COLLECTION = "phone_checks"
CODE = "PHONE_OTP_CODE"


def checks_of(tx, app_id):
    return [c for c in tx.all(COLLECTION) if c["app_id"] == app_id]


def on_record(tx, app):
    """A change order's responsible people on record (phone_otp.recorded), read only for the
    change kinds (the full forms' orders verify every mobile and read no record); None: none."""
    if not phone_otp.needs_record(app) or not app.get("entity_id"):
        return None
    sites = {}
    for entry in (app.get("payload") or {}).get("websites") or []:
        site_id = entry.get("website_id") if isinstance(entry, dict) else None
        if site_id and site_id not in sites:
            sites[site_id] = tx.get("websites", site_id)
    return phone_otp.recorded(app, tx.get("entities", app["entity_id"]), {k: v for k, v in sites.items() if v})


def people_of(tx, app):
    return phone_otp.people(app, on_record(tx, app))


def _person(tx, app, mobile):
    person = next((p for p in people_of(tx, app) if p["mobile"] == mobile), None)
    if person is None:
        raise fail("PHONE_NOT_IN_ORDER", mobile=mobile)
    return person


def list_for(r, sid, app_id, reader=None):
    """`reader`: a store reader holding the order already (api common.reader); the clock, the
    checks and, for a change order, its records come in one more round trip."""
    tx = reader or store.read(r, sid)
    app = materials.application(tx, app_id)
    records = store.RECORDS if phone_otp.needs_record(app) and app.get("entity_id") else ()
    tx.prefetch(store.core_keys(sid, (store.META, COLLECTION, *records)))
    now = world.now(tx)
    have = {c["mobile"]: c for c in checks_of(tx, app_id)}
    return [phone_otp.public(have.get(p["mobile"]), p, now) for p in people_of(tx, app)]


def _raise(exc, mobile):
    details = {k: v for k, v in exc.details.items() if k != "check"}
    if exc.code == "PHONE_CODE_WRONG":
        details["errors"] = {"code": [exc.message]}
    raise fail(exc.code, exc.message, mobile=mobile, **details) from None


def send(r, sid, app_id, mobile):
    """`SendSmsVerificationCode`: a fresh 6-digit code to the mobile (and the e-mail) of a
    responsible person the order names."""

    def fn(tx):
        app = materials.application(tx, app_id)
        materials.check_editable(app)
        person = _person(tx, app, mobile)
        now = world.now(tx)
        old = tx.get(COLLECTION, f"{app_id}:{mobile}")
        drawn = int((old or {}).get("drawn") or 0)  # codes drawn for this mobile so far
        code = phone_otp.code(rng(world.seed(tx), app_id, "otp", mobile, drawn))
        try:
            check = phone_otp.send(old, person, app_id, code, now)
        except phone_otp.OtpError as exc:
            _raise(exc, mobile)
        check["drawn"] = drawn + 1
        tx.put(COLLECTION, check)
        effects.notify(tx, app, now, CODE, phone_otp.sms_text(code), channel="sms", to=mobile)
        if person.get("email"):
            subject, body = phone_otp.email_text(person["name"], code)
            copy = {
                "id": tx.next_id("outbox", "M", 6),
                "at": iso(now),
                "channel": "email",
                "to": person["email"],
                "sender": mail.SENDER,
                "code": CODE,
                "app_id": app_id,
                "subject": subject,
                "text": body,
            }
            tx.add_outbox(copy)
            webhooks.on_message(tx, copy)
        return phone_otp.public(check, person, now)

    return store.run(r, sid, fn, prefetch=(*store.WORKFLOW, COLLECTION))


def verify(r, sid, app_id, mobile, code):
    """`CheckSmsVerificationCode`: the right code within 5 minutes verifies the mobile; a wrong
    one counts (the 5th spends the code)."""

    def fn(tx):
        app = materials.application(tx, app_id)
        person = _person(tx, app, mobile)
        now = world.now(tx)
        old = tx.get(COLLECTION, f"{app_id}:{mobile}")
        try:
            done = phone_otp.check_code(old, code, now)
        except phone_otp.OtpError as exc:
            if "check" in exc.details:  # a wrong entry is kept (committed), then refused below
                tx.put(COLLECTION, exc.details["check"])
                tx.refuses()  # a 422/409 after the commit: journaled after it as the code alone (api/journal.py)
                return exc
            _raise(exc, mobile)
        tx.put(COLLECTION, done)
        return phone_otp.public(done, person, now)

    out = store.run(r, sid, fn, prefetch=(*store.WORKFLOW, COLLECTION))
    if isinstance(out, phone_otp.OtpError):
        _raise(out, mobile)
    return out


# -- the agreement (process.md §1.1, §9 item 5) --------------------------------------------


def agreement(r, sid, app_id, reader=None):
    tx = reader or store.read(r, sid)  # the order only: what the token check read with it
    app = materials.application(tx, app_id)
    return _agreement_view(app)


def _agreement_view(app):
    got = app.get("agreement") or {}
    return {
        "title": readiness.AGREEMENT_TITLE,
        "accepted": bool(got.get("accepted_at")),
        "accepted_at": got.get("accepted_at"),
    }


def accept(r, sid, app_id):
    """The user ticks 「我已阅读并同意《腾讯云备案服务信息收集及使用说明》」: recorded on the order
    (Tencent's CloudAudit logs `AgreedAgreement`)."""

    def fn(tx):
        app = materials.application(tx, app_id)
        if not (app.get("agreement") or {}).get("accepted_at"):
            app = dict(app, agreement={"title": readiness.AGREEMENT_TITLE, "accepted_at": iso(world.now(tx))})
            tx.put("applications", app)
        return _agreement_view(app)

    return store.run(r, sid, fn, prefetch=store.WORKFLOW)
