"""备案地域's city and district on 验证备案类型 (process.md §1.2): division codes inside the chosen
province; a person in a province that takes no non-local IDs files in their ID's city/district."""

import pytest
from support.people import ZHANG_SAN_ID, resident_id
from test_verification_gates import ask, domain, world

from backend.domain import filing_province, kinds, new_filing_gate, provinces, verification, verify_inputs
from backend.domain.errors import Conflict, Unprocessable

HENAN_ID = resident_id("41010519900101001")  # 郑州市金水区 (410105); Henan refuses non-local IDs


def errors_of(req):
    with pytest.raises(Unprocessable) as exc:
        verify_inputs.check_request(req)
    return exc.value.errors


def test_the_city_lies_in_the_province_and_the_district_in_the_city():
    verify_inputs.check_request(ask(city="440300", district="440305"))
    verify_inputs.check_request(ask(city="440300"))
    verify_inputs.check_request(ask())  # province only, as before
    assert errors_of(ask(city="110100")) == {"city": ["所选城市（市辖区）不属于广东省"]}
    assert errors_of(ask(city="440300", district="110105")) == {"district": ["所选区县（朝阳区）不属于深圳市"]}
    assert list(errors_of(ask(city="999999"))) == ["city"]
    assert "先选择城市" in errors_of(ask(district="440305"))["city"][0]


def henan(city=None, district=None, settings=None):
    person = {"type": "personal", "certificate_type": "resident_id", "certificate_number": HENAN_ID}
    province = filing_province.province_of("41", settings)
    return filing_province.region_problems(person, province, city, district, strict=filing_province.strict(settings))


def test_a_person_files_in_the_ids_city_and_district_where_non_local_ids_are_refused():
    assert henan("410100", "410105") == [] and henan() == [] and henan("410100") == []
    (found,) = henan("410300")
    assert found[:2] == ("city", "NONLOCAL_PERSONAL_ID") and "郑州市" in found[2]
    (found,) = henan("410100", "410102")
    assert found[:2] == ("district", "NONLOCAL_PERSONAL_ID") and "金水区" in found[2]
    assert henan("410300", settings={"strict_nonlocal_id": False}) == []


def test_a_province_that_takes_non_local_ids_takes_another_city():
    person = {"type": "personal", "certificate_type": "resident_id", "certificate_number": ZHANG_SAN_ID}
    assert provinces.get("44").nonlocal_personal_id == "residence_permit"
    assert filing_province.region_problems(person, provinces.get("44"), "440100", None) == []


def test_an_organisations_city_is_its_mailing_address():
    org = {"type": "enterprise", "certificate_type": "uscc", "certificate_number": "x"}
    assert filing_province.region_problems(org, provinces.get("41"), "410300", None) == []


def test_the_answer_carries_the_region_into_the_mailing_address():
    out = verification.decide(ask(city="440300", district="440305"), world(domains=[domain()]))
    assert (out["city"], out["district"]) == ("440300", "440305")
    assert out["mailing_address"] == {"province_code": "440000", "city_code": "440300", "district_code": "440305"}
    plain = verification.decide(ask(), world(domains=[domain()]))
    assert "city" not in plain and "mailing_address" not in plain


def test_the_verification_refuses_another_city_per_field():
    req = ask(province="41", certificate_number=HENAN_ID, city="410300")
    w = world(domains=[domain(holder_certificate_number=HENAN_ID)])
    with pytest.raises(Unprocessable) as exc:
        verification.decide(req, w)
    assert list(exc.value.errors) == ["city"]
    assert verification.decide(dict(req, city="410100"), w)["scenario"] == "first_filing"


def test_the_forms_mailing_address_lies_in_the_same_region():
    spec = kinds.get(kinds.FIRST_FILING)
    entity = {
        "type": "personal",
        "certificate_type": "resident_id",
        "certificate_number": HENAN_ID,
        "province": "41",
        "mailing_address": {"province_code": "410000", "city_code": "410300", "district_code": "410302"},
    }
    found = filing_province.entry_problems(spec, {"entity": entity}, {})
    assert [p[:2] for p in found] == [("entity.mailing_address.city_code", "NONLOCAL_PERSONAL_ID")]
    home = dict(entity, mailing_address={"province_code": "410000", "city_code": "410100", "district_code": "410105"})
    assert filing_province.entry_problems(spec, {"entity": home}, {}) == []
    assert filing_province.entry_problems(spec, {"entity": entity}, {"strict_nonlocal_id": False}) == []
    elsewhere = dict(entity, mailing_address=dict(entity["mailing_address"], province_code="440000"))
    assert (
        filing_province.entry_problems(spec, {"entity": elsewhere}, {}) == []
    )  # forms_rules: ADDRESS_PROVINCE_MISMATCH


# -- 主办者冲突: an order of the entity open at another provider (§1.3) ----------------------------


def test_an_order_open_at_another_provider_refuses_the_verification_and_the_order():
    w = world(domains=[domain()])
    w.orders_elsewhere = {ZHANG_SAN_ID: {"provider": "aliyun"}}
    with pytest.raises(Conflict) as exc:
        verification.decide(ask(), w)
    assert exc.value.code == "ENTITY_ORDER_ELSEWHERE" and exc.value.message.startswith("此证件存在进行中的订单")
    assert "主办者冲突" in exc.value.details["suggest"] and exc.value.details["provider"] == "aliyun"
    payload = {"entity": {"type": "personal", "certificate_number": ZHANG_SAN_ID}, "websites": []}
    with pytest.raises(Conflict) as exc:
        new_filing_gate.check(kinds.get(kinds.FIRST_FILING), payload, None, w)
    assert exc.value.code == "ENTITY_ORDER_ELSEWHERE"
    w.orders_elsewhere = {"440305198505050019": {}}  # another person's order
    assert verification.decide(ask(), w)["scenario"] == "first_filing"
