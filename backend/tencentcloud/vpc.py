"""`vpc` 2017-03-12: the sandbox's VPCs, NAT gateways and their public IPs (EIPs), with what
the 云托管 filing eligibility reads: who created the VPC and the NAT gateway (a `tcb:created-by`
tag, and a system-created VPC is the default one), the NAT gateway's size (a `tcb:nat-size`
tag and its connection limit) and its public IP."""

from backend.tencentcloud import errors, params
from backend.tencentcloud.action_kit import Action, filtered

CREATED_BY_TAG, SIZE_TAG = "tcb:created-by", "tcb:nat-size"
MAX_CONNECTIONS = {"micro": 100_000, "small": 1_000_000, "medium": 3_000_000, "large": 10_000_000}
BANDWIDTH = {"micro": 100, "small": 100, "medium": 5000, "large": 5000}


def _tags(doc, **more):
    tags = [{"Key": CREATED_BY_TAG, "Value": doc.get("created_by") or "system"}]
    return tags + [{"Key": k, "Value": v} for k, v in more.items()]


def eip_id(nat) -> str:
    return "eip-" + nat["id"][len("nat-") :]


def vpc_model(vpc, world) -> dict:
    system = (vpc.get("created_by") or "system") == "system"
    return {
        "VpcName": f"tcb-vpc-{vpc.get('env_id') or vpc['id']}" if system else vpc["id"],
        "VpcId": vpc["id"],
        "CidrBlock": "10.0.0.0/16",
        "IsDefault": system,
        "EnableMulticast": False,
        "CreatedTime": world["created_at"],
        "DnsServerSet": ["183.60.83.19", "183.60.82.98"],
        "DomainName": "",
        "DhcpOptionsId": "",
        "EnableDhcp": True,
        "Ipv6CidrBlock": "",
        "TagSet": _tags(vpc),
        "AssistantCidrSet": [],
        "EnableRouteVpcPublish": False,
        "Ipv6CidrBlockSet": [],
        "EnableRouteVpcPublishIpv6": False,
        "StackType": "",
    }


def nat_model(nat, world) -> dict:
    size = nat.get("size") or "micro"
    return {
        "NatGatewayId": nat["id"],
        "NatGatewayName": f"tcb-{nat['id']}",
        "CreatedTime": world["created_at"],
        "State": "AVAILABLE",
        "NetworkState": "AVAILABLE",
        "InternetMaxBandwidthOut": BANDWIDTH.get(size, 100),
        "MaxConcurrentConnection": MAX_CONNECTIONS.get(size, 1_000_000),
        "PublicIpAddressSet": [
            {"AddressId": eip_id(nat), "PublicIpAddress": nat["ip"], "IsBlocked": False, "BlockType": "NORMAL"}
        ],
        "DestinationIpPortTranslationNatRuleSet": [],
        "SourceIpTranslationNatRuleSet": [],
        "VpcId": nat["vpc_id"],
        "Zone": world["region"] + "-2",
        "DirectConnectGatewayIds": [],
        "SubnetId": "",
        "TagSet": _tags(nat, **{SIZE_TAG: size}),
        "SecurityGroupSet": [],
        "IsExclusive": False,
        "RestrictState": "NORMAL",
        "NatProductVersion": 1,
    }


def address_model(nat, world) -> dict:
    return {
        "AddressId": eip_id(nat),
        "AddressName": "",
        "AddressStatus": "BIND",
        "AddressIp": nat["ip"],
        "InstanceId": nat["id"],
        "CreatedTime": world["created_at_iso"],
        "NetworkInterfaceId": "",
        "PrivateAddressIp": "",
        "IsArrears": False,
        "IsBlocked": False,
        "IsEipDirectConnection": False,
        "AddressType": "EIP",
        "CascadeRelease": False,
        "InternetServiceProvider": "BGP",
        "LocalBgp": False,
        "TagSet": [],
        "InstanceType": "NAT",
    }


def _ids_or_filters(req, ids_name):
    if req.get(ids_name) and req.get("Filters"):
        raise errors.ApiError("InvalidParameter.Coexist", f"`{ids_name}` and `Filters` cannot be given together.")


def _window(items, req, offset_name="Offset", limit_name="Limit"):
    offset = params.page(req.get(offset_name), default=0, limit=10**6, name=offset_name)
    limit = params.page(req.get(limit_name), default=20, name=limit_name)
    return items[offset : offset + limit]


def describe_vpcs(req, world):
    _ids_or_filters(req, "VpcIds")
    vpcs = world["vpcs"]
    if req.get("VpcIds"):
        vpcs = [v for v in vpcs if v["id"] in req["VpcIds"]]
    models = [vpc_model(v, world) for v in vpcs]
    models = filtered(
        models,
        req.get("Filters"),
        {
            "vpc-id": lambda m: m["VpcId"],
            "vpc-name": lambda m: m["VpcName"],
            "is-default": lambda m: m["IsDefault"],
            "tag-key": lambda m: [t["Key"] for t in m["TagSet"]],
            f"tag:{CREATED_BY_TAG}": lambda m: [t["Value"] for t in m["TagSet"] if t["Key"] == CREATED_BY_TAG],
        },
        "DescribeVpcs",
    )
    return {"TotalCount": len(models), "VpcSet": _window(models, req)}


def describe_nat_gateways(req, world):
    _ids_or_filters(req, "NatGatewayIds")
    nats = world["nat_gateways"]
    if req.get("NatGatewayIds"):
        nats = [n for n in nats if n["id"] in req["NatGatewayIds"]]
    models = filtered(
        [nat_model(n, world) for n in nats],
        req.get("Filters"),
        {
            "nat-gateway-id": lambda m: m["NatGatewayId"],
            "vpc-id": lambda m: m["VpcId"],
            "nat-gateway-name": lambda m: m["NatGatewayName"],
            "public-ip-address": lambda m: [a["PublicIpAddress"] for a in m["PublicIpAddressSet"]],
        },
        "DescribeNatGateways",
    )
    return {"TotalCount": len(models), "NatGatewaySet": _window(models, req), "VerboseLevel": "DETAIL"}


def describe_addresses(req, world):
    _ids_or_filters(req, "AddressIds")
    models = [address_model(n, world) for n in world["nat_gateways"]]
    if req.get("AddressIds"):
        models = [m for m in models if m["AddressId"] in req["AddressIds"]]
    models = filtered(
        models,
        req.get("Filters"),
        {
            "address-id": lambda m: m["AddressId"],
            "address-ip": lambda m: m["AddressIp"],
            "instance-id": lambda m: m["InstanceId"],
            "address-status": lambda m: m["AddressStatus"],
            "address-type": lambda m: m["AddressType"],
            "instance-type": lambda m: m["InstanceType"],
        },
        "DescribeAddresses",
    )
    return {"TotalCount": len(models), "AddressSet": _window(models, req)}


_FILTERS = ("list of Filter", False)
ACTIONS = {
    "DescribeVpcs": Action(
        {"VpcIds": ("list of str", False), "Filters": _FILTERS, "Offset": ("str", False), "Limit": ("str", False)},
        describe_vpcs,
    ),
    "DescribeNatGateways": Action(
        {
            "NatGatewayIds": ("list of str", False),
            "Filters": _FILTERS,
            "Offset": ("int", False),
            "Limit": ("int", False),
        },
        describe_nat_gateways,
    ),
    "DescribeAddresses": Action(
        {"AddressIds": ("list of str", False), "Filters": _FILTERS, "Offset": ("int", False), "Limit": ("int", False)},
        describe_addresses,
    ),
}


def eligible_ips(vpcs: list, nats: list, service_vpc_ids) -> list:
    """What a client can work out from this API's answers alone (DescribeVpcs, DescribeNatGateways
    and the services' VpcConf): the public IPs of system-created micro NAT gateways in system-created
    VPCs where a service runs. The tests compare it with icpsim's own eligibility."""

    def tag(model, key):
        return next((t["Value"] for t in model.get("TagSet") or [] if t["Key"] == key), None)

    system_vpcs = {v["VpcId"] for v in vpcs if tag(v, CREATED_BY_TAG) == "system"}
    return sorted(
        a["PublicIpAddress"]
        for n in nats
        if n["VpcId"] in system_vpcs
        and n["VpcId"] in set(service_vpc_ids)
        and tag(n, CREATED_BY_TAG) == "system"
        and n["MaxConcurrentConnection"] == MAX_CONNECTIONS["micro"]
        for a in n["PublicIpAddressSet"]
    )
