"""新增网站（原备案在腾讯云） add_website: a new website under the account's entity filed at Tencent."""

import pytest
from support.people import person

from api.flows import (
    act,
    assert_error,
    create_app,
    field_errors,
    get_app,
    history,
    is_zh,
    new_sandbox,
    ok,
    outbox,
    register_domain,
    system_ip,
    to_sms,
    until_idle,
    usable_ip,
)
from api.kinds_flows import (
    SITE_OWNER,
    approve,
    entities,
    first_filed,
    gateway,
    new_site,
    org_domain,
    run,
    seed_org,
    slots,
    sms_to,
    website,
    websites,
)

KIND = "add_website"
# a person's website owner is the person themself (process.md §2.3), here with another phone
SELF_OTHER_PHONE = dict(person(), mobile=SITE_OWNER["mobile"])


def notes(ip, **over):
    return {"websites": [new_site(ip, "zhangsan-notes.cn", "张三的读书笔记", **over)]}


@pytest.fixture
def filed(sandbox):
    """张三 filed at Tencent (one website, -1) with zhangsan-notes.cn registered to him."""
    first = first_filed(sandbox)
    register_domain(sandbox, "zhangsan-notes.cn")
    return sandbox, first


# --- the happy path -------------------------------------------------------------------


def test_happy_path(filed):
    sb, first = filed
    ip = usable_ip(sb)
    entity_number = first["result"]["entity_number"]
    app = create_app(sb, notes(ip, responsible=SELF_OTHER_PHONE), kind=KIND)
    assert app["kind_zh"] == "新增网站（原备案在腾讯云）" and app["state"] == "draft"
    assert app["entity_id"] == first["entity_id"] and app["target"]["entity_id"] == first["entity_id"]
    assert "entity" not in app["payload"]  # the entity is the one on record
    assert slots(sb)[ip] == (2, 0)  # the open order holds the second slot of the IP

    act(sb, app["id"], "submit")
    assert gateway(sb, "zhangsan-notes.cn") == (302, "NOT_FILED")
    to_sms(sb, app["id"])
    assert sms_to(sb, app["id"]) == [SITE_OWNER["mobile"]]  # the website owner only
    assert gateway(sb, "zhangsan-notes.cn") == (302, "NOT_FILED")  # not before approval
    app = run(sb, app["id"], submit=False)
    assert app["state"] == "approved" and app["state_zh"] == "已完成（已备案）"
    assert app["result"] == {"entity_number": entity_number, "website_numbers": [entity_number + "-2"]}

    site = website(sb, entity_number + "-2")
    assert site["domain"] == "zhangsan-notes.cn" and site["entity_id"] == first["entity_id"]
    assert site["access_providers"] == ["tencent"] and site["nat_ip"] == ip and site["status"] == "active"
    assert site["responsible"]["mobile"] == SITE_OWNER["mobile"] and site["filing_type"] == "cloudbase_run"
    assert [e["number"] for e in entities(sb)] == [entity_number]  # the same entity, number kept
    assert entities(sb)[0]["max_site_index"] == 2
    assert gateway(sb, "zhangsan-notes.cn") == (200, "SERVED")
    assert gateway(sb, "www.zhangsan-notes.cn") == (200, "SERVED")
    assert gateway(sb, "zhangsan-blog.cn") == (200, "SERVED")
    assert slots(sb)[ip] == (2, 0)
    codes = [m["code"] for m in outbox(sb, app_id=app["id"])]
    assert "BUREAU_APPROVED" in codes and "PUBLIC_SECURITY_REMINDER" in codes
    assert [e["action"] for e in history(sb, app["id"])] == [
        "create",
        "submit",
        "provider_approve",
        "send_to_bureau",
        "verify_sms",
        "bureau_approve",
    ]


def test_organisation_adds_several_websites_at_once(control):
    """An organisation filed at Tencent (seeded) adds two websites in one order: -4 and -5."""
    sb = new_sandbox(control)
    second = system_ip(sb, ok(sb.get("~/cloud/environments"))[0]["id"])["ip"]
    ip = usable_ip(sb)
    seed_org(
        sb,
        provider="tencent",
        account="self",
        websites=[{"name": "某某科技官网", "domain": "moumou-tech.cn", "number": "粤ICP备19000123号-3", "nat_ip": ip}],
    )
    org_domain(sb, "moumou-shop.cn")
    org_domain(sb, "moumou-news.cn")
    app = approve(
        sb,
        KIND,
        {
            "websites": [
                new_site(ip, "moumou-shop.cn", "某某商城", "ecommerce"),
                new_site(second, "moumou-news.cn", "某某资讯", "enterprise_site"),
            ]
        },
    )
    assert app["result"]["website_numbers"] == ["粤ICP备19000123号-4", "粤ICP备19000123号-5"]
    assert sms_to(sb, app["id"]) == ["13900139000"]  # the entity's responsible person owns both
    assert slots(sb) == {ip: (2, 0), second: (1, 1)}


# --- preconditions ------------------------------------------------------------------


def test_no_entity_at_all(sandbox):
    register_domain(sandbox, "zhangsan-notes.cn")
    body = assert_error(
        sandbox.post("~/applications", json={"kind": KIND, "payload": notes(usable_ip(sandbox))}),
        409,
        "ENTITY_NOT_FILED_AT_TENCENT",
    )
    assert is_zh(body["suggest"]) and "首次备案" in body["suggest"]
    assert ok(sandbox.get("~/applications")) == []


def test_entity_filed_elsewhere_only(sandbox):
    """The account's entity is on record but not accessed at Tencent: access it first."""
    seed_org(sandbox, account="self")
    org_domain(sandbox, "moumou-shop.cn")
    payload = {"websites": [new_site(usable_ip(sandbox), "moumou-shop.cn", "某某商城", "ecommerce")]}
    body = assert_error(
        sandbox.post("~/applications", json={"kind": KIND, "payload": payload}), 409, "ENTITY_NOT_FILED_AT_TENCENT"
    )
    assert "接入备案" in body["suggest"]


def test_no_entity_in_the_payload(filed):
    sb, first = filed
    payload = dict(notes(usable_ip(sb)), entity={"name": "张三"})
    field_errors(sb.post("~/applications", json={"kind": KIND, "payload": payload}), "payload.entity")


def test_personal_order_carries_one_website(filed):
    sb, _ = filed
    register_domain(sb, "zhangsan-photos.cn")
    ip = usable_ip(sb)
    payload = {
        "websites": [
            new_site(ip, "zhangsan-notes.cn", "张三的读书笔记"),
            new_site(ip, "zhangsan-photos.cn", "张三的摄影作品"),
        ]
    }
    errors = field_errors(sb.post("~/applications", json={"kind": KIND, "payload": payload}), "payload.websites")
    assert any("1 个网站" in m for m in errors["payload.websites"])


def test_domain_of_another_entity(filed):
    sb, _ = filed
    seed_org(sb, websites=[{"name": "某某读书", "domain": "zhangsan-notes.cn"}])
    body = assert_error(
        sb.post("~/applications", json={"kind": KIND, "payload": notes(usable_ip(sb))}), 409, "DOMAIN_CONFLICT"
    )
    assert body["field"] == "payload.websites.0.domain" and body["number"] == "粤ICP备19000123号-1"


def test_domain_already_filed_by_the_entity(filed):
    sb, first = filed
    payload = {"websites": [new_site(usable_ip(sb), "ZhangSan-Blog.cn", "张三的第二个博客")]}
    body = assert_error(sb.post("~/applications", json={"kind": KIND, "payload": payload}), 409, "DOMAIN_ALREADY_FILED")
    assert body["number"] == first["result"]["website_numbers"][0]


def test_one_order_in_progress(filed):
    sb, _ = filed
    ip = usable_ip(sb)
    app = create_app(sb, notes(ip), kind=KIND)
    register_domain(sb, "zhangsan-photos.cn")
    other = {"websites": [new_site(ip, "zhangsan-photos.cn", "张三的摄影作品")]}
    body = assert_error(sb.post("~/applications", json={"kind": KIND, "payload": other}), 409, "ORDER_IN_PROGRESS")
    assert body["application_id"] == app["id"]


def test_ip_slots_run_out(filed):
    """One IP, two filings: the first filing and this website; a third website needs another IP."""
    sb, first = filed
    ip = usable_ip(sb)
    approve(sb, KIND, notes(ip))
    register_domain(sb, "zhangsan-photos.cn")
    payload = {"websites": [new_site(ip, "zhangsan-photos.cn", "张三的摄影作品")]}
    errors = field_errors(
        sb.post("~/applications", json={"kind": KIND, "payload": payload}), "payload.websites.0.nat_ip"
    )
    assert any("两次" in m for m in errors["payload.websites.0.nat_ip"])
    assert ok(sb.get("~/eligibility"))["usable_ips"] == []
    # a new system NAT gateway gives a new IP with two slots
    env_id = ok(sb.get("~/cloud/environments"))[0]["id"]
    other = system_ip(sb, env_id)["ip"]
    payload["websites"][0]["nat_ip"] = other
    app = approve(sb, KIND, payload)
    assert app["result"]["website_numbers"] == [first["result"]["entity_number"] + "-3"]
    assert slots(sb) == {ip: (2, 0), other: (1, 1)}


def test_preconditions_are_checked_again_at_submit(filed, r):
    """A conflicting record that appears while the draft waits stops the submission."""
    sb, _ = filed
    app = create_app(sb, notes(usable_ip(sb)), kind=KIND)
    seed_org(sb, websites=[{"name": "某某读书", "domain": "zhangsan-notes.cn"}])
    assert_error(sb.post(f"~/applications/{app['id']}/actions/submit"), 409, "DOMAIN_CONFLICT")
    assert get_app(sb, app["id"])["state"] == "draft"


# --- rejections --------------------------------------------------------------------


def test_personal_rules_apply_with_the_entity_on_record(filed):
    """The entity is not in the payload: the reviewer reads it from the record (a person)."""
    sb, _ = filed
    app = create_app(sb, {"websites": [new_site(usable_ip(sb), "zhangsan-notes.cn", "张三的读书论坛")]}, kind=KIND)
    app = run(sb, app["id"])
    assert app["state"] == "provider_rejected"
    assert [(e["code"], e["field"]) for e in app["audit_data"]] == [
        ("WEBSITE_NAME_PERSONAL_FORBIDDEN_WORD", "websites.0.name")
    ]
    assert all({"field", "error", "suggest"} <= set(e) for e in app["audit_data"])
    # fix the name and resubmit
    site = dict(app["payload"]["websites"][0], name="张三的读书笔记")
    ok(sb.patch(f"~/applications/{app['id']}", json={"payload": {"websites": [site]}}))
    act(sb, app["id"], "resubmit")
    assert run(sb, app["id"], submit=False)["state"] == "approved"
    assert len(websites(sb)) == 2


def test_domain_not_real_name_verified(sandbox):
    first_filed(sandbox)
    register_domain(sandbox, "zhangsan-notes.cn", real_name_status="pending")
    app = run(sandbox, create_app(sandbox, notes(usable_ip(sandbox)), kind=KIND)["id"])
    assert app["state"] == "provider_rejected"
    assert [e["code"] for e in app["audit_data"]] == ["DOMAIN_NOT_REAL_NAME"]
    assert gateway(sandbox, "zhangsan-notes.cn") == (302, "NOT_FILED")
    until_idle(sandbox)


def test_bureau_rejection_when_the_domain_is_filed_meanwhile(filed):
    """Another entity's filing of the domain reaches the registry while the order is at the bureau."""
    sb, first = filed
    app = create_app(sb, notes(usable_ip(sb)), kind=KIND)
    act(sb, app["id"], "submit")
    to_sms(sb, app["id"])
    seed_org(sb, websites=[{"name": "某某读书", "domain": "zhangsan-notes.cn"}])
    app = run(sb, app["id"], submit=False)
    assert app["state"] == "bureau_rejected" and app["wechat"]["status"] == 5
    assert [(e["code"], e["field"]) for e in app["audit_data"]] == [("DOMAIN_CONFLICT", "websites.0.domain")]
    assert len(websites(sb)) == 2 and gateway(sb, "zhangsan-notes.cn") == (302, "NOT_ACCESSED_AT_TENCENT")
    # resubmitting is refused at once now: the conflict is known before any review
    assert_error(sb.post(f"~/applications/{app['id']}/actions/resubmit"), 409, "DOMAIN_CONFLICT")
    assert act(sb, app["id"], "withdraw")["state"] == "withdrawn"
