"""MIIT's automatic resend at 12:00 the next day (process.md §5 "Resend" [A1, M2], a 2018 source),
over REST with the virtual clock and the timer table: every person still pending gets their code
texted again when that moment falls inside the SMS window; the setting `miit_auto_resend: false`
turns it off."""

from datetime import datetime

from api.flows import (
    CONTROL,
    act,
    advance,
    create_app,
    get_app,
    history,
    new_sandbox,
    ok,
    personal_payload,
    register_domain,
    sms_code,
    sms_messages,
    to_sms,
    usable_ip,
    verify,
)


def filing(control, clock_start="2026-06-01T15:00:00+08:00", **settings):
    sb = new_sandbox(control, clock_start=clock_start, settings=settings)
    register_domain(sb, "zhangsan-blog.cn")
    app = create_app(sb, personal_payload(usable_ip(sb)))
    act(sb, app["id"], "submit")
    return sb, app["id"]


def timers(sb):
    return {t["name"]: t for t in ok(sb.get("~/clock", token=CONTROL))["pending_timers"]}


def epoch(iso):
    return datetime.fromisoformat(iso).timestamp()


def test_a_code_sent_in_the_afternoon_is_texted_again_at_noon_the_next_day(control):
    sb, app_id = filing(control)
    app = to_sms(sb, app_id)
    sent = datetime.fromisoformat(app["verifications"][0]["sent_at"])
    assert sent.hour == 15  # the hand-over keeps the submit's time of day
    resend = timers(sb)["sms_auto_resend"]
    assert resend["due_at"].startswith(f"{sent.date().replace(day=sent.day + 1).isoformat()}T12:00:00")
    code = sms_code(sb, app_id)
    clock = ok(sb.get("~/clock", token=CONTROL))
    advance(sb, duration=f"{round(epoch(resend['due_at']) - clock['epoch'])}s")
    msgs = sms_messages(sb, app_id)
    assert len(msgs) == 2 and msgs[1]["to"] == msgs[0]["to"] and msgs[1]["text"] == msgs[0]["text"]  # the same code
    assert msgs[1]["at"] == resend["due_at"] and msgs[1]["sender"] == msgs[0]["sender"]
    app = get_app(sb, app_id)
    assert app["state"] == "sms_verification"
    [person] = app["verifications"]
    assert person["sends"] == 1 and person["auto_resent_at"] == resend["due_at"]
    assert [e["action"] for e in history(sb, app_id)][-1] == "auto_resend_sms"
    assert "sms_timeout" in timers(sb)  # the window keeps its end
    assert timers(sb)["sms_timeout"]["due_at"] == person["expires_at"]
    assert verify(sb, app_id, code).status_code == 200  # the code still works


def test_nobody_pending_gets_nothing_and_a_verified_order_disarms_it(control):
    sb, app_id = filing(control)
    to_sms(sb, app_id)
    assert verify(sb, app_id, sms_code(sb, app_id)).status_code == 200
    assert "sms_auto_resend" not in timers(sb)  # the order left the SMS step
    advance(sb, duration="2d")
    assert len(sms_messages(sb, app_id)) == 1


def test_a_morning_code_expires_before_noon_the_next_day_so_nothing_is_resent(control):
    sb, app_id = filing(control, clock_start="2026-06-01T09:00:00+08:00")
    to_sms(sb, app_id)
    assert "sms_auto_resend" not in timers(sb)
    advance(sb, duration="25h")
    assert get_app(sb, app_id)["state"] == "provider_rejected"
    assert len(sms_messages(sb, app_id)) == 1


def test_the_setting_turns_it_off(control):
    sb, app_id = filing(control, miit_auto_resend=False)
    to_sms(sb, app_id)
    assert "sms_auto_resend" not in timers(sb)
    advance(sb, duration="23h")
    assert len(sms_messages(sb, app_id)) == 1


def test_the_setting_must_be_a_boolean(control):
    resp = control.post("/api/v1/sandboxes", json={"settings": {"miit_auto_resend": "soon"}})
    assert resp.status_code == 422, resp.get_json()
