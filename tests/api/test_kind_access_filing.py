"""接入备案 access_filing: a filing made at another provider moves to Tencent; numbers kept;
the domain is served as soon as provider review passes."""

import pytest

from api.flows import (
    CONTROL,
    act,
    advance,
    assert_error,
    create_app,
    field_errors,
    get_app,
    history,
    new_sandbox,
    ok,
    outbox,
    to_sms,
    usable_ip,
    verify_and_finish,
)
from api.kinds_flows import (
    ORG_BOSS,
    ORG_NAME,
    ORG_USCC,
    SITE_OWNER,
    approve,
    entities,
    first_filed,
    gateway,
    org_domain,
    run,
    seed_org,
    slots,
    sms_to,
    website,
)

KIND = "access_filing"
NUMBER = "粤ICP备19000123号"


@pytest.fixture
def elsewhere(sandbox):
    """The organisation filed at another provider: moumou-tech.cn (-1, owner 李四) and moumou-shop.cn (-2)."""
    out = seed_org(
        sandbox,
        number=NUMBER,
        websites=[
            {"name": "某某科技官网", "domain": "moumou-tech.cn", "responsible": SITE_OWNER},
            {"name": "某某商城", "domain": "moumou-shop.cn"},
        ],
    )
    org_domain(sandbox, "moumou-tech.cn")
    org_domain(sandbox, "moumou-shop.cn")
    return sandbox, out


def payload(ip, *refs, **extra):
    return {
        "entity_number": NUMBER,
        "websites": [dict(ref, nat_ip=ip) for ref in refs or ({"domain": "moumou-tech.cn"},)],
        **extra,
    }


def test_happy_path(elsewhere):
    sb, out = elsewhere
    ip = usable_ip(sb)
    assert gateway(sb, "moumou-tech.cn") == (302, "NOT_ACCESSED_AT_TENCENT")
    app = create_app(sb, payload(ip), kind=KIND)
    site = out["websites"][0]
    # the payload is completed from the record: the order shows what will be accessed
    assert app["payload"]["websites"] == [
        {
            "website_id": site["id"],
            "website_number": NUMBER + "-1",
            "domain": "moumou-tech.cn",
            "name": "某某科技官网",
            "nat_ip": ip,
            "filing_type": "cloudbase_run",
        }
    ]
    assert app["entity_id"] == out["entity"]["id"] and app["target"]["website_ids"] == [site["id"]]
    assert slots(sb)[ip] == (1, 1)  # the order holds an IP slot

    act(sb, app["id"], "submit")
    assert gateway(sb, "moumou-tech.cn") == (302, "NOT_ACCESSED_AT_TENCENT")  # provider review pending
    advance(sb, duration="1d")  # provider review: 1 working day
    assert get_app(sb, app["id"])["state"] == "provider_approved"
    assert gateway(sb, "moumou-tech.cn") == (200, "SERVED")  # served once provider review passed
    assert gateway(sb, "shop.moumou-tech.cn") == (200, "SERVED")
    assert gateway(sb, "moumou-shop.cn") == (302, "NOT_ACCESSED_AT_TENCENT")  # not in this order
    to_sms(sb, app["id"])
    assert gateway(sb, "moumou-tech.cn") == (200, "SERVED")
    assert sms_to(sb, app["id"]) == [SITE_OWNER["mobile"]]  # the website owner
    app = verify_and_finish(sb, app["id"])
    assert app["state"] == "approved" and app["state_zh"] == "已完成（已备案）"
    assert app["result"] == {"entity_number": NUMBER, "website_numbers": [NUMBER + "-1"]}  # numbers kept

    rec = website(sb, NUMBER + "-1")
    assert rec["access_providers"] == ["other", "tencent"] and rec["nat_ip"] == ip
    assert rec["filing_type"] == "cloudbase_run" and rec["status"] == "active"
    assert website(sb, NUMBER + "-2")["access_providers"] == ["other"]  # untouched
    ent = entities(sb)[0]
    assert ent["account"] == "self" and ent["access_providers"] == ["other", "tencent"] and ent["number"] == NUMBER
    assert gateway(sb, "moumou-tech.cn") == (200, "SERVED")
    assert slots(sb)[ip] == (1, 1)
    assert [e["action"] for e in history(sb, app["id"])] == [
        "create",
        "submit",
        "provider_approve",
        "send_to_bureau",
        "verify_sms",
        "bureau_approve",
    ]
    assert "PUBLIC_SECURITY_REMINDER" not in [m["code"] for m in outbox(sb, app_id=app["id"])]

    # the entity is now the account's, filed at Tencent: a new website is an add_website
    org_domain(sb, "moumou-news.cn")
    added = approve(
        sb,
        "add_website",
        {
            "websites": [
                {"name": "某某资讯", "domain": "moumou-news.cn", "service_content": "enterprise_site", "nat_ip": ip}
            ]
        },
    )
    assert added["result"]["website_numbers"] == [NUMBER + "-3"]


def test_two_websites_by_number_and_id(elsewhere):
    sb, out = elsewhere
    ip = usable_ip(sb)
    app = approve(sb, KIND, payload(ip, {"website_number": NUMBER + "-2"}, {"website_id": out["websites"][0]["id"]}))
    assert app["result"]["website_numbers"] == [NUMBER + "-2", NUMBER + "-1"]
    assert sms_to(sb, app["id"]) == sorted([SITE_OWNER["mobile"], ORG_BOSS["mobile"]])
    assert slots(sb)[ip] == (2, 0)
    assert gateway(sb, "moumou-shop.cn") == (200, "SERVED") and gateway(sb, "moumou-tech.cn") == (200, "SERVED")


def test_withdraw_after_provider_review_blocks_again(elsewhere):
    sb, _ = elsewhere
    app = create_app(sb, payload(usable_ip(sb)), kind=KIND)
    act(sb, app["id"], "submit")
    advance(sb, duration="1d")
    assert gateway(sb, "moumou-tech.cn") == (200, "SERVED")
    assert act(sb, app["id"], "withdraw")["state"] == "withdrawn"
    assert gateway(sb, "moumou-tech.cn") == (302, "NOT_ACCESSED_AT_TENCENT")
    assert website(sb, NUMBER + "-1")["access_providers"] == ["other"]


def test_provider_rejection_is_not_served(elsewhere):
    """The domain's holder is not the entity: rejected at provider review, so never served."""
    sb, _ = elsewhere
    ok(
        sb.patch(
            "~/domains/moumou-tech.cn",
            json={"holder_name": "别人", "holder_certificate_number": ORG_BOSS["certificate_number"]},
        )
    )
    app = run(sb, create_app(sb, payload(usable_ip(sb)), kind=KIND)["id"])
    assert app["state"] == "provider_rejected"
    assert [(e["code"], e["field"]) for e in app["audit_data"]] == [("DOMAIN_HOLDER_MISMATCH", "websites.0.domain")]
    assert gateway(sb, "moumou-tech.cn") == (302, "NOT_ACCESSED_AT_TENCENT")


# --- preconditions --------------------------------------------------------------------


def test_entity_not_on_record(sandbox):
    body = assert_error(
        sandbox.post("~/applications", json={"kind": KIND, "payload": payload(usable_ip(sandbox))}),
        409,
        "ENTITY_NOT_ON_RECORD",
    )
    assert body["field"] == "payload.entity_number" and "首次备案" in body["suggest"]


def test_website_not_of_the_entity(elsewhere):
    sb, _ = elsewhere
    body = assert_error(
        sb.post("~/applications", json={"kind": KIND, "payload": payload(usable_ip(sb), {"domain": "nobody.cn"})}),
        409,
        "WEBSITE_NOT_FOUND",
    )
    assert body["field"] == "payload.websites.0"


def test_entity_data_must_equal_the_record(elsewhere):
    sb, _ = elsewhere
    wrong = {"type": "enterprise", "certificate_type": "uscc", "certificate_number": ORG_USCC, "name": "深圳市别的公司"}
    body = assert_error(
        sb.post("~/applications", json={"kind": KIND, "payload": payload(usable_ip(sb), entity=wrong)}),
        409,
        "ENTITY_MISMATCH_WITH_RECORD",
    )
    assert body["fields"] == ["payload.entity.name"]
    same = {"type": "enterprise", "certificate_type": "uscc", "certificate_number": ORG_USCC, "name": ORG_NAME}
    assert create_app(sb, payload(usable_ip(sb), entity=same), kind=KIND)["state"] == "draft"


def test_no_edits_of_the_record(elsewhere):
    sb, _ = elsewhere
    body = assert_error(
        sb.post(
            "~/applications",
            json={
                "kind": KIND,
                "payload": payload(usable_ip(sb), {"website_number": NUMBER + "-1", "name": "某某科技新官网"}),
            },
        ),
        409,
        "RECORD_CHANGE_NOT_ALLOWED",
    )
    assert "变更备案" in body["suggest"]
    assert_error(
        sb.post(
            "~/applications",
            json={
                "kind": KIND,
                "payload": payload(usable_ip(sb), {"website_number": NUMBER + "-1", "domain": "moumou-shop.cn"}),
            },
        ),
        409,
        "RECORD_CHANGE_NOT_ALLOWED",
    )


def test_already_accessed_at_tencent(sandbox):
    first = first_filed(sandbox)
    body = assert_error(
        sandbox.post(
            "~/applications",
            json={
                "kind": KIND,
                "payload": {
                    "entity_number": first["result"]["entity_number"],
                    "websites": [{"domain": "zhangsan-blog.cn", "nat_ip": usable_ip(sandbox)}],
                },
            },
        ),
        409,
        "WEBSITE_ALREADY_AT_TENCENT",
    )
    assert "变更网站" in body["suggest"]


def test_one_entity_per_account(sandbox):
    first_filed(sandbox)
    seed_org(sandbox, number=NUMBER)
    body = assert_error(
        sandbox.post("~/applications", json={"kind": KIND, "payload": payload(usable_ip(sandbox))}),
        409,
        "ENTITY_ALREADY_FILED",
    )
    assert body["entity_number"].startswith("粤ICP备2026")


def test_entity_at_tencent_in_another_account(sandbox):
    seed_org(
        sandbox,
        number=NUMBER,
        provider="tencent",
        websites=[{"name": "某某科技官网", "domain": "moumou-tech.cn", "access_providers": ["other"]}],
    )
    assert_error(
        sandbox.post("~/applications", json={"kind": KIND, "payload": payload(usable_ip(sandbox))}),
        409,
        "ENTITY_IN_OTHER_ACCOUNT",
    )


@pytest.mark.parametrize(
    "body,path",
    [
        ({"websites": [{"domain": "moumou-tech.cn", "nat_ip": "1.2.3.4"}]}, "payload.entity_number"),
        (
            {"entity_number": NUMBER + "-1", "websites": [{"domain": "moumou-tech.cn", "nat_ip": "1.2.3.4"}]},
            "payload.entity_number",
        ),
        ({"entity_number": NUMBER, "websites": [{"domain": "moumou-tech.cn"}]}, "payload.websites.0.nat_ip"),
        ({"entity_number": NUMBER, "websites": [{"nat_ip": "1.2.3.4"}]}, "payload.websites.0"),
        ({"entity_number": NUMBER, "websites": []}, "payload.websites"),
        ({"entity_number": NUMBER}, "payload.websites"),
    ],
)
def test_bad_payload(elsewhere, body, path):
    sb, _ = elsewhere
    field_errors(sb.post("~/applications", json={"kind": KIND, "payload": body}), path)


def test_needs_the_cloudbase_run_requirements(control):
    sb = new_sandbox(control, preset="empty")
    seed_org(sb, number=NUMBER)
    errors = field_errors(
        sb.post("~/applications", json={"kind": KIND, "payload": payload("129.1.2.3")}), "payload.websites.0.nat_ip"
    )
    assert any("云托管" in m for m in errors["payload.websites.0.nat_ip"])


def test_personal_entity_one_website_per_order(sandbox):
    from support.people import ZHANG_SAN_ID

    ok(
        sandbox.post(
            "~/registry/entities",
            token=CONTROL,
            json={
                "name": "张三",
                "type": "personal",
                "certificate_type": "resident_id",
                "certificate_number": ZHANG_SAN_ID,
                "province": "44",
                "number": "粤ICP备19000777号",
                "websites": [
                    {"name": "张三的个人博客", "domain": "zhangsan-blog.cn"},
                    {"name": "张三的读书笔记", "domain": "zhangsan-notes.cn"},
                ],
            },
        ),
        201,
    )
    ip = usable_ip(sandbox)
    field_errors(
        sandbox.post(
            "~/applications",
            json={
                "kind": KIND,
                "payload": {
                    "entity_number": "粤ICP备19000777号",
                    "websites": [
                        {"domain": "zhangsan-blog.cn", "nat_ip": ip},
                        {"domain": "zhangsan-notes.cn", "nat_ip": ip},
                    ],
                },
            },
        ),
        "payload.websites",
    )
