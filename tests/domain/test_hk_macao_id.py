"""Zhejiang's SMS digits for HK/Macau permit holders (process.md §5 [A1, V2]): MIIT asks the last 6
of the permit number, but in Zhejiang the last 6 of the holder's HK/Macau identity card number
(printed on the permit's back), written with full-width brackets."""

from support.people import person

from backend.domain import forms_people, miit

HOLDER = dict(
    person(name="陈大文", cert="H12345678", mobile="13600136000"),
    certificate_type="hk_macao_permit",
    hk_macao_id="A123456(7)",
)


def test_zhejiang_asks_the_last_six_of_the_hk_id_with_full_width_brackets():
    assert miit.id_digits(HOLDER, "33") == "456（7）"
    [v] = miit.people([("website", HOLDER)], "33")
    assert v["id_last6"] == "456（7）"


def test_elsewhere_the_permit_numbers_last_six():
    assert miit.id_digits(HOLDER, "44") == "345678"
    assert miit.people([("website", HOLDER)])[0]["id_last6"] == "345678"


def test_a_holder_without_the_card_number_falls_back_to_the_permit():
    holder = {k: v for k, v in HOLDER.items() if k != "hk_macao_id"}
    assert miit.id_digits(holder, "33") == "345678"


def test_the_check_wants_full_width_brackets():
    v = {"mobile": HOLDER["mobile"], "id_last6": "456（7）", "code": "123456"}
    assert miit.mismatches(v, HOLDER["mobile"], "456（7）", "123456") == []
    assert miit.mismatches(v, HOLDER["mobile"], "456(7)", "123456") == ["id_last6"]
    assert miit.mismatches(v, HOLDER["mobile"], "345678", "123456") == ["id_last6"]


def test_the_card_number_is_checked_at_entry():
    def found(owner):
        payload = {"entity": {"type": "enterprise"}, "websites": [{"responsible": owner}]}
        return [(p, c) for p, c, _ in forms_people.problems(payload, "33")]

    assert found(HOLDER) == []
    assert found(dict(HOLDER, hk_macao_id="1234567（8）")) == []  # a Macau card, full-width brackets
    assert found(dict(HOLDER, hk_macao_id="A1234567")) == [("websites.0.responsible.hk_macao_id", "FIELD_INVALID")]
    resident = dict(person(), hk_macao_id="A123456(7)")
    assert found(resident) == [("websites.0.responsible.hk_macao_id", "FIELD_NOT_ALLOWED")]
