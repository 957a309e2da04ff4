"""What the conversation says after submission when a sandbox follows process.md's timeline
(settings of domain/timeline.py): MIIT's result before Tencent's sync, a pending automatic
resubmission after an SMS timeout, the reviewer's unanswered call, a site online during the
bureau's review. With the default settings none of it shows (the chat goldens hold that)."""

from datetime import datetime, timedelta

from api.chat_flows import Chat, bot, one, submit, to_confirm
from api.flows import CONTROL, advance, get_app, latest_codes, ok, until_idle

REVIEWER = "0755-33216425、010-67441012、010-67441011"  # process.md §6.1 "Call" [T45, T10]


def submitted(control, *faults, **settings):
    sb = new_sandbox_demo(control, settings)
    for rule in faults:
        ok(sb.post("~/faults", json=rule, token=CONTROL), 201)
    chat = Chat(sb)
    body = submit(to_confirm(chat))
    return sb, chat, body["application_id"], body["last_seq"]


def new_sandbox_demo(control, settings):
    from api.flows import new_sandbox

    return new_sandbox(control, preset="demo", seed=42, settings=settings)


def to_bureau_decision(sb):
    """Advance to the bureau timer's due time (MIIT's decision), not past it."""
    clock = ok(sb.get("~/clock", token=CONTROL))
    due = datetime.fromisoformat(clock["pending_timers"][0]["due_at"]).timestamp()
    advance(sb, duration=f"{round(due - clock['epoch'])}s")


def answer_sms(sb, chat, app_id):
    until_idle(sb)
    news = chat.poll(0)
    assert news["step"] == "sms", news["step"]
    for code in latest_codes(sb, app_id).values():
        chat.send(text=code)
    return chat.last["last_seq"]


def test_miit_s_approval_shows_before_tencent_syncs(control):
    sb, chat, app_id, _ = submitted(control, tencent_sync_hours=6)
    seen = answer_sms(sb, chat, app_id)
    to_bureau_decision(sb)
    app = get_app(sb, app_id)
    assert app["state"] == "bureau_review" and app["miit_result"]["verdict"] == "approve"
    news = chat.poll(seen)
    card = one(news, "STATUS_CARD")
    numbers = app["result"]["website_numbers"]
    assert card["card"]["miit_result"]["numbers"] == {
        "entity_number": app["result"]["entity_number"],
        "website_numbers": numbers,
    }
    sync_at = card["card"]["miit_result"]["tencent_sync_at"]
    assert sync_at == app["miit_result"]["tencent_sync_at"]
    nxt = card["card"]["next_step"]
    assert "工信部已通知：管局审核通过" in nxt and numbers[0] in nxt
    assert sync_at.replace("T", " ")[:16] in nxt and "管局审核中" in nxt
    assert nxt in card["text"]
    assert "sms_resubmit" not in card["card"]
    status = chat.send(command="status")
    assert "工信部已通知" in one(status, "STATUS_CARD")["text"]

    until_idle(sb)  # Tencent syncs: the order is approved, the MIIT note is gone
    done = chat.poll(status["last_seq"])
    card = one(done, "STATUS_CARD")["card"]
    assert card["state"] == "approved" and "miit_result" not in card and "工信部已通知" not in card["next_step"]
    assert one(done, "RECORD_NUMBERS")


def test_miit_s_rejection_shows_the_reasons_before_tencent_syncs(control):
    rule = {"effect": "reject", "stage": "bureau", "codes": ["DOMAIN_CONFLICT"]}
    sb, chat, app_id, _ = submitted(control, rule, tencent_sync_hours=6)
    seen = answer_sms(sb, chat, app_id)
    to_bureau_decision(sb)
    card = one(chat.poll(seen), "STATUS_CARD")["card"]
    assert card["state"] == "bureau_review" and card["miit_result"]["verdict"] == "reject"
    assert card["miit_result"]["numbers"] == {}
    assert "管局审核未通过" in card["next_step"] and "域名冲突" in card["next_step"]


def test_a_pending_automatic_resubmission_and_an_edit_cancelling_it(control):
    sb, chat, app_id, _ = submitted(control, sms_timeout_resubmit_hours=24)
    until_idle(sb)
    seen = chat.poll(0)["last_seq"]
    advance(sb, duration="25h")  # the SMS window (24 h) closes
    app = get_app(sb, app_id)
    assert app["state"] == "provider_rejected" and app["sms_resubmit"]
    news = chat.poll(seen)
    status = one(news, "STATUS_CARD")
    card = status["card"]
    due = card["sms_resubmit"]["due_at"]
    note = card["sms_resubmit"]["text"]
    assert due.replace("T", " ")[:16] in note and "不再自动重新提交" in note and note in status["text"]
    assert datetime.fromisoformat(due) - datetime.fromisoformat(app["sms_resubmit"]["returned_at"]) == timedelta(
        hours=24
    )
    prompt = one(news, "REJECTED")
    assert "腾讯云将于" in prompt["text"] and "不再自动重新提交" in prompt["text"]
    assert news["step"] == "rejected"

    chat.choose("edit")  # an edit (saved and resubmitted) cancels the automatic resubmission
    assert chat.step.startswith("form.")
    timers = ok(sb.get("~/clock", token=CONTROL))["pending_timers"]
    assert "auto_resubmit" in [t["name"] for t in timers]


def test_without_the_settings_the_rejection_says_nothing_new(control):
    sb, chat, app_id, _ = submitted(control, sms_timeout_resubmit_hours=None)
    until_idle(sb)
    seen = chat.poll(0)["last_seq"]
    advance(sb, duration="25h")
    news = chat.poll(seen)
    card = one(news, "STATUS_CARD")["card"]
    assert "sms_resubmit" not in card and "miit_result" not in card
    assert "腾讯云将于" not in one(news, "REJECTED")["text"]


def test_the_reviewer_s_unanswered_call_says_whom_and_the_reviewer_s_numbers(control):
    rule = {"effect": "reject", "stage": "provider", "codes": ["CALL_UNREACHABLE"]}
    sb, chat, app_id, seen = submitted(control, rule)
    until_idle(sb)
    news = chat.poll(seen)
    prompt = one(news, "REJECTED")
    assert [a["code"] for a in prompt["audit_data"]] == ["CALL_UNREACHABLE"]
    assert "13800138000" in prompt["text"] and REVIEWER in prompt["text"]
    assert "约 1 小时后再次致电" in prompt["text"] and "直接重新提交" in prompt["text"]
    assert "resubmit" in [c["value"] for c in news["accepts"]["choices"]]


def test_a_site_online_during_the_bureau_review_says_to_take_it_offline(control):
    sb, chat, app_id, seen = submitted(control)
    ok(sb.patch("~/domains/zhangsan-blog.cn", json={"site_online": True}, token=CONTROL))
    seen = answer_sms(sb, chat, app_id)
    until_idle(sb)
    news = chat.poll(seen)
    prompt = one(news, "REJECTED")
    assert "SITE_REACHABLE_DURING_REVIEW" in [a["code"] for a in prompt["audit_data"]]
    assert "zhangsan-blog.cn" in prompt["text"] and "暂停域名解析" in prompt["text"]
    assert "site_online" in prompt["text"]


def test_english_texts_exist_for_the_new_notes(control):
    sb = new_sandbox_demo(control, {"tencent_sync_hours": 6})
    chat = Chat(sb, body={"locale": "en"})
    body = submit(to_confirm(chat))
    app_id = body["application_id"]
    seen = answer_sms(sb, chat, app_id)
    to_bureau_decision(sb)
    card = one(chat.poll(seen), "STATUS_CARD")["card"]
    assert card["next_step"].startswith("MIIT says the bureau approved")
    assert not [m for m in bot(chat.transcript()) if "工信部已通知" in m["text"]]
