"""Who may choose the 云托管 filing type (domain.md §2; the seed's 云托管备案要求).

Pure function of the account's cloud resources, the virtual date and how many
filings already use each NAT IP. Every rule is reported, passed or not, so the
client can show the whole checklist, not just the first failure.
"""

from datetime import date, timedelta

MIN_PACK_DAYS = 90
# A resource pack's month is 30 days. The seed's worked example (备案准备, 云托管备案要求 1):
# "例如，您在2020年10月1日购买了有效期为6个月的资源包，则您需要在2020年12月30日之前通过备案小程序完成
# 备案流程" — 6 × 30 days from 2020-10-01 expire on 2021-03-30; on 2020-12-30 the pack has exactly
# 90 days left, which the rule itself accepts ("剩余有效期大于等于90天"), on 2020-12-31 only 89.
# So 12-30 is the last day the pack qualifies: "在12月30日之前" reads as a deadline that includes
# that day (calendar months, 2021-04-01, would keep it eligible until 2021-01-01 and contradict
# the example; a deadline excluding 12-30 would need a 179-day pack, which no month count gives).
PACK_DAYS_PER_MONTH = 30
SLOTS_PER_IP = 2
RULE_SETS = ("default", "cloudbase-2025")
PAID_PLANS = ("personal", "standard", "professional", "enterprise")

SEED_PACK = (
    "账号下开通云托管的环境中须至少有一个环境购买了云托管资源包，且申请备案时任意一个资源包的剩余有效期大于等于90天。"
)
SEED_NAT = "须至少有一个服务运行在系统创建的 VPC 中，并使用“系统创建”的微小型 NAT 网关；每个网关提供一个备案 IP，每个 IP 可进行两次备案。"


def pack_expires_on(bought_on: date, months: int) -> date:
    """The day a resource pack bought on `bought_on` for `months` months expires (30-day months)."""
    return bought_on + timedelta(days=PACK_DAYS_PER_MONTH * months)


def days_left(expires_on: str, today: date) -> int:
    return (date.fromisoformat(expires_on) - today).days


def _rule(rule, passed, code, message, **detail):
    return {"rule": rule, "passed": passed, "code": code, "message": message, **detail}


def _pack_rule(packs, today):
    if not packs:
        return _rule(
            "resource_pack",
            False,
            "NO_RESOURCE_PACK",
            "账号下没有云托管资源包，请先为任一环境购买资源包。" + SEED_PACK,
            best_days_left=None,
        )
    best = max(days_left(p["expires_on"], today) for p in packs)
    if best < MIN_PACK_DAYS:
        return _rule(
            "resource_pack",
            False,
            "RESOURCE_PACK_VALIDITY_LT_90D",
            f"资源包剩余有效期最长为 {max(best, 0)} 天，不足 90 天，请续费或再次购买资源包。" + SEED_PACK,
            best_days_left=best,
        )
    return _rule(
        "resource_pack", True, "OK", f"资源包剩余有效期 {best} 天，满足不少于 90 天的要求。", best_days_left=best
    )


def system_gateways(resources):
    """NAT gateways that can give a filing IP, and why each other one cannot."""
    vpcs = {v["id"]: v for v in resources.get("vpcs", [])}
    busy_vpcs = {s["vpc_id"] for s in resources.get("services", [])}
    good, reasons = [], []
    for nat in resources.get("nat_gateways", []):
        vpc = vpcs.get(nat["vpc_id"], {})
        why = None
        if vpc.get("created_by") != "system":
            why = "所在 VPC 不是系统创建的"
        elif nat.get("created_by") != "system":
            why = "NAT 网关不是系统创建的"
        elif nat.get("size") != "micro":
            why = "NAT 网关不是微小型"
        elif nat["vpc_id"] not in busy_vpcs:
            why = "所在 VPC 中没有运行中的服务"
        (reasons.append({"nat_gateway_id": nat["id"], "ip": nat.get("ip"), "reason": why}) if why else good.append(nat))
    return good, reasons


def _nat_rule(good, reasons):
    if good:
        return _rule(
            "system_nat_gateway",
            True,
            "OK",
            f"有 {len(good)} 个系统创建的微小型 NAT 网关可用于备案。",
            rejected_gateways=reasons,
        )
    return _rule(
        "system_nat_gateway",
        False,
        "NO_SYSTEM_NAT_GATEWAY",
        "没有服务运行在系统创建的 VPC 中并使用系统创建的微小型 NAT 网关。" + SEED_NAT,
        rejected_gateways=reasons,
    )


def _ip_rows(gateways, ip_usage):
    return [
        {
            "ip": g["ip"],
            "nat_gateway_id": g["id"],
            "vpc_id": g["vpc_id"],
            "used": ip_usage.get(g["ip"], 0),
            "slots_left": max(0, SLOTS_PER_IP - ip_usage.get(g["ip"], 0)),
        }
        for g in gateways
    ]


def _quota_rule(rows):
    """Lists every filing IP with its slots, used up or not, so the user sees which is full."""
    free = [r for r in rows if r["slots_left"] > 0]
    if free:
        return _rule("ip_quota", True, "OK", f"{len(free)} 个备案 IP 仍有剩余备案次数。", ips=rows)
    if not rows:
        return _rule("ip_quota", False, "NAT_IP_QUOTA_EXHAUSTED", "没有可用于备案的 IP 地址。", ips=rows)
    return _rule(
        "ip_quota",
        False,
        "NAT_IP_QUOTA_EXHAUSTED",
        ips=rows,
        message="每个 IP 地址只能进行两次备案，当前所有备案 IP 的次数均已用完。"
        "可再创建一个系统默认 VPC 及其系统创建的微小型 NAT 网关以获得新的 IP，或注销不再使用的网站以释放次数。",
    )


def evaluate(resources, today: date, ip_usage: dict, rule_set="default"):
    if rule_set == "cloudbase-2025":
        return _evaluate_2025(resources, today, ip_usage)
    good, reasons = system_gateways(resources)
    rows = _ip_rows(good, ip_usage)
    rules = [_pack_rule(resources.get("resource_packs", []), today), _nat_rule(good, reasons), _quota_rule(rows)]
    eligible = all(r["passed"] for r in rules)
    return {
        "eligible": eligible,
        "rule_set": rule_set,
        "date": today.isoformat(),
        "rules": rules,
        "usable_ips": [r for r in rows if r["slots_left"] > 0] if eligible else [],
    }


def _evaluate_2025(resources, today, ip_usage):
    """Newer CloudBase docs: a paid plan with ≥ 6 months left and the fixed egress IP on."""
    envs = resources.get("environments", [])
    paid = [e for e in envs if e.get("plan") in PAID_PLANS]
    long_enough = [e for e in paid if e.get("plan_expires_on") and days_left(e["plan_expires_on"], today) >= 183]
    fixed = [e for e in long_enough if e.get("fixed_egress_ip")]
    rows = [
        {
            "ip": e["fixed_egress_ip"],
            "environment_id": e["id"],
            "used": ip_usage.get(e["fixed_egress_ip"], 0),
            "slots_left": max(0, SLOTS_PER_IP - ip_usage.get(e["fixed_egress_ip"], 0)),
        }
        for e in fixed
    ]
    rules = [
        _rule(
            "plan",
            bool(long_enough),
            "OK" if long_enough else "PLAN_NOT_ELIGIBLE",
            "环境为个人版及以上套餐且剩余有效期不少于 6 个月。"
            if long_enough
            else "需要个人版及以上套餐，且套餐剩余有效期不少于 6 个月。",
        ),
        _rule(
            "fixed_egress_ip",
            bool(fixed),
            "OK" if fixed else "NO_FIXED_EGRESS_IP",
            "已开启固定出口 IP。" if fixed else "请在环境中开启固定出口 IP 后再备案。",
        ),
        _quota_rule(rows),
    ]
    eligible = all(r["passed"] for r in rules)
    return {
        "eligible": eligible,
        "rule_set": "cloudbase-2025",
        "date": today.isoformat(),
        "rules": rules,
        "usable_ips": [r for r in rows if r["slots_left"] > 0] if eligible else [],
    }


def check_ip(result, ip):
    """The code that refuses `ip` for a new filing, or None when it is usable."""
    if any(r["ip"] == ip for r in result["usable_ips"]):
        return None
    quota: dict = next((r for r in result["rules"] if r["rule"] == "ip_quota"), {})
    if any(row["ip"] == ip for row in quota.get("ips", [])) and result["rules"][0]["passed"]:
        return "NAT_IP_QUOTA_EXHAUSTED"
    if not result["eligible"]:
        return next(r["code"] for r in result["rules"] if not r["passed"])
    return "NAT_IP_NOT_USABLE"
