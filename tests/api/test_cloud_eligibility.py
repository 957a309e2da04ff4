"""Cloud resources through the API on an `empty` sandbox, and the 云托管 eligibility check (domain.md §2)."""

import pytest

from api.flows import (
    ORG_NAME,
    ORG_USCC,
    cloud,
    create_app,
    day,
    eligibility,
    field_errors,
    new_sandbox,
    ok,
    org_payload,
    register_domain,
)

RULES = ("resource_pack", "system_nat_gateway", "ip_quota")


@pytest.fixture
def empty(control):
    return new_sandbox(control, preset="empty")


def add_nat(sb, vpc_id, ip, **fields):
    """Create a NAT gateway with a known IP. Its response body is checked in
    test_nat_gateway_endpoints; scenario tests only need the gateway to exist."""
    resp = sb.post("~/cloud/nat-gateways", json={"vpc_id": vpc_id, "ip": ip, **fields})
    assert resp.status_code in (201, 500), resp.get_json()  # 500: see test_nat_gateway_endpoints
    return ip


def world(sb, *, pack_days=365, vpc_by="system", nat_by="system", size="micro", service=True, ip="162.10.20.30"):
    """One environment, optionally a pack, a VPC with a NAT gateway, optionally a service in it."""
    env = cloud(sb, "environments", name="prod")
    if pack_days is not None:
        cloud(sb, "resource-packs", env_id=env["id"], expires_on=day(pack_days))
    vpc = cloud(sb, "vpcs", env_id=env["id"], created_by=vpc_by)
    add_nat(sb, vpc["id"], ip, created_by=nat_by, size=size)
    if service:
        cloud(sb, "services", env_id=env["id"], vpc_id=vpc["id"], name="web")
    return env, vpc


def rules(el):
    return {r["rule"]: r for r in el["rules"]}


def assert_rule_shape(el, date="2026-06-01"):
    assert [r["rule"] for r in el["rules"]] == list(RULES)
    for r in el["rules"]:
        assert isinstance(r["passed"], bool)
        assert isinstance(r["code"], str) and r["code"]
        assert isinstance(r["message"], str) and r["message"]
        assert (r["code"] == "OK") == r["passed"], r
    assert el["eligible"] == all(r["passed"] for r in el["rules"])
    assert el["date"] == date and el["rule_set"] == "default"


def rows_for(body, ip):
    """Every object anywhere in the response that describes `ip`."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("ip") == ip:
                found.append(node)
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(body)
    return found


# --- the resource endpoints -----------------------------------------------------


def test_resources_create_and_list(empty):
    env = cloud(empty, "environments", name="prod", plan="standard")
    assert env["id"].startswith("env-") and env["plan"] == "standard"
    pack = cloud(empty, "resource-packs", env_id=env["id"], months=6)
    assert pack["id"].startswith("pack-")
    assert pack["bought_on"] == "2026-06-01" and pack["expires_on"] == "2026-11-28"  # 6 × 30 days
    vpc = cloud(empty, "vpcs", env_id=env["id"])
    assert vpc["id"].startswith("vpc-") and vpc["created_by"] == "system"
    svc = cloud(empty, "services", env_id=env["id"], vpc_id=vpc["id"], name="api")
    assert svc["id"].startswith("svc-") and svc["vpc_id"] == vpc["id"]
    assert [e["id"] for e in ok(empty.get("~/cloud/environments"))] == [env["id"]]
    assert [p["id"] for p in ok(empty.get("~/cloud/resource-packs"))] == [pack["id"]]
    assert [v["id"] for v in ok(empty.get("~/cloud/vpcs"))] == [vpc["id"]]
    assert [s["id"] for s in ok(empty.get("~/cloud/services"))] == [svc["id"]]


def test_nat_gateway_endpoints(empty):
    env = cloud(empty, "environments", name="prod")
    vpc = cloud(empty, "vpcs", env_id=env["id"])
    nat = ok(empty.post("~/cloud/nat-gateways", json={"vpc_id": vpc["id"]}), 201)
    assert nat["id"].startswith("nat-") and nat["vpc_id"] == vpc["id"]
    assert nat["created_by"] == "system" and nat["size"] == "micro"
    assert nat["ip"].count(".") == 3  # drawn from the seed
    fixed = ok(empty.post("~/cloud/nat-gateways", json={"vpc_id": vpc["id"], "ip": "101.2.3.4"}), 201)
    assert fixed["ip"] == "101.2.3.4"
    listed = ok(empty.get("~/cloud/nat-gateways"))
    assert [(n["id"], n["ip"]) for n in listed] == [(nat["id"], nat["ip"]), (fixed["id"], "101.2.3.4")]


def test_nat_gateway_duplicate_ip(empty):
    env = cloud(empty, "environments", name="prod")
    vpc = cloud(empty, "vpcs", env_id=env["id"])
    add_nat(empty, vpc["id"], "101.2.3.4")
    field_errors(empty.post("~/cloud/nat-gateways", json={"vpc_id": vpc["id"], "ip": "101.2.3.4"}), "ip")


def test_nat_gateway_bad_ip_and_size(empty):
    env = cloud(empty, "environments", name="prod")
    vpc = cloud(empty, "vpcs", env_id=env["id"])
    field_errors(empty.post("~/cloud/nat-gateways", json={"vpc_id": vpc["id"], "ip": "300.1.1.1"}), "ip")
    field_errors(empty.post("~/cloud/nat-gateways", json={"vpc_id": vpc["id"], "size": "huge"}), "size")


@pytest.mark.parametrize(
    "path,body,field",
    [
        ("resource-packs", {"env_id": "env-9999", "months": 12}, "env_id"),
        ("vpcs", {"env_id": "env-9999"}, "env_id"),
        ("nat-gateways", {"vpc_id": "vpc-9999"}, "vpc_id"),
        ("services", {"env_id": "env-9999", "vpc_id": "VPC", "name": "web"}, "env_id"),
        ("services", {"env_id": "ENV", "vpc_id": "vpc-9999", "name": "web"}, "vpc_id"),
    ],
)
def test_unknown_references_are_422(empty, path, body, field):
    env = cloud(empty, "environments", name="prod")
    vpc = cloud(empty, "vpcs", env_id=env["id"])
    body = {k: {"ENV": env["id"], "VPC": vpc["id"]}.get(v, v) for k, v in body.items()}
    field_errors(empty.post(f"~/cloud/{path}", json=body), field)
    if path in ("resource-packs", "services"):
        assert ok(empty.get(f"~/cloud/{path}")) == []  # nothing stored


def test_out_of_range_months_has_a_zh_message(empty):
    env = cloud(empty, "environments", name="prod")
    field_errors(empty.post("~/cloud/resource-packs", json={"env_id": env["id"], "months": 0}), "months")


def test_missing_required_reference_is_422(empty):
    field_errors(empty.post("~/cloud/resource-packs", json={}), "env_id")
    field_errors(empty.post("~/cloud/services", json={"name": "web"}), "env_id", "vpc_id")
    field_errors(empty.post("~/cloud/environments", json={}), "name")


# --- the rules --------------------------------------------------------------------


def test_empty_account_fails_every_rule(empty):
    el = eligibility(empty)
    assert_rule_shape(el)
    by = rules(el)
    assert by["resource_pack"]["code"] == "NO_RESOURCE_PACK"
    assert by["system_nat_gateway"]["code"] == "NO_SYSTEM_NAT_GATEWAY"
    assert by["ip_quota"]["passed"] is False
    assert el["eligible"] is False and el["usable_ips"] == []


def test_complete_world_is_eligible(empty):
    world(empty)
    el = eligibility(empty)
    assert_rule_shape(el)
    assert el["eligible"] is True
    assert all(r["passed"] for r in el["rules"])
    assert [(r["ip"], r["used"], r["slots_left"]) for r in el["usable_ips"]] == [("162.10.20.30", 0, 2)]


@pytest.mark.parametrize("days,passed", [(89, False), (90, True), (91, True)])
def test_pack_validity_edge(empty, days, passed):
    world(empty, pack_days=days)
    el = eligibility(empty)
    assert_rule_shape(el)
    pack = rules(el)["resource_pack"]
    assert pack["passed"] is passed
    assert pack["code"] == ("OK" if passed else "RESOURCE_PACK_VALIDITY_LT_90D")
    assert pack["best_days_left"] == days
    assert el["eligible"] is passed


def test_expired_pack_fails(empty):
    world(empty, pack_days=-10)
    pack = rules(eligibility(empty))["resource_pack"]
    assert pack["passed"] is False and pack["code"] == "RESOURCE_PACK_VALIDITY_LT_90D"


def test_best_pack_counts_and_it_may_be_in_another_environment(empty):
    _, _ = world(empty, pack_days=30)
    other = cloud(empty, "environments", name="staging")
    cloud(empty, "resource-packs", env_id=other["id"], expires_on=day(120))
    el = eligibility(empty)
    assert rules(el)["resource_pack"]["passed"] is True
    assert rules(el)["resource_pack"]["best_days_left"] == 120
    assert el["eligible"] is True


def test_pack_by_months(empty):
    world(empty, pack_days=None)
    env = ok(empty.get("~/cloud/environments"))[0]
    cloud(empty, "resource-packs", env_id=env["id"], bought_on="2026-03-03", months=3)  # 90 days: ends 2026-06-01
    pack = rules(eligibility(empty))["resource_pack"]
    assert pack["passed"] is False and pack["best_days_left"] == 0


@pytest.mark.parametrize("today,eligible", [("2020-12-29", True), ("2020-12-30", True), ("2020-12-31", False)])
def test_the_seeds_worked_example_of_the_90_day_rule(control, today, eligible):
    """Seed 备案准备: bought 2020-10-01 for 6 months → "需要在2020年12月30日之前通过备案小程序完成备案流程"."""
    home = new_sandbox(control, preset="empty", clock_start=f"{today}T09:00:00+08:00")
    env = cloud(home, "environments", name="env1")
    pack = cloud(home, "resource-packs", env_id=env["id"], bought_on="2020-10-01", months=6)
    assert pack["expires_on"] == "2021-03-30"
    vpc = cloud(home, "vpcs", env_id=env["id"])
    cloud(home, "nat-gateways", vpc_id=vpc["id"])
    cloud(home, "services", env_id=env["id"], vpc_id=vpc["id"], name="web")
    el = eligibility(home)
    assert rules(el)["resource_pack"]["passed"] is eligible and el["eligible"] is eligible


def test_no_pack(empty):
    world(empty, pack_days=None)
    el = eligibility(empty)
    assert_rule_shape(el)
    assert rules(el)["resource_pack"]["code"] == "NO_RESOURCE_PACK"
    assert rules(el)["system_nat_gateway"]["passed"] is True
    assert el["eligible"] is False and el["usable_ips"] == []


@pytest.mark.parametrize(
    "kw",
    [
        {"vpc_by": "custom"},
        {"nat_by": "custom"},
        {"size": "small"},
        {"size": "medium"},
        {"service": False},
    ],
    ids=["custom-vpc", "custom-nat", "small-nat", "medium-nat", "no-service"],
)
def test_nat_gateway_not_usable(empty, kw):
    world(empty, **kw)
    el = eligibility(empty)
    assert_rule_shape(el)
    nat = rules(el)["system_nat_gateway"]
    assert nat["passed"] is False and nat["code"] == "NO_SYSTEM_NAT_GATEWAY"
    rejected = nat["rejected_gateways"]
    assert [g["ip"] for g in rejected] == ["162.10.20.30"]
    assert rejected[0]["reason"]
    assert el["eligible"] is False and el["usable_ips"] == []


def test_service_in_another_vpc_does_not_help(empty):
    env, vpc = world(empty, service=False)
    other = cloud(empty, "vpcs", env_id=env["id"], created_by="custom")
    cloud(empty, "services", env_id=env["id"], vpc_id=other["id"], name="web")
    assert rules(eligibility(empty))["system_nat_gateway"]["code"] == "NO_SYSTEM_NAT_GATEWAY"


def test_two_ips(empty):
    env, vpc1 = world(empty, ip="162.10.20.30")
    vpc2 = cloud(empty, "vpcs", env_id=env["id"], created_by="system")
    add_nat(empty, vpc2["id"], "175.1.2.3")
    cloud(empty, "services", env_id=env["id"], vpc_id=vpc2["id"], name="api")
    el = eligibility(empty)
    assert_rule_shape(el)
    assert el["eligible"] is True
    rows = {r["ip"]: r for r in el["usable_ips"]}
    assert set(rows) == {"162.10.20.30", "175.1.2.3"}
    assert rows["162.10.20.30"]["vpc_id"] == vpc1["id"] and rows["175.1.2.3"]["vpc_id"] == vpc2["id"]
    assert all(r["slots_left"] == 2 and r["used"] == 0 for r in rows.values())


def test_one_ip_two_filings_exhausts_it(empty):
    """An organisation files two websites on the same IP; once approved, the IP has no slot left."""
    world(empty, ip="162.10.20.30")
    ip = "162.10.20.30"
    sites = [("shili-tech.cn", "示例科技官网"), ("shili-shop.com", "示例科技商城")]
    for domain, _ in sites:
        register_domain(empty, domain, holder_name=ORG_NAME, holder_cert=ORG_USCC)
    payload = org_payload([ip, ip], sites)

    app = create_app(empty, payload)
    # an open order already holds both slots
    el = eligibility(empty)
    assert rules(el)["ip_quota"]["code"] == "NAT_IP_QUOTA_EXHAUSTED" and el["eligible"] is False

    from api.flows import act, to_sms, verify_and_finish

    act(empty, app["id"], "submit")
    to_sms(empty, app["id"])
    app = verify_and_finish(empty, app["id"])
    assert app["state"] == "approved", app
    assert len(app["result"]["website_numbers"]) == 2

    el = eligibility(empty)
    assert_rule_shape(el, date=app["updated_at"][:10])
    quota = rules(el)["ip_quota"]
    assert quota["passed"] is False and quota["code"] == "NAT_IP_QUOTA_EXHAUSTED"
    assert rules(el)["resource_pack"]["passed"] and rules(el)["system_nat_gateway"]["passed"]
    assert el["eligible"] is False
    # the client is told which IP is used up: that IP with no slot left
    rows = rows_for(el, ip)
    assert any(r.get("slots_left") == 0 for r in rows), el
    assert all(r.get("slots_left", 0) == 0 for r in rows), el


def test_quota_counts_open_order_and_a_new_ip_fixes_it(empty):
    from support.people import personal_payload

    env, _ = world(empty, ip="162.10.20.30")
    register_domain(empty, "zhangsan-blog.cn")
    # a personal order on the IP uses one of its two slots
    create_app(empty, personal_payload("162.10.20.30"))
    el = eligibility(empty)
    assert [(r["ip"], r["used"], r["slots_left"]) for r in el["usable_ips"]] == [("162.10.20.30", 1, 1)]
    # a second system VPC with its NAT and a service gives another IP
    vpc2 = cloud(empty, "vpcs", env_id=env["id"])
    add_nat(empty, vpc2["id"], "175.1.2.3")
    cloud(empty, "services", env_id=env["id"], vpc_id=vpc2["id"], name="api")
    rows = {r["ip"]: r["slots_left"] for r in eligibility(empty)["usable_ips"]}
    assert rows == {"162.10.20.30": 1, "175.1.2.3": 2}


def test_eligibility_follows_the_virtual_date(control):
    sb = new_sandbox(control, preset="empty")
    world(sb, pack_days=120)
    assert eligibility(sb)["eligible"] is True
    from api.flows import advance

    advance(sb, duration="31d")
    el = eligibility(sb)
    assert el["date"] == "2026-07-02"
    assert rules(el)["resource_pack"]["code"] == "RESOURCE_PACK_VALIDITY_LT_90D"
    assert rules(el)["resource_pack"]["best_days_left"] == 89
