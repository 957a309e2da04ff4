"""Province rules as data (process.md §8, data/province_rules.csv), each enforced where the real
system enforces it: at entry (forms_rules.problems) or in the material slots (materials.required)."""

from datetime import date

import pytest
from support.people import person, resident_id

from backend.domain import forms_rules, materials, province_rules, provinces

TODAY = date(2026, 6, 1)
BOSS = person(name="王五", cert=resident_id("44030519800101456"))
REP = {"name": "赵六", "certificate_number": resident_id("44030519700101789")}


def org_payload(province, sites=1, rep=None, office=None):
    boss = dict(BOSS, **({"office_phone": office} if office else {}))
    entity = {"type": "enterprise", "province": province, "responsible": boss}
    if rep:
        entity["legal_representative"] = rep
    return {
        "entity": entity,
        "websites": [{"name": f"站{i}", "service_content": "enterprise_site"} for i in range(sites)],
    }


def codes(payload):
    return {code for _, code, _ in forms_rules.problems("first_filing", payload, TODAY)}


def test_every_province_has_a_row():
    assert set(province_rules.RULES) == {p.code for p in provinces.all_provinces()}


@pytest.mark.parametrize("province,refused", [("42", True), ("43", True), ("41", True), ("44", False), ("11", False)])
def test_one_website_per_order(province, refused):
    assert ("ONE_SITE_PER_ORDER" in codes(org_payload(province, sites=2))) is refused
    assert "ONE_SITE_PER_ORDER" not in codes(org_payload(province, sites=1))


@pytest.mark.parametrize(
    "province,rule",
    [("44", "lr"), ("12", "lr"), ("51", "lr_or_auth"), ("22", "lr_or_auth"), ("11", "any"), ("32", "any")],
)
def test_entity_owner_must_be_the_legal_rep_or_authorised(province, rule):
    assert province_rules.get(province).entity_owner == rule
    payload = org_payload(province, rep=REP)
    slots = [s.key for s in materials.required("first_filing", payload["entity"], payload["websites"], province)]
    if rule == "lr":  # refused at entry
        assert "OWNER_MUST_BE_LEGAL_REP" in codes(payload) and "authorization_letter" not in slots
    elif rule == "lr_or_auth":  # allowed with the letter
        assert "OWNER_MUST_BE_LEGAL_REP" not in codes(payload) and "authorization_letter" in slots
    else:  # allowed without one
        assert "OWNER_MUST_BE_LEGAL_REP" not in codes(payload) and "authorization_letter" not in slots
    # the owner being the legal rep passes everywhere
    assert "OWNER_MUST_BE_LEGAL_REP" not in codes(
        org_payload(province, rep={"name": "王五", **{"certificate_number": BOSS["certificate_number"]}})
    )


@pytest.mark.parametrize("province,refused", [("11", True), ("21", True), ("22", True), ("44", False)])
def test_office_phone_may_not_be_the_owner_mobile(province, refused):
    payload = org_payload(province, office=BOSS["mobile"])
    assert ("OFFICE_SAME_AS_MOBILE" in codes(payload)) is refused


@pytest.mark.parametrize(
    "province,document",
    [("32", "domain_certificate"), ("43", "domain_certificate"), ("65", "party_building_letter"), ("44", None)],
)
def test_extra_documents(province, document):
    payload = org_payload(province)
    slots = [s.key for s in materials.required("first_filing", payload["entity"], payload["websites"], province)]
    extra = {s.split(".")[-1] for s in slots} - {
        "entity_certificate",
        "entity_owner_id_front",
        "entity_owner_id_back",
        "commitment_letter",
    }
    assert extra == ({document} if document else set())


@pytest.mark.parametrize("province,slot", [("42", True), ("31", True), ("44", False)])
def test_non_local_personal_id_needs_a_residence_permit_where_allowed(province, slot):
    entity = {
        "type": "personal",
        "certificate_type": "resident_id",
        "certificate_number": BOSS["certificate_number"],
        "province": province,
        "responsible": BOSS,
    }
    got = [s.key for s in materials.required("first_filing", entity, [{}], province)]
    assert ("residence_permit" in got) is slot
