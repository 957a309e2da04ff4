"""证件住所, 投资人或主管单位, 主体备注 and 网站备注 (process.md §2.1, §2.3): checked when given,
the required ones asked before submission only, a person's investor is themselves."""

from support.people import person

from backend.domain import forms_extras, forms_rules, limits, readiness

ME = person()
CERT_ADDRESS = "广东省深圳市南山区科技园路 1 号"


def entity(**over):
    ent = {"type": "personal", "name": "张三", "province": "44", "responsible": dict(ME)}
    ent.update(over)
    return ent


def codes(payload, record=None):
    return [(path, code) for path, code, _ in forms_extras.problems(payload, record)]


def test_given_fields_within_their_bounds_have_no_problem():
    payload = {
        "entity": entity(certificate_address=CERT_ADDRESS, investor="张三", remark="已是最详细地址"),
        "websites": [{"remark": "张三的个人技术博客"}],
    }
    assert codes(payload) == []


def test_remarks_are_bounded_and_may_be_empty():
    long = "备" * (limits.MAX_REMARK + 1)
    payload = {"entity": entity(remark=long), "websites": [{"remark": ""}, {"remark": long}]}
    assert codes(payload) == [("entity.remark", "FIELD_TOO_LONG"), ("websites.1.remark", "FIELD_TOO_LONG")]
    assert codes({"entity": entity(remark="备" * limits.MAX_REMARK)}) == []


def test_the_certificate_address_is_not_blank_nor_too_long():
    assert codes({"entity": entity(certificate_address="  ")}) == [("entity.certificate_address", "FIELD_REQUIRED")]
    too_long = "路" * (limits.MAX_CERT_ADDRESS + 1)
    assert codes({"entity": entity(certificate_address=too_long)}) == [("entity.certificate_address", "FIELD_TOO_LONG")]
    assert codes({"entity": entity(certificate_address=12)}) == [("entity.certificate_address", "FIELD_INVALID")]


def test_a_person_s_investor_is_their_own_name():
    assert codes({"entity": entity(investor="李四")}) == [("entity.investor", "INVESTOR_NOT_SELF")]
    message = forms_extras.problems({"entity": entity(investor="李四")})[0][2]
    assert "张三" in message
    # a change names only the investor: the name and type come from the record
    assert codes({"entity": {"investor": "李四"}}, {"type": "personal", "name": "张三"}) == [
        ("entity.investor", "INVESTOR_NOT_SELF")
    ]
    # an organisation's investor is its legal representative or parent organisation
    assert codes({"entity": entity(type="enterprise", name="示例公司", investor="李四")}) == []


def test_before_submission_the_certificate_address_is_missing_and_an_organisation_s_investor():
    assert [p for p, _, _ in forms_extras.missing(entity())] == ["entity.certificate_address"]
    org = entity(type="enterprise", name="示例公司")
    assert [p for p, _, _ in forms_extras.missing(org)] == ["entity.certificate_address", "entity.investor"]
    assert forms_extras.missing(dict(org, certificate_address=CERT_ADDRESS, investor="王五")) == []


def test_readiness_lists_them_as_form_requirements_of_a_new_entity_only():
    order = {"kind": "first_filing", "payload": {"entity": entity(type="enterprise", name="示例公司"), "websites": []}}
    rows = [(r.stage, r.code, r.path) for r in readiness.missing(order)]
    assert ("form", "FORM_FIELD_MISSING", "entity.certificate_address") in rows
    assert ("form", "FORM_FIELD_MISSING", "entity.investor") in rows
    change = {"kind": "change_filing", "payload": {"entity": {"name": "新名称"}}}
    assert not [p for p, _, _ in forms_rules.missing_fields(change["kind"], change["payload"], None)]


def test_every_kind_checks_them_through_forms_rules():
    from datetime import date

    found = forms_rules.problems("change_filing", {"entity": {"remark": "备" * 999}}, date(2026, 6, 1))
    assert [(p, c) for p, c, _ in found] == [("entity.remark", "FIELD_TOO_LONG")]


def test_the_homepage_of_a_change_must_be_on_a_domain_the_website_keeps():
    assert forms_extras.homepage_problems("https://www.a.cn/", ["a.cn", "b.cn"], "p") == []
    assert [c for _, c, _ in forms_extras.homepage_problems("https://www.b.cn/", ["a.cn"], "p")] == [
        "HOMEPAGE_NOT_ON_DOMAIN"
    ]


def test_a_change_s_blank_remark_is_a_clearing():
    assert forms_extras.cleared({"remark": "  ", "name": "x"}) == {"remark": None, "name": "x"}
    assert forms_extras.cleared({"remark": "备注"}) == {"remark": "备注"}
    assert forms_extras.cleared({"remark": None}) == {"remark": None} and forms_extras.cleared({}) == {}
