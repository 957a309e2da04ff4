"""process.md §2.2–§2.4 as data: 网站服务内容 is a multi-select (a single code reads as a one-item
list); the entity types and the certificates each accepts, with each certificate's number rule;
minors refused as responsible persons at entry (forms_people.minor_problems)."""

from datetime import date

import pytest

from backend.domain import (
    forms_people,
    forms_rules,
    identity_checks,
    materials,
    pre_approvals,
    review,
    service_contents,
    validation as V,
)

# --- 网站服务内容: a list -----------------------------------------------------------------


def test_a_single_code_reads_as_a_one_item_list_and_a_list_as_is():
    assert service_contents.of("blog") == ["blog"]
    assert service_contents.of(["news", "blog"]) == ["news", "blog"]
    assert service_contents.of({"service_content": "blog"}) == ["blog"]
    assert service_contents.of(None) == [] and service_contents.of(7) == []


@pytest.mark.parametrize(
    "value, code",
    [
        ("nonsense", "SERVICE_CONTENT_UNKNOWN"),
        ([], "FIELD_REQUIRED"),
        (["blog", "blog"], "SERVICE_CONTENT_DUPLICATE"),
        (["blog", "x"], "SERVICE_CONTENT_UNKNOWN"),
        (list(service_contents.CODES[:6]), "SERVICE_CONTENT_TOO_MANY"),
    ],
)
def test_bad_lists_are_named_per_field(value, code):
    found = service_contents.problems(value, "websites.0")
    assert code in [c for _, c, _ in found], found
    assert all(p.startswith("websites.0.service_content") for p, _, _ in found)


def test_good_values_pass_entry_validation_in_both_shapes():
    site = {"name": "示例科技官网", "domain": "shili.cn", "nat_ip": "1.2.3.4"}
    assert not V.website_problems(dict(site, service_content="enterprise_site"), 0)
    assert not V.website_problems(dict(site, service_content=["enterprise_site", "ecommerce"]), 0)
    unknown = V.website_problems(dict(site, service_content="x"), 0)
    assert unknown and "可选" in unknown[0][2]  # the allowed list is named


def test_a_personal_site_with_one_enterprise_content_among_several_is_refused():
    site = {"service_content": ["blog", "ecommerce"]}
    codes = [c for _, c, _ in forms_rules.personal_content_problems(site, "websites.0")]
    assert codes == ["PERSONAL_ENTERPRISE_CONTENT"]
    assert not forms_rules.personal_content_problems({"service_content": ["blog", "other"]}, "websites.0")


def test_the_review_rules_read_lists_too():
    rule = next(r for r in review.RULES if r.code == "PERSONAL_PRE_APPROVAL_CONTENT")
    app = {
        "kind": "first_filing",
        "payload": {"entity": {"type": "personal"}, "websites": [{"service_content": ["blog", "news"]}]},
    }
    ctx = review.ReviewContext(today=date(2026, 6, 1))
    assert rule.check(app, ctx)


def test_every_content_needing_a_pre_approval_needs_its_own_item():
    site = {"service_content": ["news", "education"], "pre_approvals": [{"type": "news", "number": "粤-1号"}]}
    assert pre_approvals.needed_types(site["service_content"]) == ["education", "news"]
    assert not pre_approvals.satisfied(site)
    site["pre_approvals"].append({"type": "education", "number": "粤-2号"})
    assert pre_approvals.satisfied(site)
    assert pre_approvals.satisfied({"service_content": "news", "pre_approvals": [{"type": "news", "number": "x"}]})


def test_the_materials_table_reads_lists():
    entity = {"type": "enterprise", "province": "44", "responsible": {"certificate_number": "1"}}
    site = {"service_content": ["enterprise_site", "finance"]}
    slots = [s.key for s in materials._site_slots(0, site, entity, "44", materials.province_rules.get("44"))]
    assert "websites.0.gd_finance_commitment" in slots and "websites.0.pre_approval_document" in slots


# --- entity and certificate types (data/entity_types.csv, data/certificate_types.csv) ------


def test_the_tables_are_complete_and_consistent():
    names = {r["name"] for r in identity_checks.ENTITY_TYPE_TABLE.values()}
    # process.md §2.2: ids 1–6 and every name of GH1/GH2 beyond them
    for name in ("国防机构", "政府机关", "事业单位", "企业", "个人", "社会团体", "民办非企业单位", "基金会",
                 "律师执业机构", "外国在华文化中心", "群众性团体组织", "司法鉴定机构", "宗教团体", "境外机构",
                 "医疗机构", "公证机构", "集体经济", "仲裁机构"):  # fmt: skip
        assert name in names, name
    for code, certs in identity_checks.ACCEPTED_CERTS.items():
        assert certs and all(c in identity_checks.CERT_TYPE_TABLE for c in certs), code
        holder = identity_checks.ENTITY_TYPE_TABLE[code]["holder"]
        assert all(identity_checks.CERT_TYPE_TABLE[c]["holder"] == holder for c in certs), code
    used = {c for certs in identity_checks.ACCEPTED_CERTS.values() for c in certs}
    assert used == set(identity_checks.CERT_TYPES)  # no certificate type nobody can use
    miit = {m for r in identity_checks.CERT_TYPE_TABLE.values() for m in r["miit_codes"].split()}
    assert {"2", "7", "11", "14", "30", "41", "42", "1", "4", "6", "17", "19", "21", "38", "39", "43", "44"} <= miit


@pytest.mark.parametrize(
    "entity_type, cert_type, ok",
    [
        ("institution", "institution_certificate", True),
        ("institution", "law_firm_licence", False),
        ("enterprise", "business_licence", True),
        ("law_firm", "law_firm_licence", True),
        ("personal", "hk_macao_residence_permit", True),
        ("personal", "business_licence", False),
        ("medical", "medical_institution_licence", True),
        ("defence", "military_code", True),
        ("enterprise", "uscc", True),  # every organisation may file with its USCC (as before)
    ],
)
def test_which_certificate_each_entity_type_accepts(entity_type, cert_type, ok):
    assert (not V.check_cert_type_for_entity(entity_type, cert_type)) is ok


def test_unknown_types_name_the_allowed_list():
    ((code, message),) = V.check_cert_type_for_entity("martian", "uscc")
    assert code == "ENTITY_TYPE_UNKNOWN" and "企业（enterprise）" in message
    ((code, message),) = V.check_certificate("moon_pass", "1")
    assert code == "CERT_TYPE_UNKNOWN" and "居民身份证（resident_id）" in message


@pytest.mark.parametrize(
    "cert_type, number, ok",
    [
        ("business_licence", "440300000123456", True),  # a 15-digit registration number (before the USCC)
        ("business_licence", "91440300MA5FTEST00", False),  # 18 characters: a USCC, its checksum is checked
        ("institution_certificate", "事证第110000001234号", True),
        ("institution_certificate", "12345", False),
        ("hk_macao_residence_permit", "440305199001010018", False),  # not an 81/82 number
        ("taiwan_residence_permit", "830000199001010013", None),  # the region rule, then the ID checksum
        ("military_code", "12345", True),
        ("private_school_licence", "教民144030070000011", True),
        ("overseas_org_certificate", "!!", False),
    ],
)
def test_each_certificate_number_by_its_rule(cert_type, number, ok):
    found = V.check_certificate(cert_type, number)
    if ok is None:
        assert not found or found[0][0] == "ID_CHECKSUM_INVALID"
    else:
        assert (not found) is ok, found


# --- minors, at entry -----------------------------------------------------------------------

MINOR = "440305201003010011"  # born 2010-03-01
ADULT = "440305199001010018"


def _named(owner_number, site_owner=None):
    payload = {
        "entity": {
            "type": "enterprise",
            "responsible": {"certificate_type": "resident_id", "certificate_number": owner_number},
        },
        "websites": [{"responsible": site_owner}] if site_owner else [],
    }
    return forms_people.people(payload)


def test_a_minor_responsible_person_is_refused_with_a_per_field_message():
    found = forms_people.minor_problems(_named(MINOR), date(2026, 6, 1), 18)
    assert [(p, c) for p, c, _ in found] == [("entity.responsible.certificate_number", "RESPONSIBLE_UNDER_18")]
    assert "主体负责人须年满 18 周岁" in found[0][2] and "16" in found[0][2]
    site = forms_people.minor_problems(
        _named(ADULT, {"certificate_type": "resident_id", "certificate_number": MINOR}), date(2026, 6, 1), 18
    )
    assert [p for p, _, _ in site] == ["websites.0.responsible.certificate_number"] and "网站负责人" in site[0][2]


def test_the_age_is_on_the_virtual_date_and_the_setting():
    assert not forms_people.minor_problems(_named(MINOR), date(2028, 3, 1), 18)  # 18 that day
    assert forms_people.minor_problems(_named(MINOR), date(2028, 2, 29), 18)
    assert not forms_people.minor_problems(_named(MINOR), date(2026, 6, 1), 16)


def test_numbers_without_a_birth_date_are_not_judged():
    passport = {"type": "enterprise", "responsible": {"certificate_type": "passport", "certificate_number": "E1234567"}}
    assert not forms_people.minor_problems(forms_people.people({"entity": passport}), date(2026, 6, 1), 18)
    assert not forms_people.minor_problems(_named("440305201003010012"), date(2026, 6, 1), 18)  # bad checksum


# --- 网站首页地址 ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url, code",
    [
        ("https://www.shili.cn/", None),
        ("http://shili.cn:8080/index.html", None),
        ("https://WWW.SHILI.CN", None),
        ("https://evil.cn/", "HOMEPAGE_NOT_ON_DOMAIN"),
        ("https://shili.cn.evil.cn/", "HOMEPAGE_NOT_ON_DOMAIN"),
        ("https://xshili.cn/", "HOMEPAGE_NOT_ON_DOMAIN"),
        ("ftp://shili.cn/", "HOMEPAGE_URL_INVALID"),
        ("https://user:pw@shili.cn/", "HOMEPAGE_URL_INVALID"),
        ("https://shili.cn:99999/", "HOMEPAGE_URL_INVALID"),
        ("shili.cn", "HOMEPAGE_URL_INVALID"),
    ],
)
def test_the_homepage_must_be_on_the_websites_domain(url, code):
    found = forms_rules.website_problems(
        {"domain": "shili.cn", "homepage_url": url}, 0, {"type": "enterprise"}, date(2026, 6, 1)
    )
    assert [c for p, c, _ in found if p == "websites.0.homepage_url"] == ([code] if code else [])


# process.md §2.4: MIIT's 网站服务内容 list (GH1 bit codes), every entry a code of the table
MIIT_CONTENTS = {
    1: "即时通信",
    2: "搜索引擎",
    4: "综合门户",
    8: "网上邮局",
    16: "网络新闻",
    32: "博客/个人空间",
    64: "网络广告/信息",
    128: "单位门户网站",
    256: "网络购物",
    512: "网上支付",
    1024: "网上银行",
    2048: "网上炒股/股票基金",
    4096: "网络游戏",
    8192: "网络音乐",
    16384: "网络影视",
    32768: "网络图片",
    65536: "网络软件/下载",
    131072: "网上求职",
    262144: "网上交友/婚介",
    524288: "网上房产",
    1048576: "网络教育",
    2097152: "网站建设",
    4194304: "WAP",
    8388608: "其他",
    134217728: "APP",
    268435456: "网络借贷信息中介",
    536870912: "互联网股权融资",
    1073741824: "互联网保险",
    2147483648: "互联网跨界金融及资产管理",
    4294967296: "网上非银支付",
}


def test_every_miit_service_content_type_is_offered():
    by_id = {(int(r["miit_id"]), r["name"]) for r in service_contents.TYPES.values()}
    assert set(MIIT_CONTENTS.items()) <= by_id
    assert service_contents.CODES[-1] == "other"  # 其他 last, as the forms list it


@pytest.mark.parametrize(
    "code, rule",
    [
        ("online_payment", "PERSONAL_PRE_APPROVAL_CONTENT"),
        ("internet_insurance", "PERSONAL_PRE_APPROVAL_CONTENT"),
        ("music", "PERSONAL_PRE_APPROVAL_CONTENT"),
        ("search_engine", "PERSONAL_ENTERPRISE_CONTENT"),
        ("dating", "PERSONAL_ENTERPRISE_CONTENT"),
        ("images", None),
        ("software_download", None),
    ],
)
def test_the_table_s_columns_are_the_rules_for_a_person(code, rule):
    found = forms_rules.problems(
        "first_filing", {"websites": [{"service_content": [code]}], "entity": {"type": "personal"}}, date(2026, 6, 1)
    )
    assert [c for _, c, _ in found if c.startswith("PERSONAL_")] == ([rule] if rule else [])
    assert (code in service_contents.PRE_APPROVAL) == (rule == "PERSONAL_PRE_APPROVAL_CONTENT")
