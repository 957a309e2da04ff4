"""The official Tencent Cloud SDK (tencentcloud-sdk-python: common, ba, tcbr, vpc), unmodified,
against gunicorn: every supported action through the SDK's own clients and models, a wrong key
and an expired timestamp, resources made through icpsim's REST API as the SDK sees them, and the
云托管 eligibility worked out from the SDK's view agreeing with `…/eligibility`. No request here
is built by hand: the SDK signs and sends everything."""

import json
import os
import re
import subprocess
import sys
import time

import pytest
import requests
from support.people import personal_payload
from support.procs import ROOT, running_stack

from backend.tencentcloud import vpc as vpc_wire

ba_client = pytest.importorskip("tencentcloud.ba.v20200720.ba_client")
from tencentcloud.ba.v20200720 import models as ba_models  # noqa: E402
from tencentcloud.common import abstract_client, credential  # noqa: E402
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException  # noqa: E402
from tencentcloud.common.profile.client_profile import ClientProfile  # noqa: E402
from tencentcloud.common.profile.http_profile import HttpProfile  # noqa: E402
from tencentcloud.tcbr.v20220217 import models as tcbr_models, tcbr_client  # noqa: E402
from tencentcloud.vpc.v20170312 import models as vpc_models, vpc_client  # noqa: E402

CONTROL = "e2e-control"


@pytest.fixture(scope="module")
def stack(redis_url, tmp_path_factory):
    with running_stack(redis_url, CONTROL, tmp_path_factory.mktemp("sdk") / "processes.log", workers=0) as s:
        yield s


def rest(method, url, token=CONTROL, **kw):
    resp = requests.request(method, url, headers={"Authorization": f"Bearer {token}"}, timeout=60, **kw)
    assert resp.status_code < 300, resp.text
    return resp.json() if resp.content else None


@pytest.fixture
def sandbox(stack):
    return rest("POST", f"{stack.base}/sandboxes", json={"seed": 42, "preset": "demo"})


def clients(stack, secret_id, secret_key):
    profile = ClientProfile(httpProfile=HttpProfile(endpoint=f"127.0.0.1:{stack.port}", protocol="http"))
    cred = credential.Credential(secret_id, secret_key)
    return (
        ba_client.BaClient(cred, "", profile),
        tcbr_client.TcbrClient(cred, "ap-shanghai", profile),
        vpc_client.VpcClient(cred, "ap-shanghai", profile),
    )


def request(model, **fields):
    req = model()
    for name, value in fields.items():
        setattr(req, name, value)
    return req


def test_every_action_through_the_official_clients(stack, sandbox):
    ba, tcbr, vpc = clients(stack, sandbox["secret_id"], sandbox["secret_key"])

    envs = tcbr.DescribeCloudRunEnvs(tcbr_models.DescribeCloudRunEnvsRequest())
    assert [(e.EnvId, e.Alias, e.EnvType, e.Status) for e in envs.EnvList] == [("env-0001", "prod", "tcbr", "NORMAL")]
    servers = tcbr.DescribeCloudRunServers(request(tcbr_models.DescribeCloudRunServersRequest, EnvId="env-0001"))
    assert servers.Total == 1 and servers.ServerList[0].ServerName == "web"
    detail = tcbr.DescribeCloudRunServerDetail(
        request(tcbr_models.DescribeCloudRunServerDetailRequest, EnvId="env-0001", ServerName="web")
    )
    assert detail.ServerConfig.VpcConf.VpcId == "vpc-0001" and detail.BaseInfo.ServerName == "web"
    assert len(detail.RequestId) == 36

    vpcs = vpc.DescribeVpcs(vpc_models.DescribeVpcsRequest())
    assert vpcs.TotalCount == 1 and vpcs.VpcSet[0].IsDefault is True
    nats = vpc.DescribeNatGateways(vpc_models.DescribeNatGatewaysRequest())
    ip = nats.NatGatewaySet[0].PublicIpAddressSet[0].PublicIpAddress
    eligibility = rest("GET", f"{stack.base}/sandboxes/{sandbox['id']}/eligibility", sandbox["token"])
    assert [row["ip"] for row in eligibility["usable_ips"]] == [ip]
    addresses = vpc.DescribeAddresses(
        request(
            vpc_models.DescribeAddressesRequest, Filters=[request(vpc_models.Filter, Name="address-ip", Values=[ip])]
        )
    )
    assert [(a.AddressIp, a.InstanceId, a.InstanceType) for a in addresses.AddressSet] == [(ip, "nat-0001", "NAT")]

    auth = ba.DescribeGetAuthInfo(ba_models.DescribeGetAuthInfoRequest())
    assert (auth.IsTenPayMasked, auth.Type) == ("1", "0")
    url = ba.CreateWeappQRUrl(request(ba_models.CreateWeappQRUrlRequest, SessionKey="session")).Url
    assert url.startswith(f"http://127.0.0.1:{stack.port}/miniprogram/qr?") and sandbox["token"] not in url
    assert requests.get(url + "&format=png", timeout=30).content.startswith(b"\x89PNG")

    with pytest.raises(TencentCloudSDKException) as e:
        tcbr.DescribeCloudRunServerDetail(
            request(tcbr_models.DescribeCloudRunServerDetailRequest, EnvId="env-0001", ServerName="nope")
        )
    assert e.value.code == "ResourceNotFound.ServerNotFound" and len(e.value.requestId) == 36


def test_sync_icp_order_web_info_through_the_sdk(stack, sandbox):
    home = f"{stack.base}/sandboxes/{sandbox['id']}"
    ip = rest("GET", f"{home}/eligibility", sandbox["token"])["usable_ips"][0]["ip"]
    payload = personal_payload(ip)
    app = rest("POST", f"{home}/applications", sandbox["token"], json={"kind": "first_filing", "payload": payload})
    ba, _, _ = clients(stack, sandbox["secret_id"], sandbox["secret_key"])
    sync = request(
        ba_models.SyncIcpOrderWebInfoRequest,
        IcpOrderId=app["id"],
        SourceWebId="1",
        TargetWebIds=["1", "7"],
        SyncFields=["serviceContent"],
        CheckSamePerson=True,
    )
    assert len(ba.SyncIcpOrderWebInfo(sync).RequestId) == 36  # the only website: nothing to copy to
    with pytest.raises(TencentCloudSDKException) as e:
        ba.SyncIcpOrderWebInfo(
            request(
                ba_models.SyncIcpOrderWebInfoRequest,
                IcpOrderId="A9999",
                SourceWebId="1",
                TargetWebIds=["2"],
                SyncFields=["serviceContent"],
            )
        )
    assert e.value.code == "ResourceNotFound"


def test_a_wrong_key_and_an_expired_timestamp(stack, sandbox, monkeypatch):
    _, _, vpc = clients(stack, sandbox["secret_id"], "not-the-key-" + "x" * 20)
    with pytest.raises(TencentCloudSDKException) as e:
        vpc.DescribeVpcs(vpc_models.DescribeVpcsRequest())
    assert e.value.code == "AuthFailure.SignatureFailure"

    _, _, vpc = clients(stack, sandbox["secret_id"], sandbox["secret_key"])

    class TenMinutesAgo:  # the SDK's clock only: it signs with time.time() of its own module
        @staticmethod
        def time():
            return time.time() - 600

    monkeypatch.setattr(abstract_client, "time", TenMinutesAgo)
    with pytest.raises(TencentCloudSDKException) as e:
        vpc.DescribeVpcs(vpc_models.DescribeVpcsRequest())
    assert e.value.code == "AuthFailure.SignatureExpire"

    _, _, stranger = clients(stack, "AKID" + "0" * 32, "x" * 32)
    monkeypatch.undo()
    with pytest.raises(TencentCloudSDKException) as e:
        stranger.DescribeVpcs(vpc_models.DescribeVpcsRequest())
    assert e.value.code == "AuthFailure.SecretIdNotFound"


@pytest.mark.parametrize("sign_method", ["HmacSHA256", "HmacSHA1"])
@pytest.mark.parametrize("req_method", ["POST", "GET"])
def test_signature_v1_is_an_sdk_error_not_a_network_error(stack, sandbox, sign_method, req_method):
    """icpsim checks TC3 only; the SDK's v1 signing (params in the query or a form body) gets the
    API's error envelope, so the SDK raises a readable code, not ServerNetworkError with raw bytes."""
    http = HttpProfile(endpoint=f"127.0.0.1:{stack.port}", protocol="http", reqMethod=req_method)
    cred = credential.Credential(sandbox["secret_id"], sandbox["secret_key"])
    vpc = vpc_client.VpcClient(cred, "ap-shanghai", ClientProfile(httpProfile=http, signMethod=sign_method))
    with pytest.raises(TencentCloudSDKException) as e:
        vpc.DescribeVpcs(vpc_models.DescribeVpcsRequest())
    assert e.value.code == "AuthFailure.SignatureFailure" and "TC3-HMAC-SHA256" in e.value.message
    assert len(e.value.requestId) == 36


def test_get_requests_and_an_unsigned_payload(stack, sandbox):
    """The SDK's other ways to send: GET with the parameters in the query, and a POST whose
    payload is left out of the signature (`unsignedPayload`)."""
    cred = credential.Credential(sandbox["secret_id"], sandbox["secret_key"])
    for http in (
        HttpProfile(endpoint=f"127.0.0.1:{stack.port}", protocol="http", reqMethod="GET"),
        HttpProfile(endpoint=f"127.0.0.1:{stack.port}", protocol="http"),
    ):
        profile = ClientProfile(httpProfile=http)
        profile.unsignedPayload = http.reqMethod == "POST"
        vpc = vpc_client.VpcClient(cred, "ap-shanghai", profile)
        nats = vpc.DescribeNatGateways(
            request(
                vpc_models.DescribeNatGatewaysRequest,
                Limit=10,
                Filters=[request(vpc_models.Filter, Name="vpc-id", Values=["vpc-0001", "vpc-9999"])],
            )
        )
        assert nats.TotalCount == 1 and nats.NatGatewaySet[0].VpcId == "vpc-0001", http.reqMethod
        none = vpc.DescribeNatGateways(
            request(
                vpc_models.DescribeNatGatewaysRequest,
                Filters=[request(vpc_models.Filter, Name="vpc-id", Values=["vpc-9999"])],
            )
        )
        assert none.TotalCount == 0 and none.NatGatewaySet == []


def test_unknown_actions_and_parameters_as_the_sdk_reports_them(stack, sandbox):
    _, _, vpc = clients(stack, sandbox["secret_id"], sandbox["secret_key"])
    with pytest.raises(TencentCloudSDKException) as e:
        vpc.call_json("CreateVpc", {"VpcName": "x", "CidrBlock": "10.0.0.0/16"})
    assert e.value.code == "InvalidAction"
    with pytest.raises(TencentCloudSDKException) as e:
        vpc.call_json("DescribeVpcs", {"Owner": "me"})
    assert e.value.code == "UnknownParameter"
    with pytest.raises(TencentCloudSDKException) as e:
        vpc.DescribeNatGateways(request(vpc_models.DescribeNatGatewaysRequest, Limit="ten"))
    assert e.value.code == "InvalidParameter"


def test_what_the_rest_api_creates_is_what_the_sdk_sees(stack, sandbox):
    """More NAT gateways through icpsim's REST API — a custom VPC's, a small one, a second good one;
    the IPs a client would work out from the SDK's answers are the ones the eligibility offers."""
    home, token = f"{stack.base}/sandboxes/{sandbox['id']}", sandbox["token"]
    env = rest("POST", f"{home}/cloud/environments", token, json={"name": "staging"})
    custom = rest("POST", f"{home}/cloud/vpcs", token, json={"env_id": env["id"], "created_by": "custom"})
    second = rest("POST", f"{home}/cloud/vpcs", token, json={"env_id": env["id"], "created_by": "system"})
    rest("POST", f"{home}/cloud/nat-gateways", token, json={"vpc_id": custom["id"], "ip": "162.1.1.1"})
    rest("POST", f"{home}/cloud/nat-gateways", token, json={"vpc_id": second["id"], "ip": "162.2.2.2", "size": "small"})
    rest("POST", f"{home}/cloud/nat-gateways", token, json={"vpc_id": second["id"], "ip": "162.3.3.3"})
    for vpc_id, name in ((custom["id"], "api"), (second["id"], "admin")):
        rest("POST", f"{home}/cloud/services", token, json={"env_id": env["id"], "vpc_id": vpc_id, "name": name})
    # a website on record at Tencent through the second gateway: the service's custom domain
    rest(
        "POST",
        f"{home}/registry/entities",
        json={
            "name": "张三",
            "type": "personal",
            "certificate_type": "resident_id",
            "certificate_number": "440305199001010018",
            "province": "44",
            "access_provider": "tencent",
            "account": "self",
            "websites": [{"name": "张三的笔记", "domain": "zhangsan-notes.cn", "nat_ip": "162.3.3.3"}],
        },
    )

    _, tcbr, vpc = clients(stack, sandbox["secret_id"], sandbox["secret_key"])
    vpcs = vpc.DescribeVpcs(request(vpc_models.DescribeVpcsRequest, Limit="100")).VpcSet
    assert {v.VpcId: v.IsDefault for v in vpcs} == {"vpc-0001": True, custom["id"]: False, second["id"]: True}
    nats = vpc.DescribeNatGateways(request(vpc_models.DescribeNatGatewaysRequest, Limit=100)).NatGatewaySet
    assert {"162.1.1.1", "162.2.2.2", "162.3.3.3"} <= {a.PublicIpAddress for n in nats for a in n.PublicIpAddressSet}
    service_vpcs = []
    for e in tcbr.DescribeCloudRunEnvs(tcbr_models.DescribeCloudRunEnvsRequest()).EnvList:
        listed = tcbr.DescribeCloudRunServers(request(tcbr_models.DescribeCloudRunServersRequest, EnvId=e.EnvId))
        for s in listed.ServerList:
            detail = tcbr.DescribeCloudRunServerDetail(
                request(tcbr_models.DescribeCloudRunServerDetailRequest, EnvId=e.EnvId, ServerName=s.ServerName)
            )
            service_vpcs.append(detail.ServerConfig.VpcConf.VpcId)
            if s.ServerName == "admin":
                assert s.CustomDomainNames == ["zhangsan-notes.cn"] == detail.BaseInfo.CustomDomainNames

    as_dicts = lambda items: [json_of(i) for i in items]  # noqa: E731
    from_sdk = vpc_wire.eligible_ips(as_dicts(vpcs), as_dicts(nats), service_vpcs)
    eligibility = rest("GET", f"{home}/eligibility", token)
    quota = next(rule for rule in eligibility["rules"] if rule["rule"] == "ip_quota")
    assert from_sdk == sorted(row["ip"] for row in quota["ips"]) and "162.3.3.3" in from_sdk
    assert "162.1.1.1" not in from_sdk and "162.2.2.2" not in from_sdk


def json_of(model):
    return json.loads(model.to_json_string())


def undeclared(model_cls, value, module, path=""):
    """Names in an answer that the SDK's response model (and its nested models) do not declare."""
    doc = model_cls.__init__.__doc__ or ""
    declared = dict(re.findall(r":type (\w+): (.+)", doc))
    out = []
    for name, item in value.items():
        if name not in declared:
            out.append(path + name)
            continue
        nested = re.search(r"(?:list of |models\.)(\w+)`?$", declared[name].strip())
        cls = getattr(module, nested.group(1), None) if nested else None
        if cls is not None and isinstance(cls, type):
            for i, sub in enumerate(item if isinstance(item, list) else [item]):
                if isinstance(sub, dict):
                    out += undeclared(cls, sub, module, f"{path}{name}.{i}.")
    return out


ANSWERS = [
    ("ba", "CreateWeappQRUrl", {"SessionKey": "s"}),
    ("ba", "DescribeGetAuthInfo", {}),
    ("tcbr", "DescribeCloudRunEnvs", {}),
    ("tcbr", "DescribeCloudRunServers", {"EnvId": "env-0001"}),
    ("tcbr", "DescribeCloudRunServerDetail", {"EnvId": "env-0001", "ServerName": "web"}),
    ("vpc", "DescribeVpcs", {}),
    ("vpc", "DescribeNatGateways", {}),
    ("vpc", "DescribeAddresses", {}),
]


def test_every_answer_has_only_the_fields_the_sdk_models_declare(stack, sandbox):
    by_service = dict(zip(("ba", "tcbr", "vpc"), clients(stack, sandbox["secret_id"], sandbox["secret_key"])))
    modules = {"ba": ba_models, "tcbr": tcbr_models, "vpc": vpc_models}
    for service, action, params in ANSWERS:
        answer = by_service[service].call_json(action, params)["Response"]
        model = getattr(modules[service], f"{action}Response")
        assert undeclared(model, answer, modules[service]) == [], action
        assert set(answer) - {"RequestId"}, action  # something besides the RequestId


def test_the_readme_example_runs(stack, sandbox):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Use the Tencent Cloud SDK", 1)[1].split("\n## ", 1)[0]
    example = section.split("```python\n", 1)[1].split("```", 1)[0]
    env = dict(
        os.environ,
        TENCENTCLOUD_SECRET_ID=sandbox["secret_id"],
        TENCENTCLOUD_SECRET_KEY=sandbox["secret_key"],
        ICPSIM_ENDPOINT=f"127.0.0.1:{stack.port}",
    )
    done = subprocess.run([sys.executable, "-c", example], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("nat-0001 {'tcb:created-by': 'system', 'tcb:nat-size': 'micro'} ['"), done.stdout
