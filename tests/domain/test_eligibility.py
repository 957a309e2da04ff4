"""Eligibility for the 云托管 filing type (domain.md §2), on hand-built resources."""

from datetime import date, timedelta

import pytest

from backend.domain import eligibility as E

TODAY = date(2026, 6, 1)
IP1, IP2 = "81.10.20.30", "101.1.2.3"


def pack(days_left, env="env-1", pid="pack-1"):
    return {
        "id": pid,
        "env_id": env,
        "bought_on": "2026-01-01",
        "expires_on": (TODAY + timedelta(days=days_left)).isoformat(),
    }


def world(pack_days=365, *, packs=None, vpc_by="system", nat_by="system", size="micro", service_vpc="vpc-1", ip=IP1):
    """One environment, one VPC, one NAT gateway, one service: eligible by default."""
    return {
        "environments": [{"id": "env-1", "name": "prod", "plan": "personal"}],
        "resource_packs": packs if packs is not None else [pack(pack_days)],
        "vpcs": [{"id": "vpc-1", "env_id": "env-1", "created_by": vpc_by}],
        "nat_gateways": [{"id": "nat-1", "vpc_id": "vpc-1", "created_by": nat_by, "size": size, "ip": ip}],
        "services": [{"id": "svc-1", "env_id": "env-1", "vpc_id": service_vpc, "name": "web"}],
    }


def rule(result, name):
    [r] = [r for r in result["rules"] if r["rule"] == name]
    return r


def add_second_gateway(res, ip=IP2):
    res["vpcs"].append({"id": "vpc-2", "env_id": "env-1", "created_by": "system"})
    res["nat_gateways"].append({"id": "nat-2", "vpc_id": "vpc-2", "created_by": "system", "size": "micro", "ip": ip})
    res["services"].append({"id": "svc-2", "env_id": "env-1", "vpc_id": "vpc-2", "name": "api"})
    return res


# --- resource pack ---------------------------------------------------------------------


def test_eligible_world_passes_every_rule():
    result = E.evaluate(world(), TODAY, {})
    assert result["eligible"] is True
    assert result["rule_set"] == "default"
    assert result["date"] == "2026-06-01"
    assert all(r["passed"] and r["code"] == "OK" for r in result["rules"])
    assert result["usable_ips"] == [
        {"ip": IP1, "nat_gateway_id": "nat-1", "vpc_id": "vpc-1", "used": 0, "slots_left": 2}
    ]


@pytest.mark.parametrize(
    "days, passed, code",
    [
        (89, False, "RESOURCE_PACK_VALIDITY_LT_90D"),
        (90, True, "OK"),
        (91, True, "OK"),
    ],
)
def test_pack_validity_threshold_is_90_days(days, passed, code):
    result = E.evaluate(world(days), TODAY, {})
    r = rule(result, "resource_pack")
    assert r["passed"] is passed
    assert r["code"] == code
    assert r["best_days_left"] == days
    assert result["eligible"] is passed
    if not passed:
        assert "89" in r["message"] and "90" in r["message"]
        assert result["usable_ips"] == []


def test_expired_pack_fails_and_message_does_not_show_negative_days():
    r = rule(E.evaluate(world(-10), TODAY, {}), "resource_pack")
    assert r["code"] == "RESOURCE_PACK_VALIDITY_LT_90D"
    assert r["best_days_left"] == -10
    assert "-10" not in r["message"]


def test_no_pack():
    result = E.evaluate(world(packs=[]), TODAY, {})
    r = rule(result, "resource_pack")
    assert (r["passed"], r["code"], r["best_days_left"]) == (False, "NO_RESOURCE_PACK", None)
    assert result["eligible"] is False


def test_missing_collections_are_treated_as_empty():
    result = E.evaluate({}, TODAY, {})
    assert result["eligible"] is False
    assert [r["code"] for r in result["rules"]] == [
        "NO_RESOURCE_PACK",
        "NO_SYSTEM_NAT_GATEWAY",
        "NAT_IP_QUOTA_EXHAUSTED",
    ]


def test_the_best_of_several_packs_counts():
    packs = [pack(10, pid="p1"), pack(200, env="env-2", pid="p2"), pack(89, pid="p3")]
    r = rule(E.evaluate(world(packs=packs), TODAY, {}), "resource_pack")
    assert r["passed"] is True and r["best_days_left"] == 200


def test_several_short_packs_do_not_add_up():
    packs = [pack(60, pid="p1"), pack(60, pid="p2")]
    r = rule(E.evaluate(world(packs=packs), TODAY, {}), "resource_pack")
    assert r["code"] == "RESOURCE_PACK_VALIDITY_LT_90D" and r["best_days_left"] == 60


def test_pack_and_service_in_different_environments_still_pass():
    res = world(packs=[pack(120, env="env-2")])
    res["environments"].append({"id": "env-2", "name": "other", "plan": "personal"})
    result = E.evaluate(res, TODAY, {})
    assert result["eligible"] is True


def test_days_left():
    assert E.days_left("2026-08-30", TODAY) == 90
    assert E.days_left("2026-06-01", TODAY) == 0
    assert E.days_left("2026-05-31", TODAY) == -1


# --- system NAT gateway ----------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, reason",
    [
        ({"vpc_by": "user"}, "所在 VPC 不是系统创建的"),
        ({"nat_by": "user"}, "NAT 网关不是系统创建的"),
        ({"size": "small"}, "NAT 网关不是微小型"),
        ({"service_vpc": "vpc-elsewhere"}, "所在 VPC 中没有运行中的服务"),
    ],
)
def test_gateway_rejected_with_a_reason(kwargs, reason):
    result = E.evaluate(world(**kwargs), TODAY, {})
    r = rule(result, "system_nat_gateway")
    assert r["passed"] is False
    assert r["code"] == "NO_SYSTEM_NAT_GATEWAY"
    assert r["rejected_gateways"] == [{"nat_gateway_id": "nat-1", "ip": IP1, "reason": reason}]
    assert result["eligible"] is False
    assert result["usable_ips"] == []
    assert rule(result, "ip_quota")["code"] == "NAT_IP_QUOTA_EXHAUSTED"


def test_a_reason_per_rejected_gateway():
    res = {
        "resource_packs": [pack(365)],
        "vpcs": [
            {"id": "v-custom", "created_by": "user"},
            {"id": "v-sys", "created_by": "system"},
            {"id": "v-idle", "created_by": "system"},
        ],
        "nat_gateways": [
            {"id": "n1", "vpc_id": "v-custom", "created_by": "system", "size": "micro", "ip": "1.1.1.1"},
            {"id": "n2", "vpc_id": "v-sys", "created_by": "user", "size": "micro", "ip": "1.1.1.2"},
            {"id": "n3", "vpc_id": "v-sys", "created_by": "system", "size": "standard", "ip": "1.1.1.3"},
            {"id": "n4", "vpc_id": "v-idle", "created_by": "system", "size": "micro", "ip": "1.1.1.4"},
            {"id": "n5", "vpc_id": "v-missing", "created_by": "system", "size": "micro", "ip": "1.1.1.5"},
        ],
        "services": [{"id": "s1", "vpc_id": "v-custom"}, {"id": "s2", "vpc_id": "v-sys"}],
    }
    r = rule(E.evaluate(res, TODAY, {}), "system_nat_gateway")
    assert r["code"] == "NO_SYSTEM_NAT_GATEWAY"
    assert {g["nat_gateway_id"]: g["reason"] for g in r["rejected_gateways"]} == {
        "n1": "所在 VPC 不是系统创建的",
        "n2": "NAT 网关不是系统创建的",
        "n3": "NAT 网关不是微小型",
        "n4": "所在 VPC 中没有运行中的服务",
        "n5": "所在 VPC 不是系统创建的",
    }


def test_a_good_gateway_passes_and_still_lists_the_rejected_ones():
    res = world()
    res["vpcs"].append({"id": "vpc-c", "created_by": "user"})
    res["nat_gateways"].append({"id": "nat-c", "vpc_id": "vpc-c", "created_by": "system", "size": "micro", "ip": IP2})
    result = E.evaluate(res, TODAY, {})
    r = rule(result, "system_nat_gateway")
    assert r["passed"] is True
    assert r["rejected_gateways"] == [{"nat_gateway_id": "nat-c", "ip": IP2, "reason": "所在 VPC 不是系统创建的"}]
    assert [row["ip"] for row in result["usable_ips"]] == [IP1]


def test_system_gateways():
    good, reasons = E.system_gateways(world())
    assert [g["id"] for g in good] == ["nat-1"] and reasons == []


# --- IP quota --------------------------------------------------------------------------


def test_ip_used_twice_is_exhausted():
    result = E.evaluate(world(), TODAY, {IP1: 2})
    r = rule(result, "ip_quota")
    assert (r["passed"], r["code"]) == (False, "NAT_IP_QUOTA_EXHAUSTED")
    assert result["eligible"] is False
    assert result["usable_ips"] == []
    assert rule(result, "system_nat_gateway")["passed"] is True


def test_ip_used_once_has_one_slot_left():
    result = E.evaluate(world(), TODAY, {IP1: 1})
    assert result["eligible"] is True
    assert result["usable_ips"] == [
        {"ip": IP1, "nat_gateway_id": "nat-1", "vpc_id": "vpc-1", "used": 1, "slots_left": 1}
    ]


def test_usage_of_other_ips_does_not_count():
    result = E.evaluate(world(), TODAY, {"9.9.9.9": 2})
    assert result["usable_ips"][0]["slots_left"] == 2


def test_two_gateways_give_two_usable_ips():
    result = E.evaluate(add_second_gateway(world()), TODAY, {})
    assert result["eligible"] is True
    assert [(r["ip"], r["nat_gateway_id"], r["slots_left"]) for r in result["usable_ips"]] == [
        (IP1, "nat-1", 2),
        (IP2, "nat-2", 2),
    ]


def test_one_exhausted_gateway_of_two_leaves_the_other():
    result = E.evaluate(add_second_gateway(world()), TODAY, {IP1: 2, IP2: 1})
    assert result["eligible"] is True
    assert [(r["ip"], r["slots_left"]) for r in result["usable_ips"]] == [(IP2, 1)]
    both = E.evaluate(add_second_gateway(world()), TODAY, {IP1: 2, IP2: 2})
    assert rule(both, "ip_quota")["code"] == "NAT_IP_QUOTA_EXHAUSTED"


# --- every rule always listed ----------------------------------------------------------


@pytest.mark.parametrize(
    "res, usage",
    [
        (world(), {}),
        (world(10), {}),
        (world(packs=[]), {}),
        (world(vpc_by="user"), {}),
        (world(), {IP1: 2}),
        ({}, {}),
    ],
)
def test_every_rule_is_always_listed(res, usage):
    result = E.evaluate(res, TODAY, usage)
    assert [r["rule"] for r in result["rules"]] == ["resource_pack", "system_nat_gateway", "ip_quota"]
    for r in result["rules"]:
        assert isinstance(r["passed"], bool)
        assert isinstance(r["code"], str) and r["code"]
        assert isinstance(r["message"], str) and r["message"]
        assert (r["code"] == "OK") == r["passed"]
    assert result["eligible"] == all(r["passed"] for r in result["rules"])


def test_all_failures_are_reported_together():
    result = E.evaluate(world(30, vpc_by="user"), TODAY, {})
    assert [r["passed"] for r in result["rules"]] == [False, False, False]


# --- check_ip() ------------------------------------------------------------------------


def test_check_ip():
    ok = E.evaluate(world(), TODAY, {})
    assert E.check_ip(ok, IP1) is None
    assert E.check_ip(ok, "8.8.8.8") == "NAT_IP_NOT_USABLE"


def test_check_ip_reports_the_first_failed_rule():
    assert E.check_ip(E.evaluate(world(10), TODAY, {}), IP1) == "RESOURCE_PACK_VALIDITY_LT_90D"
    assert E.check_ip(E.evaluate(world(packs=[]), TODAY, {}), IP1) == "NO_RESOURCE_PACK"
    assert E.check_ip(E.evaluate(world(size="small"), TODAY, {}), IP1) == "NO_SYSTEM_NAT_GATEWAY"
    assert E.check_ip(E.evaluate(world(), TODAY, {IP1: 2}), IP1) == "NAT_IP_QUOTA_EXHAUSTED"


def test_check_ip_refuses_the_exhausted_ip_of_two():
    result = E.evaluate(add_second_gateway(world()), TODAY, {IP1: 2})
    assert E.check_ip(result, IP1) == "NAT_IP_QUOTA_EXHAUSTED"  # the precise reason for a full IP
    assert E.check_ip(result, IP2) is None
    assert E.check_ip(result, "203.0.113.9") == "NAT_IP_NOT_USABLE"


# --- cloudbase-2025 --------------------------------------------------------------------


def env2025(days=200, plan="personal", ip="119.0.0.9", eid="env-a"):
    env = {"id": eid, "plan": plan, "plan_expires_on": (TODAY + timedelta(days=days)).isoformat()}
    if ip:
        env["fixed_egress_ip"] = ip
    return env


def run2025(*envs, usage=None):
    return E.evaluate({"environments": list(envs)}, TODAY, usage or {}, rule_set="cloudbase-2025")


@pytest.mark.parametrize("plan", E.PAID_PLANS)
def test_2025_paid_plan_with_fixed_ip_passes(plan):
    result = run2025(env2025(plan=plan))
    assert result["eligible"] is True
    assert result["rule_set"] == "cloudbase-2025"
    assert [r["rule"] for r in result["rules"]] == ["plan", "fixed_egress_ip", "ip_quota"]
    assert result["usable_ips"] == [{"ip": "119.0.0.9", "environment_id": "env-a", "used": 0, "slots_left": 2}]
    assert E.check_ip(result, "119.0.0.9") is None


@pytest.mark.parametrize("days, passed", [(182, False), (183, True), (184, True)])
def test_2025_plan_needs_183_days(days, passed):
    result = run2025(env2025(days=days))
    assert rule(result, "plan")["passed"] is passed
    assert result["eligible"] is passed
    if not passed:
        assert rule(result, "plan")["code"] == "PLAN_NOT_ELIGIBLE"
        assert E.check_ip(result, "119.0.0.9") == "PLAN_NOT_ELIGIBLE"


@pytest.mark.parametrize("plan", ["free", "trial", None])
def test_2025_unpaid_plan_fails(plan):
    result = run2025(env2025(plan=plan))
    assert rule(result, "plan")["code"] == "PLAN_NOT_ELIGIBLE"
    assert result["eligible"] is False and result["usable_ips"] == []


def test_2025_plan_without_expiry_date_fails():
    env = env2025()
    del env["plan_expires_on"]
    assert rule(run2025(env), "plan")["code"] == "PLAN_NOT_ELIGIBLE"


def test_2025_fixed_egress_ip_off_fails():
    result = run2025(env2025(ip=None))
    assert rule(result, "plan")["passed"] is True
    assert rule(result, "fixed_egress_ip")["code"] == "NO_FIXED_EGRESS_IP"
    assert rule(result, "ip_quota")["code"] == "NAT_IP_QUOTA_EXHAUSTED"
    assert E.check_ip(result, "119.0.0.9") == "NO_FIXED_EGRESS_IP"


def test_2025_quota():
    assert run2025(env2025(), usage={"119.0.0.9": 1})["usable_ips"][0]["slots_left"] == 1
    result = run2025(env2025(), usage={"119.0.0.9": 2})
    assert rule(result, "ip_quota")["code"] == "NAT_IP_QUOTA_EXHAUSTED"
    assert result["eligible"] is False


def test_2025_ignores_resource_packs_and_nat_gateways():
    res = world()
    res["environments"] = [env2025(ip=None)]
    result = E.evaluate(res, TODAY, {}, rule_set="cloudbase-2025")
    assert result["eligible"] is False
    assert rule(result, "fixed_egress_ip")["code"] == "NO_FIXED_EGRESS_IP"


def test_2025_two_environments_each_count():
    result = run2025(env2025(ip="1.0.0.1", eid="a"), env2025(ip="1.0.0.2", eid="b"), usage={"1.0.0.1": 2})
    assert result["eligible"] is True
    assert [r["ip"] for r in result["usable_ips"]] == ["1.0.0.2"]
    assert E.check_ip(result, "1.0.0.1") == "NAT_IP_QUOTA_EXHAUSTED"


def test_rule_sets_declared():
    assert E.RULE_SETS == ("default", "cloudbase-2025")


def test_the_seeds_worked_example_of_a_six_month_pack():
    """Seed 备案准备 (云托管备案要求 1): "例如，您在2020年10月1日购买了有效期为6个月的资源包，则您需要在
    2020年12月30日之前通过备案小程序完成备案流程" — 30-day months: the pack expires 2021-03-30, so
    2020-12-30 is the last day with ≥ 90 days left."""
    expires = E.pack_expires_on(date(2020, 10, 1), 6)
    assert expires == date(2021, 3, 30)
    pack = [{"expires_on": expires.isoformat()}]
    assert E._pack_rule(pack, date(2020, 12, 30))["passed"] is True
    assert E._pack_rule(pack, date(2020, 12, 30))["best_days_left"] == 90
    assert E._pack_rule(pack, date(2020, 12, 31))["passed"] is False
    assert E._pack_rule(pack, date(2021, 1, 1))["code"] == "RESOURCE_PACK_VALIDITY_LT_90D"
