"""验证备案类型 (process.md §1): every scenario it routes to and every blocking code it answers,
before any form; 我的备案 and its pre-filled offers."""

import pytest
from support.people import ZHANG_SAN_ID, personal_payload, resident_id

from api.flows import assert_error, create_app, field_errors, new_sandbox, ok, register_domain, usable_ip
from api.kinds_flows import ORG_NAME, ORG_USCC, first_filed, org_domain, seed_org

PATH = "~/filing-type/verify"


def ask(sb, domains=("zhangsan-blog.cn",), **over):
    body = {
        "province": "44",
        "entity_type": "personal",
        "certificate_type": "resident_id",
        "certificate_number": ZHANG_SAN_ID,
        "domains": list(domains),
        **over,
    }
    return sb.post(PATH, json=body)


def org_ask(sb, domains, **over):
    body = {"entity_type": "enterprise", "certificate_type": "uscc", "certificate_number": ORG_USCC}
    return ask(sb, domains, **{**body, **over})


def blocked(resp, code):
    body = assert_error(resp, 409, code)
    assert body.get("suggest"), body  # what to do, always
    return body


# -- the scenarios of §1.3 -------------------------------------------------------------


def test_never_filed_is_a_first_filing(sandbox):
    register_domain(sandbox, "zhangsan-blog.cn")
    out = ok(ask(sandbox))
    assert out["scenario"] == "first_filing" and out["scenario_zh"] == "首次备案"
    assert out["nat_ip"] == usable_ip(sandbox) and out["entity_number"] is None


def test_entity_filed_elsewhere_and_a_new_domain_is_a_new_website_elsewhere(sandbox):
    seed_org(sandbox)
    org_domain(sandbox, "moumou-shop.cn")
    out = ok(org_ask(sandbox, ["moumou-shop.cn"]))
    assert out["scenario"] == "add_website_external" and out["entity_number"] == "粤ICP备19000123号"


def test_entity_and_domain_filed_elsewhere_is_an_access_filing(sandbox):
    seed_org(sandbox)
    org_domain(sandbox, "moumou-tech.cn")
    assert ok(org_ask(sandbox, ["moumou-tech.cn"]))["scenario"] == "access_filing"


def test_entity_filed_at_tencent_is_a_new_website_at_tencent(sandbox):
    first_filed(sandbox)
    register_domain(sandbox, "zhangsan-notes.cn")
    assert ok(ask(sandbox, ["zhangsan-notes.cn"]))["scenario"] == "add_website"


# -- the blocking codes of §1.4 ----------------------------------------------------------


def test_inputs_are_checked_per_field(sandbox):
    errors = field_errors(ask(sandbox, ["not a domain"], certificate_number="123"), "certificate_number", "domains.0")
    assert errors
    field_errors(ask(sandbox, entity_type="enterprise"), "entity_type")  # a resident ID for a company


def test_tld_not_fileable(sandbox):
    blocked(ask(sandbox, ["zhangsan.io"]), "TLD_NOT_FILEABLE")


def test_domain_not_registered_and_not_real_name(sandbox):
    blocked(ask(sandbox, ["nobody-has-it.cn"]), "DOMAIN_NOT_REGISTERED")
    register_domain(sandbox, "zhangsan-blog.cn", real_name_status="pending")
    blocked(ask(sandbox), "DOMAIN_REALNAME_PENDING")


def test_domain_real_name_not_yet_synced(sandbox):
    register_domain(sandbox, "zhangsan-blog.cn", real_name_verified_on="2026-05-31")
    body = blocked(ask(sandbox), "DOMAIN_REALNAME_SYNC_PENDING")
    assert body["field"] == "domains.0"


def test_domain_held_by_someone_else(sandbox):
    register_domain(sandbox, "zhangsan-blog.cn", holder_name="李四", holder_cert="44030519850505001X")
    blocked(ask(sandbox), "DOMAIN_HOLDER_MISMATCH")


def test_domain_filed_by_another_entity(sandbox):
    seed_org(sandbox)
    register_domain(sandbox, "moumou-tech.cn")  # the registry says 张三 holds it; MIIT says the company filed it
    body = blocked(ask(sandbox, ["moumou-tech.cn"]), "DOMAIN_ALREADY_FILED")
    assert body["number"].startswith("粤ICP备19000123号")


def test_entity_in_another_tencent_account(sandbox):
    seed_org(sandbox, provider="tencent", account="external")
    org_domain(sandbox, "moumou-shop.cn")
    blocked(org_ask(sandbox, ["moumou-shop.cn"]), "ENTITY_IN_OTHER_ACCOUNT")


def test_info_conflict_with_the_record(sandbox):
    seed_org(sandbox)
    org_domain(sandbox, "moumou-shop.cn")
    blocked(org_ask(sandbox, ["moumou-shop.cn"], entity_type="government"), "INFO_CONFLICT")


def test_order_in_progress(sandbox):
    register_domain(sandbox, "zhangsan-blog.cn")
    app = create_app(sandbox, personal_payload(usable_ip(sandbox)))
    register_domain(sandbox, "zhangsan-notes.cn")
    body = blocked(ask(sandbox, ["zhangsan-notes.cn"]), "ORDER_IN_PROGRESS")
    assert body["application_id"] == app["id"]


def test_no_resource(control):
    sb = new_sandbox(control, preset="empty")
    register_domain(sb, "zhangsan-blog.cn")
    blocked(ask(sb), "NO_RESOURCE")


def test_an_ip_that_is_not_usable(sandbox):
    register_domain(sandbox, "zhangsan-blog.cn")
    blocked(ask(sandbox, nat_ip="10.0.0.1"), "NO_RESOURCE")


ACCOUNT_CASES = [
    ({"account": {"flagged": True}}, {}, "ACCOUNT_FLAGGED"),
    (
        {"account": {"real_name": "张三", "real_name_verified_at": "2026-05-31T12:00:00+08:00"}},
        {},
        "REALNAME_SYNC_PENDING",
    ),
    ({"account": {"real_name": "李四"}}, {"entity_name": "张三"}, "ACCOUNT_REALNAME_MISMATCH"),
    ({"verification_faults": ["CERTIFICATE_LOOKUP_FAILED"]}, {}, "CERTIFICATE_LOOKUP_FAILED"),
]


@pytest.mark.parametrize("settings,extra,code", ACCOUNT_CASES, ids=[c[2] for c in ACCOUNT_CASES])
def test_account_checks(control, settings, extra, code):
    sb = new_sandbox(control, settings=settings)
    register_domain(sb, "zhangsan-blog.cn")
    blocked(ask(sb, **extra), code)


def test_account_real_name_that_matches_passes(control):
    sb = new_sandbox(
        control, settings={"account": {"real_name": "张三", "real_name_verified_at": "2026-05-01T12:00:00+08:00"}}
    )
    register_domain(sb, "zhangsan-blog.cn")
    assert ok(ask(sb, entity_name="张三"))["scenario"] == "first_filing"


def test_business_registration_not_yet_synced(control):
    sb = new_sandbox(control, settings={"business_registry": {ORG_USCC: {"updated_on": "2026-05-28"}}})
    org_domain(sb, "moumou-tech.cn")
    blocked(org_ask(sb, ["moumou-tech.cn"], entity_name=ORG_NAME), "BIZ_INFO_SYNC_PENDING")
    sb2 = new_sandbox(control, settings={"business_registry": {ORG_USCC: {"updated_on": "2026-05-01"}}})
    org_domain(sb2, "moumou-tech.cn")
    assert ok(org_ask(sb2, ["moumou-tech.cn"]))["scenario"] == "first_filing"


def test_an_order_open_at_another_provider_is_a_conflict_of_the_entity(control):
    """主办者冲突 (process.md §1.3): one entity, one order at the bureau, wherever it was placed."""
    sb = new_sandbox(control, settings={"orders_elsewhere": {ZHANG_SAN_ID: {"provider": "aliyun"}}})
    register_domain(sb, "zhangsan-blog.cn")
    body = blocked(ask(sb), "ENTITY_ORDER_ELSEWHERE")
    assert body["message"].startswith("此证件存在进行中的订单") and "主办者冲突" in body["suggest"]
    assert body["provider"] == "aliyun"
    resp = sb.post("~/applications", json={"kind": "first_filing", "payload": personal_payload(usable_ip(sb))})
    assert_error(resp, 409, "ENTITY_ORDER_ELSEWHERE")  # skipping the verification does not skip it
    other = new_sandbox(control, settings={"orders_elsewhere": {"440305198505050019": {"provider": "aliyun"}}})
    register_domain(other, "zhangsan-blog.cn")
    assert ok(ask(other))["scenario"] == "first_filing"  # another person's order
    bad = control.post("/api/v1/sandboxes", json={"settings": {"orders_elsewhere": ["x"]}})
    assert "settings" in str(assert_error(bad, 422).get("errors"))
    closed = {"orders_elsewhere": {ZHANG_SAN_ID: {"provider": "aliyun", "since": "x"}}}  # only provider
    assert "since" in str(assert_error(control.post("/api/v1/sandboxes", json={"settings": closed}), 422)["errors"])


def test_every_blocking_code_is_declared_and_covered():
    from backend.domain import errors, verification

    assert set(verification.BLOCKING) <= set(errors.CODES)
    covered = {
        "TLD_NOT_FILEABLE",
        "DOMAIN_NOT_REGISTERED",
        "DOMAIN_REALNAME_PENDING",
        "DOMAIN_REALNAME_SYNC_PENDING",
        "DOMAIN_HOLDER_MISMATCH",
        "DOMAIN_ALREADY_FILED",
        "ENTITY_IN_OTHER_ACCOUNT",
        "INFO_CONFLICT",
        "ORDER_IN_PROGRESS",
        "NO_RESOURCE",
        "BIZ_INFO_SYNC_PENDING",
        "ENTITY_ORDER_ELSEWHERE",
    } | {c[2] for c in ACCOUNT_CASES}
    assert set(verification.BLOCKING) <= covered


def test_needs_the_sandbox_token(sandbox):
    resp = sandbox.client.post(f"/api/v1/sandboxes/{sandbox.sid}/filing-type/verify", json={})
    assert_error(resp, 401)
    resp = sandbox.client.get(f"/api/v1/sandboxes/{sandbox.sid}/my-filings")
    assert_error(resp, 401)


# -- my filings ---------------------------------------------------------------------------


def test_my_filings_of_an_empty_account(sandbox):
    out = ok(sandbox.get("~/my-filings"))
    assert out == {"order_in_progress": None, "entity": None, "websites": [], "offers": []}


def test_my_filings_offers_changes_without_an_ip_and_prefills_them(control):
    sb = new_sandbox(control)
    first = first_filed(sb)
    out = ok(sb.get("~/my-filings"))
    assert out["entity"]["name"] == "张三" and out["entity"]["access"] == "tencent"
    site = out["websites"][0]
    assert site["domain"] == "zhangsan-blog.cn" and site["access"] == "tencent"
    assert site["number"] in first["record_numbers"]["websites"] if "record_numbers" in first else True
    kinds = {o["kind"]: o for o in out["offers"]}
    # one website: cancelling it is cancelling the entity, so neither cancel_website nor cancel_access
    assert set(kinds) == {"add_website", "change_filing", "cancel_entity", "change_website", "cancel_access"}
    assert kinds["change_filing"]["payload"]["entity"]["certificate_number"] == ZHANG_SAN_ID
    assert kinds["change_website"]["payload"]["websites"][0]["name"] == "张三的个人博客"
    # the prefilled change goes through as an order (no IP needed)
    change = kinds["change_website"]["payload"]
    change["websites"][0]["name"] = "张三的技术博客"
    app = create_app(sb, change, kind="change_website")
    assert app["state"] == "draft"


# -- 备案地域's city and district (§1.2) ------------------------------------------------------


def test_the_region_may_name_a_city_and_district_inside_the_province(sandbox):
    register_domain(sandbox, "zhangsan-blog.cn")
    out = ok(ask(sandbox, city="440300", district="440305"))
    assert out["scenario"] == "first_filing" and (out["city"], out["district"]) == ("440300", "440305")
    assert out["mailing_address"] == {"province_code": "440000", "city_code": "440300", "district_code": "440305"}
    assert "city" not in ok(ask(sandbox))  # the province alone, as before
    assert field_errors(ask(sandbox, city="110100"), "city")["city"] == ["所选城市（市辖区）不属于广东省"]
    assert field_errors(ask(sandbox, city="440300", district="110105"), "district")["district"] == [
        "所选区县（朝阳区）不属于深圳市"
    ]
    assert "先选择城市" in field_errors(ask(sandbox, district="440305"), "city")["city"][0]


def test_a_person_in_a_province_refusing_non_local_ids_files_in_the_ids_city(sandbox):
    henan_id = resident_id("41010519900101001")  # 郑州市金水区
    register_domain(sandbox, "zhangsan-blog.cn", holder_cert=henan_id)
    errors = field_errors(ask(sandbox, province="41", certificate_number=henan_id, city="410300"), "city")["city"]
    assert "郑州市" in errors[0] and "河南省" in errors[0]
    assert ok(ask(sandbox, province="41", certificate_number=henan_id, city="410100"))["city"] == "410100"
