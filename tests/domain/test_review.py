"""Provider and bureau review rules: each code, failing and passing."""

from datetime import date, timedelta
from fnmatch import fnmatchcase

import pytest
from stdnum.cn import ric, uscc

from backend.domain import review as R
from backend.domain.review import ReviewContext, review

TODAY = date(2026, 6, 1)


def make_ric(first17):
    return first17 + ric.calc_check_digit(first17 + "0")


def make_uscc(first17):
    return first17 + uscc.calc_check_digit(first17)


RIC_GD = make_ric("44030519900101123")  # Guangdong, born 1990-01-01
RIC_SH = make_ric("31010119900101123")  # Shanghai
RIC_ZJ = make_ric("33010619900101123")  # Zhejiang
USCC_GD = make_uscc("91440300MA5FXXXX0")
USCC_CENTRAL = make_uscc("91100000MA5FXXXX0")  # registered centrally: no province
LEGAL_REP_ID = make_ric("44030519800101456")


def person(**over):
    base = {
        "name": "张三",
        "certificate_type": "resident_id",
        "certificate_number": RIC_GD,
        "mobile": "13800138000",
        "email": "zhangsan@example.com",
    }
    return {**base, **over}


def personal(**over):
    base = {
        "type": "personal",
        "name": "张三",
        "certificate_type": "resident_id",
        "certificate_number": RIC_GD,
        "province": "44",
        "address": "广东省深圳市南山区",
        "residence_permit": False,
        "id_valid_until": "2035-01-01",
        "responsible": person(),
    }
    return {**base, **over}


def enterprise(**over):
    base = {
        "type": "enterprise",
        "name": "深圳某某科技有限公司",
        "certificate_type": "uscc",
        "certificate_number": USCC_GD,
        "province": "44",
        "address": "广东省深圳市南山区",
        "residence_permit": False,
        "id_valid_until": None,
        "responsible": person(name="李四", certificate_number=LEGAL_REP_ID, mobile="13900139000"),
    }
    return {**base, **over}


def site(**over):
    base = {
        "name": "张三的个人博客",
        "domain": "zhangsan-blog.cn",
        "service_content": "blog",
        "commercial": False,
        "pre_approval_number": None,
        "filing_type": "cloudbase_run",
        "nat_ip": "1.2.3.4",
        "responsible": None,
    }
    return {**base, **over}


def app(entity=None, websites=None, kind="first_filing"):
    payload = {
        "entity": entity if entity is not None else personal(),
        "websites": websites if websites is not None else [site()],
    }
    return {"id": "A0001", "kind": kind, "payload": payload}


def domain_record(name="zhangsan-blog.cn", **over):
    base = {
        "name": name,
        "registrar": "DNSPod",
        "registrar_approved": True,
        "holder_name": "张三",
        "holder_certificate_number": RIC_GD,
        "real_name_status": "verified",
        "registered_on": "2025-01-01",
        "expires_on": "2027-01-01",
    }
    return {**base, **over}


def ctx(*records, today=TODAY, **over):
    records = records or (domain_record(),)
    return ReviewContext(today=today, domains={r["name"]: r for r in records}, **over)


def failing(stage, application, context):
    return [(e["code"], e["field"]) for e in review(stage, application, context)]


def codes(stage, application, context):
    return {e["code"] for e in review(stage, application, context)}


# --- the baseline passes both stages ------------------------------------------------


def test_clean_personal_application_passes_both_stages():
    assert review("provider", app(), ctx()) == []
    assert review("bureau", app(), ctx()) == []


def test_clean_enterprise_application_passes_both_stages():
    record = domain_record("moumou.com", holder_name="深圳某某科技有限公司", holder_certificate_number=USCC_GD)
    application = app(
        enterprise(),
        [site(name="某某科技官网", domain="moumou.com", service_content="enterprise_site", commercial=True)],
    )
    assert review("provider", application, ctx(record)) == []
    assert review("bureau", application, ctx(record)) == []


# --- the rule table as a contract ----------------------------------------------------

EXPECTED_CODES = [
    "DOMAIN_NOT_REGISTERED",
    "DOMAIN_EXPIRED",
    "DOMAIN_REGISTRAR_NOT_APPROVED",
    "DOMAIN_NOT_REAL_NAME",
    "DOMAIN_HOLDER_MISMATCH",
    "WEBSITE_NAME_TOO_SHORT",
    "WEBSITE_NAME_NOT_CHINESE",
    "WEBSITE_NAME_IS_DOMAIN",
    "WEBSITE_NAME_FORBIDDEN_PREFIX",
    "WEBSITE_NAME_PERSONAL_FORBIDDEN_WORD",
    "WEBSITE_NAME_SENSITIVE",
    "PERSONAL_COMMERCIAL_CONTENT",
    "PERSONAL_ENTERPRISE_CONTENT",
    "PERSONAL_PRE_APPROVAL_CONTENT",
    "PRE_APPROVAL_NUMBER_MISSING",
    "RESPONSIBLE_UNDER_18",
    "ID_EXPIRED",
    "ID_VALIDITY_TOO_SHORT",
    "NONLOCAL_PERSONAL_ID",
    "ORG_PROVINCE_MISMATCH",
    "CALL_UNREACHABLE",
    "DOMAIN_NEAR_EXPIRY",
    "DOMAIN_CONFLICT",
    "MOBILE_SHARED_WITH_OTHER_ENTITY",
    "SITE_REACHABLE_DURING_REVIEW",
    "ENTITY_CONFLICT",
]


def test_rule_codes_are_unique_and_complete():
    assert [r.code for r in R.RULES] == EXPECTED_CODES


def test_rule_lookup_and_stages():
    assert R.rule("DOMAIN_CONFLICT").stage == "bureau"
    assert R.rule("DOMAIN_NOT_REAL_NAME").stage == "provider"
    assert R.rule("NO_SUCH_RULE") is None
    bureau = {r.code for r in R.RULES if r.stage == "bureau"}
    assert bureau == {
        "DOMAIN_NEAR_EXPIRY",
        "DOMAIN_CONFLICT",
        "MOBILE_SHARED_WITH_OTHER_ENTITY",
        "SITE_REACHABLE_DURING_REVIEW",
        "ENTITY_CONFLICT",
    }
    for r in R.RULES:
        assert r.key_name and r.error and r.suggest
        assert r.stage in R.STAGES


def test_unknown_stage_is_an_error():
    with pytest.raises(ValueError):
        review("police", app(), ctx())


def test_entries_have_the_audit_data_shape_and_fields_match_patterns():
    application = app(
        personal(responsible=person(certificate_number=make_ric("44030520100101123"))),
        [site(name="abc", domain="abc.io", commercial=True, service_content="news")],
    )
    entries = review("provider", application, ctx())
    assert entries
    for e in entries:
        assert set(e) == {"code", "field", "key_name", "error", "suggest"}
        assert fnmatchcase(e["field"], R.rule(e["code"]).field), e


def test_order_is_rule_order_then_natural_field_order():
    sites = [site(name=f"某{i}号", domain=f"moumou{i}.com") for i in range(12)]
    application = app(enterprise(), sites)
    entries = failing("provider", application, ReviewContext(today=TODAY))
    not_registered = [f for c, f in entries if c == "DOMAIN_NOT_REGISTERED"]
    assert not_registered == [f"websites.{i}.domain" for i in range(12)]
    order = [c for c, _ in entries]
    assert order.index("DOMAIN_NOT_REGISTERED") < order.index("WEBSITE_NAME_TOO_SHORT")


# --- domain (provider) -------------------------------------------------------------


def test_domain_not_registered():
    assert failing("provider", app(), ReviewContext(today=TODAY)) == [("DOMAIN_NOT_REGISTERED", "websites.0.domain")]


def test_registry_lookup_ignores_case_and_idn_form():
    record = domain_record("xn--fsqu00a.xn--fiqs8s")
    application = app(websites=[site(domain="例子.中国")])
    assert review("provider", application, ctx(record)) == []
    assert review("provider", app(websites=[site(domain="ZhangSan-Blog.CN")]), ctx()) == []


def test_domain_expired():
    assert failing("provider", app(), ctx(domain_record(expires_on="2026-05-31"))) == [
        ("DOMAIN_EXPIRED", "websites.0.domain")
    ]
    assert review("provider", app(), ctx(domain_record(expires_on="2026-06-01"))) == []


def test_registrar_not_approved():
    assert failing("provider", app(), ctx(domain_record(registrar_approved=False))) == [
        ("DOMAIN_REGISTRAR_NOT_APPROVED", "websites.0.domain")
    ]


@pytest.mark.parametrize("status", ["pending", "failed"])
def test_domain_not_real_name(status):
    assert failing("provider", app(), ctx(domain_record(real_name_status=status))) == [
        ("DOMAIN_NOT_REAL_NAME", "websites.0.domain")
    ]


@pytest.mark.parametrize(
    "over", [{"holder_name": "李四"}, {"holder_certificate_number": make_ric("44030519900101124")}]
)
def test_domain_holder_mismatch(over):
    assert failing("provider", app(), ctx(domain_record(**over))) == [("DOMAIN_HOLDER_MISMATCH", "websites.0.domain")]


def test_holder_certificate_compares_case_insensitively():
    number = next(n for n in (make_ric(f"4403051990010112{i}") for i in range(10)) if n.endswith("X"))
    entity = personal(certificate_number=number, responsible=person(certificate_number=number))
    record = domain_record(holder_certificate_number=number.lower())
    assert "DOMAIN_HOLDER_MISMATCH" not in codes("provider", app(entity), ctx(record))


def test_organisation_domain_may_be_held_by_its_legal_representative():
    record = domain_record("moumou.com", holder_name="李四", holder_certificate_number=LEGAL_REP_ID)
    application = app(enterprise(), [site(name="某某科技官网", domain="moumou.com", service_content="enterprise_site")])
    assert review("provider", application, ctx(record)) == []
    personal_app = app(websites=[site(domain="moumou.com")])
    assert "DOMAIN_HOLDER_MISMATCH" in codes("provider", personal_app, ctx(record))


def test_new_website_is_checked_against_the_entity_on_record():
    on_record = {
        "id": "E1",
        "name": "张三",
        "type": "personal",
        "certificate_type": "resident_id",
        "certificate_number": RIC_GD,
        "province": "44",
        "number": "粤ICP备2025000001号",
        "status": "active",
        "responsible": person(),
    }
    application = {"id": "A2", "kind": "add_website", "payload": {"websites": [site()]}}
    good = ctx(entities=[on_record], own_entity_id="E1")
    assert review("provider", application, good) == []
    bad = ctx(domain_record(holder_name="王五"), entities=[on_record], own_entity_id="E1")
    assert failing("provider", application, bad) == [("DOMAIN_HOLDER_MISMATCH", "websites.0.domain")]


# --- website name ---------------------------------------------------------------------


def name_codes(name, entity=None, domain="zhangsan-blog.cn"):
    application = app(entity or personal(), [site(name=name, domain=domain)])
    return {c for c, f in failing("provider", application, ctx(domain_record(domain))) if f == "websites.0.name"}


@pytest.mark.parametrize("name", ["张三的个人博客", "三个字", "ABC技术笔记", "张三 的 随笔"])
def test_names_that_pass(name):
    assert name_codes(name) == set()


@pytest.mark.parametrize("name", ["博客", "A博客", "QQ空间2"])
def test_name_too_short(name):
    assert name_codes(name) == {"WEBSITE_NAME_TOO_SHORT"}


@pytest.mark.parametrize("name", ["MyBlog", "12345", "My Blog 2"])
def test_name_not_chinese(name):
    assert name_codes(name) == {"WEBSITE_NAME_NOT_CHINESE"}


@pytest.mark.parametrize("name", ["zhangsan-blog.cn", "ZhangSan-Blog", "www.zhangsan-blog.cn", "other-site.com"])
def test_name_is_domain(name):
    assert "WEBSITE_NAME_IS_DOMAIN" in name_codes(name)


def test_name_is_idn_domain():
    assert "WEBSITE_NAME_IS_DOMAIN" in name_codes("例子", domain="例子.中国")
    assert "WEBSITE_NAME_IS_DOMAIN" not in name_codes("例子的个人博客", domain="例子.中国")


@pytest.mark.parametrize("prefix", ["中国", "中华", "国家", "中央", "人民", "人大"])
def test_name_forbidden_prefix_for_non_state_entities(prefix):
    assert name_codes(f"{prefix}美食博客") == {"WEBSITE_NAME_FORBIDDEN_PREFIX"}
    org = enterprise()
    assert "WEBSITE_NAME_FORBIDDEN_PREFIX" in name_codes(f"{prefix}科技资讯", org)
    government = enterprise(type="government", name="某某市人民政府")
    assert name_codes(f"{prefix}政务服务", government) == set()


def test_prefix_only_counts_at_the_start():
    assert name_codes("张三的中国美食博客") == set()


@pytest.mark.parametrize(
    "word", ["论坛", "社区", "交流", "在线", "平台", "门户", "公司", "企业", "工作室", "导航", "搜索"]
)
def test_personal_name_forbidden_words(word):
    assert name_codes(f"张三的{word}") == {"WEBSITE_NAME_PERSONAL_FORBIDDEN_WORD"}
    assert "WEBSITE_NAME_PERSONAL_FORBIDDEN_WORD" not in name_codes(f"某某{word}", enterprise())


@pytest.mark.parametrize("word", ["赌博", "博彩", "色情", "代开发票"])
def test_name_sensitive(word):
    assert name_codes(f"张三的{word}笔记") == {"WEBSITE_NAME_SENSITIVE"}
    assert "WEBSITE_NAME_SENSITIVE" in name_codes(f"某某{word}资讯", enterprise())


# --- content ---------------------------------------------------------------------------


def test_personal_commercial_content():
    application = app(websites=[site(commercial=True)])
    assert failing("provider", application, ctx()) == [("PERSONAL_COMMERCIAL_CONTENT", "websites.0.commercial")]


@pytest.mark.parametrize("content", ["enterprise_site", "ecommerce", "portal"])
def test_personal_enterprise_content(content):
    application = app(websites=[site(service_content=content)])
    assert failing("provider", application, ctx()) == [("PERSONAL_ENTERPRISE_CONTENT", "websites.0.service_content")]


@pytest.mark.parametrize("content", sorted(R.PRE_APPROVAL_CONTENT))
def test_personal_pre_approval_content(content):
    application = app(websites=[site(service_content=content)])
    assert failing("provider", application, ctx()) == [("PERSONAL_PRE_APPROVAL_CONTENT", "websites.0.service_content")]


@pytest.mark.parametrize("content", ["blog", "other"])
def test_personal_ordinary_content_passes(content):
    assert review("provider", app(websites=[site(service_content=content)]), ctx()) == []


def org_app(**site_over):
    return app(enterprise(), [site(name="某某科技资讯", domain="moumou.com", **site_over)])


def org_ctx():
    return ctx(domain_record("moumou.com", holder_name="深圳某某科技有限公司", holder_certificate_number=USCC_GD))


@pytest.mark.parametrize("content", sorted(R.PRE_APPROVAL_CONTENT))
def test_organisation_needs_pre_approval_number(content):
    assert failing("provider", org_app(service_content=content), org_ctx()) == [
        ("PRE_APPROVAL_NUMBER_MISSING", "websites.0.pre_approval_number")
    ]
    blank = org_app(service_content=content, pre_approval_number="  ")
    assert "PRE_APPROVAL_NUMBER_MISSING" in codes("provider", blank, org_ctx())
    filed = org_app(service_content=content, pre_approval_number="粤新闻许字〔2026〕001号")
    assert review("provider", filed, org_ctx()) == []


def test_organisation_ordinary_content_needs_no_pre_approval():
    assert review("provider", org_app(service_content="enterprise_site"), org_ctx()) == []


# --- age ----------------------------------------------------------------------------------

MINOR = make_ric("44030520080601123")  # 18th birthday on 2026-06-01


def minor_app():
    return app(personal(certificate_number=MINOR, responsible=person(certificate_number=MINOR)))


def minor_ctx(today):
    return ctx(domain_record(holder_certificate_number=MINOR), today=today)


def test_responsible_one_day_before_18th_birthday_is_refused():
    assert failing("provider", minor_app(), minor_ctx(date(2026, 5, 31))) == [
        ("RESPONSIBLE_UNDER_18", "entity.responsible.certificate_number")
    ]


@pytest.mark.parametrize("today", [date(2026, 6, 1), date(2026, 6, 2)])
def test_responsible_on_and_after_18th_birthday_passes(today):
    assert review("provider", minor_app(), minor_ctx(today)) == []


def test_website_responsible_under_18():
    application = app(websites=[site(responsible=person(name="小明", certificate_number=MINOR))])
    assert failing("provider", application, ctx(today=date(2026, 5, 31))) == [
        ("RESPONSIBLE_UNDER_18", "websites.0.responsible.certificate_number")
    ]


def test_leap_day_birthday_turns_18_on_first_of_march():
    leap = make_ric("44030520080229123")
    application = app(personal(certificate_number=leap, responsible=person(certificate_number=leap)))
    record = domain_record(holder_certificate_number=leap)
    assert "RESPONSIBLE_UNDER_18" in codes("provider", application, ctx(record, today=date(2026, 2, 28)))
    assert review("provider", application, ctx(record, today=date(2026, 3, 1))) == []


def test_minimum_age_is_a_setting():
    assert (
        review(
            "provider",
            minor_app(),
            ReviewContext(
                today=date(2026, 5, 31),
                domains={"zhangsan-blog.cn": domain_record(holder_certificate_number=MINOR)},
                settings={"min_age": 16},
            ),
        )
        == []
    )


def test_age_helpers():
    assert R.age_on(date(2008, 6, 1), date(2026, 5, 31)) == 17
    assert R.age_on(date(2008, 6, 1), date(2026, 6, 1)) == 18
    assert R.add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert R.add_months(date(2026, 6, 1), 3) == date(2026, 9, 1)


# --- ID validity (Shanghai: >= 3 months) ------------------------------------------------


def sh_app(until):
    return app(
        personal(
            certificate_number=RIC_SH,
            province="31",
            id_valid_until=until,
            responsible=person(certificate_number=RIC_SH),
        )
    )


def sh_ctx():
    return ctx(domain_record(holder_certificate_number=RIC_SH))


def test_shanghai_id_valid_exactly_three_months_passes():
    assert review("provider", sh_app("2026-09-01"), sh_ctx()) == []


def test_shanghai_id_valid_less_than_three_months_fails():
    assert failing("provider", sh_app("2026-08-31"), sh_ctx()) == [("ID_VALIDITY_TOO_SHORT", "entity.id_valid_until")]


def test_short_id_validity_is_fine_where_the_province_does_not_care():
    assert review("provider", app(personal(id_valid_until="2026-06-15")), ctx()) == []


def test_expired_id_fails_everywhere_once():
    assert failing("provider", sh_app("2026-05-31"), sh_ctx()) == [("ID_EXPIRED", "entity.id_valid_until")]
    assert failing("provider", app(personal(id_valid_until="2026-05-31")), ctx()) == [
        ("ID_EXPIRED", "entity.id_valid_until")
    ]
    assert review("provider", app(personal(id_valid_until=None)), ctx()) == []


# --- non-local personal ID -----------------------------------------------------------------


def nonlocal_codes(province, permit, **settings):
    application = app(personal(province=province, residence_permit=permit))
    return [(c, f) for c, f in failing("provider", application, ctx(settings=settings)) if c == "NONLOCAL_PERSONAL_ID"]


def test_local_id_passes():
    assert nonlocal_codes("44", False) == []


@pytest.mark.parametrize("province", ["31", "32", "11"])
def test_residence_permit_province_needs_the_permit(province):
    assert nonlocal_codes(province, False) == [("NONLOCAL_PERSONAL_ID", "entity.province")]
    assert nonlocal_codes(province, True) == []


@pytest.mark.parametrize("province", ["23", "14", "62", "65"])
def test_refusing_province_refuses_even_with_a_permit(province):
    assert nonlocal_codes(province, True) == [("NONLOCAL_PERSONAL_ID", "entity.province")]
    assert nonlocal_codes(province, False) == [("NONLOCAL_PERSONAL_ID", "entity.province")]


def test_lenient_setting_lets_a_permit_through_everywhere():
    assert nonlocal_codes("23", True, strict_nonlocal_id=False) == []
    assert nonlocal_codes("23", False, strict_nonlocal_id=False) == [("NONLOCAL_PERSONAL_ID", "entity.province")]


def test_organisations_are_not_subject_to_the_personal_id_rule():
    application = app(
        enterprise(province="44", responsible=person(certificate_number=RIC_ZJ)),
        [site(name="某某科技资讯", domain="moumou.com")],
    )
    assert "NONLOCAL_PERSONAL_ID" not in codes("provider", application, org_ctx())


# --- organisation province ------------------------------------------------------------------


def test_organisation_files_in_the_province_of_its_uscc():
    moved = app(enterprise(province="11"), [site(name="某某科技资讯", domain="moumou.com")])
    assert failing("provider", moved, org_ctx()) == [("ORG_PROVINCE_MISMATCH", "entity.province")]
    assert review("provider", org_app(), org_ctx()) == []


def test_centrally_registered_organisation_has_no_province_to_compare():
    entity = enterprise(province="11", certificate_number=USCC_CENTRAL)
    record = domain_record("moumou.com", holder_name="深圳某某科技有限公司", holder_certificate_number=USCC_CENTRAL)
    application = app(entity, [site(name="某某科技资讯", domain="moumou.com")])
    assert review("provider", application, ctx(record)) == []


def test_org_code_certificate_skips_the_province_rule():
    entity = enterprise(province="11", certificate_type="org_code", certificate_number="12345678-X")
    record = domain_record("moumou.com", holder_name="深圳某某科技有限公司", holder_certificate_number="12345678-X")
    application = app(entity, [site(name="某某科技资讯", domain="moumou.com")])
    assert review("provider", application, ctx(record)) == []


# --- bureau: domain expiry (Zhejiang: >= 3 months) -------------------------------------------


def zj_app():
    return app(personal(certificate_number=RIC_ZJ, province="33", responsible=person(certificate_number=RIC_ZJ)))


def zj_ctx(expires_on):
    return ctx(domain_record(holder_certificate_number=RIC_ZJ, expires_on=expires_on))


def test_domain_exactly_three_months_before_expiry_passes():
    assert review("bureau", zj_app(), zj_ctx("2026-09-01")) == []
    assert review("provider", zj_app(), zj_ctx("2026-09-01")) == []


def test_domain_less_than_three_months_before_expiry_fails():
    assert failing("bureau", zj_app(), zj_ctx("2026-08-31")) == [("DOMAIN_NEAR_EXPIRY", "websites.0.domain")]


def test_near_expiry_is_fine_where_the_province_does_not_care():
    soon = ctx(domain_record(expires_on=str(TODAY + timedelta(days=10))))
    assert review("bureau", app(), soon) == []


# --- bureau: conflicts with the national registry ---------------------------------------------


def other_entity(**over):
    base = {
        "id": "E9",
        "name": "王五",
        "type": "personal",
        "certificate_type": "resident_id",
        "certificate_number": make_ric("44030519850505789"),
        "province": "44",
        "number": "粤ICP备2024000009号",
        "status": "active",
        "responsible": person(name="王五", mobile="13700137000"),
    }
    return {**base, **over}


def record_site(**over):
    base = {
        "id": "W9",
        "entity_id": "E9",
        "name": "王五的博客",
        "domain": "zhangsan-blog.cn",
        "number": "粤ICP备2024000009号-1",
        "status": "active",
        "nat_ip": "5.6.7.8",
        "access_providers": ["aliyun"],
    }
    return {**base, **over}


def test_domain_conflict_with_another_entity():
    context = ctx(entities=[other_entity()], websites=[record_site()])
    assert failing("bureau", app(), context) == [("DOMAIN_CONFLICT", "websites.0.domain")]


def test_domain_conflict_matches_case_insensitively():
    context = ctx(entities=[other_entity()], websites=[record_site(domain="ZHANGSAN-BLOG.CN")])
    assert codes("bureau", app(), context) == {"DOMAIN_CONFLICT"}


@pytest.mark.parametrize("over,own", [({"status": "cancelled"}, None), ({}, "E9"), ({"domain": "other.cn"}, None)])
def test_no_domain_conflict(over, own):
    context = ctx(entities=[other_entity()], websites=[record_site(**over)], own_entity_id=own)
    assert "DOMAIN_CONFLICT" not in codes("bureau", app(kind="add_website"), context)


def test_mobile_shared_with_another_entity():
    entity = personal(responsible=person(mobile="+86 137-0013-7000"))
    application = app(entity, [site(responsible=person(name="赵六", mobile="13700137000"))])
    assert failing("bureau", application, ctx(entities=[other_entity()])) == [
        ("MOBILE_SHARED_WITH_OTHER_ENTITY", "entity.responsible.mobile"),
        ("MOBILE_SHARED_WITH_OTHER_ENTITY", "websites.0.responsible.mobile"),
    ]


@pytest.mark.parametrize(
    "entity_over,own",
    [({"status": "cancelled"}, None), ({}, "E9"), ({"responsible": person(mobile="13600136000")}, None)],
)
def test_mobile_not_shared(entity_over, own):
    application = app(personal(responsible=person(mobile="13700137000")))
    context = ctx(entities=[other_entity(**entity_over)], own_entity_id=own)
    assert "MOBILE_SHARED_WITH_OTHER_ENTITY" not in codes("bureau", application, context)


def test_entity_conflict_on_first_filing():
    on_record = other_entity(certificate_number=RIC_GD)
    assert failing("bureau", app(), ctx(entities=[on_record])) == [("ENTITY_CONFLICT", "entity.certificate_number")]


@pytest.mark.parametrize(
    "over,own,kind",
    [
        ({"status": "cancelled"}, None, "first_filing"),
        ({}, "E9", "first_filing"),
        ({}, None, "add_website_external"),
    ],
)
def test_no_entity_conflict(over, own, kind):
    on_record = other_entity(certificate_number=RIC_GD, **over)
    context = ctx(entities=[on_record], own_entity_id=own)
    assert "ENTITY_CONFLICT" not in codes("bureau", app(kind=kind), context)


def test_stages_do_not_leak_into_each_other():
    context = ctx(domain_record(registrar_approved=False), entities=[other_entity()], websites=[record_site()])
    assert codes("provider", app(), context) == {"DOMAIN_REGISTRAR_NOT_APPROVED"}
    assert codes("bureau", app(), context) == {"DOMAIN_CONFLICT"}


def test_review_survives_a_payload_without_entity_or_websites():
    application = {"id": "A3", "kind": "cancel_entity", "payload": {}}
    assert review("provider", application, ReviewContext(today=TODAY)) == []
    assert review("bureau", application, ReviewContext(today=TODAY)) == []


def test_a_new_website_reachable_during_the_bureau_review_is_rejected():
    """process.md §6.1, §9 item 7: first filing / new site must stay offline; off unless the
    registry says the domain serves a site."""
    online = domain_record(site_online=True)
    assert failing("bureau", app(), ctx(domain_record())) == []
    assert failing("bureau", app(), ctx(online)) == [("SITE_REACHABLE_DURING_REVIEW", "websites.0.domain")]
    assert failing("bureau", app(kind="add_website"), ctx(online)) == [
        ("SITE_REACHABLE_DURING_REVIEW", "websites.0.domain")
    ]
    # an access filing moves a site already on record: it may stay online
    assert failing("bureau", app(kind="access_filing"), ctx(online)) == []
