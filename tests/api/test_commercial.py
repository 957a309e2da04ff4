"""Commercial (经营性) sites and licences (process.md §7): the flow tells the user a licence is needed
besides the filing; an entity may hold an ICP licence number (the number parser checks it), which its
record then carries."""

from support.people import personal_payload

from api.flows import ORG_NAME, ORG_USCC, create_app, field_errors, ok, org_payload, register_domain, usable_ip
from api.kinds_flows import run


def org_app(sb, **entity):
    register_domain(sb, "shili-tech.cn", holder_name=ORG_NAME, holder_cert=ORG_USCC)
    payload = org_payload([usable_ip(sb)], [("shili-tech.cn", "示例科技官网")])
    payload["entity"].update(entity)
    return payload


def test_a_licence_number_is_parsed_and_lands_on_the_record(sandbox):
    payload = org_app(sandbox, icp_licence_number="粤B2-20090059")
    app = run(sandbox, create_app(sandbox, payload)["id"])
    assert app["state"] == "approved", app["state"]
    mine = ok(sandbox.get("~/my-filings"))
    assert mine["entity"]["icp_licence_number"] == "粤B2-20090059"


def test_bad_licence_numbers_are_refused_at_entry(sandbox):
    register_domain(sandbox, "shili-tech.cn", holder_name=ORG_NAME, holder_cert=ORG_USCC)
    for bad in ("粤B2-abc", "京B2-20090059", "粤ICP备2026012345号"):
        payload = payload_with(sandbox, bad)
        field_errors(
            sandbox.post("~/applications", json={"kind": "first_filing", "payload": payload}),
            "payload.entity.icp_licence_number",
        )


def payload_with(sb, licence):
    payload = org_payload([usable_ip(sb)], [("shili-tech.cn", "示例科技官网")])
    payload["entity"]["icp_licence_number"] = licence
    return payload


def test_a_person_cannot_hold_a_licence(sandbox):
    register_domain(sandbox, "zhangsan-blog.cn")
    payload = personal_payload(usable_ip(sandbox), icp_licence_number="粤B2-20090059")
    field_errors(
        sandbox.post("~/applications", json={"kind": "first_filing", "payload": payload}),
        "payload.entity.icp_licence_number",
    )


def test_commercial_content_is_told_it_needs_a_licence(sandbox):
    payload = org_app(sandbox)
    payload["websites"][0]["commercial"] = True
    app = create_app(sandbox, payload)
    notices = ok(sandbox.get(f"~/applications/{app['id']}/requirements"))["notices"]
    assert notices and "经营许可证" in notices[0]
