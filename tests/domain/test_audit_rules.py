"""The audit's rule items (notes/audit.md 3, 4, 5, 7, 14, 15, 19, 20) as domain tests: each case is
the audit's probe, reduced to the pure function that decides it."""

from datetime import date

import pytest
from support.people import credit_code, person, resident_id

from backend.domain import forms_people, forms_rules, materials, numbering, payloads, pre_approvals, review as R
from backend.domain.review import ReviewContext

TODAY = date(2026, 6, 1)
BOSS = person(name="王五", cert=resident_id("44030519800101001"), mobile="13700137000")
OWNER = person(name="赵六", cert=resident_id("44030519850505001"), mobile="13600136000", email="zl@example.com")
USCC = credit_code("91440300MA5ABCDE0")
SH_ID = resident_id("31010119850101321")


def org(province="44", **over):
    ent = {
        "type": "enterprise",
        "name": "深圳市某某科技有限公司",
        "certificate_type": "uscc",
        "certificate_number": USCC,
        "province": province,
        "responsible": dict(BOSS),
    }
    return {**ent, **over}


def personal(province="44", **over):
    me = person(cert=SH_ID if province == "31" else None)
    ent = {
        "type": "personal",
        "name": "张三",
        "certificate_type": "resident_id",
        "certificate_number": me["certificate_number"],
        "province": province,
        "responsible": me,
    }
    return {**ent, **over}


def site(**over):
    return {"name": "某某科技资讯", "domain": "moumou.com", "service_content": "enterprise_site", **over}


def codes(kind, payload, entity=None):
    return {(path, code) for path, code, _ in forms_rules.problems(kind, payload, TODAY, entity)}


def review_paths(stage, payload, code, kind="first_filing"):
    app = {"kind": kind, "payload": payload}
    return [e["field"] for e in R.review(stage, app, ReviewContext(today=TODAY)) if e["code"] == code]


# -- 3: 前置审批 judged on the form's list, with the ids the reference table publishes ---------------


@pytest.mark.parametrize("kind", ["news", "1"])
def test_a_numbered_pre_approval_of_the_needed_type_passes_review(kind):
    payload = {
        "entity": org(),
        "websites": [site(service_content="news", pre_approvals=[{"type": kind, "number": "粤-12345号"}])],
    }
    assert review_paths("provider", payload, "PRE_APPROVAL_NUMBER_MISSING") == []


@pytest.mark.parametrize(
    "items",
    [[], [{"type": "finance", "number": "粤-1号"}], [{"type": "news", "number": " "}]],
    ids=["none", "wrong-type", "blank"],
)
def test_a_missing_or_wrong_pre_approval_is_blamed_on_the_list(items):
    payload = {"entity": org(), "websites": [site(service_content="news", pre_approvals=items)]}
    assert review_paths("provider", payload, "PRE_APPROVAL_NUMBER_MISSING") == ["websites.0.pre_approvals"]


def test_the_older_single_number_still_counts_and_games_need_the_culture_type():
    old = {"entity": org(), "websites": [site(service_content="news", pre_approval_number="粤新出审〔2026〕12号")]}
    assert review_paths("provider", old, "PRE_APPROVAL_NUMBER_MISSING") == []
    games = site(service_content="games", pre_approvals=[{"type": "9", "number": "文网文〔2026〕1号"}])
    assert pre_approvals.satisfied(games) and pre_approvals.type_code("9") == "culture"
    assert R.rule("PRE_APPROVAL_NUMBER_MISSING").example_path == "websites.0.pre_approval_number"


def test_the_published_ids_are_accepted_at_entry_and_an_id_and_its_code_are_one_type():
    payload = {"entity": org(), "websites": [site(pre_approvals=[{"type": "1", "number": "粤-1号"}])]}
    assert not {c for _, c in codes("first_filing", payload)} & {"PRE_APPROVAL_TYPE_UNKNOWN"}
    payload["websites"][0]["pre_approvals"].append({"type": "news", "number": "粤-2号"})
    assert ("websites.0.pre_approvals.1.type", "PRE_APPROVAL_DUPLICATE") in codes("first_filing", payload)


# -- 4: Shanghai's 3 months on every person's ID; one person's validity read the same everywhere ----


def sh_org(**responsible):
    return org("31", certificate_number=credit_code("91310104MA1FL0000"), responsible=dict(BOSS, **responsible))


def test_shanghai_checks_the_responsible_persons_validity():
    payload = {
        "entity": sh_org(id_valid_until="2026-07-15"),
        "websites": [site(responsible=dict(OWNER, id_valid_until="2026-08-01"))],
    }
    assert review_paths("provider", payload, "ID_VALIDITY_TOO_SHORT") == [
        "entity.responsible.id_valid_until",
        "websites.0.responsible.id_valid_until",
    ]
    fine = {"entity": sh_org(id_valid_until="2026-09-02"), "websites": [site()]}
    assert review_paths("provider", fine, "ID_VALIDITY_TOO_SHORT") == []
    gd = {"entity": org(responsible=dict(BOSS, id_valid_until="2026-07-15")), "websites": [site()]}
    assert review_paths("provider", gd, "ID_VALIDITY_TOO_SHORT") == []


def test_an_expired_responsible_id_is_refused_at_review():
    payload = {"entity": org(responsible=dict(BOSS, id_valid_until="2026-05-31")), "websites": [site()]}
    assert review_paths("provider", payload, "ID_EXPIRED") == ["entity.responsible.id_valid_until"]


def test_one_persons_validity_cannot_contradict_itself():
    ent = personal(id_valid_until="2026-06-21")
    ent["responsible"]["id_valid_until"] = "长期"
    assert ("entity.responsible.id_valid_until", "PERSON_DATA_CONFLICT") in codes(
        "first_filing", {"entity": ent, "websites": [{"name": "x"}]}
    )
    same = personal(id_valid_until="2036-06-21")
    same["responsible"]["id_valid_until"] = "2036-06-21"
    assert not any(
        c == "PERSON_DATA_CONFLICT" for _, c in codes("first_filing", {"entity": same, "websites": [{"name": "x"}]})
    )


def test_a_temporary_id_is_refused_where_the_province_says_so():
    temp = {"id_valid_from": "2026-05-01", "id_valid_until": "2026-08-01"}
    sh = {"entity": sh_org(**temp), "websites": [site()]}
    assert ("entity.responsible.id_valid_from", "TEMPORARY_ID_REFUSED") in codes("first_filing", sh)
    gd = {"entity": org(responsible=dict(BOSS, **temp)), "websites": [site()]}
    assert not any(c == "TEMPORARY_ID_REFUSED" for _, c in codes("first_filing", gd))
    assert not forms_people.is_temporary_id({"id_valid_from": "2020-05-01", "id_valid_until": "2030-05-01"})


# -- 5: one website per order in Hubei/Hunan/Henan for every kind that files new websites ----------


def test_the_new_website_kinds_come_from_the_specs():
    assert set(forms_rules.NEW_SITE_KINDS) == {"first_filing", "add_website", "add_website_external"}
    assert set(forms_rules.NEW_ENTITY_KINDS) == {"first_filing", "add_website_external"}


@pytest.mark.parametrize("province", ["41", "42", "43"])
def test_add_website_on_a_hubei_record_takes_one_site(province):
    two = {"websites": [site(domain="hb1.cn"), site(domain="hb2.cn")]}
    assert ("websites", "ONE_SITE_PER_ORDER") in codes("add_website", two, org(province))
    assert ("websites", "ONE_SITE_PER_ORDER") not in codes("add_website", two, org("44"))
    external = {"entity": org(province), **two}
    assert ("websites", "ONE_SITE_PER_ORDER") in codes("add_website_external", external)


# -- 7: the website-owner authorisation letter when the owner is not the LR -------------------------


def slot_names(entity, websites, province):
    return [s.key for s in materials.required("first_filing", entity, websites, province)]


def test_an_owner_other_than_the_entity_owner_is_not_the_lr_by_default():
    assert "websites.0.owner_authorization_letter" in slot_names(org("42"), [site(responsible=OWNER)], "42")
    assert "websites.0.owner_authorization_letter" not in slot_names(org("42"), [site(responsible=BOSS)], "42")
    assert "websites.0.owner_authorization_letter" not in slot_names(org("42"), [site()], "42")
    named = org("42", legal_representative={"name": "赵六", "certificate_number": OWNER["certificate_number"]})
    assert "websites.0.owner_authorization_letter" not in slot_names(named, [site(responsible=OWNER)], "42")
    assert "websites.0.owner_authorization_letter" not in slot_names(org("44"), [site(responsible=OWNER)], "44")


# -- 14: an ICP licence holder's records are numbered from the licence -----------------------------


def test_licence_numbers_give_the_entity_and_website_numbers():
    entity = numbering.licence_entity_number("粤B2-20090059")
    assert entity == "粤B2-20090059"
    website = numbering.website_number(entity, 1)
    assert website == "粤B2-20090059-1" and numbering.parse(website)["kind"] in numbering.WEBSITE_KINDS
    assert numbering.website_number(numbering.licence_entity_number("京ICP证030173号"), 2) == "京ICP证030173号-2"
    with pytest.raises(ValueError):
        numbering.licence_entity_number("粤ICP备2026012345号")


def test_a_licence_number_is_an_entity_number_in_references():
    assert payloads.payload_problems("cancel_entity", {"entity_number": "粤B2-20090059"}) == []
    assert payloads.payload_problems("cancel_website", {"website_number": "粤B2-20090059-1"}) == []


# -- 15: different people, different phones ---------------------------------------------------------


def test_two_people_cannot_share_a_mobile_and_an_emergency_phone_is_nobody_elses_mobile():
    shared = {"entity": org(), "websites": [site(responsible=dict(OWNER, mobile=BOSS["mobile"]))]}
    assert ("websites.0.responsible.mobile", "MOBILE_SHARED_BETWEEN_PEOPLE") in codes("first_filing", shared)
    emergency = {"entity": org(), "websites": [site(responsible=dict(OWNER, emergency_phone=BOSS["mobile"]))]}
    assert ("websites.0.responsible.emergency_phone", "EMERGENCY_IS_OTHERS_MOBILE") in codes("first_filing", emergency)
    boss_again = {"entity": org(), "websites": [site(responsible=dict(BOSS))]}
    assert not [c for _, c in codes("first_filing", boss_again) if "MOBILE" in c]


def test_the_record_owners_mobile_counts_for_a_new_website():
    payload = {"websites": [site(responsible=dict(OWNER, mobile=BOSS["mobile"]))]}
    assert ("websites.0.responsible.mobile", "MOBILE_SHARED_BETWEEN_PEOPLE") in codes("add_website", payload, org())
    messages = [m for p, _, m in forms_rules.problems("add_website", payload, TODAY, org()) if p.endswith("mobile")]
    assert messages == ["不同负责人不能使用同一手机号码：该号码已是已备案的主体负责人的手机号码"]


# -- 19: Jiangsu: an organisation's office phone is a landline, and required ------------------------


def test_jiangsu_office_phone_is_a_required_landline():
    js = org("32", certificate_number=credit_code("91320100MA1XXXXX0"))
    mobile = {"entity": {**js, "responsible": dict(BOSS, office_phone="13600136000")}, "websites": [site()]}
    assert ("entity.responsible.office_phone", "OFFICE_PHONE_NOT_LANDLINE") in codes("first_filing", mobile)
    none = {"entity": js, "websites": [site()]}
    assert ("entity.responsible.office_phone", "FIELD_REQUIRED") in codes("first_filing", none)
    landline = {"entity": {**js, "responsible": dict(BOSS, office_phone="025-86013388")}, "websites": [site()]}
    assert not any(p.endswith("office_phone") for p, _ in codes("first_filing", landline))
    gd = {"entity": {**org(), "responsible": dict(BOSS, office_phone="13600136000")}, "websites": [site()]}
    assert not any(p.endswith("office_phone") for p, _ in codes("first_filing", gd))
    person_js = {"entity": personal("32"), "websites": [{"name": "x"}]}
    assert not any(p.endswith("office_phone") for p, _ in codes("first_filing", person_js))


# Tianjin, Chongqing, Gansu: an organisation's office phone given as a mobile needs a remark ---------


@pytest.mark.parametrize("province", ["12", "50", "62"])
def test_an_office_mobile_needs_a_remark_in_tianjin_chongqing_gansu(province):
    ent = {
        **org(province, certificate_number=credit_code(f"91{province}0100MA1XXXXX0")),
        "responsible": dict(BOSS, office_phone="13500135000"),
    }
    owner = dict(OWNER, office_phone="13400134000")
    bare = {"entity": ent, "websites": [site(responsible=owner)]}
    found = codes("first_filing", bare)
    assert ("entity.remark", "OFFICE_MOBILE_NEEDS_REMARK") in found
    assert ("websites.0.remark", "OFFICE_MOBILE_NEEDS_REMARK") in found
    noted = {"entity": {**ent, "remark": "单位未安装固定电话"}, "websites": [site(responsible=owner, remark="同上")]}
    assert not [c for _, c in codes("first_filing", noted) if c == "OFFICE_MOBILE_NEEDS_REMARK"]
    landline = {"entity": {**ent, "responsible": dict(BOSS, office_phone="022-86013388")}, "websites": [site()]}
    assert not [c for _, c in codes("first_filing", landline) if c == "OFFICE_MOBILE_NEEDS_REMARK"]


def test_an_office_mobile_needs_no_remark_elsewhere_nor_for_a_person():
    gd = {"entity": {**org(), "responsible": dict(BOSS, office_phone="13500135000")}, "websites": [site()]}
    assert not [c for _, c in codes("first_filing", gd) if c == "OFFICE_MOBILE_NEEDS_REMARK"]
    tj = {
        "entity": {**personal("12"), "responsible": dict(BOSS, office_phone="13500135000")},
        "websites": [{"name": "x"}],
    }
    assert not [c for _, c in codes("first_filing", tj) if c == "OFFICE_MOBILE_NEEDS_REMARK"]


# Tianjin: the emergency contact is a third person (a close relative for a person), noted in the remark


def test_a_tianjin_emergency_contact_is_noted_in_the_remark():
    ent = {**org("12", certificate_number=credit_code("91120100MA1XXXXX0")), "responsible": dict(BOSS)}
    ent["responsible"]["emergency_phone"] = "13300133000"
    owner = dict(OWNER, emergency_phone="13200132000")
    found = codes("first_filing", {"entity": ent, "websites": [site(responsible=owner)]})
    assert ("entity.remark", "EMERGENCY_NEEDS_REMARK") in found
    assert ("websites.0.remark", "EMERGENCY_NEEDS_REMARK") in found
    noted = {
        "entity": {**ent, "remark": "应急联系人：李某，办公室主任"},
        "websites": [site(responsible=owner, remark="应急联系人：陈某，同事")],
    }
    assert "EMERGENCY_NEEDS_REMARK" not in [c for _, c in codes("first_filing", noted)]
    # a person's site whose owner is the entity's: the entity's remark already names the relative
    me = {
        **personal("12"),
        "responsible": dict(BOSS, emergency_phone="13300133000"),
        "remark": "应急联系人：王某，父亲",
    }
    mine = {"entity": me, "websites": [site(responsible=me["responsible"])]}
    assert "EMERGENCY_NEEDS_REMARK" not in [c for _, c in codes("first_filing", mine)]
    bare = {"entity": {**me, "remark": None}, "websites": [site(responsible=me["responsible"])]}
    (message,) = {
        m
        for p, c, m in forms_rules.problems("first_filing", bare, date(2026, 6, 1))
        if c == "EMERGENCY_NEEDS_REMARK" and p == "entity.remark"
    }
    assert "直系亲属" in message
    gd = {"entity": {**org(), "responsible": ent["responsible"]}, "websites": [site(responsible=owner)]}
    assert "EMERGENCY_NEEDS_REMARK" not in [c for _, c in codes("first_filing", gd)]


def test_a_tianjin_order_misses_the_remark_until_it_names_the_emergency_contact():
    ent = {**org("12", certificate_number=credit_code("91120100MA1XXXXX0")), "responsible": dict(BOSS)}
    missing = [p for p, _, _ in forms_rules.missing_fields("first_filing", {"entity": ent, "websites": []}, None)]
    assert "entity.remark" in missing
    noted = {"entity": {**ent, "remark": "应急联系人：李某，办公室主任"}, "websites": []}
    assert "entity.remark" not in [p for p, _, _ in forms_rules.missing_fields("first_filing", noted, None)]
    gd = {"entity": org(), "websites": []}
    assert "entity.remark" not in [p for p, _, _ in forms_rules.missing_fields("first_filing", gd, None)]


# -- 20: a person's commercial, enterprise-type and pre-approval content refused at entry ------------


@pytest.mark.parametrize(
    ("over", "path", "code"),
    [
        ({"commercial": True}, "websites.0.commercial", "PERSONAL_COMMERCIAL_CONTENT"),
        ({"service_content": "ecommerce"}, "websites.0.service_content", "PERSONAL_ENTERPRISE_CONTENT"),
        ({"service_content": "enterprise_site"}, "websites.0.service_content", "PERSONAL_ENTERPRISE_CONTENT"),
        ({"service_content": "news"}, "websites.0.service_content", "PERSONAL_PRE_APPROVAL_CONTENT"),
        ({"pre_approval_number": "粤-1号"}, "websites.0.pre_approvals", "PERSONAL_PRE_APPROVAL"),
    ],
)
def test_personal_content_is_refused_at_entry(over, path, code):
    payload = {"entity": personal(), "websites": [{"name": "张三的个人博客", "service_content": "blog", **over}]}
    assert (path, code) in codes("first_filing", payload)


def test_a_person_is_not_asked_for_a_pre_approval_document():
    keys = slot_names(personal(), [{"service_content": "news"}], "44")
    assert not [k for k in keys if "pre_approval" in k]
    assert "websites.0.pre_approval_document" in slot_names(org(), [{"service_content": "news"}], "44")


def test_jiangxi_many_sites_on_record_means_one_new_website_per_order():
    from backend.domain import order_rules

    jx = org("36", certificate_number=credit_code("91360100MA1XXXXX0"))
    two = [site(), site(domain="moumou2.com")]
    assert [c for _, c, _ in order_rules.filed_sites_problems(jx, 15, two)] == ["ONE_SITE_PER_ORDER_MANY_ON_RECORD"]
    assert order_rules.filed_sites_problems(jx, 15, two[:1]) == []
    assert order_rules.filed_sites_problems(jx, 14, two) == []
    person_jx = dict(personal("36"))
    assert order_rules.filed_sites_problems(person_jx, 7, two) and not order_rules.filed_sites_problems(
        person_jx, 6, two
    )
    assert order_rules.filed_sites_problems(org(), 40, two) == []  # Guangdong: no such rule
