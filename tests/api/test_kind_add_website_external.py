"""新增网站（原备案不在腾讯云） add_website_external: an entity filed elsewhere files a new
website at Tencent; its type, certificate type and number must equal the record."""

import pytest
from support.people import credit_code

from api.flows import act, assert_error, create_app, field_errors, get_app, history, ok, to_sms, usable_ip
from api.kinds_flows import (
    ORG_NAME,
    ORG_USCC,
    SITE_OWNER,
    approve,
    entities,
    first_filed,
    gateway,
    new_site,
    org_domain,
    org_entity,
    run,
    seed_org,
    slots,
    sms_to,
    website,
    websites,
)

KIND = "add_website_external"
NUMBER = "粤ICP备19000123号"


@pytest.fixture
def elsewhere(sandbox):
    """The organisation filed at another provider (moumou-tech.cn is -3), moumou-shop.cn registered to it."""
    out = seed_org(
        sandbox, number=NUMBER, websites=[{"name": "某某科技官网", "domain": "moumou-tech.cn", "number": NUMBER + "-3"}]
    )
    org_domain(sandbox, "moumou-shop.cn")
    return sandbox, out


def shop(ip, **entity):
    return {
        "entity": org_entity(**entity),
        "websites": [new_site(ip, "moumou-shop.cn", "某某商城", "ecommerce", responsible=SITE_OWNER)],
    }


def test_happy_path(elsewhere):
    sb, out = elsewhere
    ip = usable_ip(sb)
    app = create_app(sb, shop(ip), kind=KIND)
    assert app["entity_id"] == out["entity"]["id"]
    act(sb, app["id"], "submit")
    to_sms(sb, app["id"])
    assert sms_to(sb, app["id"]) == [SITE_OWNER["mobile"]]  # the website owner
    assert gateway(sb, "moumou-shop.cn") == (302, "NOT_FILED")
    app = run(sb, app["id"], submit=False)
    assert app["state"] == "approved"
    # the entity number is kept; the new website continues after the highest index ever issued
    assert app["result"] == {"entity_number": NUMBER, "website_numbers": [NUMBER + "-4"]}
    ent = entities(sb)[0]
    assert ent["number"] == NUMBER and ent["account"] == "self" and ent["max_site_index"] == 4
    assert ent["access_providers"] == ["other", "tencent"]
    assert ent["responsible"]["name"] == "王五"
    new = website(sb, NUMBER + "-4")
    assert new["access_providers"] == ["tencent"] and new["nat_ip"] == ip and new["entity_id"] == ent["id"]
    assert website(sb, NUMBER + "-3")["access_providers"] == ["other"]
    assert gateway(sb, "moumou-shop.cn") == (200, "SERVED")
    assert gateway(sb, "moumou-tech.cn") == (302, "NOT_ACCESSED_AT_TENCENT")  # needs its own access filing
    assert slots(sb)[ip] == (1, 1)
    assert [e["action"] for e in history(sb, app["id"])][-1] == "bureau_approve"

    # from now on the entity is filed at Tencent in this account: the next one is add_website
    org_domain(sb, "moumou-news.cn")
    payload = {"entity": org_entity(), "websites": [new_site(ip, "moumou-news.cn", "某某资讯", "enterprise_site")]}
    assert_error(sb.post("~/applications", json={"kind": KIND, "payload": payload}), 409, "ENTITY_FILED_AT_TENCENT")
    added = approve(sb, "add_website", {"websites": payload["websites"]})
    assert added["result"]["website_numbers"] == [NUMBER + "-5"]


def test_found_by_entity_number(elsewhere):
    sb, out = elsewhere
    app = create_app(sb, dict(shop(usable_ip(sb)), entity_number=NUMBER), kind=KIND)
    assert app["entity_id"] == out["entity"]["id"]


# --- preconditions ---------------------------------------------------------------------


def test_entity_never_filed(sandbox):
    org_domain(sandbox, "moumou-shop.cn")
    body = assert_error(
        sandbox.post("~/applications", json={"kind": KIND, "payload": shop(usable_ip(sandbox))}),
        409,
        "ENTITY_NOT_ON_RECORD",
    )
    assert "首次备案" in body["suggest"] and body["field"] == "payload.entity.certificate_number"


@pytest.mark.parametrize(
    "over,fields",
    [
        ({"type": "institution"}, ["payload.entity.type"]),
        (
            {"certificate_type": "org_code", "certificate_number": "MA5FGHJK0"},
            ["payload.entity.certificate_type", "payload.entity.certificate_number"],
        ),
        ({"province": "11"}, ["payload.entity.province"]),
    ],
)
def test_entity_must_equal_the_record(elsewhere, over, fields):
    sb, _ = elsewhere
    payload = dict(shop(usable_ip(sb), **over), entity_number=NUMBER)
    body = assert_error(
        sb.post("~/applications", json={"kind": KIND, "payload": payload}), 409, "ENTITY_MISMATCH_WITH_RECORD"
    )
    assert body["fields"] == fields and body["entity_number"] == NUMBER


def test_other_certificate_number_with_the_entity_number(elsewhere):
    sb, _ = elsewhere
    payload = dict(shop(usable_ip(sb), certificate_number=credit_code("91440300MA5FGHJK1")), entity_number=NUMBER)
    body = assert_error(
        sb.post("~/applications", json={"kind": KIND, "payload": payload}), 409, "ENTITY_MISMATCH_WITH_RECORD"
    )
    assert body["fields"] == ["payload.entity.certificate_number"]


def test_account_with_another_entity(elsewhere):
    sb, _ = elsewhere
    first_filed(sb)
    assert_error(
        sb.post("~/applications", json={"kind": KIND, "payload": shop(usable_ip(sb))}), 409, "ENTITY_FILED_AT_TENCENT"
    )


def test_domain_on_record(elsewhere):
    sb, _ = elsewhere
    payload = {"entity": org_entity(), "websites": [new_site(usable_ip(sb), "moumou-tech.cn", "某某科技官网")]}
    body = assert_error(sb.post("~/applications", json={"kind": KIND, "payload": payload}), 409, "DOMAIN_ALREADY_FILED")
    assert "变更网站" in body["suggest"]


def test_entity_is_required(elsewhere):
    sb, _ = elsewhere
    field_errors(
        sb.post("~/applications", json={"kind": KIND, "payload": {"websites": shop(usable_ip(sb))["websites"]}}),
        "payload.entity",
    )


# --- rejections ------------------------------------------------------------------------


def test_domain_held_by_someone_else(elsewhere):
    sb, _ = elsewhere
    ok(
        sb.patch(
            "~/domains/moumou-shop.cn",
            json={"holder_name": "深圳市别的公司", "holder_certificate_number": credit_code("91440300MA5FGHJK1")},
        )
    )
    app = run(sb, create_app(sb, shop(usable_ip(sb)), kind=KIND)["id"])
    assert app["state"] == "provider_rejected"
    assert [(e["code"], e["field"]) for e in app["audit_data"]] == [("DOMAIN_HOLDER_MISMATCH", "websites.0.domain")]
    assert len(websites(sb)) == 1 and entities(sb)[0]["account"] == "external"
    ok(sb.patch("~/domains/moumou-shop.cn", json={"holder_name": ORG_NAME, "holder_certificate_number": ORG_USCC}))
    act(sb, app["id"], "resubmit")
    assert run(sb, app["id"], submit=False)["state"] == "approved"
    assert get_app(sb, app["id"])["attempt"] == 2
