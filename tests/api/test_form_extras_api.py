"""证件住所, 投资人或主管单位, 主体备注 / 网站备注 (process.md §2.1, §2.3) and 网站首页地址 through
REST: checked at entry per field, asked before a strict submit, kept on the filed record, and
changed by 变更备案 / 变更网站."""

from support.people import personal_payload

from api.flows import (
    ORG_NAME,
    ORG_USCC,
    create_app,
    field_errors,
    new_sandbox,
    ok,
    org_payload,
    register_domain,
    usable_ip,
)
from api.kinds_flows import approve, entities, first_filed, run, website
from backend.domain import limits

CERT_ADDRESS = "广东省深圳市南山区科技园路 1 号"


def _org(sb, **entity):
    register_domain(sb, "shili-tech.cn", holder_name=ORG_NAME, holder_cert=ORG_USCC)
    payload = org_payload([usable_ip(sb)], [("shili-tech.cn", "示例科技官网")])
    payload["entity"].update(entity)
    return payload


def test_the_fields_are_filed_and_land_on_the_record(sandbox):
    payload = _org(sandbox, certificate_address=CERT_ADDRESS, investor="王五", remark="已是最详细地址")
    payload["websites"][0].update(remark="示例科技为本公司的官网", homepage_url="https://www.shili-tech.cn/")
    app = create_app(sandbox, payload)
    assert app["payload"]["entity"]["investor"] == "王五"
    app = run(sandbox, app["id"])
    assert app["state"] == "approved"
    ent = entities(sandbox)[0]
    assert (ent["certificate_address"], ent["investor"], ent["remark"]) == (CERT_ADDRESS, "王五", "已是最详细地址")
    site = website(sandbox, app["result"]["website_numbers"][0])
    assert site["remark"] == "示例科技为本公司的官网" and site["homepage_url"] == "https://www.shili-tech.cn/"


def test_the_mailing_address_and_the_legal_representative_show_on_the_record(sandbox):
    mailing = {"province_code": "440000", "city_code": "440300", "district_code": "440305", "street": "科技园路 2 号"}
    payload = _org(sandbox, mailing_address=mailing)
    boss = payload["entity"]["responsible"]
    payload["entity"]["legal_representative"] = {"name": boss["name"], "certificate_number": boss["certificate_number"]}
    app = run(sandbox, create_app(sandbox, payload)["id"])
    assert app["state"] == "approved"
    ent = entities(sandbox)[0]
    assert ent["mailing_address"] == mailing
    assert ent["legal_representative"]["certificate_number"] == boss["certificate_number"]


def test_an_old_payload_without_them_still_files(sandbox):
    app = first_filed(sandbox)
    ent = entities(sandbox)[0]
    assert app["state"] == "approved" and "certificate_address" not in ent and "investor" not in ent


def test_bad_values_are_refused_per_field_in_zh(sandbox):
    register_domain(sandbox, "zhangsan-blog.cn")
    payload = personal_payload(usable_ip(sandbox))
    payload["entity"].update(remark="备" * (limits.MAX_REMARK + 1), certificate_address="")
    payload["websites"][0]["remark"] = "备" * (limits.MAX_REMARK + 1)
    field_errors(
        sandbox.post("~/applications", json={"kind": "first_filing", "payload": payload}),
        "payload.entity.remark",
        "payload.entity.certificate_address",
        "payload.websites.0.remark",
    )
    payload = personal_payload(usable_ip(sandbox))
    payload["entity"]["investor"] = "李四"  # a person's investor is themselves
    errors = field_errors(
        sandbox.post("~/applications", json={"kind": "first_filing", "payload": payload}), "payload.entity.investor"
    )
    assert "张三" in errors["payload.entity.investor"][0]


def test_a_strict_sandbox_asks_for_them_before_submission_only(control):
    strict = new_sandbox(control, settings={"pre_submit_checks": True})
    app = create_app(strict, _org(strict))  # created without them: existing clients keep working
    missing = ok(strict.get(f"~/applications/{app['id']}/requirements"))["missing"]
    paths = {row["path"] for row in missing if row["stage"] == "form"}
    assert {"entity.certificate_address", "entity.investor"} <= paths
    patch = {"payload": {"entity": {"certificate_address": CERT_ADDRESS, "investor": "王五"}}}
    ok(strict.patch(f"~/applications/{app['id']}", json=patch))
    missing = ok(strict.get(f"~/applications/{app['id']}/requirements"))["missing"]
    assert not {"entity.certificate_address", "entity.investor"} & {row["path"] for row in missing}


def test_a_website_change_takes_the_homepage_and_the_remark(sandbox):
    first = first_filed(sandbox)
    number = first["result"]["website_numbers"][0]
    field_errors(
        sandbox.post(
            "~/applications",
            json={
                "kind": "change_website",
                "payload": {"websites": [{"website_number": number, "homepage_url": "https://www.other.cn/"}]},
            },
        ),
        "payload.websites.0.homepage_url",
    )
    change = {"website_number": number, "homepage_url": "https://www.zhangsan-blog.cn/", "remark": "技术博客"}
    approve(sandbox, "change_website", {"websites": [change]})
    site = website(sandbox, number)
    assert site["homepage_url"] == "https://www.zhangsan-blog.cn/" and site["remark"] == "技术博客"


def test_an_entity_change_takes_the_certificate_address_investor_and_remark(sandbox):
    first_filed(sandbox)
    field_errors(
        sandbox.post("~/applications", json={"kind": "change_filing", "payload": {"entity": {"investor": "李四"}}}),
        "payload.entity.investor",
    )
    approve(
        sandbox,
        "change_filing",
        {"entity": {"certificate_address": CERT_ADDRESS, "investor": "张三", "remark": "已是最详细地址"}},
    )
    ent = entities(sandbox)[0]
    assert (ent["certificate_address"], ent["investor"], ent["remark"]) == (CERT_ADDRESS, "张三", "已是最详细地址")


def test_a_change_clears_a_remark_and_resets_the_homepage(sandbox):
    """A change may clear the optional fields (leftover (b)): a remark given blank or null is
    cleared on the record; `homepage_url: null` resets the homepage to the default (http://域名/)."""
    first = first_filed(sandbox)
    number = first["result"]["website_numbers"][0]
    change = {"website_number": number, "homepage_url": "https://www.zhangsan-blog.cn/", "remark": "技术博客"}
    approve(sandbox, "change_website", {"websites": [change]})
    approve(sandbox, "change_website", {"websites": [{"website_number": number, "remark": "  "}]})
    site = website(sandbox, number)
    assert site["remark"] is None and site["homepage_url"] == "https://www.zhangsan-blog.cn/"  # only the remark
    approve(sandbox, "change_website", {"websites": [{"website_number": number, "homepage_url": None}]})
    assert website(sandbox, number)["homepage_url"] is None
    approve(sandbox, "change_filing", {"entity": {"remark": "已是最详细地址"}})
    approve(sandbox, "change_filing", {"entity": {"remark": ""}})
    assert entities(sandbox)[0]["remark"] is None


def test_a_change_that_removes_the_homepage_s_domain_must_give_another_homepage(sandbox):
    """网站首页 URL is one of the site's URLs (process.md §2.3): removing the domain the record's
    homepage is on, without a new homepage (or null), is refused on the homepage field."""
    from api.test_kind_change_website import cvm_world

    out = cvm_world(sandbox)  # 某某科技官网: moumou-tech.cn and the older moumou-tech.com
    number = out["websites"][0]["number"]
    approve(
        sandbox,
        "change_website",
        {"websites": [{"website_number": number, "homepage_url": "https://www.moumou-tech.com/"}]},
    )
    removing = {"website_number": number, "remove_domains": ["moumou-tech.com"]}
    resp = sandbox.post("~/applications", json={"kind": "change_website", "payload": {"websites": [removing]}})
    [message] = field_errors(resp, "payload.websites.0.homepage_url")["payload.websites.0.homepage_url"]
    assert "moumou-tech.com" in message and "null" in message
    approve(sandbox, "change_website", {"websites": [dict(removing, homepage_url="https://moumou-tech.cn/")]})
    assert website(sandbox, number)["homepage_url"] == "https://moumou-tech.cn/"
