"""MIIT's per-person SMS check, as pure functions (backend/domain/miit.py)."""

import random

from backend.domain import miit


def test_mask():
    assert miit.mask("13800138000") == "138****8000"
    assert miit.mask("account") == "account" and miit.mask(None) == ""


def test_one_verification_per_distinct_mobile():
    boss = {"name": "王五", "mobile": "13900139000", "certificate_number": "44030519800101456X"}
    site = {"name": "李四", "mobile": "13700137000", "certificate_number": "440305198505050019"}
    people = miit.people([("entity", boss), ("website", site), ("website", boss), ("website", {"mobile": None})])
    assert [(p["person"], p["roles"], p["mobile"], p["id_last6"]) for p in people] == [
        ("P1", ["entity", "website"], "13900139000", "01456X"),
        ("P2", ["website"], "13700137000", "050019"),
    ]


def v(**over):
    return {
        "person": "P1",
        "roles": ["entity"],
        "name": "张三",
        "mobile": "13800138000",
        "id_last6": "01001X",
        "code": "123456",
        "state": miit.PENDING,
        "sent_at": 0.0,
        "last_sent_at": 0.0,
        "expires_at": 86400.0,
        "sends": 1,
        **over,
    }


def test_each_field_is_checked():
    assert miit.mismatches(v(), "13800138000", "01001x", "123456") == []
    assert miit.mismatches(v(), "13900000000", "000000", "654321") == ["mobile", "id_last6", "code"]
    assert miit.mismatches(v(), None, None, "123456") == []  # the one-box form: the code alone


def test_find():
    a, b = v(), v(person="P2", mobile="13700137000", code="999999")
    assert miit.find([a, b], person="P2") is b
    assert miit.find([a, b], mobile="13800138000") is a
    assert miit.find([a, b], code_="999999") is b
    assert miit.find([a, b]) is None and miit.find([a]) is a


def test_resend_rules():
    assert miit.resend_refusal(v(), 30) == "TOO_SOON"
    assert miit.resend_refusal(v(), 61) is None
    assert miit.resend_refusal(v(sends=miit.MAX_SENDS), 61) == "TOO_MANY"
    assert miit.resend_refusal(v(), 90000) == "WINDOW_OVER"
    assert miit.resend_refusal(v(state=miit.VERIFIED), 61) == "NOT_PENDING"


def test_sms_text_points_to_miit():
    text = miit.sms_text("123456", "24 小时")
    assert "123456" in text and miit.SITE in text and "小程序" not in text and text.startswith("【工信部】")
    assert miit.code(random.Random(1)) == miit.code(random.Random(1)) and len(miit.code(random.Random(2))) == 6


def test_all_verified():
    assert not miit.all_verified([])
    assert miit.all_verified([v(state=miit.VERIFIED)]) and not miit.all_verified([v(state=miit.VERIFIED), v()])
