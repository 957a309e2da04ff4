"""Entry rules across the people and websites of one order (domain/order_rules.py, forms_people.py):
a personal 主体负责人 is the person themself (process.md §2.1); Jiangsu/Anhui non-LR 主体负责人 owns
every website (§8); Shanxi ≤ 3 new domains per order (§8); different people, different e-mails (§2.7)."""

from datetime import date

import pytest
from support.people import person, resident_id

from backend.domain import forms_rules, province_rules

TODAY = date(2026, 6, 1)
ME = person()
OTHER = person(name="李四", cert=resident_id("44030519850505001"), mobile="13700137000", email="lisi@example.com")
BOSS = person(name="王五", cert=resident_id("44030519800101456"), mobile="13900139000", email="wangwu@example.com")
REP = {"name": "赵六", "certificate_number": resident_id("44030519700101789")}


def problems(payload, kind="first_filing", record=None):
    return [(p, c) for p, c, _ in forms_rules.problems(kind, payload, TODAY, record)]


def personal(responsible):
    entity = {
        "type": "personal",
        "name": "张三",
        "province": "44",
        "certificate_type": "resident_id",
        "certificate_number": ME["certificate_number"],
        "responsible": responsible,
    }
    return {"entity": entity, "websites": [{"name": "张三的个人博客", "domain": "zhangsan-blog.cn"}]}


def org(province, sites=1, rep=None, site_owner=None):
    entity = {"type": "enterprise", "name": "某某科技有限公司", "province": province, "responsible": dict(BOSS)}
    if rep:
        entity["legal_representative"] = rep
    websites = [{"name": f"某某科技站点{i}", "domain": f"moumou{i}.cn"} for i in range(sites)]
    if site_owner:
        websites[0]["responsible"] = site_owner
    return {"entity": entity, "websites": websites}


# -- #2 a person files as themself ------------------------------------------------------------


def test_a_personal_entitys_responsible_is_the_person_themself():
    assert not [c for _, c in problems(personal(dict(ME))) if c == "PERSONAL_RESPONSIBLE_NOT_SELF"]
    other = problems(personal(dict(OTHER)))
    assert ("entity.responsible.name", "PERSONAL_RESPONSIBLE_NOT_SELF") in other
    assert ("entity.responsible.certificate_number", "PERSONAL_RESPONSIBLE_NOT_SELF") in other
    # the same person with the number in lower case / spaces is still the same person
    same = dict(ME, certificate_number=" " + ME["certificate_number"].lower() + " ")
    assert not [c for _, c in problems(personal(same)) if c == "PERSONAL_RESPONSIBLE_NOT_SELF"]
    # only the name differs: one problem, on the name
    assert [p for p, c in problems(personal(dict(ME, name="张三丰"))) if c == "PERSONAL_RESPONSIBLE_NOT_SELF"] == [
        "entity.responsible.name"
    ]


def test_an_organisation_may_name_anyone_as_responsible():
    assert not [c for _, c in problems(org("11")) if c == "PERSONAL_RESPONSIBLE_NOT_SELF"]


# -- #14 Jiangsu / Anhui ---------------------------------------------------------------------


@pytest.mark.parametrize("province,applies", [("32", True), ("34", True), ("11", False), ("51", False)])
def test_non_lr_entity_owner_must_own_the_websites(province, applies):
    assert province_rules.get(province).non_lr_owner_runs_sites is applies
    refused = problems(org(province, rep=REP, site_owner=dict(OTHER)))
    assert (("websites.0.responsible", "NON_LR_OWNER_MUST_OWN_WEBSITES") in refused) is applies
    # the entity owner owning the website, or the entity owner being the LR, passes
    assert ("websites.0.responsible", "NON_LR_OWNER_MUST_OWN_WEBSITES") not in problems(org(province, rep=REP))
    assert ("websites.0.responsible", "NON_LR_OWNER_MUST_OWN_WEBSITES") not in problems(
        org(province, site_owner=dict(OTHER))
    )
    lr = {"name": BOSS["name"], "certificate_number": BOSS["certificate_number"]}
    assert ("websites.0.responsible", "NON_LR_OWNER_MUST_OWN_WEBSITES") not in problems(
        org(province, rep=lr, site_owner=dict(OTHER))
    )


def test_non_lr_rule_for_a_new_website_reads_the_entity_on_record():
    record = org("32", rep=REP)["entity"]
    payload = {"websites": [{"name": "某某科技新站", "domain": "moumou9.cn", "responsible": dict(OTHER)}]}
    assert ("websites.0.responsible", "NON_LR_OWNER_MUST_OWN_WEBSITES") in problems(payload, "add_website", record)


# -- #15 Shanxi --------------------------------------------------------------------------------


@pytest.mark.parametrize("province,sites,refused", [("14", 3, False), ("14", 4, True), ("44", 4, False)])
def test_shanxi_at_most_three_new_domains_per_order(province, sites, refused):
    assert (("websites", "TOO_MANY_NEW_DOMAINS") in problems(org(province, sites=sites))) is refused


def test_shanxi_limit_counts_new_websites_of_add_website():
    record = org("14")["entity"]
    payload = {"websites": [{"name": f"某某科技站点{i}", "domain": f"new{i}.cn"} for i in range(4)]}
    assert ("websites", "TOO_MANY_NEW_DOMAINS") in problems(payload, "add_website", record)


# -- #13 e-mails -------------------------------------------------------------------------------


def test_different_people_need_different_e_mails():
    shared = dict(OTHER, email=BOSS["email"].upper())
    assert ("websites.0.responsible.email", "EMAIL_SHARED_BETWEEN_PEOPLE") in problems(org("44", site_owner=shared))
    assert ("websites.0.responsible.email", "EMAIL_SHARED_BETWEEN_PEOPLE") not in problems(
        org("44", site_owner=dict(OTHER))
    )
    # the same person twice may repeat their own e-mail
    assert ("websites.0.responsible.email", "EMAIL_SHARED_BETWEEN_PEOPLE") not in problems(
        org("44", site_owner=dict(BOSS))
    )


def test_a_new_website_owner_may_not_take_the_e_mail_of_the_owner_on_record():
    record = org("44")["entity"]
    payload = {
        "websites": [{"name": "某某科技新站", "domain": "moumou9.cn", "responsible": dict(OTHER, email=BOSS["email"])}]
    }
    assert ("websites.0.responsible.email", "EMAIL_SHARED_BETWEEN_PEOPLE") in problems(payload, "add_website", record)


# -- #10 one mobile, one entity (at entry) ---------------------------------------------------


def _records(*entities):
    from backend.domain.filings import Records

    return Records(list(entities), [])


def test_a_mobile_of_another_entity_on_record_is_refused_at_entry():
    from backend.domain import entity_mobiles

    other = {"id": "E1", "status": "active", "certificate_number": "91440300MA5FGHJK0P", "responsible": dict(OTHER)}
    payload = personal(dict(ME, mobile=OTHER["mobile"]))
    found = entity_mobiles.problems(payload, _records(other))
    assert [(p, c) for p, c, _ in found] == [("entity.responsible.mobile", "MOBILE_SHARED_WITH_OTHER_ENTITY")]
    # a cancelled entity, the order's own entity (same certificate) or the record it is about do not count
    assert entity_mobiles.problems(payload, _records(dict(other, status="cancelled"))) == []
    mine = dict(other, certificate_number=ME["certificate_number"])
    assert entity_mobiles.problems(payload, _records(mine)) == []
    site = {"websites": [{"name": "新站", "responsible": dict(BOSS, mobile=OTHER["mobile"])}]}
    assert entity_mobiles.problems(site, _records(other), record=other) == []
    # a change's partial form without its record (the chat's per-form check): unknown, not compared
    assert entity_mobiles.problems({"entity": {"responsible": {"mobile": OTHER["mobile"]}}}, _records(other)) == []
    # a new website owner with that mobile, for another entity's record
    assert [p for p, _, _ in entity_mobiles.problems(site, _records(other), record={"id": "E2"})] == [
        "websites.0.responsible.mobile"
    ]


# -- #18 网络教育 is pre-approval content --------------------------------------------------------


def test_a_person_cannot_file_education_content():
    payload = personal(dict(ME))
    payload["websites"][0]["service_content"] = "education"
    assert ("websites.0.service_content", "PERSONAL_PRE_APPROVAL_CONTENT") in problems(payload)
