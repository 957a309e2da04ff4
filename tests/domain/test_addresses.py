"""通信地址不能跨市 (process.md §2.1, §8, H2): in Hebei, Henan and Guizhou the mailing address lies in
the city of the 证件住所; elsewhere another city of the province is fine."""

from datetime import date

import pytest

from backend.domain import addresses, forms_rules, province_rules

TODAY = date(2026, 6, 1)
ZHENGZHOU = {"province_code": "410000", "city_code": "410100", "district_code": "410105", "street": "金水路 1 号"}
NANYANG = {"province_code": "410000", "city_code": "411300", "district_code": "411302", "street": "人民路 1 号"}


def entity(province, address, printed):
    return {"type": "enterprise", "province": province, "mailing_address": address, "certificate_address": printed}


def found(ent):
    return [(p, c) for p, c, _ in forms_rules.problems("first_filing", {"entity": ent, "websites": []}, TODAY)]


@pytest.mark.parametrize(
    ("text", "province", "city"),
    [
        ("河南省郑州市金水区南阳路 100 号", "410000", "410100"),  # the first city named, not the street's
        ("郑州市金水区", "410000", "410100"),
        ("河北省涿州市范阳路 1 号", "130000", "130600"),  # a county-level city → its city (保定)
        ("贵州省黔南布依族苗族自治州都匀市", "520000", "522700"),
        ("济源市天坛路", "410000", "419000"),
        ("某路 1 号", "410000", None),
    ],
)
def test_the_city_a_certificate_address_names(text, province, city):
    assert addresses.city_named(text, province) == city


def test_the_three_provinces_carry_the_rule():
    assert {c for c, r in province_rules.RULES.items() if r.address_same_city} == {"13", "41", "52"}


def test_henan_refuses_a_mailing_address_in_another_city():
    problems = forms_rules.problems(
        "first_filing", {"entity": entity("41", NANYANG, "河南省郑州市金水区金水路 1 号")}, TODAY
    )
    assert [(p, c) for p, c, _ in problems] == [("entity.mailing_address.city_code", "ADDRESS_CROSS_CITY")]
    assert "郑州市" in problems[0][2]


def test_henan_accepts_the_same_city():
    assert found(entity("41", ZHENGZHOU, "河南省郑州市金水区金水路 1 号")) == []


def test_an_address_naming_no_city_is_left_to_the_reviewer():
    assert found(entity("41", NANYANG, "金水路 1 号")) == []


def test_other_provinces_allow_another_city():
    gz = {"province_code": "440000", "city_code": "440100", "district_code": "440106", "street": "天河路 1 号"}
    assert found(entity("44", gz, "广东省深圳市南山区科技园路 1 号")) == []
