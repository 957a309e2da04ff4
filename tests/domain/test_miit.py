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


def test_a_wrong_mobile_is_an_entry_of_someone_pending():
    """A mobile nobody on the order has counts as a wrong entry [T8]: against the person whose
    code it carries, else the first still pending; a named person is always that person."""
    a, b = v(state=miit.VERIFIED), v(person="P2", mobile="13700137000", code="999999")
    assert miit.answering([a, b], None, "13111111111", "999999") is b
    assert miit.answering([a, b], None, "13111111111", "000000") is b  # the first pending
    assert miit.answering([a, b], None, "13800138000", "123456") is a  # a verified one: ALREADY_VERIFIED
    assert miit.answering([a, b], "P3", None, "999999") is None
    assert miit.mismatches(b, "13111111111", None, "999999") == ["mobile"]


def test_the_answer_of_a_right_entry():
    assert (
        miit.done_message([v(state=miit.VERIFIED), v(person="P2")]) == "您的短信核验完成，请等待其他核验人进行短信核验"
    )
    assert miit.done_message([v(state=miit.VERIFIED)]) == "您的短信核验已全部完成，该请求将提交管局审核"


def test_resend_names_a_person_by_phone_and_id_digits():
    a, b = v(), v(person="P2", mobile="13700137000", id_last6=None)
    assert miit.resend_target([a, b], "13800138000", "01001x") is a
    assert miit.resend_target([a, b], "13800138000", "000000") is None  # 该条验证库里找不到记录
    assert miit.resend_target([a, b], "13111111111", None) is None
    assert miit.resend_target([a, b], "13700137000", "123456") is b  # no ID on record: the phone alone
    assert miit.resend_target([a, b], None, None, person="P2") is b
    assert miit.NO_RECORD_ZH == "该条验证库里找不到记录"
    assert miit.NOTHING_PENDING_ZH == "暂无待短信核验的备案申请，无需重发短信"
