"""Entry validation: number checksums, syntax, TLDs, per-field error dicts."""

import copy
from datetime import date

import pytest
from stdnum.cn import ric, uscc

from backend.domain import payloads as P, tlds, validation as V


def make_ric(first17):
    """A resident ID with a correct check digit (stdnum reads the first 17 digits)."""
    return first17 + ric.calc_check_digit(first17 + "0")


def make_uscc(first17):
    return first17 + uscc.calc_check_digit(first17)


def wrong_last(number, alphabet="0123456789X"):
    return number[:-1] + next(c for c in alphabet if c != number[-1])


RIC_GD = make_ric("44030519900101123")  # Shenzhen Nanshan, born 1990-01-01
USCC_GD = make_uscc("91440300MA5FXXXX0")


def codes(problems):
    return [code for code, _ in problems]


def by_path(problems):
    return {(path, code) for path, code, _ in problems}


def person(**over):
    base = {
        "name": "张三",
        "certificate_type": "resident_id",
        "certificate_number": RIC_GD,
        "mobile": "13800138000",
        "email": "zhangsan@example.com",
    }
    return {**base, **over}


def entity(**over):
    base = {
        "type": "personal",
        "name": "张三",
        "certificate_type": "resident_id",
        "certificate_number": RIC_GD,
        "province": "44",
        "address": "广东省深圳市南山区科技园",
        "residence_permit": False,
        "id_valid_until": "2035-01-01",
        "responsible": person(),
    }
    return {**base, **over}


def website(**over):
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


def payload(ent=None, sites=None):
    return {"entity": ent if ent is not None else entity(), "websites": sites if sites is not None else [website()]}


# --- resident ID ---------------------------------------------------------------


def test_generated_resident_id_is_valid_for_stdnum_too():
    assert ric.is_valid(RIC_GD)
    assert V.check_resident_id(RIC_GD) == []


def test_resident_id_wrong_check_digit():
    assert codes(V.check_resident_id(wrong_last(RIC_GD))) == ["ID_CHECKSUM_INVALID"]


def test_resident_id_with_x_check_digit_any_case():
    number = next(n for n in (make_ric(f"4403051990010112{i}") for i in range(10)) if n.endswith("X"))
    assert V.check_resident_id(number) == []
    assert V.check_resident_id(number.lower()) == []


@pytest.mark.parametrize(
    "value",
    ["", "4403051990010112", RIC_GD + "1", "44030519900101123A", "44030519900101A23" + "0", None, 440305199001011230],
)
def test_resident_id_bad_shape(value):
    assert codes(V.check_resident_id(value)) == ["ID_FORMAT_INVALID"]


def test_resident_id_impossible_birth_date():
    assert codes(V.check_resident_id(make_ric("44030519901301123"))) == ["ID_BIRTH_DATE_INVALID"]


def test_resident_id_unknown_region():
    assert codes(V.check_resident_id(make_ric("99030519900101123"))) == ["ID_REGION_INVALID"]


def test_resident_id_of_hk_resident_permit_is_accepted():
    assert V.check_resident_id(make_ric("81000019900101123")) == []


def test_birth_date_and_province_of_resident_id():
    assert V.birth_date(RIC_GD) == date(1990, 1, 1)
    assert V.id_province(RIC_GD) == "44"
    assert V.id_province(make_ric("31010120000229001")) == "31"


# --- USCC and other certificates ---------------------------------------------------


def test_generated_uscc_is_valid():
    assert uscc.is_valid(USCC_GD)
    assert V.check_uscc(USCC_GD) == []
    assert V.uscc_province(USCC_GD) == "44"


def test_uscc_wrong_check_character():
    bad = wrong_last(USCC_GD, "0123456789ABCDEFGHJKLMNPQRTUWXY")
    assert codes(V.check_uscc(bad)) == ["USCC_CHECKSUM_INVALID"]


@pytest.mark.parametrize("value", ["", "91440300MA5F", USCC_GD[:-1] + "I", "A1440300MA5FXXXX0" + "1"])
def test_uscc_bad_shape(value):
    assert codes(V.check_uscc(value)) == ["USCC_FORMAT_INVALID"]


@pytest.mark.parametrize(
    "cert_type,number",
    [
        ("resident_id", RIC_GD),
        ("uscc", USCC_GD),
        ("passport", "E12345678"),
        ("hk_macao_permit", "H12345678"),
        ("hk_macao_permit", "M1234567890"),
        ("taiwan_permit", "12345678"),
        ("foreign_permanent_id", "USA123456789012"),
        ("foreign_permanent_id", "9" + "1" * 17),
        ("org_code", "12345678-X"),
        ("org_code", "MA5FXXXX0"),
    ],
)
def test_certificate_numbers_that_pass(cert_type, number):
    assert V.check_certificate(cert_type, number) == []


@pytest.mark.parametrize(
    "cert_type,number,code",
    [
        ("resident_id", wrong_last(RIC_GD), "ID_CHECKSUM_INVALID"),
        ("uscc", wrong_last(USCC_GD, "0123456789ABCDEFGHJKLMNPQRTUWXY"), "USCC_CHECKSUM_INVALID"),
        ("passport", "E12", "CERT_NUMBER_INVALID"),
        ("passport", "E1234567!", "CERT_NUMBER_INVALID"),
        ("hk_macao_permit", "X12345678", "CERT_NUMBER_INVALID"),
        ("taiwan_permit", "1234567", "CERT_NUMBER_INVALID"),
        ("foreign_permanent_id", "USA12345", "CERT_NUMBER_INVALID"),
        ("org_code", "1234", "CERT_NUMBER_INVALID"),
        ("driving_licence", "123456", "CERT_TYPE_UNKNOWN"),
        ("passport", "  ", "FIELD_REQUIRED"),
    ],
)
def test_certificate_numbers_that_fail(cert_type, number, code):
    assert codes(V.check_certificate(cert_type, number)) == [code]


@pytest.mark.parametrize(
    "entity_type,cert_type",
    [
        ("personal", "resident_id"),
        ("personal", "passport"),
        ("personal", "hk_macao_permit"),
        ("personal", "taiwan_permit"),
        ("personal", "foreign_permanent_id"),
        ("enterprise", "uscc"),
        ("government", "org_code"),
        ("law_firm", "uscc"),
        ("foundation", "uscc"),
    ],
)
def test_entity_and_certificate_types_that_fit(entity_type, cert_type):
    assert V.check_cert_type_for_entity(entity_type, cert_type) == []


@pytest.mark.parametrize(
    "entity_type,cert_type",
    [
        ("personal", "uscc"),
        ("personal", "org_code"),
        ("enterprise", "resident_id"),
        ("institution", "passport"),
        ("social_org", "hk_macao_permit"),
    ],
)
def test_entity_and_certificate_types_that_do_not_fit(entity_type, cert_type):
    assert codes(V.check_cert_type_for_entity(entity_type, cert_type)) == ["CERT_TYPE_MISMATCH"]


def test_unknown_entity_type():
    assert codes(V.check_cert_type_for_entity("club", "uscc")) == ["ENTITY_TYPE_UNKNOWN"]


# --- mobile, e-mail, province ------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["13800138000", "+8613800138000", "8613800138000", "+86 138-0013-8000", "19912345678"]
)
def test_mobile_valid_and_normalised(value):
    assert V.check_mobile(value) == []
    assert V.normalize_mobile(value) == value.replace(" ", "").replace("-", "")[-11:]


@pytest.mark.parametrize(
    "value", ["12800138000", "1380013800", "138001380001", "+85213800138000", "abc", "", None, 13800138000]
)
def test_mobile_invalid(value):
    assert codes(V.check_mobile(value)) == ["MOBILE_INVALID"]
    assert V.normalize_mobile(value) is None


@pytest.mark.parametrize("value", ["17012345678", "17112345678", "16212345678", "+86 165-1234-5678", "16712345678"])
def test_virtual_operator_ranges_are_refused(value):
    """process.md §1.4 不支持该手机号段: MIIT's SMS does not reach virtual-operator ranges."""
    found = V.check_mobile(value)
    assert codes(found) == ["MOBILE_RANGE_UNSUPPORTED"]
    assert "不支持该手机号段" in found[0][1]


def test_neighbouring_ranges_stay_valid():
    for value in ("17312345678", "17712345678", "16612345678", "19212345678", "15012345678"):
        assert V.check_mobile(value) == [], value


@pytest.mark.parametrize("value", ["zhangsan@example.com", "a.b+c@mail.qq.com", "x@例子.中国"])
def test_email_valid(value):
    assert V.check_email(value) == []


@pytest.mark.parametrize(
    "value", ["", "zhangsan", "a@b", "a@@b.com", ".a@b.com", "a..b@b.com", "a@-b.com", "a b@c.com", None]
)
def test_email_invalid(value):
    assert codes(V.check_email(value)) == ["EMAIL_INVALID"]


def test_province_codes():
    assert V.check_province("44") == []
    assert codes(V.check_province("99")) == ["PROVINCE_UNKNOWN"]
    assert codes(V.check_province(None)) == ["PROVINCE_UNKNOWN"]
    assert V.is_province_code("31") and not V.is_province_code("10")


# --- domains -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value,normal",
    [
        ("zhangsan-blog.cn", "zhangsan-blog.cn"),
        ("  ZhangSan-Blog.CN. ", "zhangsan-blog.cn"),
        ("例子.中国", "例子.中国"),
        ("xn--fsqu00a.xn--fiqs8s", "xn--fsqu00a.xn--fiqs8s"),
        ("例子。中国", "例子.中国"),
        ("example.com.cn", "example.com.cn"),
        ("a1.top", "a1.top"),
    ],
)
def test_domain_valid_and_normalised(value, normal):
    assert V.check_domain(value) == []
    assert V.normalize_domain(value) == normal


def test_unicode_and_punycode_forms_compare_equal():
    assert V.domain_ascii("例子.中国") == "xn--fsqu00a.xn--fiqs8s"
    assert V.domain_unicode("XN--FSQU00A.xn--fiqs8s") == "例子.中国"


@pytest.mark.parametrize(
    "value",
    [
        "",
        "example",
        "http://example.com",
        "example.com/path",
        "example.com:8080",
        "-abc.com",
        "abc-.com",
        "a_b.com",
        "a..com",
        "a" * 64 + ".com",
        "1.2.3.4",
        "xn--zz.com",
        "com.cn",
    ],
)
def test_domain_syntax_invalid(value):
    assert codes(V.check_domain(value)) == ["DOMAIN_SYNTAX_INVALID"]


@pytest.mark.parametrize("tld", ["io", "me", "org", "hk", "tw", "jp", "asia"])
def test_each_refused_tld(tld):
    assert tld in tlds.NOT_APPROVED
    assert codes(V.check_domain(f"zhangsan.{tld}")) == ["DOMAIN_TLD_NOT_APPROVED"]


@pytest.mark.parametrize("tld", ["dev", "ai", "app", "xn--p1ai"])
def test_tld_not_on_list_is_refused_too(tld):
    assert codes(V.check_domain(f"zhangsan.{tld}")) == ["DOMAIN_TLD_NOT_APPROVED"]


@pytest.mark.parametrize(
    "tld",
    ["com", "cn", "net", "中国", "xn--fiqs8s", "top", "xyz", "vip", "shop", "公司", "网络", "cc", "tv", "ltd", "cloud"],
)
def test_approved_tlds(tld):
    assert V.check_domain(f"zhangsan.{tld}") == []


def test_subdomain_is_refused_with_the_apex_to_use():
    problems = V.check_domain("www.zhangsan-blog.cn")
    assert codes(problems) == ["DOMAIN_NOT_APEX"]
    assert "zhangsan-blog.cn" in problems[0][1]
    assert codes(V.check_domain("blog.example.com.cn")) == ["DOMAIN_NOT_APEX"]


# --- website name syntax -------------------------------------------------------------


@pytest.mark.parametrize("value", ["张三的个人博客", "ABC 技术笔记", "张三·随笔"])
def test_website_name_syntax_ok(value):
    assert V.check_website_name(value) == []


@pytest.mark.parametrize(
    "value,code",
    [
        ("", "FIELD_REQUIRED"),
        ("张三的博客!", "WEBSITE_NAME_SPECIAL_CHARS"),
        ("<张三>", "WEBSITE_NAME_SPECIAL_CHARS"),
        ("博" * 51, "WEBSITE_NAME_TOO_LONG"),
    ],
)
def test_website_name_syntax_fails(value, code):
    assert codes(V.check_website_name(value)) == [code]


# --- aggregates ----------------------------------------------------------------------


def test_valid_first_filing_has_no_errors():
    assert P.validate_payload("first_filing", payload()) == {}


def test_validate_entity_keys_errors_by_dotted_path():
    ent = entity(certificate_number=wrong_last(RIC_GD), responsible=person(mobile="123", email="x"))
    errors = V.validate_entity(ent)
    assert set(errors) == {"entity.certificate_number", "entity.responsible.mobile", "entity.responsible.email"}
    assert all(isinstance(m, str) for msgs in errors.values() for m in msgs)


def test_entity_missing_fields_are_required():
    problems = V.entity_problems({"type": "personal"})
    for name in ("name", "certificate_type", "certificate_number", "province", "address", "responsible"):
        assert (f"entity.{name}", "FIELD_REQUIRED") in by_path(problems)


def test_entity_problems_cover_type_province_and_dates():
    ent = entity(type="enterprise", province="99", id_valid_until="2035-13-01", residence_permit="yes")
    found = by_path(V.entity_problems(ent))
    assert ("entity.certificate_type", "CERT_TYPE_MISMATCH") in found
    assert ("entity.province", "PROVINCE_UNKNOWN") in found
    assert ("entity.id_valid_until", "DATE_INVALID") in found
    assert ("entity.residence_permit", "FIELD_INVALID") in found
    assert ("entity.type", "ENTITY_TYPE_UNKNOWN") in by_path(V.entity_problems(entity(type="x")))


def test_responsible_must_use_a_personal_certificate():
    ent = entity(
        type="enterprise",
        name="深圳某某科技有限公司",
        certificate_type="uscc",
        certificate_number=USCC_GD,
        responsible=person(certificate_type="uscc", certificate_number=USCC_GD),
    )
    assert by_path(V.entity_problems(ent)) == {("entity.responsible.certificate_type", "CERT_TYPE_MISMATCH")}


def test_validate_website_paths_use_the_index():
    site = website(domain="zhangsan.io", service_content="casino", nat_ip="999.1.1.1", responsible=person(mobile="110"))
    errors = V.validate_website(site, 3)
    assert set(errors) == {
        "websites.3.domain",
        "websites.3.service_content",
        "websites.3.nat_ip",
        "websites.3.responsible.mobile",
    }
    found = by_path(V.website_problems(site, 3))
    assert ("websites.3.domain", "DOMAIN_TLD_NOT_APPROVED") in found
    assert ("websites.3.service_content", "SERVICE_CONTENT_UNKNOWN") in found


def test_one_domain_per_website():
    found = by_path(V.website_problems(website(domain=["a.cn", "b.cn"]), 0))
    assert found == {("websites.0.domain", "DOMAIN_ONE_PER_WEBSITE")}


def test_personal_order_carries_exactly_one_website():
    two = [website(), website(domain="zhangsan-notes.cn")]
    found = by_path(P.payload_problems("first_filing", payload(sites=two)))
    assert ("websites", "WEBSITE_COUNT_INVALID") in found
    assert P.validate_payload("first_filing", payload(sites=[website()])) == {}


def org_payload(count):
    ent = entity(type="enterprise", name="深圳某某科技有限公司", certificate_type="uscc", certificate_number=USCC_GD)
    return payload(
        ent,
        [
            website(name=f"某某科技官网{i}", domain=f"moumou{i}.com", service_content="enterprise_site")
            for i in range(count)
        ],
    )


def test_organisation_order_carries_one_to_ten_websites():
    assert P.validate_payload("first_filing", org_payload(10)) == {}
    assert "websites" in P.validate_payload("first_filing", org_payload(11))
    assert "websites" in P.validate_payload("first_filing", org_payload(0))
    found = by_path(P.payload_problems("first_filing", org_payload(11)))
    assert ("websites", "WEBSITE_COUNT_INVALID") in found


def test_duplicate_domains_in_one_order():
    body = org_payload(3)
    body["websites"][1]["domain"] = "MOUMOU0.com"
    body["websites"][2]["domain"] = "moumou2.com"
    found = by_path(P.payload_problems("first_filing", body))
    assert found == {("websites.1.domain", "DOMAIN_DUPLICATE_IN_ORDER")}


def test_unicode_and_punycode_duplicates_are_caught():
    body = org_payload(2)
    body["websites"][0]["domain"] = "例子.中国"
    body["websites"][1]["domain"] = "xn--fsqu00a.xn--fiqs8s"
    assert by_path(P.payload_problems("first_filing", body)) == {("websites.1.domain", "DOMAIN_DUPLICATE_IN_ORDER")}


def test_first_filing_needs_entity_and_websites():
    found = by_path(P.payload_problems("first_filing", {}))
    assert ("entity", "FIELD_REQUIRED") in found
    assert ("websites", "WEBSITE_COUNT_INVALID") in found


def test_other_kinds_and_unknown_kind():
    assert P.validate_payload("cancel_website", {"website_id": "W0001"}) == {}
    assert set(P.validate_payload("cancel_website", {})) == {"website_id"}
    assert P.validate_payload("cancel_entity", {}) == {}
    assert P.validate_payload("add_website", {"websites": [website()]}) == {}
    assert set(P.validate_payload("add_website", {"entity": entity(), "websites": [website()]})) == {"entity"}
    assert by_path(P.payload_problems("renew", {})) == {("kind", "KIND_UNKNOWN")}


def test_validation_does_not_mutate_the_payload():
    body = payload()
    before = copy.deepcopy(body)
    P.validate_payload("first_filing", body)
    assert body == before
