"""办公室电话的区号 (process.md §2.1, T37, T48, A6): an office landline's area code matches the
entity's mailing address — its province, and its city where the code serves named cities."""

from datetime import date

import pytest
from support.people import person, resident_id

from backend.domain import area_codes, forms_rules

TODAY = date(2026, 6, 1)
SZ = {"province_code": "440000", "city_code": "440300", "district_code": "440305", "street": "科技园路 1 号"}
GZ = {"province_code": "440000", "city_code": "440100", "district_code": "440106", "street": "天河路 1 号"}
BJ = {"province_code": "110000", "city_code": "110100", "district_code": "110105", "street": "建国路 1 号"}


def org_payload(address, office, owner_office=None):
    boss = dict(person(), office_phone=office)
    owner = dict(
        person(name="李四", cert=resident_id("44030519850505001"), mobile="13700137000", email="ls@example.com")
    )
    if owner_office:
        owner["office_phone"] = owner_office
    entity = {"type": "enterprise", "province": address["province_code"][:2], "mailing_address": address}
    return {"entity": dict(entity, responsible=boss), "websites": [{"name": "示例科技官网", "responsible": owner}]}


def found(payload):
    return [(path, code) for path, code, _ in forms_rules.problems("first_filing", payload, TODAY)]


@pytest.mark.parametrize(
    ("phone", "prefix", "province", "cities"),
    [
        ("0755-86013388", "755", "440000", ("440300",)),
        ("075586013388", "755", "440000", ("440300",)),
        ("010-12345678", "10", "110000", ()),
        ("0898-66123456", "898", "460000", ()),  # one code for all of Hainan
        ("0335-3012345", "33", "130000", ("130300",)),  # the 2-digit row covers 033x
    ],
)
def test_the_table_knows_the_code(phone, prefix, province, cities):
    code = area_codes.of(phone)
    assert (code.prefix, code.province, code.cities) == (prefix, province, cities)


def test_a_mobile_or_an_unknown_code_is_not_a_landline_it_knows():
    assert area_codes.of("13800138000") is None
    assert area_codes.of("12345") is None


def test_codes_shared_by_several_cities_serve_each():
    assert {"430100", "430200", "430300"} <= set(area_codes.of("0731-88888888").cities)  # 长沙 株洲 湘潭
    assert {"341200", "341600"} <= set(area_codes.of("0558-5123456").cities)  # 阜阳 亳州


def test_a_matching_landline_passes():
    assert found(org_payload(SZ, "0755-86013388")) == []
    assert found(org_payload(BJ, "010-86013388")) == []


def test_another_provinces_code_is_refused():
    assert ("entity.responsible.office_phone", "OFFICE_PHONE_AREA_CODE_MISMATCH") in found(
        org_payload(BJ, "0755-86013388")
    )


def test_another_citys_code_in_the_same_province_is_refused():
    problems = forms_rules.problems("first_filing", org_payload(GZ, "0755-86013388"), TODAY)
    assert [(p, c) for p, c, _ in problems] == [("entity.responsible.office_phone", "OFFICE_PHONE_AREA_CODE_MISMATCH")]
    assert "0755" in problems[0][2] and "广州市" in problems[0][2]


def test_a_website_owners_office_phone_meets_the_entitys_address():
    payload = org_payload(SZ, "0755-86013388", owner_office="020-12345678")
    assert found(payload) == [("websites.0.responsible.office_phone", "OFFICE_PHONE_AREA_CODE_MISMATCH")]


def test_a_mobile_as_office_phone_has_no_area_code_to_check():
    assert found(org_payload(GZ, "13600136000")) == []
