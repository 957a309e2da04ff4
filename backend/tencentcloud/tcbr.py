"""`tcbr` 2022-02-17 (CloudBase Run): the sandbox's environments and services, as the SDK's
EnvInfo, ServerBaseInfo and ServerBaseConfig. A service's custom domains are the domains of
the websites on record at Tencent whose NAT IP belongs to a NAT gateway in the service's VPC —
the sites the simulated gateway serves through it."""

from backend.domain import scenarios
from backend.tencentcloud import errors
from backend.tencentcloud.action_kit import Action

PLAN_NAMES = {
    "free": "免费版",
    "personal": "个人版",
    "standard": "标准版",
    "professional": "专业版",
    "enterprise": "企业版",
}
VPC_CIDR, SUBNET_CIDR = "10.0.0.0/16", "10.0.0.0/24"


def region_code(region: str) -> str:
    return {"ap-shanghai": "sh", "ap-guangzhou": "gz", "ap-beijing": "bj"}.get(region, "sh")


def env_info(env, world, first: bool) -> dict:
    plan = env.get("plan") or "personal"
    return {
        "EnvId": env["id"],
        "Source": "qcloud",
        "Alias": env.get("name") or env["id"],
        "CreateTime": world["created_at"],
        "UpdateTime": world["created_at"],
        "Status": "NORMAL",
        "IsAutoDegrade": False,
        "EnvChannel": "qcloud",
        "PayMode": "prepayment",
        "IsDefault": first,
        "Region": world["region"],
        "EnvType": "tcbr",
        "Databases": [],
        "Storages": [],
        "Functions": [],
        "LogServices": [],
        "StaticStorages": [],
        "CustomLogServices": [],
        "Tags": [{"Key": "icpsim:plan-expires-on", "Value": env["plan_expires_on"]}]
        if env.get("plan_expires_on")
        else [],
        "PackageId": plan,
        "PackageName": PLAN_NAMES.get(plan, plan),
    }


def custom_domains(service, world) -> list:
    ips = {n["ip"] for n in world["nat_gateways"] if n["vpc_id"] == service["vpc_id"]}
    entities = {e["id"]: e for e in world["entities"]}
    sites = [
        w
        for w in scenarios.active_sites(entities, world["websites"])
        if scenarios.TENCENT in (w.get("access_providers") or []) and w.get("nat_ip") in ips
    ]
    return sorted({d for w in sites for d in [w.get("domain"), *(w.get("extra_domains") or [])] if d})


def server_base_info(service, world) -> dict:
    domains = custom_domains(service, world)
    return {
        "ServerName": service["name"],
        "DefaultDomainName": f"{service['name']}-{service['id']}.{region_code(world['region'])}.run.tcloudbase.com",
        "CustomDomainName": domains[0] if domains else "",
        "CustomDomainNames": domains,
        "Status": "normal",
        "UpdateTime": world["created_at"],
        "CreateTime": world["created_at"],
        "AccessTypes": ["PUBLIC"],
        "ServerType": "container",
        "TrafficType": "FLOW",
    }


def server_config(service) -> dict:
    return {
        "EnvId": service["env_id"],
        "ServerName": service["name"],
        "OpenAccessTypes": ["PUBLIC"],
        "Cpu": 0.5,
        "Mem": 1.0,
        "MinNum": 0,
        "MaxNum": 5,
        "PolicyDetails": [],
        "CustomLogs": "",
        "EnvParams": "",
        "InitialDelaySeconds": 2,
        "Port": 80,
        "HasDockerfile": True,
        "Dockerfile": "Dockerfile",
        "BuildDir": "",
        "LogType": "none",
        "Tag": "",
        "InternalAccess": "close",
        "InternalDomain": "",
        "OperationMode": "",
        "EntryPoint": [],
        "Cmd": [],
        "VpcConf": {
            "VpcId": service["vpc_id"],
            "VpcCIDR": VPC_CIDR,
            "SubnetId": f"subnet-{service['vpc_id'][4:]}",
            "SubnetCIDR": SUBNET_CIDR,
        },
        "PublicNetConf": {"PublicNetStatus": "ENABLE"},
    }


def _env(world, env_id):
    env = next((e for e in world["environments"] if e["id"] == env_id), None)
    if env is None:
        raise errors.resource_not_found(f"The environment `{env_id}` does not exist.")
    return env


def describe_envs(params, world):
    envs = world["environments"]
    if params.get("EnvId"):
        envs = [e for e in envs if e["id"] == params["EnvId"]]
    first = world["environments"][0]["id"] if world["environments"] else None
    return {"EnvList": [env_info(e, world, e["id"] == first) for e in envs]}


def describe_servers(params, world):
    _env(world, params["EnvId"])
    size = params.get("PageSize") or 9
    size = min(max(size, 1), 30)  # the model: 0 or absent → 9, more than 30 → 30
    number = max(params.get("PageNum") or 1, 1)
    found = [
        s
        for s in world["services"]
        if s["env_id"] == params["EnvId"]
        and (not params.get("ServerName") or s["name"] == params["ServerName"])
        and (not params.get("VpcId") or s["vpc_id"] == params["VpcId"])
        and params.get("ServerType") in (None, "", "container")
    ]
    window = found[(number - 1) * size : number * size]
    return {"ServerList": [server_base_info(s, world) for s in window], "Total": len(found)}


def describe_server_detail(params, world):
    _env(world, params["EnvId"])
    service = next(
        (s for s in world["services"] if s["env_id"] == params["EnvId"] and s["name"] == params["ServerName"]), None
    )
    if service is None:
        raise errors.resource_not_found(
            f"The service `{params['ServerName']}` does not exist.", code="ResourceNotFound.ServerNotFound"
        )
    return {
        "BaseInfo": server_base_info(service, world),
        "ServerConfig": server_config(service),
        "OnlineVersionInfos": [
            {
                "VersionName": f"{service['name']}-001",
                "ImageUrl": f"ccr.ccs.tencentyun.com/tcb-{service['env_id']}/{service['name']}:001",
                "FlowRatio": "100",
            }
        ],
    }


ACTIONS = {
    "DescribeCloudRunEnvs": Action(
        {"EnvId": ("str", False), "IsVisible": ("bool", False), "Channels": ("list of str", False)}, describe_envs
    ),
    "DescribeCloudRunServers": Action(
        {
            "EnvId": ("str", True),
            "PageSize": ("int", False),
            "PageNum": ("int", False),
            "ServerName": ("str", False),
            "ServerType": ("str", False),
            "VpcId": ("str", False),
        },
        describe_servers,
    ),
    "DescribeCloudRunServerDetail": Action(
        {"EnvId": ("str", True), "ServerName": ("str", True)}, describe_server_detail
    ),
}
