"""MIIT's SMS verification (短信核验) of an order, per responsible person: send, verify, resend.

Entering `sms_verification` calls sms_codes.start (from the state's entry effect); the API's
sms-verification call and MIIT's page (/miit/verify) call `verify`; `resend` sends a
fresh code that invalidates the old one. The order moves to the bureau (verify_sms) when
everybody has verified, and back to the provider (sms_failed) when someone enters one
wrong code too many; the SMS window timer (sms_timeout) ends it for everybody.
"""

from backend.domain import audit, durations, miit, timeline, workflow
from backend.domain.clock import iso
from backend.domain.errors import fail
from backend.services import engine, sms_codes, webhooks, world
from backend.services.effects import notify
from backend.store import tx as store


def _get(tx, app_id):
    app = tx.get("applications", app_id)
    if app is None:
        raise fail("APPLICATION_NOT_FOUND", application_id=app_id)
    return app


def _upgraded(app):
    """An order that reached the SMS step before per-person checks existed (one code for all,
    kept in Redis by an older version): its code becomes one verification."""
    sms = app.get("sms") or {}
    if sms.get("people") or "code" not in sms:
        return app
    from datetime import datetime

    sent = datetime.fromisoformat(sms["sent_at"]).timestamp()
    person = {
        "person": "P1",
        "roles": ["entity", "website"],
        "name": "",
        "id_last6": None,
        "mobile": (sms.get("recipients") or ["account"])[0],
        "code": sms["code"],
        "wrong": sms.get("wrong", 0),
        "attempts_left": None,
        "state": miit.PENDING,
        "sent_at": sent,
        "last_sent_at": sent,
        "expires_at": sent + 24 * 3600,
        "sends": 1,
        "verified_at": None,
    }
    return dict(app, sms=dict(sms, people=[person]))


def _at_sms_step(app):
    return workflow.find(app["state"], workflow.VERIFY_SMS, app["kind"]) is not None and bool(
        (app.get("sms") or {}).get("people")
    )


def _pending_app(tx, app_id):
    app = _upgraded(_get(tx, app_id))
    if not _at_sms_step(app):
        raise engine.not_allowed(app, workflow.VERIFY_SMS)
    return app


def _named(app, person, mobile, code):
    people = app["sms"]["people"]
    v = miit.answering(people, person, mobile, code)
    if v is None:
        raise fail("VERIFICATION_NOT_FOUND", people=[p["person"] for p in people])
    if v["state"] == miit.VERIFIED:
        raise fail("ALREADY_VERIFIED", person=v["person"])
    return v


def _with(app, v, **changes):
    """The order with person `v`'s check changed (the version moves with the step that saves it)."""
    people = [dict(p, **changes) if p["person"] == v["person"] else p for p in app["sms"]["people"]]
    return dict(app, sms=dict(app["sms"], people=people))


_FIELD_ZH = {"mobile": "手机号与备案信息不一致", "id_last6": "证件号码后六位不正确", "code": "核验码错误"}


def _verified(tx, app, v, now):
    """A right answer: the person is verified; the last one moves the order to the bureau."""
    app = _with(app, v, state=miit.VERIFIED, verified_at=now)
    webhooks.on_person(tx, app, miit.public(v, iso), "verified")
    if miit.all_verified(app["sms"]["people"]):  # the answer's words: miit.done_message
        return engine.fire(tx, app, workflow.VERIFY_SMS, "user", now)
    return _step(
        tx,
        app,
        now,
        workflow.VERIFIED_ONE,
        f"{v['name'] or v['person']} 短信核验通过（{miit.mask(v['mobile'])}）",
    )


def verify(r, sid, app_id, code, person=None, mobile=None, id_last6=None):
    """One person's check. Right: that person is verified (and the order moves to the bureau
    when everybody is); the answer carries MIIT's words (`message`). Wrong code, ID digits or
    a mobile that is nobody's on the order: 422 SMS_CODE_WRONG with attempts left; the wrong
    one too many answers the same 422 with the order's new state (provider_rejected), never
    a 2xx."""

    def fn(tx):
        app = _pending_app(tx, app_id)
        v = _named(app, person, mobile, code)
        now = world.now(tx)
        wrong_fields = miit.mismatches(v, mobile, id_last6, code)
        if not wrong_fields:
            return _verified(tx, app, v, now), None
        tx.refuses()  # a 422 after the commit: its journal entry is appended after it (api/journal.py)
        allowed = int(durations.setting(world.settings(tx), "sms_max_wrong"))
        wrong = v["wrong"] + 1
        left = max(allowed + 1 - wrong, 0)
        if wrong > allowed:
            app = _with(app, v, wrong=wrong, attempts_left=0, state=miit.FAILED)
            webhooks.on_person(tx, app, miit.public(v, iso), "failed")
            app = engine.fire(
                tx, app, workflow.SMS_FAILED, "user", now, audit_data=[audit.sms_code_failed(world.settings(tx))]
            )
            return app, (v, wrong_fields, 0)
        app = _with(app, v, wrong=wrong, attempts_left=left)
        app = _step(
            tx,
            app,
            now,
            workflow.WRONG_CODE,
            f"短信核验信息错误（{v['person']}，第 {wrong} 次：{'、'.join(_FIELD_ZH[f] for f in wrong_fields)}）",
        )
        return app, (v, wrong_fields, left)

    app, wrong = store.run(r, sid, fn, prefetch=(*store.WORKFLOW, (store.APP_TIMERS, app_id)))
    if wrong is not None:
        raise _wrong_code(app, *wrong)
    return dict(engine.view(app), message=miit.done_message(app["sms"]["people"]))


def _wrong_code(app, v, fields, left):
    """The 422 a wrong answer gets: per-field messages, attempts left, the order's state."""
    message = (
        f"短信核验信息错误，还可尝试 {left} 次" if left else "短信核验错误次数过多，核验失败，订单已退回腾讯云初审驳回"
    )
    exc = fail(
        "SMS_CODE_WRONG",
        message,
        errors={f: [_FIELD_ZH[f] + (f"，还可尝试 {left} 次" if left else "")] for f in fields},
    )
    exc.details.update(person=v["person"], attempts_left=left, state=app["state"], application=engine.view(app))
    return exc


def _step(tx, app, now, action, reason):
    """A verification step that is not a move, through the one transition function: history,
    version, and the SMS window timer keeps its due time (workflow.sms_step_row)."""
    return engine.apply_transition(tx, app, workflow.sms_step_row(app["kind"], action), now, reason=reason)


def resend(r, sid, app_id, person=None, mobile=None, id_last6=None):
    """MIIT's 短信重发 / "重新获取": a fresh code for one person; the old one stops working.
    Refusals in MIIT's words: nothing pending (409), phone or ID digits nobody's (404)."""

    def fn(tx):
        app = _upgraded(_get(tx, app_id))
        if not _at_sms_step(app):
            raise _refused("NOT_PENDING")
        v = miit.resend_target(app["sms"]["people"], mobile, id_last6, person)
        if v is None:
            raise fail("VERIFICATION_NOT_FOUND", miit.NO_RECORD_ZH)
        now = world.now(tx)
        why = miit.resend_refusal(v, now)
        if why:
            raise _refused(why, v, now)
        sends = v["sends"] + 1
        fresh = sms_codes.new_code(tx, app, app["sms"]["people"].index(v), sends)
        app = _with(app, v, code=fresh, sends=sends, last_sent_at=now)
        v = next(p for p in app["sms"]["people"] if p["person"] == v["person"])
        window_zh = durations.hours_zh(durations.setting(world.settings(tx), "sms_window_hours"))
        if not app["sms"].get("lost"):  # a forced SMS timeout (fault): no code ever arrives
            sms_codes.send(tx, app, v, now, window_zh, notify)
        return _step(
            tx, app, now, workflow.RESEND_SMS, f"重新发送短信核验码（{miit.mask(v['mobile'])}，第 {sends} 条）"
        )

    return engine.view(store.run(r, sid, fn, prefetch=store.WORKFLOW))


def auto_resend(tx, app, at):
    """MIIT's own resend at 12:00 the next day (process.md §5 "Resend" [M2]; the timer
    sms_auto_resend, armed only when that moment falls inside the window): every person still
    pending gets the code they hold texted again. No new code, no send counted against MIIT's
    cap, the window keeps its end; a history step (no move) records it."""
    app = _upgraded(app)
    pending = [v for v in app["sms"]["people"] if v["state"] == miit.PENDING]
    if not pending:
        return app
    window_zh = durations.hours_zh(durations.setting(world.settings(tx), "sms_window_hours"))
    for v in pending:
        sms_codes.send(tx, app, v, at, window_zh, notify)
        app = _with(app, v, auto_resent_at=at)
    reason = timeline.auto_resend_reason([miit.mask(v["mobile"]) for v in pending])
    return _step(tx, app, at, workflow.AUTO_RESEND_SMS, reason)


_RESEND_ZH = {
    "NOT_PENDING": miit.NOTHING_PENDING_ZH,
    "WINDOW_OVER": miit.NOTHING_PENDING_ZH,
    "TOO_SOON": f"发送过于频繁，请 {miit.RESEND_INTERVAL_S} 秒后再试",
    "TOO_MANY": f"核验码发送次数已达上限（{miit.MAX_SENDS} 条）",
}


def _refused(why, v=None, now=None):
    return fail(
        "SMS_RESEND_REFUSED",
        _RESEND_ZH[why],
        status=429 if why in ("TOO_SOON", "TOO_MANY") else 409,
        reason=why,
        person=v["person"] if v else None,
        retry_after_s=_retry_after(v, now, why) if v else None,
    )


def _retry_after(v, now, why):
    return max(int(v["last_sent_at"] + miit.RESEND_INTERVAL_S - now), 1) if why == "TOO_SOON" else None


def listing(r, sid, app_id) -> list:
    return sms_codes.public(_get(store.read(r, sid), app_id))
