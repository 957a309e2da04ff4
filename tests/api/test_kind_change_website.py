"""变更网站 change_website: one website's data, its domains (removed, never added) and the cloud
service it is filed with (e.g. CVM → 云托管, which needs the requirements and a free IP slot)."""

from api.flows import (
    act,
    assert_error,
    create_app,
    field_errors,
    get_app,
    new_sandbox,
    ok,
    system_ip,
    to_sms,
    until_idle,
    usable_ip,
)
from api.kinds_flows import SITE_OWNER, approve, first_filed, gateway, run, seed_org, slots, sms_to, two_sites, website

KIND = "change_website"


def cvm_world(sb, **site):
    """The organisation filed at Tencent with a website on a CVM (no NAT IP), with an old extra domain."""
    return seed_org(
        sb,
        account="self",
        provider="tencent",
        websites=[
            {
                "name": "某某科技官网",
                "domain": "moumou-tech.cn",
                "extra_domains": ["moumou-tech.com"],
                "responsible": SITE_OWNER,
                **site,
            }
        ],
    )


def test_switch_to_cloudbase_run_and_remove_a_domain(sandbox):
    out = cvm_world(sandbox)
    site = out["websites"][0]
    assert site["filing_type"] == "cvm" and site["nat_ip"] is None
    ip = usable_ip(sandbox)
    assert slots(sandbox)[ip] == (0, 2)
    app = create_app(
        sandbox,
        {
            "websites": [
                {
                    "website_number": site["number"],
                    "filing_type": "cloudbase_run",
                    "nat_ip": ip,
                    "remove_domains": ["moumou-tech.com"],
                }
            ]
        },
        kind=KIND,
    )
    assert slots(sandbox)[ip] == (1, 1)  # the open order holds the slot
    act(sandbox, app["id"], "submit")
    to_sms(sandbox, app["id"])
    assert sms_to(sandbox, app["id"]) == [SITE_OWNER["mobile"]]  # the website owner
    for host in ("moumou-tech.cn", "moumou-tech.com"):
        assert gateway(sandbox, host) == (200, "SERVED")  # changes never block
    app = run(sandbox, app["id"], submit=False)
    assert app["state"] == "approved" and app["state_zh"] == "已完成（已变更）"
    assert app["result"] == {"entity_number": out["entity"]["number"], "website_numbers": [site["number"]]}

    rec = website(sandbox, site["number"])
    assert rec["filing_type"] == "cloudbase_run" and rec["nat_ip"] == ip
    assert rec["domain"] == "moumou-tech.cn" and rec["extra_domains"] == []
    assert rec["id"] == site["id"] and rec["access_providers"] == ["tencent"]
    assert gateway(sandbox, "moumou-tech.cn") == (200, "SERVED")
    assert gateway(sandbox, "moumou-tech.com") == (302, "NOT_FILED")
    assert slots(sandbox)[ip] == (1, 1)


def test_move_to_another_ip(sandbox):
    """A 云托管 website moves to another NAT IP: the old slot is freed on approval."""
    first_filed(sandbox)
    old = usable_ip(sandbox)
    new = system_ip(sandbox, ok(sandbox.get("~/cloud/environments"))[0]["id"])["ip"]
    app = create_app(sandbox, {"websites": [{"domain": "zhangsan-blog.cn", "nat_ip": new}]}, kind=KIND)
    assert app["payload"]["websites"][0]["filing_type"] == "cloudbase_run"
    assert slots(sandbox) == {old: (1, 1), new: (1, 1)}
    run(sandbox, app["id"])
    assert slots(sandbox) == {old: (0, 2), new: (1, 1)}


def test_website_fields(sandbox):
    first = first_filed(sandbox)
    number = first["result"]["website_numbers"][0]
    approve(
        sandbox,
        KIND,
        {"websites": [{"website_number": number, "name": "张三的技术博客", "nat_ip": usable_ip(sandbox)}]},
    )  # the same IP: no change there
    rec = website(sandbox, number)
    assert rec["name"] == "张三的技术博客" and rec["number"] == number
    assert list(slots(sandbox).values()) == [(1, 1)]


# --- preconditions ------------------------------------------------------------------------


def test_cloudbase_run_needs_a_nat_ip(sandbox):
    out = cvm_world(sandbox)
    field_errors(
        sandbox.post(
            "~/applications",
            json={
                "kind": KIND,
                "payload": {
                    "websites": [{"website_number": out["websites"][0]["number"], "filing_type": "cloudbase_run"}]
                },
            },
        ),
        "payload.websites.0.nat_ip",
    )


def test_cloudbase_run_needs_the_requirements(control):
    sb = new_sandbox(control, preset="empty")
    out = cvm_world(sb)
    errors = field_errors(
        sb.post(
            "~/applications",
            json={
                "kind": KIND,
                "payload": {
                    "websites": [
                        {
                            "website_number": out["websites"][0]["number"],
                            "filing_type": "cloudbase_run",
                            "nat_ip": "129.1.2.3",
                        }
                    ]
                },
            },
        ),
        "payload.websites.0.nat_ip",
    )
    assert any("云托管" in m for m in errors["payload.websites.0.nat_ip"])


def test_cloudbase_run_needs_a_free_ip_slot(sandbox):
    ip = usable_ip(sandbox)
    out = seed_org(
        sandbox,
        account="self",
        provider="tencent",
        websites=[
            {"name": "某某科技官网", "domain": "moumou-tech.cn"},
            {"name": "某某商城", "domain": "moumou-shop.cn", "nat_ip": ip},
            {"name": "某某资讯", "domain": "moumou-news.cn", "nat_ip": ip},
        ],
    )
    assert ok(sandbox.get("~/eligibility"))["usable_ips"] == []
    errors = field_errors(
        sandbox.post(
            "~/applications",
            json={
                "kind": KIND,
                "payload": {
                    "websites": [
                        {"website_number": out["websites"][0]["number"], "filing_type": "cloudbase_run", "nat_ip": ip}
                    ]
                },
            },
        ),
        "payload.websites.0.nat_ip",
    )
    assert any("两次" in m for m in errors["payload.websites.0.nat_ip"])


def test_domains_cannot_be_added(sandbox):
    out = cvm_world(sandbox)
    assert_error(
        sandbox.post(
            "~/applications",
            json={
                "kind": KIND,
                "payload": {
                    "websites": [{"website_number": out["websites"][0]["number"], "add_domains": ["moumou-tech.net"]}]
                },
            },
        ),
        409,
        "DOMAIN_CANNOT_BE_ADDED",
    )


def test_every_domain_cannot_go(sandbox):
    out = cvm_world(sandbox)
    assert_error(
        sandbox.post(
            "~/applications",
            json={
                "kind": KIND,
                "payload": {
                    "websites": [
                        {
                            "website_number": out["websites"][0]["number"],
                            "remove_domains": ["moumou-tech.cn", "moumou-tech.com"],
                        }
                    ]
                },
            },
        ),
        409,
        "WEBSITE_NEEDS_A_DOMAIN",
    )


def test_unknown_domain_to_remove(sandbox):
    out = cvm_world(sandbox)
    field_errors(
        sandbox.post(
            "~/applications",
            json={
                "kind": KIND,
                "payload": {
                    "websites": [{"website_number": out["websites"][0]["number"], "remove_domains": ["other.cn"]}]
                },
            },
        ),
        "payload.websites.0.remove_domains",
    )


def test_one_website_per_order(sandbox):
    two_sites(sandbox)
    field_errors(
        sandbox.post(
            "~/applications",
            json={
                "kind": KIND,
                "payload": {
                    "websites": [
                        {"domain": "zhangsan-blog.cn", "name": "张三的技术博客"},
                        {"domain": "zhangsan-notes.cn", "name": "张三的读书随笔"},
                    ]
                },
            },
        ),
        "payload.websites",
    )


def test_website_not_at_tencent(sandbox):
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
        sandbox.post(
            "~/applications",
            json={"kind": KIND, "payload": {"websites": [{"domain": "moumou-shop.cn", "name": "某某网上商城"}]}},
        ),
        409,
        "WEBSITE_NOT_AT_TENCENT",
    )


def test_nothing_changes(sandbox):
    first_filed(sandbox)
    field_errors(
        sandbox.post("~/applications", json={"kind": KIND, "payload": {"websites": [{"domain": "zhangsan-blog.cn"}]}}),
        "payload.websites.0",
    )


def test_no_entity_in_payload(sandbox):
    first_filed(sandbox)
    field_errors(
        sandbox.post(
            "~/applications",
            json={
                "kind": KIND,
                "payload": {
                    "entity": {"address": "x"},
                    "websites": [{"domain": "zhangsan-blog.cn", "name": "张三的技术博客"}],
                },
            },
        ),
        "payload.entity",
    )


# --- a rejection ---------------------------------------------------------------------------


def test_rejection_keeps_the_record(control):
    """A sensitive word in the new name: rejected by the provider; the record stays as it was."""
    sb = new_sandbox(control)
    first = first_filed(sb)
    number = first["result"]["website_numbers"][0]
    app = run(sb, create_app(sb, {"websites": [{"website_number": number, "name": "张三的博彩心得"}]}, kind=KIND)["id"])
    assert app["state"] == "provider_rejected"
    assert [e["code"] for e in app["audit_data"]] == ["WEBSITE_NAME_SENSITIVE"]
    assert website(sb, number)["name"] == "张三的个人博客"
    assert act(sb, app["id"], "withdraw")["state"] == "withdrawn"
    until_idle(sb)
    assert get_app(sb, app["id"])["state"] == "withdrawn"
