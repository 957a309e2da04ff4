"""Helpers of the per-kind API tests: worlds to start from, running an order to its end,
reading the records, the IP slots and the gateway's answer.

Worlds filed elsewhere come from the national registry's seeding call (control token);
worlds filed at Tencent come from a first filing through the flow, as a user gets there.
"""

from support.people import credit_code, person, personal_payload, resident_id

from api.flows import CONTROL, act, create_app, get_app, ok, register_domain, until_idle, usable_ip, verify_all

ORG_USCC = credit_code("91440300MA5FGHJK0")
ORG_NAME = "深圳市某某科技有限公司"
ORG_BOSS = person(name="王五", cert=resident_id("44030519800101456"), mobile="13900139000", email="wangwu@example.com")
SITE_OWNER = person(name="李四", cert=resident_id("44030519850505001"), mobile="13700137000", email="lisi@example.com")


def org_entity(**over):
    """The organisation as a payload's entity (add_website_external)."""
    ent = {
        "type": "enterprise",
        "name": ORG_NAME,
        "certificate_type": "uscc",
        "certificate_number": ORG_USCC,
        "province": "44",
        "address": "广东省深圳市南山区科技园路 2 号",
        "responsible": ORG_BOSS,
    }
    ent.update(over)
    return ent


def seed_org(sb, websites=None, provider="other", account="external", number="粤ICP备19000123号", **over):
    """The organisation on record with its websites (filed elsewhere unless told)."""
    body = {
        "name": ORG_NAME,
        "type": "enterprise",
        "certificate_type": "uscc",
        "certificate_number": ORG_USCC,
        "province": "44",
        "access_provider": provider,
        "account": account,
        "responsible": ORG_BOSS,
        "websites": websites or [{"name": "某某科技官网", "domain": "moumou-tech.cn"}],
    }
    if number:
        body["number"] = number
    body.update(over)
    return ok(sb.post("~/registry/entities", json=body, token=CONTROL), 201)


def org_domain(sb, name, **fields):
    """A domain held by the organisation (real-name verified)."""
    return register_domain(sb, name, holder_name=ORG_NAME, holder_cert=ORG_USCC, **fields)


def new_site(ip, domain, name, content="blog", **over):
    return {
        "name": name,
        "domain": domain,
        "service_content": content,
        "filing_type": "cloudbase_run",
        "nat_ip": ip,
        **over,
    }


def run(sb, app_id, submit=True):
    """Submit (or not), then let every stage pass, answering MIIT's SMS when it comes."""
    if submit:
        act(sb, app_id, "submit")
    until_idle(sb)
    app = get_app(sb, app_id)
    if app["state"] == "sms_verification":
        app = verify_all(sb, app_id)
        until_idle(sb)
        app = get_app(sb, app_id)
    return app


def approve(sb, kind, payload):
    app = run(sb, create_app(sb, payload, kind=kind)["id"])
    assert app["state"] == "approved", app
    return app


def first_filed(sb, domain="zhangsan-blog.cn", name="张三的个人博客"):
    """张三's first filing through the flow: the account's entity, filed at Tencent."""
    register_domain(sb, domain)
    return approve(sb, "first_filing", personal_payload(usable_ip(sb), domain=domain, name=name))


def two_sites(sb):
    """张三 with two websites at Tencent (first filing + a new website); returns (first, added) apps."""
    first = first_filed(sb)
    register_domain(sb, "zhangsan-notes.cn")
    added = approve(sb, "add_website", {"websites": [new_site(usable_ip(sb), "zhangsan-notes.cn", "张三的读书笔记")]})
    return first, added


def entities(sb):
    return ok(sb.get("~/entities"))


def websites(sb):
    return ok(sb.get("~/websites"))


def website(sb, number):
    return next(w for w in websites(sb) if w["number"] == number)


def slots(sb):
    """{ip: (used, slots_left)} over every filing IP, full ones included."""
    rules = ok(sb.get("~/eligibility"))["rules"]
    quota = next(r for r in rules if r["rule"] == "ip_quota")
    return {row["ip"]: (row["used"], row["slots_left"]) for row in quota.get("ips", [])}


def gateway(sb, host):
    """The gateway's answer for a Host: (status, reason)."""
    resp = sb.client.get("/", headers={"Host": host, "X-Icpsim-Sandbox": sb.sid})
    return resp.status_code, resp.headers.get("X-Icpsim-Gateway")


def query(sb, **params):
    return ok(sb.get("~/registry/query", query_string=params))


def sms_to(sb, app_id):
    from api.flows import sms_messages

    return sorted({m["to"] for m in sms_messages(sb, app_id)})
