"""Gates the real flow puts before any form or at entry (process.md §1.2, §1.4, §2.7, §8): they hold
whether or not the client called 验证备案类型 first (audit items 1, 6, 8, 9, 10)."""

import pytest
from support.people import ZHANG_SAN_ID, credit_code, person, personal_payload, resident_id

from api.flows import advance, assert_error, create_app, field_errors, new_sandbox, register_domain, usable_ip
from api.kinds_flows import ORG_USCC, first_filed, new_site, org_domain, org_entity, seed_org

VERIFY = "~/filing-type/verify"


def create(sb, payload, kind="first_filing"):
    return sb.post("~/applications", json={"kind": kind, "payload": payload})


# -- item 6: virtual-operator mobile ranges (§1.4 不支持该手机号段, §2.7) ------------------------------


def test_a_virtual_operator_mobile_is_refused_at_entry_per_field(sandbox):
    register_domain(sandbox, "zhangsan-blog.cn")
    for mobile in ("17012345678", "16512345678"):
        payload = personal_payload(usable_ip(sandbox))
        payload["entity"]["responsible"]["mobile"] = mobile
        errors = field_errors(create(sandbox, payload), "payload.entity.responsible.mobile")
        assert any("不支持该手机号段" in m for m in errors["payload.entity.responsible.mobile"])
    payload = personal_payload(usable_ip(sandbox))
    payload["websites"][0]["responsible"] = dict(payload["entity"]["responsible"], mobile="17112345678")
    field_errors(create(sandbox, payload), "payload.websites.0.responsible.mobile")
    assert create_app(sandbox, personal_payload(usable_ip(sandbox)))["state"] == "draft"


# -- items 8 and 9: where an entity may file (§1.2, §8) -------------------------------------------


def verify_body(**over):
    body = {
        "province": "44",
        "entity_type": "personal",
        "certificate_type": "resident_id",
        "certificate_number": ZHANG_SAN_ID,
        "domains": ["zhangsan-blog.cn"],
    }
    return {**body, **over}


def test_a_province_that_refuses_non_local_ids_refuses_them_at_verify_and_entry(sandbox):
    register_domain(sandbox, "zhangsan-blog.cn")
    for province in ("41", "50", "15"):  # Henan, Chongqing, Inner Mongolia
        errors = field_errors(sandbox.post(VERIFY, json=verify_body(province=province)), "province")
        assert "不受理外省居民身份证" in errors["province"][0]
        payload = personal_payload(usable_ip(sandbox), province=province, residence_permit=True)
        errors = field_errors(create(sandbox, payload), "payload.entity.province")
        assert "不受理外省居民身份证" in errors["payload.entity.province"][0]


def test_a_province_that_allows_them_takes_the_residence_permit(sandbox):
    register_domain(sandbox, "zhangsan-blog.cn")
    assert sandbox.post(VERIFY, json=verify_body(province="31")).get_json()["scenario"] == "first_filing"
    app = create_app(sandbox, personal_payload(usable_ip(sandbox), province="31", residence_permit=True))
    assert app["state"] == "draft"


def test_the_lenient_setting_and_overrides_are_read_at_entry(control):
    sb = new_sandbox(control, settings={"strict_nonlocal_id": False})
    register_domain(sb, "zhangsan-blog.cn")
    assert sb.post(VERIFY, json=verify_body(province="50")).status_code == 200
    assert create_app(sb, personal_payload(usable_ip(sb), province="50", residence_permit=True))["state"] == "draft"


def test_an_organisation_files_in_its_certificates_province(sandbox):
    seed_org(sandbox)  # on record in 粤, filed elsewhere
    org_domain(sandbox, "moumou-shop.cn")
    body = verify_body(
        province="11",
        entity_type="enterprise",
        certificate_type="uscc",
        certificate_number=ORG_USCC,
        domains=["moumou-shop.cn"],
    )
    errors = field_errors(sandbox.post(VERIFY, json=body), "province")
    assert "广东省" in errors["province"][0]
    other = credit_code("91440300MA5ABCDE0")  # a Shenzhen company never filed
    register_domain(sandbox, "example-tech.cn", holder_name="深圳市示例科技有限公司", holder_cert=other)
    # its own boss: the seeded company's 王五 is already website owner there (one owner, one entity)
    boss = person(name="钱九", cert=resident_id("44030519870707007"), mobile="13200132000", email="qj@example.com")
    payload = {
        "entity": org_entity(name="深圳市示例科技有限公司", certificate_number=other, province="11", responsible=boss),
        "websites": [new_site(usable_ip(sandbox), "example-tech.cn", "示例科技官网", "enterprise_site")],
    }
    errors = field_errors(create(sandbox, payload), "payload.entity.province")
    assert "广东省" in errors["payload.entity.province"][0]
    payload["entity"]["province"] = "44"
    assert create_app(sandbox, payload)["state"] == "draft"


# -- item 10: the domain real-name sync wait (§1.4) -------------------------------------------------


def test_another_registrars_domain_waits_three_working_days(sandbox):
    # verified on Friday 2026-05-29: Monday is one working day later
    register_domain(sandbox, "zhangsan-blog.cn", registrar="GoDaddy", real_name_verified_on="2026-05-29")
    body = assert_error(sandbox.post(VERIFY, json=verify_body()), 409, "DOMAIN_REALNAME_SYNC_PENDING")
    assert "3 个工作日" in body["message"] and body["field"] == "domains.0"
    advance(sandbox, duration="48h")  # Wednesday: Mon, Tue, Wed
    assert sandbox.post(VERIFY, json=verify_body()).status_code == 200


def test_a_dnspod_domain_waits_three_natural_days(sandbox):
    register_domain(sandbox, "zhangsan-blog.cn", real_name_verified_on="2026-05-29")
    assert sandbox.post(VERIFY, json=verify_body()).status_code == 200


# -- item 1: 验证备案类型's blocking checks hold when verify is never called (§1.4, §9.1) -------------

STAGES = {"pre_submit_checks": True}
SKIPPED_VERIFY = [
    ({"account": {"flagged": True}}, {}, "ACCOUNT_FLAGGED"),
    ({"account": {"real_name": "李四"}}, {}, "ACCOUNT_REALNAME_MISMATCH"),
    (
        {"account": {"real_name": "张三", "real_name_verified_at": "2026-06-01T08:00:00+08:00"}},
        {},
        "REALNAME_SYNC_PENDING",
    ),
    ({"verification_faults": ["CERTIFICATE_LOOKUP_FAILED"]}, {}, "CERTIFICATE_LOOKUP_FAILED"),
    ({}, {"real_name_verified_on": "2026-05-31"}, "DOMAIN_REALNAME_SYNC_PENDING"),
]


@pytest.mark.parametrize("settings,domain_fields,code", SKIPPED_VERIFY, ids=[c[2] for c in SKIPPED_VERIFY])
@pytest.mark.parametrize("stages", [True, False], ids=["stages", "no-stages"])
def test_an_order_created_without_verify_meets_the_same_blocking_code(control, settings, domain_fields, code, stages):
    sb = new_sandbox(control, settings={**settings, **(STAGES if stages else {})})
    register_domain(sb, "zhangsan-blog.cn", **domain_fields)
    said = assert_error(sb.post(VERIFY, json=verify_body(entity_name="张三")), 409, code)
    body = assert_error(create(sb, personal_payload(usable_ip(sb))), 409, code)
    assert (body["message"], body["suggest"]) == (said["message"], said["suggest"])
    assert sb.get("~/applications").get_json() == []


def test_submit_checks_again(sandbox):
    register_domain(sandbox, "zhangsan-blog.cn")
    app = create_app(sandbox, personal_payload(usable_ip(sandbox)))
    sandbox.patch("~/domains/zhangsan-blog.cn", json={"real_name_verified_on": "2026-06-01"})
    resp = sandbox.post(f"~/applications/{app['id']}/actions/submit", json={})
    body = assert_error(resp, 409, "DOMAIN_REALNAME_SYNC_PENDING")
    assert body["field"] == "payload.websites.0.domain"


def test_the_domain_registrys_answers_come_at_entry_when_the_stages_are_enforced(control):
    sb = new_sandbox(control, settings=STAGES)
    register_domain(sb, "zhangsan-blog.cn", holder_name="李四", holder_cert=resident_id("44030519850505001"))
    assert_error(create(sb, personal_payload(usable_ip(sb))), 409, "DOMAIN_HOLDER_MISMATCH")
    body = assert_error(create(sb, personal_payload(usable_ip(sb), domain="nobody-has-it.cn")), 409)
    assert body["code"] == "DOMAIN_NOT_REGISTERED" and body["field"] == "payload.websites.0.domain"


def test_new_websites_and_access_filings_meet_them_too(control):
    sb = new_sandbox(control, settings={"account": {"real_name": "张三"}})
    today = first_filed(sb)["updated_at"][:10]  # 张三 at Tencent
    register_domain(sb, "zhangsan-notes.cn", real_name_verified_on=today)
    site = new_site(usable_ip(sb), "zhangsan-notes.cn", "张三的读书笔记")
    assert_error(create(sb, {"websites": [site]}, "add_website"), 409, "DOMAIN_REALNAME_SYNC_PENDING")
    other = new_sandbox(control, settings={"account": {"real_name": "张三"}})
    seed_org(other)  # 深圳市某某科技有限公司, filed elsewhere: not the account's real name
    org_domain(other, "moumou-tech.cn")
    access = {
        "entity_number": "粤ICP备19000123号",
        "websites": [{"domain": "moumou-tech.cn", "nat_ip": usable_ip(other)}],
    }
    assert_error(create(other, access, "access_filing"), 409, "ACCOUNT_REALNAME_MISMATCH")


def test_verify_without_the_entity_name_compares_what_it_knows_and_says_what_it_could_not(control):
    sb = new_sandbox(control, settings={"account": {"real_name": "李四"}})
    register_domain(sb, "zhangsan-blog.cn")  # held by 张三 under this ID
    assert_error(sb.post(VERIFY, json=verify_body()), 409, "ACCOUNT_REALNAME_MISMATCH")
    sb2 = new_sandbox(control, settings={"account": {"real_name": "张三"}})
    register_domain(sb2, "zhangsan-blog.cn")
    out = sb2.post(VERIFY, json=verify_body()).get_json()
    assert out["scenario"] == "first_filing" and "not_checked" not in out


# -- item 23: the verification's inputs as typed ---------------------------------------------------


def test_verify_refuses_invisible_characters_and_duplicates_and_folds_full_width_digits(sandbox):
    register_domain(sandbox, "zhangsan-blog.cn")
    errors = field_errors(sandbox.post(VERIFY, json=verify_body(domains=["zhang\u200bsan-blog.cn"])), "domains.0")
    assert "不可见字符" in errors["domains.0"][0]
    field_errors(sandbox.post(VERIFY, json=verify_body(domains=["zhangsan-blog.cn", "zhangsan-blog.cn"])), "domains")
    full = "".join(chr(ord(c) + 0xFEE0) for c in ZHANG_SAN_ID)
    assert sandbox.post(VERIFY, json=verify_body(certificate_number=full)).get_json()["scenario"] == "first_filing"


def test_the_mailing_address_lies_in_the_ids_region_where_non_local_ids_are_refused(sandbox):
    henan_id = resident_id("41010519900101001")  # 郑州市金水区
    register_domain(sandbox, "zhangsan-blog.cn", holder_cert=henan_id)
    address = {"province_code": "410000", "city_code": "410300", "district_code": "410302", "street": "中州路 1 号"}
    responsible = person(cert=henan_id)
    payload = personal_payload(
        usable_ip(sandbox), province="41", certificate_number=henan_id, mailing_address=address, responsible=responsible
    )
    errors = field_errors(create(sandbox, payload), "payload.entity.mailing_address.city_code")
    assert "郑州市" in errors["payload.entity.mailing_address.city_code"][0]
    payload["entity"]["mailing_address"] = dict(address, city_code="410100", district_code="410105")
    assert create_app(sandbox, payload)["state"] == "draft"
