"""MIIT's SMS codes of an order: who gets one (the responsible people, one code per distinct
mobile), drawing and sending them when the order enters sms_verification, and what clients
see of them. The engine's entry effects and views use this; the user's steps on them (verify,
resend) are services/verification.py, which builds on the engine."""

from backend.domain import durations, kinds, miit, payloads
from backend.domain.clock import iso
from backend.domain.rng import rng
from backend.services import world


def contacts(app):
    """Responsible people (name, mobile, e-mail) as (role, person): the entity's, then each
    website's. The kind's precondition resolved them (`app["contacts"]`, from the payload
    or, for orders about records, from the registry); older orders carry them in the payload."""
    if "contacts" in app:
        return [(c["role"], c) for c in app["contacts"] if c.get("mobile")]
    ent = app["payload"]["entity"]["responsible"]
    people = [("entity", ent)]
    for w in app["payload"].get("websites", []):
        people.append(("website", w.get("responsible") or ent))
    return people


def new_code(tx, app, person_index, sends):
    # the first person's first code is drawn exactly as the single code was before, so
    # single-person transcripts (seeded) keep their codes; the others add who and which send
    args = (world.seed(tx), app["id"], "sms", app.get("attempt", 0))
    if person_index or sends > 1:
        args += (person_index, sends)
    if app.get("sms_round"):  # Tencent's resubmission after a timeout: new codes (timeline.py)
        args += ("round", app["sms_round"])
    return miit.code(rng(*args))


def send(tx, app, v, at, window_zh, notify):
    notify(tx, app, at, "MIIT_SMS_CODE", miit.sms_text(v["code"], window_zh), channel="sms", to=v["mobile"])


def start(tx, app, at, notify, lost=False):
    """Entering sms_verification: one code per distinct mobile of the people the kind names."""
    settings = world.settings(tx)
    window_h = float(durations.setting(settings, "sms_window_hours"))
    window_zh = durations.hours_zh(durations.setting(settings, "sms_window_hours"))
    allowed = int(durations.setting(settings, "sms_max_wrong"))
    wanted = kinds.get(app["kind"]).sms_to
    people = miit.people([(role, p) for role, p in contacts(app) if role in wanted], payloads.province_of(app))
    if not people and wanted:  # no mobile on record: the account gets the code
        people = [{"person": "P1", "roles": list(wanted), "name": "", "mobile": "account", "id_last6": None}]
    for i, v in enumerate(people):
        v.update(
            code=new_code(tx, app, i, 1),
            wrong=0,
            attempts_left=allowed + 1,
            state=miit.PENDING,
            sent_at=at,
            last_sent_at=at,
            expires_at=at + window_h * 3600,
            sends=1,
            verified_at=None,
        )
        if not lost:
            send(tx, app, v, at, window_zh, notify)
    sms = {"sent_at": iso(at), "recipients": [v["mobile"] for v in people], "people": people}
    return dict(app, sms=dict(sms, lost=True) if lost else sms)


def public(app) -> list:
    """The order's verifications as clients see them (no codes)."""
    return [miit.public(v, iso) for v in (app.get("sms") or {}).get("people") or []]
