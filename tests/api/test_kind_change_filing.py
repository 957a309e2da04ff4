"""变更备案 change_filing: entity and website data of a filing at Tencent updated; numbers kept;
never blocked; no move to another province, no other certificate."""

from datetime import datetime

import pytest
from support.people import resident_id

from api.flows import act, assert_error, create_app, field_errors, get_app, history, ok, to_sms, usable_ip
from api.kinds_flows import (
    SITE_OWNER,
    approve,
    entities,
    first_filed,
    gateway,
    run,
    seed_org,
    sms_to,
    two_sites,
    website,
    websites,
)

KIND = "change_filing"
NEW_ADDRESS = "广东省深圳市福田区深南大道 100 号"


@pytest.fixture
def filed(sandbox):
    return sandbox, first_filed(sandbox)


def test_entity_change(filed):
    sb, first = filed
    number = first["result"]["website_numbers"][0]
    app = create_app(sb, {"entity": {"address": NEW_ADDRESS, "responsible": {"mobile": "13600136000"}}}, kind=KIND)
    assert app["payload"] == {"entity": {"address": NEW_ADDRESS, "responsible": {"mobile": "13600136000"}}}
    act(sb, app["id"], "submit")
    to_sms(sb, app["id"])
    assert sms_to(sb, app["id"]) == ["13600136000"]  # the entity owner, at the new number
    assert gateway(sb, "zhangsan-blog.cn") == (200, "SERVED")  # changes never block
    app = run(sb, app["id"], submit=False)
    assert app["state"] == "approved" and app["state_zh"] == "已完成（已变更）"
    assert app["result"] == {"entity_number": first["result"]["entity_number"], "website_numbers": []}
    ent = entities(sb)[0]
    assert ent["address"] == NEW_ADDRESS and ent["responsible"]["mobile"] == "13600136000"
    assert ent["responsible"]["name"] == "张三" and ent["number"] == first["result"]["entity_number"]
    assert website(sb, number)["status"] == "active" and gateway(sb, "zhangsan-blog.cn") == (200, "SERVED")
    # the bureau takes about 20 working days for a change (change_wd 15–25)
    events = history(sb, app["id"])
    at_bureau, decided = (datetime.fromisoformat(e["at"]) for e in events[-2:])
    assert (decided - at_bureau).days >= 20


def test_website_change(sandbox):
    first, added = two_sites(sandbox)
    number = added["result"]["website_numbers"][0]
    site = website(sandbox, number)
    app = approve(
        sandbox, KIND, {"websites": [{"website_number": number, "name": "张三的读书随笔", "responsible": SITE_OWNER}]}
    )
    assert sms_to(sandbox, app["id"]) == [SITE_OWNER["mobile"]]  # only websites changed: their owner
    assert app["result"]["website_numbers"] == [number]
    changed = website(sandbox, number)
    assert changed["name"] == "张三的读书随笔" and changed["responsible"]["name"] == "李四"
    assert changed["number"] == number and changed["id"] == site["id"] and changed["nat_ip"] == site["nat_ip"]
    assert entities(sandbox)[0]["address"] == first["payload"]["entity"]["address"]


def test_entity_and_website_change(sandbox):
    first, added = two_sites(sandbox)
    app = approve(
        sandbox,
        KIND,
        {
            "entity": {"address": NEW_ADDRESS},
            "websites": [{"domain": "zhangsan-notes.cn", "service_content": "other", "responsible": SITE_OWNER}],
        },
    )
    assert sms_to(sandbox, app["id"]) == sorted(["13800138000", SITE_OWNER["mobile"]])
    assert website(sandbox, added["result"]["website_numbers"][0])["service_content"] == "other"


def test_remove_an_old_extra_domain(sandbox):
    """Older filings may carry several domains per website: a change can remove one."""
    ip = usable_ip(sandbox)
    out = seed_org(
        sandbox,
        account="self",
        provider="tencent",
        websites=[
            {"name": "某某科技官网", "domain": "moumou-tech.cn", "extra_domains": ["moumou-tech.com"], "nat_ip": ip}
        ],
    )
    number = out["websites"][0]["number"]
    assert gateway(sandbox, "moumou-tech.com") == (200, "SERVED")
    app = approve(sandbox, KIND, {"websites": [{"website_number": number, "remove_domains": ["MOUMOU-TECH.COM"]}]})
    assert app["payload"]["websites"][0]["remove_domains"] == ["moumou-tech.com"]
    site = website(sandbox, number)
    assert site["domain"] == "moumou-tech.cn" and site["extra_domains"] == [] and site["number"] == number
    assert gateway(sandbox, "moumou-tech.com") == (302, "NOT_FILED")  # a removed domain is no longer filed
    assert gateway(sandbox, "moumou-tech.cn") == (200, "SERVED")


# --- preconditions ----------------------------------------------------------------------


def test_no_cross_province_move(filed):
    sb, _ = filed
    body = assert_error(
        sb.post("~/applications", json={"kind": KIND, "payload": {"entity": {"province": "11"}}}),
        409,
        "CROSS_PROVINCE_CHANGE",
    )
    assert body["field"] == "payload.entity.province" and "注销" in body["suggest"]
    # the same province, written another way, is no move
    assert create_app(sb, {"entity": {"province": "广东省", "address": NEW_ADDRESS}}, kind=KIND)["state"] == "draft"


def test_no_other_certificate(filed):
    sb, _ = filed
    body = assert_error(
        sb.post(
            "~/applications",
            json={"kind": KIND, "payload": {"entity": {"certificate_number": resident_id("44030519900101002")}}},
        ),
        409,
        "ENTITY_IDENTITY_CHANGE_NOT_ALLOWED",
    )
    assert body["fields"] == ["payload.entity.certificate_number"]


def test_domains_cannot_be_added(filed):
    sb, first = filed
    number = first["result"]["website_numbers"][0]
    for entry in (
        {"website_number": number, "domain": "zhangsan-new.cn"},
        {"website_number": number, "add_domains": ["zhangsan-new.cn"]},
    ):
        body = assert_error(
            sb.post("~/applications", json={"kind": KIND, "payload": {"websites": [entry]}}),
            409,
            "DOMAIN_CANNOT_BE_ADDED",
        )
        assert "新增网站" in body["suggest"]


def test_the_last_domain_stays(filed):
    sb, first = filed
    body = assert_error(
        sb.post(
            "~/applications",
            json={
                "kind": KIND,
                "payload": {
                    "websites": [
                        {
                            "website_number": first["result"]["website_numbers"][0],
                            "remove_domains": ["zhangsan-blog.cn"],
                        }
                    ]
                },
            },
        ),
        409,
        "WEBSITE_NEEDS_A_DOMAIN",
    )
    assert "注销网站" in body["suggest"]


def test_no_entity_at_tencent(sandbox):
    seed_org(sandbox, account="self")
    assert_error(
        sandbox.post("~/applications", json={"kind": KIND, "payload": {"entity": {"address": NEW_ADDRESS}}}),
        409,
        "ENTITY_NOT_FILED_AT_TENCENT",
    )


def test_unknown_website(filed):
    sb, _ = filed
    assert_error(
        sb.post(
            "~/applications",
            json={"kind": KIND, "payload": {"websites": [{"website_id": "W0099", "name": "张三的读书笔记"}]}},
        ),
        409,
        "WEBSITE_NOT_FOUND",
    )


@pytest.mark.parametrize(
    "payload,path",
    [
        ({}, "payload"),
        ({"entity": {}}, "payload.entity"),
        ({"entity": {"responsible": {"mobile": "123"}}}, "payload.entity.responsible.mobile"),
        ({"entity": {"province": "99"}}, "payload.entity.province"),
        ({"websites": [{"website_id": "W0001"}]}, "payload.websites.0"),
        ({"websites": [{"name": "张三的读书笔记"}]}, "payload.websites.0"),
        ({"websites": [{"website_id": "W0001", "name": "张三的博客!!"}]}, "payload.websites.0.name"),
        ({"websites": [{"website_id": "W0001", "service_content": "casino"}]}, "payload.websites.0.service_content"),
    ],
)
def test_bad_payload(filed, payload, path):
    sb, _ = filed
    field_errors(sb.post("~/applications", json={"kind": KIND, "payload": payload}), path)


def test_cloud_service_changes_are_change_website(filed):
    sb, first = filed
    errors = field_errors(
        sb.post(
            "~/applications",
            json={
                "kind": KIND,
                "payload": {
                    "websites": [{"website_number": first["result"]["website_numbers"][0], "nat_ip": usable_ip(sb)}]
                },
            },
        ),
        "payload.websites.0.filing_type",
    )
    assert any("变更网站" in m for m in errors["payload.websites.0.filing_type"])


# --- rejections --------------------------------------------------------------------------


def test_new_website_name_is_reviewed(filed):
    sb, first = filed
    app = run(
        sb,
        create_app(
            sb,
            {"websites": [{"website_number": first["result"]["website_numbers"][0], "name": "张三的交流社区"}]},
            kind=KIND,
        )["id"],
    )
    assert app["state"] == "provider_rejected"
    assert [(e["code"], e["field"]) for e in app["audit_data"]] == [
        ("WEBSITE_NAME_PERSONAL_FORBIDDEN_WORD", "websites.0.name")
    ]
    assert websites(sb)[0]["name"] == "张三的个人博客"
    # edit the order (a merge patch; websites replace as a list) and resubmit
    entry = dict(app["payload"]["websites"][0], name="张三的学习笔记")
    ok(sb.patch(f"~/applications/{app['id']}", json={"payload": {"websites": [entry]}}))
    act(sb, app["id"], "resubmit")
    assert run(sb, app["id"], submit=False)["state"] == "approved"
    assert websites(sb)[0]["name"] == "张三的学习笔记"
    assert get_app(sb, app["id"])["result"]["website_numbers"] == first["result"]["website_numbers"]
