"""取消接入 cancel_access: numbers kept, Tencent no longer the access provider, no MIIT SMS."""

import pytest

from api.flows import act, assert_error, create_app, get_app, history, ok, outbox, sms_messages, until_idle, usable_ip
from api.kinds_flows import approve, entities, first_filed, gateway, query, seed_org, slots, two_sites, website

KIND = "cancel_access"


def test_happy_path(sandbox):
    first = first_filed(sandbox)
    number = first["result"]["website_numbers"][0]
    ((ip, used),) = slots(sandbox).items()
    assert used == (1, 1)
    app = create_app(sandbox, {"domain": "zhangsan-blog.cn"}, kind=KIND)
    act(sandbox, app["id"], "submit")
    until_idle(sandbox)
    app = get_app(sandbox, app["id"])
    assert app["state"] == "approved" and app["state_zh"] == "已完成（已取消接入）"
    assert sms_messages(sandbox, app["id"]) == []  # no MIIT SMS for a cancelled access
    assert [e["action"] for e in history(sandbox, app["id"])] == [
        "create",
        "submit",
        "provider_approve",
        "send_to_bureau",
        "bureau_approve",
    ]
    assert app["result"]["website_numbers"] == [number]

    site = website(sandbox, number)
    assert site["status"] == "active" and site["access_providers"] == []  # the number is kept
    assert entities(sandbox)[0]["status"] == "active"
    assert [row["website"]["number"] for row in query(sandbox, domain="zhangsan-blog.cn")] == [number]
    assert gateway(sandbox, "zhangsan-blog.cn") == (302, "NOT_ACCESSED_AT_TENCENT")
    assert slots(sandbox)[ip] == (0, 2)
    assert "CANCELLATION_DONE" in [m["code"] for m in outbox(sandbox, app_id=app["id"])]

    # nothing at Tencent any more: new websites need the access first …
    assert_error(
        sandbox.post(
            "~/applications",
            json={
                "kind": "add_website",
                "payload": {"websites": [{"name": "张三的读书笔记", "domain": "zhangsan-notes.cn", "nat_ip": ip}]},
            },
        ),
        409,
        "ENTITY_NOT_FILED_AT_TENCENT",
    )
    # … which the entity's own website can have again (one-click access)
    again = approve(
        sandbox,
        "access_filing",
        {"entity_number": first["result"]["entity_number"], "websites": [{"website_number": number, "nat_ip": ip}]},
    )
    assert again["result"]["website_numbers"] == [number]
    assert gateway(sandbox, "zhangsan-blog.cn") == (200, "SERVED")
    assert website(sandbox, number)["access_providers"] == ["tencent"]


def test_other_providers_keep_their_access(sandbox):
    """A website accessed at Tencent and elsewhere: only Tencent's access goes."""
    ip = usable_ip(sandbox)
    out = seed_org(
        sandbox,
        account="self",
        provider="tencent",
        websites=[
            {
                "name": "某某科技官网",
                "domain": "moumou-tech.cn",
                "access_providers": ["aliyun", "tencent"],
                "nat_ip": ip,
            },
            {"name": "某某商城", "domain": "moumou-shop.cn", "nat_ip": ip},
        ],
    )
    app = approve(sandbox, KIND, {"website_number": out["websites"][0]["number"]})
    assert website(sandbox, out["websites"][0]["number"])["access_providers"] == ["aliyun"]
    assert entities(sandbox)[0]["access_providers"] == ["aliyun", "tencent"]
    assert gateway(sandbox, "moumou-tech.cn") == (302, "NOT_ACCESSED_AT_TENCENT")
    assert gateway(sandbox, "moumou-shop.cn") == (200, "SERVED")
    assert slots(sandbox)[ip] == (1, 1)
    assert app["result"]["entity_number"] == out["entity"]["number"]


def test_no_withdrawal_at_the_bureau(sandbox):
    first_filed(sandbox)
    app = create_app(sandbox, {"domain": "zhangsan-blog.cn"}, kind=KIND)
    act(sandbox, app["id"], "submit")
    ok(sandbox.post("~/clock/advance", json={"duration": "1d"}, token="test-control-token"))
    assert get_app(sandbox, app["id"])["state"] == "provider_approved"
    ok(sandbox.post("~/clock/advance", json={"duration": "5d"}, token="test-control-token"))
    app = get_app(sandbox, app["id"])
    assert app["state"] == "bureau_review" and app["wechat"] == {"status": 4, "sms_verify_status": 2}
    assert_error(sandbox.post(f"~/applications/{app['id']}/actions/withdraw"), 409, "ACTION_NOT_ALLOWED")


def test_withdraw_before_the_bureau(sandbox):
    first_filed(sandbox)
    app = create_app(sandbox, {"domain": "zhangsan-blog.cn"}, kind=KIND)
    act(sandbox, app["id"], "submit")
    ok(sandbox.post("~/clock/advance", json={"duration": "1d"}, token="test-control-token"))
    assert act(sandbox, app["id"], "withdraw")["state"] == "withdrawn"
    assert gateway(sandbox, "zhangsan-blog.cn") == (200, "SERVED")


# --- preconditions -----------------------------------------------------------------


def test_not_accessed_at_tencent(sandbox):
    seed_org(
        sandbox,
        account="self",
        provider="tencent",
        websites=[
            {"name": "某某科技官网", "domain": "moumou-tech.cn"},
            {"name": "某某商城", "domain": "moumou-shop.cn", "access_providers": ["aliyun"]},
        ],
    )
    assert_error(
        sandbox.post("~/applications", json={"kind": KIND, "payload": {"domain": "moumou-shop.cn"}}),
        409,
        "WEBSITE_NOT_AT_TENCENT",
    )


def test_cancelled_access_twice(sandbox):
    first_filed(sandbox)
    approve(sandbox, KIND, {"domain": "zhangsan-blog.cn"})
    assert_error(
        sandbox.post("~/applications", json={"kind": KIND, "payload": {"domain": "zhangsan-blog.cn"}}),
        409,
        "WEBSITE_NOT_AT_TENCENT",
    )


@pytest.mark.parametrize(
    "payload,code",
    [
        ({"domain": "nobody.cn"}, "WEBSITE_NOT_FOUND"),
        ({"website_id": "W0099"}, "WEBSITE_NOT_FOUND"),
    ],
)
def test_unknown_website(sandbox, payload, code):
    two_sites(sandbox)
    assert_error(sandbox.post("~/applications", json={"kind": KIND, "payload": payload}), 409, code)
