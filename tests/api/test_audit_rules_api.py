"""The audit's rule items (notes/audit.md 3, 4, 5, 7, 14, 15, 19, 20) over HTTP: each test is the
audit's probe (reduced), answered the way process.md says."""

import pytest
from support.people import credit_code, person, personal_payload, resident_id

from api.flows import field_errors, new_sandbox, ok, register_domain, usable_ip
from api.kinds_flows import ORG_BOSS, ORG_NAME, new_site, org_domain, org_entity, run, seed_org

OWNER = person(name="赵六", cert=resident_id("44030519850505001"), mobile="13600136000", email="zl@example.com")


def create(sb, payload, kind="first_filing"):
    return sb.post("~/applications", json={"kind": kind, "payload": payload})


def org_order(sb, domain="shili-tech.cn", content="enterprise_site", entity=None, **site):
    org_domain(sb, domain)
    return {
        "entity": org_entity(**(entity or {})),
        "websites": [new_site(usable_ip(sb), domain, "示例科技资讯", content, **site)],
    }


def audit(app):
    return [(e["code"], e["field"]) for e in app.get("audit_data") or []]


# -- 3 ----------------------------------------------------------------------------------------


def test_a_news_site_with_its_pre_approval_by_published_id_is_approved(sandbox):
    types = ok(sandbox.get("/api/v1/reference/pre-approval-types"))
    news_id = next(t["id"] for t in types if t["code"] == "news")
    payload = org_order(sandbox, content="news", pre_approvals=[{"type": news_id, "number": "粤-12345号"}])
    app = run(sandbox, ok(create(sandbox, payload), 201)["id"])
    assert app["state"] == "approved", audit(app)


def test_a_news_site_with_another_types_pre_approval_is_rejected_on_the_list(sandbox):
    payload = org_order(sandbox, content="news", pre_approvals=[{"type": "finance", "number": "粤金-1号"}])
    app = run(sandbox, ok(create(sandbox, payload), 201)["id"])
    assert app["state"] == "provider_rejected"
    assert audit(app) == [("PRE_APPROVAL_NUMBER_MISSING", "websites.0.pre_approvals")]


# -- 4 ----------------------------------------------------------------------------------------

SH_USCC = credit_code("91310104MA1FL0000")


def test_shanghai_rejects_a_responsible_id_with_45_days_left(sandbox):
    boss = dict(ORG_BOSS, certificate_number=resident_id("31010119850101321"), id_valid_until="2026-07-15")
    register_domain(sandbox, "sh-shili.cn", holder_name=ORG_NAME, holder_cert=SH_USCC)
    entity = org_entity(
        certificate_number=SH_USCC, province="31", address="上海市徐汇区漕溪北路 1 号", responsible=boss
    )
    payload = {
        "entity": entity,
        "websites": [new_site(usable_ip(sandbox), "sh-shili.cn", "示例科技官网", "enterprise_site")],
    }
    app = run(sandbox, ok(create(sandbox, payload), 201)["id"])
    assert app["state"] == "provider_rejected"
    assert ("ID_VALIDITY_TOO_SHORT", "entity.responsible.id_valid_until") in audit(app)


def test_one_persons_contradicting_validity_is_refused_at_entry(sandbox):
    register_domain(sandbox, "zhangsan-blog.cn")
    payload = personal_payload(usable_ip(sandbox), id_valid_until="2026-07-21")
    payload["entity"]["responsible"]["id_valid_until"] = "长期"
    errors = field_errors(create(sandbox, payload), "payload.entity.responsible.id_valid_until")
    assert any("不一致" in m for m in errors["payload.entity.responsible.id_valid_until"])


# -- 5 ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("province", ["42", "43", "41"])
def test_add_website_in_a_one_site_province_takes_one_site(sandbox, province):
    seed_org(sandbox, provider="tencent", account="self", number=None, province=province)
    ip = usable_ip(sandbox)
    for d in ("hb1.cn", "hb2.cn"):
        org_domain(sandbox, d)
    two = {
        "websites": [
            new_site(ip, "hb1.cn", "示例科技一号站", "enterprise_site"),
            new_site(ip, "hb2.cn", "示例科技二号站", "enterprise_site"),
        ]
    }
    errors = field_errors(create(sandbox, two, "add_website"), "payload.websites")
    assert any("只能包含 1 个网站" in m for m in errors["payload.websites"])
    ok(create(sandbox, {"websites": two["websites"][:1]}, "add_website"), 201)


# -- 7 ----------------------------------------------------------------------------------------


def test_hubei_asks_the_owner_letter_when_the_website_owner_is_not_the_entity_owner(control):
    sb = new_sandbox(control, settings={"pre_submit_checks": True})
    hb = credit_code("91420106MA4KABCD1")
    register_domain(sb, "hubei-shili.cn", holder_name=ORG_NAME, holder_cert=hb)
    entity = org_entity(certificate_number=hb, province="42", address="湖北省武汉市武昌区中北路 1 号")
    site = new_site(usable_ip(sb), "hubei-shili.cn", "示例科技官网", "enterprise_site", responsible=OWNER)
    app = ok(create(sb, {"entity": entity, "websites": [site]}), 201)
    slots = [row["slot"] for row in ok(sb.get(f"~/applications/{app['id']}/materials"))["slots"]]
    assert "websites.0.owner_authorization_letter" in slots


# -- 14 ---------------------------------------------------------------------------------------


def test_a_licence_holder_is_numbered_from_its_licence(sandbox):
    payload = org_order(sandbox, entity={"icp_licence_number": "粤B2-20090059"})
    app = run(sandbox, ok(create(sandbox, payload), 201)["id"])
    assert app["state"] == "approved", audit(app)
    assert app["result"]["entity_number"] == "粤B2-20090059"
    assert app["result"]["website_numbers"] == ["粤B2-20090059-1"]
    rows = ok(sandbox.get("~/registry/query", query_string={"number": "粤B2-20090059-1"}))
    assert rows and "粤B2-20090059-1" in str(rows)
    [entity] = ok(sandbox.get("~/entities"))
    assert entity["icp_licence_number"] == "粤B2-20090059"  # the record shows the licence it came from


# -- 15 ---------------------------------------------------------------------------------------


def test_a_website_owner_cannot_share_the_entity_owners_mobile(sandbox):
    payload = org_order(sandbox, responsible=dict(OWNER, mobile=ORG_BOSS["mobile"]))
    field_errors(create(sandbox, payload), "payload.websites.0.responsible.mobile")


def test_an_emergency_phone_is_not_another_persons_mobile(sandbox):
    payload = org_order(sandbox, responsible=dict(OWNER, emergency_phone=ORG_BOSS["mobile"]))
    field_errors(create(sandbox, payload), "payload.websites.0.responsible.emergency_phone")


# -- 19 ---------------------------------------------------------------------------------------

JS_USCC = credit_code("91320100MA1XXXXX0")


@pytest.mark.parametrize("office", ["13600136000", None])
def test_jiangsu_wants_a_landline_office_phone(sandbox, office):
    register_domain(sandbox, "js-shili.cn", holder_name=ORG_NAME, holder_cert=JS_USCC)
    boss = dict(ORG_BOSS, **({"office_phone": office} if office else {}))
    entity = org_entity(
        certificate_number=JS_USCC, province="32", address="江苏省南京市玄武区中山路 1 号", responsible=boss
    )
    payload = {
        "entity": entity,
        "websites": [new_site(usable_ip(sandbox), "js-shili.cn", "示例科技官网", "enterprise_site")],
    }
    field_errors(create(sandbox, payload), "payload.entity.responsible.office_phone")
    payload["entity"]["responsible"]["office_phone"] = "025-86013388"
    ok(create(sandbox, payload), 201)


# -- 20 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("over", "path"),
    [
        ({"commercial": True}, "payload.websites.0.commercial"),
        ({"service_content": "ecommerce"}, "payload.websites.0.service_content"),
        ({"service_content": "news"}, "payload.websites.0.service_content"),
        ({"service_content": "education"}, "payload.websites.0.service_content"),  # 3 教育 (process.md §2.5)
    ],
)
def test_personal_commercial_or_regulated_content_is_refused_at_entry(sandbox, over, path):
    register_domain(sandbox, "zhangsan-blog.cn")
    payload = personal_payload(usable_ip(sandbox))
    payload["websites"][0].update(over)
    field_errors(create(sandbox, payload), path)


def test_a_person_is_not_asked_for_a_pre_approval_document(control):
    sb = new_sandbox(control, settings={"pre_submit_checks": True})
    register_domain(sb, "zhangsan-blog.cn")
    payload = personal_payload(usable_ip(sb))
    payload["websites"][0]["service_content"] = "other"  # education needs one: refused at entry (test above)
    app = ok(create(sb, payload), 201)
    slots = [row["slot"] for row in ok(sb.get(f"~/applications/{app['id']}/materials"))["slots"]]
    assert not [s for s in slots if "pre_approval" in s], slots


# -- Tianjin, Chongqing, Gansu: an organisation's office phone given as a mobile needs a remark -------

TJ_USCC = credit_code("91120100MA1XXXXX0")


def test_tianjin_wants_a_remark_for_an_office_mobile(sandbox):
    register_domain(sandbox, "tj-shili.cn", holder_name=ORG_NAME, holder_cert=TJ_USCC)
    boss = dict(ORG_BOSS, office_phone="13600136000")
    entity = org_entity(certificate_number=TJ_USCC, province="12", address="天津市和平区南京路 1 号", responsible=boss)
    payload = {
        "entity": entity,
        "websites": [new_site(usable_ip(sandbox), "tj-shili.cn", "示例科技官网", "enterprise_site")],
    }
    errors = field_errors(create(sandbox, payload), "payload.entity.remark")
    assert "备注" in errors["payload.entity.remark"][0]
    payload["entity"]["remark"] = "单位未安装固定电话，办公室电话为手机"
    ok(create(sandbox, payload), 201)


def test_tianjin_wants_the_emergency_contact_noted(sandbox):
    register_domain(sandbox, "tj-shili.cn", holder_name=ORG_NAME, holder_cert=TJ_USCC)
    boss = dict(ORG_BOSS, emergency_phone="13300133000")
    entity = org_entity(certificate_number=TJ_USCC, province="12", address="天津市和平区南京路 1 号", responsible=boss)
    payload = {
        "entity": entity,
        "websites": [new_site(usable_ip(sandbox), "tj-shili.cn", "示例科技官网", "enterprise_site")],
    }
    errors = field_errors(create(sandbox, payload), "payload.entity.remark")
    assert "第三人" in errors["payload.entity.remark"][0]
    payload["entity"]["remark"] = "应急联系人：李某，办公室主任"
    ok(create(sandbox, payload), 201)


# -- Jiangxi: an entity with ≥ 15 websites on record (≥ 7 for a person) adds one per order ---------

JX_USCC = credit_code("91360100MA1XXXXX0")


@pytest.mark.parametrize(("on_record", "refused"), [(15, True), (14, False)])
def test_jiangxi_an_entity_with_many_sites_adds_one_website_per_order(control, on_record, refused):
    from api.flows import new_sandbox, system_ip
    from api.kinds_flows import seed_org

    sb = new_sandbox(control)
    second = system_ip(sb, ok(sb.get("~/cloud/environments"))[0]["id"])["ip"]
    ip = usable_ip(sb)
    sites = [
        {"name": f"某某科技站点{i}", "domain": f"moumou-{i}.cn", "number": f"赣ICP备19000123号-{i + 1}"}
        for i in range(on_record)
    ]
    seed_org(
        sb,
        provider="tencent",
        account="self",
        certificate_number=JX_USCC,
        province="36",
        number="赣ICP备19000123号",
        websites=sites,
    )
    for name in ("moumou-shop.cn", "moumou-news.cn"):
        register_domain(sb, name, holder_name=ORG_NAME, holder_cert=JX_USCC)
    payload = {
        "websites": [
            new_site(ip, "moumou-shop.cn", "某某商城", "ecommerce"),
            new_site(second, "moumou-news.cn", "某某资讯", "enterprise_site"),
        ]
    }
    resp = sb.post("~/applications", json={"kind": "add_website", "payload": payload})
    if refused:
        errors = field_errors(resp, "payload.websites")
        assert any("1 个网站" in m for m in errors["payload.websites"])
        payload["websites"] = payload["websites"][:1]
        ok(sb.post("~/applications", json={"kind": "add_website", "payload": payload}), 201)
    else:
        ok(resp, 201)
