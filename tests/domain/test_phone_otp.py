"""Phone OTP while filling the forms (process.md §2.1, §9 item 2) and the agreement (§1.1), pure."""

import random

import pytest

from backend.domain import phone_otp as otp, readiness

T0 = 1_780_000_000.0
ZHANG = {"name": "张三", "certificate_number": "440305199001010018", "mobile": "13800138000", "email": "z@x.cn"}
LI = {"name": "李四", "certificate_number": "110101199003077774", "mobile": "13700137000"}


def order(*sites, kind="first_filing", entity_type="enterprise"):
    return {
        "kind": kind,
        "payload": {
            "entity": {"type": entity_type, "responsible": dict(ZHANG, emergency_phone="13900001111")},
            "websites": [dict({"name": "x"}, **({"responsible": s} if s else {})) for s in sites],
        },
    }


def test_one_check_per_distinct_mobile_in_form_order_never_the_emergency_phone():
    got = otp.people(order(LI, ZHANG, LI, None))
    assert [(p["mobile"], p["paths"]) for p in got] == [
        ("13800138000", ["entity.responsible", "websites.1.responsible"]),
        ("13700137000", ["websites.0.responsible", "websites.2.responsible"]),
    ]
    assert otp.people(order(kind="cancel_entity")) == []  # no forms of people to fill


def test_a_code_verifies_within_five_minutes():
    check = otp.send(None, otp.people(order())[0], "A0001", "123456", T0)
    assert check["id"] == "A0001:13800138000" and check["expires_at"] == T0 + 300
    assert otp.public(check, otp.people(order())[0], T0)["state"] == "sent"
    done = otp.check_code(check, "123456", T0 + 299)
    assert done["state"] == otp.VERIFIED and done["code"] is None and otp.verified([done], "13800138000")
    with pytest.raises(otp.OtpError) as e:
        otp.check_code(check, "123456", T0 + 300)
    assert e.value.code == "PHONE_CODE_EXPIRED"
    assert otp.public(check, otp.people(order())[0], T0 + 300)["state"] == "void"


def test_the_fifth_wrong_entry_spends_the_code():
    check = otp.send(None, otp.people(order())[0], "A0001", "123456", T0)
    for left in (4, 3, 2, 1):
        with pytest.raises(otp.OtpError) as e:
            otp.check_code(check, "654321", T0 + 1)
        assert e.value.code == "PHONE_CODE_WRONG" and e.value.details["attempts_left"] == left
        check = e.value.details["check"]
    with pytest.raises(otp.OtpError) as e:
        otp.check_code(check, "654321", T0 + 1)
    assert e.value.code == "PHONE_CODE_SPENT"
    spent = e.value.details["check"]
    with pytest.raises(otp.OtpError) as e:
        otp.check_code(spent, "123456", T0 + 2)
    assert e.value.code == "PHONE_CODE_NOT_SENT"


def test_resend_countdown_and_daily_cap():
    person = otp.people(order())[0]
    check = otp.send(None, person, "A0001", "000001", T0)
    with pytest.raises(otp.OtpError) as e:
        otp.send(check, person, "A0001", "000002", T0 + 59)
    assert e.value.code == "PHONE_CODE_TOO_SOON" and e.value.details["retry_after"] == 1
    for i in range(1, otp.MAX_SENDS):
        check = otp.send(check, person, "A0001", f"00000{i}", T0 + 60 * i)
    with pytest.raises(otp.OtpError) as e:
        otp.send(check, person, "A0001", "000009", T0 + 60 * otp.MAX_SENDS)
    assert e.value.code == "PHONE_CODE_TOO_MANY_SENDS"
    assert otp.send(check, person, "A0001", "000009", T0 + 24 * 3600)["code"] == "000009"
    with pytest.raises(otp.OtpError) as e:
        otp.send(otp.check_code(check, check["code"], check["sent_at"]), person, "A0001", "1", T0 + 9e5)
    assert e.value.code == "PHONE_ALREADY_VERIFIED"


def test_codes_are_six_digits():
    assert all(len(otp.code(random.Random(i))) == 6 and otp.code(random.Random(i)).isdigit() for i in range(50))


def test_readiness_asks_for_the_agreement_and_the_phones_only_when_told():
    o = order(LI)
    assert not [m for m in readiness.missing(o, now=T0) if m.stage in ("phone", "agreement")]  # legacy callers
    need = [(m.stage, m.code, m.path) for m in readiness.missing(o, now=T0, phone_checks=[]) if m.stage != "materials"]
    assert need[0] == ("agreement", "AGREEMENT_NOT_ACCEPTED", "agreement")
    assert ("phone", "PHONE_NOT_VERIFIED", "entity.responsible.mobile") in need
    assert ("phone", "PHONE_NOT_VERIFIED", "websites.0.responsible.mobile") in need
    done = otp.check_code(otp.send(None, otp.people(o)[1], "A0001", "111111", T0), "111111", T0)
    after = readiness.missing(o, now=T0, phone_checks=[done], agreement={"accepted_at": "2026-06-01T09:00:00+08:00"})
    assert [(m.code, m.path) for m in after if m.stage in ("phone", "agreement")] == [
        ("PHONE_NOT_VERIFIED", "entity.responsible.mobile")
    ]
    assert readiness.missing({"kind": "cancel_entity", "payload": {}}, now=T0, phone_checks=[]) == []
