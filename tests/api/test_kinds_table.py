"""Every kind × every terminal outcome, table-driven: approved (with the kind's effect on the
records), withdrawn, expired, and rejected then withdrawn (records untouched, IP slots given back)."""

import json

import pytest
from support.people import personal_payload

from api.flows import act, advance, create_app, get_app, ok, register_domain, until_idle, usable_ip
from api.kinds_flows import (
    entities,
    first_filed,
    gateway,
    new_site,
    org_domain,
    org_entity,
    run,
    seed_org,
    slots,
    two_sites,
    websites,
)
from backend.domain import kinds

ADDRESS = "广东省深圳市福田区深南大道 100 号"


def _first(sb):
    register_domain(sb, "zhangsan-blog.cn")
    return personal_payload(usable_ip(sb))


def _access(sb):
    seed_org(sb)
    org_domain(sb, "moumou-tech.cn")
    return {"entity_number": "粤ICP备19000123号", "websites": [{"domain": "moumou-tech.cn", "nat_ip": usable_ip(sb)}]}


def _add(sb):
    first_filed(sb)
    register_domain(sb, "zhangsan-notes.cn")
    return {"websites": [new_site(usable_ip(sb), "zhangsan-notes.cn", "张三的读书笔记")]}


def _add_external(sb):
    seed_org(sb)
    org_domain(sb, "moumou-shop.cn")
    return {"entity": org_entity(), "websites": [new_site(usable_ip(sb), "moumou-shop.cn", "某某商城", "ecommerce")]}


def _change_filing(sb):
    first_filed(sb)
    return {"entity": {"address": ADDRESS}}


def _change_website(sb):
    first_filed(sb)
    return {"websites": [{"domain": "zhangsan-blog.cn", "name": "张三的技术博客"}]}


def _cancel_entity(sb):
    first_filed(sb)
    return {}


def _cancel_website(sb):
    two_sites(sb)
    return {"domain": "zhangsan-notes.cn"}


def _cancel_access(sb):
    first_filed(sb)
    return {"domain": "zhangsan-blog.cn"}


def _site(after, domain):
    return next(w for w in after["websites"] if w["domain"] == domain)


# kind → (world and payload, what approval did: fn(before, after, app))
SCENARIOS = {
    "first_filing": (
        _first,
        lambda b, a, app: (
            len(a["entities"]) == 1
            and _site(a, "zhangsan-blog.cn")["number"] == app["result"]["website_numbers"][0]
            and a["gateway"]["zhangsan-blog.cn"] == 200
        ),
    ),
    "access_filing": (
        _access,
        lambda b, a, app: (
            "tencent" in _site(a, "moumou-tech.cn")["access_providers"]
            and a["gateway"]["moumou-tech.cn"] == 200
            and _site(a, "moumou-tech.cn")["number"] == _site(b, "moumou-tech.cn")["number"]
        ),
    ),
    "add_website": (
        _add,
        lambda b, a, app: (
            len(a["websites"]) == len(b["websites"]) + 1
            and _site(a, "zhangsan-notes.cn")["number"].endswith("-2")
            and a["gateway"]["zhangsan-notes.cn"] == 200
        ),
    ),
    "add_website_external": (
        _add_external,
        lambda b, a, app: (
            _site(a, "moumou-shop.cn")["number"] == "粤ICP备19000123号-2"
            and a["entities"][0]["account"] == "self"
            and a["gateway"]["moumou-shop.cn"] == 200
        ),
    ),
    "change_filing": (
        _change_filing,
        lambda b, a, app: a["entities"][0]["address"] == ADDRESS and a["websites"] == b["websites"],
    ),
    "change_website": (
        _change_website,
        lambda b, a, app: (
            _site(a, "zhangsan-blog.cn")["name"] == "张三的技术博客"
            and _site(a, "zhangsan-blog.cn")["number"] == _site(b, "zhangsan-blog.cn")["number"]
        ),
    ),
    "cancel_entity": (
        _cancel_entity,
        lambda b, a, app: (
            a["entities"][0]["status"] == "cancelled"
            and a["gateway"]["zhangsan-blog.cn"] == 302
            and all(w["status"] == "cancelled" for w in a["websites"])
            and list(a["slots"].values()) == [(0, 2)]
        ),
    ),
    "cancel_website": (
        _cancel_website,
        lambda b, a, app: (
            _site(a, "zhangsan-notes.cn")["status"] == "cancelled"
            and a["gateway"]["zhangsan-notes.cn"] == 302
            and _site(a, "zhangsan-blog.cn")["status"] == "active"
            and list(a["slots"].values()) == [(1, 1)]
        ),
    ),
    "cancel_access": (
        _cancel_access,
        lambda b, a, app: (
            _site(a, "zhangsan-blog.cn")["access_providers"] == []
            and _site(a, "zhangsan-blog.cn")["status"] == "active"
            and a["gateway"]["zhangsan-blog.cn"] == 302
            and list(a["slots"].values()) == [(0, 2)]
        ),
    ),
}
DOMAINS = ("zhangsan-blog.cn", "zhangsan-notes.cn", "moumou-tech.cn", "moumou-shop.cn")
OUTCOMES = ("approved", "withdrawn", "expired", "rejected_then_withdrawn")


def test_the_table_covers_every_kind():
    assert set(SCENARIOS) == kinds.ALL == kinds.IMPLEMENTED


def world(sb):
    return {
        "entities": entities(sb),
        "websites": websites(sb),
        "slots": slots(sb),
        "gateway": {d: gateway(sb, d)[0] for d in DOMAINS},
    }


def set_setting(r, sid, name, value):
    from backend.store import tx as store

    def fn(tx):
        settings = json.loads(tx.meta().get("settings") or "{}")
        tx.set_meta("settings", dict(settings, **{name: value}))

    store.run(r, sid, fn)


@pytest.mark.parametrize("outcome", OUTCOMES)
@pytest.mark.parametrize("kind", sorted(SCENARIOS))
def test_kind_outcome(sandbox, r, kind, outcome):
    setup, effect = SCENARIOS[kind]
    payload = setup(sandbox)
    before = world(sandbox)
    app = create_app(sandbox, payload, kind=kind)
    assert app["state"] == "draft" and app["kind_zh"] == kinds.get(kind).zh

    if outcome == "approved":
        app = run(sandbox, app["id"])
        done = 1024 if kind.startswith("cancel_") else 6  # a finished cancellation is never 已备案
        assert app["state"] == "approved" and app["wechat"]["status"] == done, app
        assert app["state_zh"] == f"已完成（{kinds.get(kind).approved_zh}）"
        assert app["result"]["entity_number"]
        after = world(sandbox)
        assert effect(before, after, app), (kind, before, after)
        return

    if outcome == "withdrawn":
        act(sandbox, app["id"], "submit")
        app = act(sandbox, app["id"], "withdraw")
    elif outcome == "expired":
        advance(sandbox, duration="46d")
        app = get_app(sandbox, app["id"])
        assert app["allowed_actions"] == ["reopen"]
    else:
        set_setting(r, sandbox.sid, "random_rejection_rate", 1)
        act(sandbox, app["id"], "submit")
        until_idle(sandbox)
        app = get_app(sandbox, app["id"])
        assert app["state"] == "provider_rejected" and app["wechat"]["status"] == 3
        assert [e["code"] for e in app["audit_data"]] == ["RANDOM_REVIEW_REJECTION"]
        assert all({"field", "error", "suggest"} <= set(e) for e in app["audit_data"])
        app = act(sandbox, app["id"], "withdraw")
    expected = {"withdrawn": "withdrawn", "expired": "expired", "rejected_then_withdrawn": "withdrawn"}[outcome]
    assert app["state"] == expected and app["wechat"]["status"] == 1024
    assert "result" not in app
    # nothing happened to the records, and the order no longer holds an IP slot
    assert world(sandbox) == before
    # the account may start another order
    assert not [a for a in ok(sandbox.get("~/applications")) if a["state"] not in ("withdrawn", "expired", "approved")]


def test_openapi_documents_every_kind_s_payload(app):
    doc = ok(app.test_client().get("/openapi.json"))
    schemas = doc["components"]["schemas"]
    payload = schemas["ApplicationCreate"]["properties"]["payload"]
    names = [ref["$ref"].rsplit("/", 1)[1] for ref in payload["anyOf"]]
    assert len(names) == len(kinds.ALL) and all(name in schemas for name in names)
    assert set(schemas["AccessFilingPayload"]["required"]) == {"entity_number", "websites"}
    assert schemas["ChangeWebsitePayload"]["properties"]["websites"]["maxItems"] == 1
    assert {"website_id", "website_number", "domain", "reason"} <= set(schemas["CancelWebsitePayload"]["properties"])
    assert "remove_domains" in schemas["WebsiteChange"]["properties"]
