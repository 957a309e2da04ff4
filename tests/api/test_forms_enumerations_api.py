"""Over REST: 网站服务内容 as a list (a single code still accepted and answered as given), the
complete entity/certificate enumerations (unknown values: 422 with the allowed list; the tables at
…/reference/entity-types and …/certificate-types), minors refused at entry (process.md §2, §8)."""

from support.people import person, personal_payload

from api.flows import ORG_NAME, ORG_USCC, create_app, field_errors, ok, org_payload, register_domain, usable_ip
from api.kinds_flows import run

MINOR = "440305201003010011"  # born 2010-03-01: 16 on the sandbox's 2026-06-01


def _org(sb, **site):
    if sb.get("~/domains/shili-tech.cn").status_code == 404:
        register_domain(sb, "shili-tech.cn", holder_name=ORG_NAME, holder_cert=ORG_USCC)
    payload = org_payload([usable_ip(sb)], [("shili-tech.cn", "示例科技官网")])
    payload["websites"][0].update(site)
    return payload


def test_a_list_of_contents_is_filed_and_lands_on_the_record(sandbox):
    payload = _org(sandbox, service_content=["enterprise_site", "other"])
    app = create_app(sandbox, payload)
    assert app["payload"]["websites"][0]["service_content"] == ["enterprise_site", "other"]
    assert run(sandbox, app["id"])["state"] == "approved"
    site = ok(sandbox.get("~/my-filings"))["websites"][0]
    assert site["service_content"] == ["enterprise_site", "other"]


def test_a_single_code_is_still_accepted_and_answered_as_written(sandbox):
    app = create_app(sandbox, _org(sandbox, service_content="enterprise_site"))
    assert app["payload"]["websites"][0]["service_content"] == "enterprise_site"


def test_bad_lists_are_refused_per_field(sandbox):
    for bad in (
        [],
        ["blog", "blog"],
        ["nonsense"],
        "nonsense",
        ["blog", "news", "other", "portal", "games", "culture"],
    ):
        field_errors(
            sandbox.post(
                "~/applications", json={"kind": "first_filing", "payload": _org(sandbox, service_content=bad)}
            ),
            "payload.websites.0.service_content",
        )


def test_a_personal_site_listing_enterprise_content_is_refused_at_entry(sandbox):
    register_domain(sandbox, "zhangsan-blog.cn")
    payload = personal_payload(usable_ip(sandbox))
    payload["websites"][0]["service_content"] = ["blog", "ecommerce"]
    field_errors(
        sandbox.post("~/applications", json={"kind": "first_filing", "payload": payload}),
        "payload.websites.0.service_content",
    )


def test_an_unknown_entity_or_certificate_type_names_the_allowed_list(sandbox):
    for field, bad in (("type", "martian"), ("certificate_type", "moon_pass")):
        payload = _org(sandbox)
        payload["entity"][field] = bad
        errors = field_errors(
            sandbox.post("~/applications", json={"kind": "first_filing", "payload": payload}), f"payload.entity.{field}"
        )
        message = errors[f"payload.entity.{field}"][0]
        assert ("arbitration" if field == "type" else "institution_certificate") in message, message


def test_a_new_entity_type_files_with_its_own_certificate(sandbox):
    payload = _org(sandbox)
    payload["entity"].update(type="institution", certificate_type="law_firm_licence")
    errors = field_errors(
        sandbox.post("~/applications", json={"kind": "first_filing", "payload": payload}),
        "payload.entity.certificate_type",
    )
    assert "事业单位法人证书" in errors["payload.entity.certificate_type"][0]
    payload["entity"].update(certificate_type="uscc")  # a USCC serves every organisation
    payload["entity"]["type"] = "medical"
    assert create_app(sandbox, payload)["payload"]["entity"]["type"] == "medical"


def test_the_tables_are_served(sandbox):
    types = ok(sandbox.get("/api/v1/reference/entity-types"))
    institution = next(t for t in types if t["code"] == "institution")
    assert institution["name"] == "事业单位" and "institution_certificate" in institution["certificates"]
    certs = {c["code"]: c for c in ok(sandbox.get("/api/v1/reference/certificate-types"))}
    assert certs["resident_id"]["miit_codes"] == ["2"] and certs["passport"]["pattern"]


def test_a_minor_is_refused_at_entry_and_an_adult_is_not(sandbox):
    """A person files as themself (process.md §2.1): a 16-year-old's own filing is refused at
    entry; the same payload for an adult is written."""
    register_domain(sandbox, "zhangsan-blog.cn")
    payload = personal_payload(usable_ip(sandbox))
    payload["entity"].update(name="张小明", certificate_number=MINOR)
    payload["entity"]["responsible"] = person(name="张小明", cert=MINOR)
    errors = field_errors(
        sandbox.post("~/applications", json={"kind": "first_filing", "payload": payload}),
        "payload.entity.responsible.certificate_number",
    )
    assert "年满 18 周岁" in errors["payload.entity.responsible.certificate_number"][0]
    create_app(sandbox, personal_payload(usable_ip(sandbox)))


def test_a_minor_website_owner_is_refused_at_entry(sandbox):
    payload = _org(sandbox, responsible=person(name="张小明", cert=MINOR, mobile="13700137000", email="x@example.com"))
    field_errors(
        sandbox.post("~/applications", json={"kind": "first_filing", "payload": payload}),
        "payload.websites.0.responsible.certificate_number",
    )


def test_the_homepage_url_is_checked_against_the_websites_domain(sandbox):
    payload = _org(sandbox, homepage_url="https://www.other.cn/")
    errors = field_errors(
        sandbox.post("~/applications", json={"kind": "first_filing", "payload": payload}),
        "payload.websites.0.homepage_url",
    )
    assert "shili-tech.cn" in errors["payload.websites.0.homepage_url"][0]
    payload["websites"][0]["homepage_url"] = "https://www.shili-tech.cn/index.html"
    assert create_app(sandbox, payload)["payload"]["websites"][0]["homepage_url"].endswith("/index.html")


def test_the_full_miit_service_content_list_is_served_and_accepted(sandbox):
    table = ok(sandbox.get("/api/v1/reference/service-contents"))
    names = {r["name"] for r in table}
    assert {"即时通信", "网上支付", "网上非银支付", "APP", "网站建设", "其他"} <= names and len(table) >= 30
    payment = next(r for r in table if r["code"] == "online_payment")
    assert (payment["miit_id"], payment["pre_approval"]) == ("512", "finance")
    app = create_app(sandbox, _org(sandbox, service_content=["web_building", "software_download"]))
    assert app["payload"]["websites"][0]["service_content"] == ["web_building", "software_download"]
