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
    assert otp.is_spent(spent) and not otp.is_spent(check)
    for entered in ("123456", "654321"):  # right or wrong, the spent code answers so until a new one
        with pytest.raises(otp.OtpError) as e:
            otp.check_code(spent, entered, T0 + 2)
        assert e.value.code == "PHONE_CODE_SPENT" and "check" not in e.value.details
    fresh = otp.send(spent, otp.people(order())[0], "A0001", "222222", T0 + 60)
    assert otp.check_code(fresh, "222222", T0 + 61)["state"] == "verified"


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


# -- change orders: only the mobiles the changes set anew (process.md §5 "Changed phone") ------

WANG = {"name": "王五", "certificate_number": "440305198001014567", "mobile": "13900139000", "email": "w@x.cn"}
ENTITY = {"type": "enterprise", "responsible": WANG}
SITES = {"W0001": {"id": "W0001", "responsible": LI}, "W0002": {"id": "W0002", "responsible": None}}


def change(entity=None, websites=None, kind="change_filing"):
    payload = {}
    if entity is not None:
        payload["entity"] = entity
    if websites is not None:
        payload["websites"] = websites
    return {"kind": kind, "payload": payload}


def new_mobiles(o, on_record=None):
    return [(p["mobile"], p["name"], p.get("email"), p["paths"]) for p in otp.people(o, on_record)]


def test_a_change_order_asks_for_the_new_mobile_with_the_recorded_name_and_email():
    o = change({"responsible": {"mobile": "13600136000"}})
    record = otp.recorded(o, ENTITY, SITES)
    assert new_mobiles(o, record) == [("13600136000", "王五", "w@x.cn", ["entity.responsible"])]
    assert new_mobiles(o) == [("13600136000", "", None, ["entity.responsible"])]  # no record at hand: asked


def test_a_change_order_keeps_the_mobile_on_record_unasked():
    o = change({"address": "x", "responsible": {"mobile": WANG["mobile"], "email": "new@x.cn"}})
    assert otp.people(o, otp.recorded(o, ENTITY, SITES)) == []
    assert otp.people(change({"address": "x"}), otp.recorded(change({"address": "x"}), ENTITY, SITES)) == []
    site_same = change(websites=[{"website_id": "W0001", "responsible": {"mobile": LI["mobile"]}}])
    assert otp.people(site_same, otp.recorded(site_same, ENTITY, SITES)) == []


def test_a_website_owner_change_compares_with_the_site_else_the_entity_owner():
    o = change(
        websites=[
            {"website_id": "W0001", "responsible": {"mobile": WANG["mobile"]}},  # 李四's site: new for it
            {"website_id": "W0002", "responsible": {"mobile": WANG["mobile"]}},  # the entity's owner: unchanged
        ],
        kind="change_website",
    )
    record = otp.recorded(o, ENTITY, SITES)
    assert record["websites.1.responsible"] == WANG and record["entity.responsible"] == WANG
    assert new_mobiles(o, record) == [("13900139000", "李四", None, ["websites.0.responsible"])]


def test_readiness_of_a_change_order_asks_only_for_the_new_phone():
    o = change({"responsible": {"mobile": "13600136000"}})
    record = otp.recorded(o, ENTITY, SITES)
    need = readiness.missing(o, ENTITY, now=T0, phone_checks=[], on_record=record)
    assert [(m.stage, m.code, m.path) for m in need] == [("phone", "PHONE_NOT_VERIFIED", "entity.responsible.mobile")]
    done = otp.check_code(otp.send(None, otp.people(o, record)[0], "A0002", "222222", T0), "222222", T0)
    assert readiness.missing(o, ENTITY, now=T0, phone_checks=[done], on_record=record) == []
    assert readiness.missing(o, ENTITY, now=T0, on_record=record) == []  # legacy callers: nothing asked
    assert otp.needs_record(o) and not otp.needs_record(order())
