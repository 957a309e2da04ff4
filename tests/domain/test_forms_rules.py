"""The real forms' rules (process.md §2), checked at entry: one test per rule, each able to fail."""

from datetime import date

from support.people import person, resident_id

from backend.domain import forms_rules

TODAY = date(2026, 6, 1)
ME = person()
OTHER = person(name="李四", cert=resident_id("44030519850505001"), mobile="13700137000")
ADDRESS = {"province_code": "440000", "city_code": "440300", "district_code": "440305", "street": "科技园路 1 号"}


def codes(payload, kind="first_filing"):
    return {code for _, code, _ in forms_rules.problems(kind, payload, TODAY)}


def personal(**entity):
    ent = {
        "type": "personal",
        "province": "44",
        "certificate_number": ME["certificate_number"],
        "responsible": dict(ME),
    }
    ent.update(entity)
    return {"entity": ent, "websites": [{"name": "x"}]}


def test_a_complete_form_has_no_problem():
    payload = personal(mailing_address=ADDRESS, certificate_address="广东省深圳市南山区科技园路 1 号")
    payload["entity"]["responsible"].update(
        emergency_phone="13900001111", id_valid_until="长期", office_phone="0755-86013388"
    )
    payload["websites"][0]["languages"] = ["1", "12"]
    assert codes(payload) == set()
    assert forms_rules.missing_fields("first_filing", payload, None) == []


def test_address_codes_must_nest_and_sit_in_the_province():
    assert "DIVISION_NOT_IN_PARENT" in codes(personal(mailing_address=dict(ADDRESS, district_code="440106")))
    assert "DIVISION_NOT_IN_PARENT" in codes(personal(mailing_address=dict(ADDRESS, city_code="440100")))
    assert "ADDRESS_PROVINCE_MISMATCH" in codes(personal(province="42", mailing_address=ADDRESS))
    assert "FIELD_REQUIRED" in codes(personal(mailing_address=dict(ADDRESS, street=" ")))
    assert {"440100", "440300"} <= {c["code"] for c in forms_rules.children("440000")}


def test_phones_and_validity():
    bad = personal()
    bad["entity"]["responsible"].update(emergency_phone=ME["mobile"], office_phone="12345", id_valid_until="2026-06-20")
    assert {"EMERGENCY_SAME_AS_MOBILE", "PHONE_INVALID", "ID_VALIDITY_TOO_SHORT"} <= codes(bad)
    bad["entity"]["responsible"].update(id_valid_until="明年", emergency_phone="010-12345678", office_phone=None)
    bad["entity"]["responsible"].pop("office_phone")
    assert codes(bad) == {"ID_VALIDITY_INVALID"}


def test_personal_owner_is_the_entity_owner_and_no_pre_approvals():
    payload = personal()
    payload["websites"][0].update(responsible=OTHER, pre_approvals=[{"type": "news", "number": "粤-1号"}])
    assert {"PERSONAL_OWNER_MUST_BE_ENTITY_OWNER", "PERSONAL_PRE_APPROVAL"} <= codes(payload)


def test_pre_approvals_known_unique_numbered():
    payload = {
        "entity": {"type": "enterprise", "province": "44", "responsible": ME},
        "websites": [
            {
                "pre_approvals": [
                    {"type": "news", "number": "粤-1号"},
                    {"type": "news", "number": "粤-2号"},
                    {"type": "astrology", "number": "x"},
                    {"type": "finance", "number": ""},
                ],
                "languages": ["99"],
            }
        ],
    }
    assert {"PRE_APPROVAL_DUPLICATE", "PRE_APPROVAL_TYPE_UNKNOWN", "LANGUAGE_UNKNOWN", "FIELD_REQUIRED"} <= codes(
        payload
    )


def test_missing_fields_before_submission():
    missing = [path for path, _, _ in forms_rules.missing_fields("first_filing", personal(), None)]
    assert missing == [
        "entity.certificate_address",
        "entity.mailing_address",
        "entity.responsible.emergency_phone",
        "entity.responsible.id_valid_until",
        "websites.0.languages",
    ]
    assert forms_rules.missing_fields("cancel_entity", {}, None) == []


def test_commercial_notice():
    assert forms_rules.notices({"websites": [{"service_content": "ecommerce"}]}) == [forms_rules.COMMERCIAL_NOTICE]
    assert forms_rules.notices({"websites": [{"service_content": "blog"}]}) == []


def test_a_licence_holder_is_not_told_to_apply_for_a_licence():
    """§7: a licence application presupposes a filing; a holder's numbers come from the licence."""
    sites = [{"service_content": "ecommerce", "commercial": True}]
    holder = {"type": "enterprise", "icp_licence_number": "粤B2-20090059"}
    assert forms_rules.notices({"entity": holder, "websites": sites}) == []
    assert forms_rules.notices({"websites": sites}, entity=holder) == []  # 新增网站: the entity on record
    assert forms_rules.notices({"entity": {"type": "enterprise"}, "websites": sites}) == [forms_rules.COMMERCIAL_NOTICE]
