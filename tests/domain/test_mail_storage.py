"""E-mail copies are stored packed (mail.pack) and read back exactly as sent (mail.unpack)."""

from backend.domain import mail


def _copy(code="ORDER_SUBMITTED", name="张三", audit=()):
    subject, body = mail.compose(code, "A0001", name, "您的备案订单 A0001 已提交。", audit)
    return {
        "id": "M000002",
        "at": "2026-06-01T09:00:00+08:00",
        "channel": "email",
        "to": "z@example.com",
        "sender": mail.SENDER,
        "code": code,
        "app_id": "A0001",
        "subject": subject,
        "text": body,
    }


def test_a_copy_is_stored_without_its_rendered_parts_and_read_back_whole():
    copy = _copy()
    packed = mail.pack(copy)
    assert "text" not in packed and "subject" not in packed and "sender" not in packed
    assert mail.unpack(packed) == copy


def test_a_nameless_recipient_round_trips():
    copy = _copy(name="")
    assert mail.unpack(mail.pack(copy)) == copy


def test_a_rejection_with_audit_lines_is_stored_whole():
    copy = _copy("PROVIDER_REJECTED", audit=[{"field": "name", "error": "不符", "suggest": "改"}])
    assert mail.pack(copy) is copy


def test_other_messages_and_foreign_bodies_are_kept_as_they_are():
    sms = {"id": "M1", "channel": "sms", "code": "MIIT_SMS_CODE", "text": "x"}
    assert mail.pack(sms) is sms and mail.unpack(sms) is sms
    odd = dict(_copy(), text="不是模板写的正文")
    assert mail.pack(odd) is odd
    bad = {"id": "M2", "channel": "email", "code": "ORDER_SUBMITTED", "mail": {"name": 3}}
    assert mail.unpack(bad) is bad


def test_wechat_and_wecom_deliver_the_account_s_in_site_messages():
    msgs = [
        {"id": "M1", "channel": "site", "to": "account", "code": "ORDER_SUBMITTED"},
        {"id": "M2", "channel": "sms", "to": "13800138000", "code": "MIIT_SMS_CODE"},
    ]
    assert mail.on_channel(msgs, None) == msgs
    assert mail.on_channel(msgs, "sms") == [msgs[1]]
    assert mail.on_channel(msgs, "wecom") == [dict(msgs[0], channel="wecom")]
    assert [m["id"] for m in mail.on_channel(msgs, "wechat")] == ["M1"] and msgs[0]["channel"] == "site"
