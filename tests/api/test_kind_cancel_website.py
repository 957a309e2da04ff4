"""注销网站 cancel_website: one website's number revoked for good; never the entity's last website."""

import pytest
from support.people import person

from api.flows import (
    act,
    assert_error,
    create_app,
    field_errors,
    history,
    is_zh,
    ok,
    outbox,
    register_domain,
    to_sms,
    usable_ip,
)
from api.kinds_flows import (
    SITE_OWNER,
    approve,
    entities,
    first_filed,
    gateway,
    new_site,
    query,
    run,
    seed_org,
    slots,
    sms_to,
    two_sites,
    website,
    websites,
)

KIND = "cancel_website"


@pytest.fixture
def two(sandbox):
    first, added = two_sites(sandbox)
    return sandbox, first, added


def test_happy_path(two):
    sb, first, added = two
    assert ok(sb.get("~/eligibility"))["usable_ips"] == []  # both slots of the one IP are used
    ((ip, (used, left)),) = slots(sb).items()
    assert (used, left) == (2, 0)
    number = added["result"]["website_numbers"][0]
    assert gateway(sb, "zhangsan-notes.cn") == (200, "SERVED")

    app = create_app(sb, {"website_number": number, "reason": "网站不再运营"}, kind=KIND)
    assert app["payload"]["website_id"] == website(sb, number)["id"] and app["payload"]["domain"] == "zhangsan-notes.cn"
    assert app["target"]["website_ids"] == [website(sb, number)["id"]]
    act(sb, app["id"], "submit")
    to_sms(sb, app["id"])
    assert sms_to(sb, app["id"]) == ["13800138000"]  # the website owner (张三 himself)
    assert gateway(sb, "zhangsan-notes.cn") == (200, "SERVED")  # still on record until approval
    body = assert_error(sb.post(f"~/applications/{app['id']}/actions/withdraw"), 409, "ACTION_NOT_ALLOWED")
    assert body["allowed_actions"] == ["verify_sms"]  # no withdrawal once at the bureau
    app = run(sb, app["id"], submit=False)
    assert app["state"] == "approved" and app["state_zh"] == "已完成（已注销）"
    assert app["result"]["revoked_numbers"] == [number]

    site = website(sb, number)
    assert site["status"] == "cancelled" and site["revoked_at"] == app["updated_at"]
    assert gateway(sb, "zhangsan-notes.cn") == (302, "CANCELLED")
    assert gateway(sb, "zhangsan-blog.cn") == (200, "SERVED")  # the other website is untouched
    assert entities(sb)[0]["status"] == "active"
    assert query(sb, domain="zhangsan-notes.cn") == []  # gone from MIIT's query
    assert slots(sb)[ip] == (1, 1)  # the IP slot is free again
    codes = [m["code"] for m in outbox(sb, app_id=app["id"])]
    assert "CANCELLATION_DONE" in codes and "PUBLIC_SECURITY_REMINDER" not in codes
    assert [e["action"] for e in history(sb, app["id"])] == [
        "create",
        "submit",
        "provider_approve",
        "send_to_bureau",
        "verify_sms",
        "bureau_approve",
    ]

    # the freed slot and the domain can be filed again; the number is never reissued
    app = approve(sb, "add_website", {"websites": [new_site(ip, "zhangsan-notes.cn", "张三的读书笔记")]})
    entity_number = first["result"]["entity_number"]
    assert app["result"]["website_numbers"] == [entity_number + "-3"]
    assert gateway(sb, "zhangsan-notes.cn") == (200, "SERVED")
    assert sorted((w["number"], w["status"]) for w in websites(sb)) == [
        (entity_number + "-1", "active"),
        (entity_number + "-2", "cancelled"),
        (entity_number + "-3", "active"),
    ]


@pytest.mark.parametrize("ref", ["website_id", "website_number", "domain"])
def test_the_website_by_any_reference(two, ref):
    sb, _, added = two
    site = website(sb, added["result"]["website_numbers"][0])
    value = {"website_id": site["id"], "website_number": site["number"], "domain": "WWW.zhangsan-notes.cn."[4:]}[ref]
    app = create_app(sb, {ref: value}, kind=KIND)
    assert app["target"]["website_ids"] == [site["id"]]


def test_withdraw_before_the_bureau(two):
    sb, _, added = two
    app = create_app(sb, {"website_number": added["result"]["website_numbers"][0]}, kind=KIND)
    act(sb, app["id"], "submit")
    assert act(sb, app["id"], "withdraw")["state"] == "withdrawn"
    assert all(w["status"] == "active" for w in websites(sb))


# --- preconditions ---------------------------------------------------------------------


def test_last_website_means_cancel_the_entity(sandbox):
    first = first_filed(sandbox)
    number = first["result"]["website_numbers"][0]
    body = assert_error(
        sandbox.post("~/applications", json={"kind": KIND, "payload": {"website_number": number}}),
        409,
        "LAST_WEBSITE_CANCEL_ENTITY",
    )
    assert "注销主体" in body["suggest"] and body["entity_number"] == first["result"]["entity_number"]
    assert ok(sandbox.get("~/applications"))[-1]["kind"] == "first_filing"


def test_unknown_website(two):
    sb, first, _ = two
    body = assert_error(
        sb.post(
            "~/applications",
            json={"kind": KIND, "payload": {"website_number": first["result"]["entity_number"] + "-9"}},
        ),
        409,
        "WEBSITE_NOT_FOUND",
    )
    assert is_zh(body["suggest"]) and body["field"] == "payload.website_number"


def test_website_of_another_entity(two):
    sb, _, _ = two
    seed_org(sb, provider="tencent")
    assert_error(
        sb.post("~/applications", json={"kind": KIND, "payload": {"domain": "moumou-tech.cn"}}),
        409,
        "WEBSITE_NOT_FOUND",
    )


def test_website_not_accessed_at_tencent(sandbox):
    seed_org(
        sandbox,
        account="self",
        provider="tencent",
        websites=[
            {"name": "某某科技官网", "domain": "moumou-tech.cn"},
            {"name": "某某商城", "domain": "moumou-shop.cn", "access_providers": ["aliyun"]},
        ],
    )
    body = assert_error(
        sandbox.post("~/applications", json={"kind": KIND, "payload": {"domain": "moumou-shop.cn"}}),
        409,
        "WEBSITE_NOT_AT_TENCENT",
    )
    assert is_zh(body["suggest"])


def test_no_entity(sandbox):
    assert_error(
        sandbox.post("~/applications", json={"kind": KIND, "payload": {"domain": "zhangsan-blog.cn"}}),
        409,
        "ENTITY_NOT_FILED_AT_TENCENT",
    )


@pytest.mark.parametrize(
    "payload,path",
    [
        ({}, "payload.website_id"),
        ({"website_number": "粤ICP备2026012345号"}, "payload.website_number"),  # an entity number
        ({"website_number": "not a number"}, "payload.website_number"),
        ({"website_id": "W0001", "websites": [{"website_id": "W0001"}]}, "payload.websites"),
        ({"website_id": "W0001", "colour": "red"}, "payload.colour"),
    ],
)
def test_bad_payload(two, payload, path):
    sb, _, _ = two
    field_errors(sb.post("~/applications", json={"kind": KIND, "payload": payload}), path)


SELF_OTHER_PHONE = dict(person(), mobile=SITE_OWNER["mobile"])


def test_site_owner_gets_the_code(sandbox):
    """A website with its own responsible person: MIIT's code goes to that person."""
    first_filed(sandbox)
    register_domain(sandbox, "zhangsan-notes.cn")
    added = approve(
        sandbox,
        "add_website",
        # a person's website owner is the person themself (process.md §2.3), here with another phone
        {
            "websites": [
                new_site(usable_ip(sandbox), "zhangsan-notes.cn", "张三的读书笔记", responsible=SELF_OTHER_PHONE)
            ]
        },
    )
    app = create_app(sandbox, {"website_number": added["result"]["website_numbers"][0]}, kind=KIND)
    act(sandbox, app["id"], "submit")
    to_sms(sandbox, app["id"])
    assert sms_to(sandbox, app["id"]) == [SITE_OWNER["mobile"]]


def test_edit_names_another_website(sandbox):
    """A draft edited to name another website: the new reference wins, the old ones go."""
    seed_org(
        sandbox,
        account="self",
        provider="tencent",
        websites=[
            {"name": "某某科技官网", "domain": "moumou-tech.cn"},
            {"name": "某某商城", "domain": "moumou-shop.cn"},
            {"name": "某某资讯", "domain": "moumou-news.cn"},
        ],
    )
    app = create_app(sandbox, {"domain": "moumou-tech.cn"}, kind=KIND)
    shop = next(w for w in websites(sandbox) if w["domain"] == "moumou-shop.cn")
    app = ok(sandbox.patch(f"~/applications/{app['id']}", json={"payload": {"website_number": shop["number"]}}))
    assert app["target"]["website_ids"] == [shop["id"]]
    assert app["payload"]["domain"] == "moumou-shop.cn" and app["payload"]["website_id"] == shop["id"]
    app = run(sandbox, app["id"])
    assert app["state"] == "approved"
    assert {w["domain"]: w["status"] for w in websites(sandbox)} == {
        "moumou-tech.cn": "active",
        "moumou-shop.cn": "cancelled",
        "moumou-news.cn": "active",
    }
