"""Tencent Cloud API 3.0 through Flask's test client, with hand-signed requests: the signature
checks (wrong key, expired timestamp, wrong service, tampered body), credentials and their
rotation, tenancy, Host routing, every method on `/`, the account, the order sync, the QR link.
The official SDK drives the same actions against gunicorn in tests/e2e/test_tencentcloud_sdk.py."""

import json
import time

import pytest
from conftest import Api

from api.flows import ORG_USCC, assert_error, cloud, create_app, ok, org_payload, register_domain, usable_ip
from backend.tencentcloud import signature

VERSIONS = {"ba": "2020-07-20", "tcbr": "2022-02-17", "vpc": "2017-03-12"}


class TcSandbox(Api):
    def tc(
        self,
        action,
        body=None,
        service=None,
        key=None,
        secret_id=None,
        ts=None,
        host="127.0.0.1:5000",
        scope=None,
        raw=None,
        version=None,
        method="POST",
    ):
        """A signed call, built by hand the way the SDK builds it."""
        service = service or _service_of(action)
        ts = int(time.time()) if ts is None else ts
        data = raw if raw is not None else json.dumps(body or {}).encode()
        headers = {
            "Content-Type": "application/json",
            "Host": host,
            "X-TC-Action": action,
            "X-TC-Version": version or VERSIONS.get(service, "2020-07-20"),
            "X-TC-Timestamp": str(ts),
            "X-TC-Region": "ap-guangzhou",
        }
        req = signature.SignedRequest(method, "/", "", headers, data)
        headers["Authorization"] = signature.authorization_header(
            secret_id or self.secret_id, key or self.secret_key, req, ts, scope or service
        )
        return self.client.open("/", method=method, data=data, headers=headers)

    def ok_tc(self, action, body=None, **kw):
        resp = self.tc(action, body, **kw)
        assert resp.status_code == 200 and resp.mimetype == "application/json"
        answer = resp.get_json()["Response"]
        assert "Error" not in answer, answer
        assert len(answer.pop("RequestId")) == 36
        return answer

    def error(self, action, body=None, **kw):
        resp = self.tc(action, body, **kw)
        assert resp.status_code == 200 and resp.headers["Content-Type"] == "application/json"  # the SDK checks both
        answer = resp.get_json()["Response"]
        assert set(answer) == {"Error", "RequestId"} and set(answer["Error"]) == {"Code", "Message"}, answer
        return answer["Error"]["Code"]


def _service_of(action):
    if "CloudRun" in action:
        return "tcbr"
    if action in ("CreateWeappQRUrl", "DescribeGetAuthInfo", "SyncIcpOrderWebInfo"):
        return "ba"
    return "vpc"


def tc_sandbox(control, **body):
    resp = control.post("/api/v1/sandboxes", json={"seed": 7, **body})
    data = ok(resp, 201)
    sb = TcSandbox(control.client, data["id"], data["token"])
    sb.secret_id, sb.secret_key = data["secret_id"], data["secret_key"]
    return sb


@pytest.fixture
def sb(control):
    return tc_sandbox(control)


def test_a_new_sandbox_has_a_key_pair_kept_sealed_in_redis(sb, r):
    assert sb.secret_id.startswith("AKID") and len(sb.secret_key) == 32
    everything = " ".join(str(r.dump(k)) for k in r.scan_iter("*"))
    assert sb.secret_id in everything and sb.secret_key not in everything  # the SecretKey never in clear
    described = ok(sb.get(f"/api/v1/sandboxes/{sb.sid}"))
    assert "secret_key" not in described  # only on creation and rotation


def test_the_signature_checks(sb):
    assert sb.ok_tc("DescribeVpcs")["TotalCount"] == 1
    assert sb.error("DescribeVpcs", key="x" * 32) == "AuthFailure.SignatureFailure"
    assert sb.error("DescribeVpcs", ts=int(time.time()) - 301) == "AuthFailure.SignatureExpire"
    assert sb.error("DescribeVpcs", ts=int(time.time()) + 600) == "AuthFailure.SignatureExpire"
    assert sb.error("DescribeVpcs", scope="tcbr") == "InvalidAction"  # signed for tcbr: tcbr has no DescribeVpcs
    assert sb.error("DescribeVpcs", host="vpc.tencentcloudapi.com", scope="tcbr") == "AuthFailure.SignatureFailure"
    assert sb.error("DescribeVpcs", secret_id="AKID" + "0" * 32) == "AuthFailure.SecretIdNotFound"
    assert sb.error("DescribeVpcs", secret_id="not-a-secret-id") == "AuthFailure.InvalidSecretId"
    assert sb.error("DescribeVpcs", secret_id="AKIDshort!") == "AuthFailure.InvalidSecretId"


def test_a_tampered_body_fails(sb):
    ts = int(time.time())
    body = json.dumps({"Limit": 1}).encode()
    headers = {
        "Content-Type": "application/json",
        "Host": "127.0.0.1:5000",
        "X-TC-Action": "DescribeNatGateways",
        "X-TC-Version": "2017-03-12",
        "X-TC-Timestamp": str(ts),
    }
    headers["Authorization"] = signature.authorization_header(
        sb.secret_id, sb.secret_key, signature.SignedRequest("POST", "/", "", headers, body), ts, "vpc"
    )
    assert sb.client.post("/", data=body, headers=headers).get_json()["Response"]["NatGatewaySet"]
    tampered = sb.client.post("/", data=json.dumps({"Limit": 100}).encode(), headers=headers)
    assert tampered.get_json()["Response"]["Error"]["Code"] == "AuthFailure.SignatureFailure"
    missing = sb.client.post("/", data=body, headers={k: v for k, v in headers.items() if k != "Authorization"})
    assert missing.get_json()["Response"]["Error"]["Code"] == "MissingParameter"


def test_unknown_actions_parameters_and_types(sb):
    assert sb.error("CreateVpc") == "InvalidAction"
    assert sb.error("DescribeVpcs", version="2099-01-01") == "NoSuchVersion"
    assert sb.error("DescribeVpcs", {"Limt": "5"}) == "UnknownParameter"
    assert sb.error("DescribeNatGateways", {"Limit": "5"}) == "InvalidParameter"
    assert sb.error("DescribeVpcs", {"Limit": "many"}) == "InvalidParameterValue"
    assert (
        sb.error("DescribeVpcs", {"VpcIds": ["vpc-0001"], "Filters": [{"Name": "vpc-id", "Values": ["x"]}]})
        == "InvalidParameter.Coexist"
    )
    assert (
        sb.error("DescribeVpcs", {"Filters": [{"Name": "owner", "Values": ["x"]}]})
        == "InvalidParameter.FilterInvalidKey"
    )
    assert sb.error("DescribeCloudRunServers") == "MissingParameter"
    assert (
        sb.error("DescribeCloudRunServerDetail", {"EnvId": "env-0001", "ServerName": "nope"})
        == "ResourceNotFound.ServerNotFound"
    )
    assert sb.error("DescribeVpcs", raw=b"{not json") == "InvalidParameter"
    assert sb.error("DescribeVpcs", raw=b"[1, 2]") == "InvalidParameter"


def test_rotation_replaces_the_pair(sb, control):
    assert_error(sb.post(f"/api/v1/sandboxes/{sb.sid}/credentials/rotate"), 401)  # the sandbox's own token: no
    fresh = ok(control.post(f"/api/v1/sandboxes/{sb.sid}/credentials/rotate"))
    assert fresh["id"] == sb.sid and fresh["secret_id"] != sb.secret_id
    assert sb.error("DescribeVpcs") == "AuthFailure.SecretIdNotFound"
    sb.secret_id, sb.secret_key = fresh["secret_id"], fresh["secret_key"]
    assert sb.ok_tc("DescribeVpcs")["TotalCount"] == 1
    assert_error(control.post("/api/v1/sandboxes/sb_nope/credentials/rotate"), 404, "SANDBOX_NOT_FOUND")


def test_reset_keeps_and_delete_ends_the_pair(sb, control):
    ok(control.post(f"/api/v1/sandboxes/{sb.sid}/reset"))
    assert sb.ok_tc("DescribeVpcs")["TotalCount"] == 1
    assert control.delete(f"/api/v1/sandboxes/{sb.sid}").status_code == 204
    assert sb.error("DescribeVpcs") == "AuthFailure.SecretIdNotFound"


def test_a_key_reaches_its_own_sandbox_only(sb, control):
    other = tc_sandbox(control, preset="empty")
    cloud(other, "vpcs", created_by="custom")
    mine = sb.ok_tc("DescribeVpcs")["VpcSet"]
    theirs = other.ok_tc("DescribeVpcs")["VpcSet"]
    assert [v["IsDefault"] for v in mine] == [True] and [v["IsDefault"] for v in theirs] == [False]
    assert other.ok_tc("DescribeCloudRunEnvs")["EnvList"] == []
    assert other.ok_tc("DescribeGetAuthInfo")["IsTenPayMasked"] == "0"  # the empty preset: not verified


def test_tencentcloudapi_hosts_are_the_api_not_the_gateway(sb):
    answer = sb.ok_tc("DescribeNatGateways", host="vpc.tencentcloudapi.com")
    assert answer["TotalCount"] == 1
    page = sb.client.get("/anything", headers={"Host": "ba.tencentcloudapi.com"})
    assert page.status_code == 200 and page.get_json()["Response"]["Error"]["Code"] == "MissingParameter"
    assert "X-Icpsim-Gateway" not in page.headers


@pytest.mark.parametrize("method", ["GET", "HEAD", "OPTIONS", "PUT", "DELETE", "PATCH", "POST"])
def test_every_method_on_the_root(sb, method):
    plain = sb.client.open("/", method=method)
    assert plain.status_code in (404, 405) and (method == "HEAD" or plain.mimetype == "application/json")
    called = sb.client.open("/", method=method, headers={"X-TC-Action": "DescribeVpcs"})
    assert called.status_code == 200 and called.mimetype == "application/json"
    if method != "HEAD":
        expected = "UnsupportedProtocol" if method not in ("GET", "POST") else "MissingParameter"
        assert called.get_json()["Response"]["Error"]["Code"] == expected


def test_the_account_real_name_state(sb):
    assert ok(sb.get("~/account")) == {"real_name_status": "verified", "real_name_type": "personal", "level": ""}
    assert sb.ok_tc("DescribeGetAuthInfo") == {"IsTenPayMasked": "1", "IsAuthenticated": "0", "Type": "0", "Level": ""}
    ok(sb.put("~/account", json={"real_name_status": "unverified", "real_name_type": "enterprise"}))
    assert sb.ok_tc("DescribeGetAuthInfo") == {"IsTenPayMasked": "0", "IsAuthenticated": "1", "Type": "1", "Level": ""}
    assert "real_name_status" in assert_error(sb.put("~/account", json={"real_name_status": "maybe"}), 422)["errors"]


def test_sync_icp_order_web_info_edits_the_order(sb):
    ips = [usable_ip(sb)] * 2
    for domain in ("shili-a.cn", "shili-b.cn"):
        register_domain(sb, domain, holder_name="深圳市示例科技有限公司", holder_cert=ORG_USCC)
    payload = org_payload(ips, [("shili-a.cn", "示例官网"), ("shili-b.cn", "示例商城")])
    payload["websites"][0]["commercial"] = True
    app = create_app(sb, payload)
    assert (
        sb.ok_tc(
            "SyncIcpOrderWebInfo",
            {"IcpOrderId": app["id"], "SourceWebId": "1", "TargetWebIds": ["2"], "SyncFields": ["commercial"]},
        )
        == {}
    )
    sites = ok(sb.get(f"~/applications/{app['id']}"))["payload"]["websites"]
    assert sites[1]["commercial"] is True and sites[1]["name"] == "示例商城"
    calls = [step["call"] for step in ok(sb.get("~/recording?format=json"))["steps"] if "call" in step]
    assert calls[-1]["method"] == "PATCH" and calls[-1]["path"] == f"/applications/{app['id']}"  # replayed as an edit
    assert calls[-1]["body"]["websites"][1]["commercial"] is True
    assert (
        sb.error(
            "SyncIcpOrderWebInfo",
            {"IcpOrderId": "A9999", "SourceWebId": "1", "TargetWebIds": ["2"], "SyncFields": ["commercial"]},
        )
        == "ResourceNotFound"
    )
    assert (
        sb.error(
            "SyncIcpOrderWebInfo",
            {"IcpOrderId": app["id"], "SourceWebId": "1", "TargetWebIds": "2", "SyncFields": ["commercial"]},
        )
        == "InvalidParameter"
    )


def test_sync_copies_a_multi_select_service_content_whole(sb):
    """The real API names fields only (SyncFields: list of str) and never carries a value: a
    website's 网站服务内容 is copied within the order as the list it is (README Simulator choices)."""
    ips = [usable_ip(sb)] * 2
    for domain in ("shili-a.cn", "shili-b.cn"):
        register_domain(sb, domain, holder_name="深圳市示例科技有限公司", holder_cert=ORG_USCC)
    payload = org_payload(ips, [("shili-a.cn", "示例官网"), ("shili-b.cn", "示例商城")])
    payload["websites"][0]["service_content"] = ["enterprise_site", "other"]
    app = create_app(sb, payload)
    assert app["payload"]["websites"][1]["service_content"] == "enterprise_site"  # a single code, as written
    sync = {"IcpOrderId": app["id"], "SourceWebId": "1", "TargetWebIds": ["2"], "SyncFields": ["serviceContent"]}
    assert sb.ok_tc("SyncIcpOrderWebInfo", sync) == {}
    sites = ok(sb.get(f"~/applications/{app['id']}"))["payload"]["websites"]
    assert sites[0]["service_content"] == sites[1]["service_content"] == ["enterprise_site", "other"]
    calls = [step["call"] for step in ok(sb.get("~/recording?format=json"))["steps"] if "call" in step]
    assert calls[-1]["body"]["websites"][1]["service_content"] == ["enterprise_site", "other"]


def test_the_qr_link_opens_the_page_once_without_the_token_in_any_url(sb):
    url = sb.ok_tc("CreateWeappQRUrl", {"SessionKey": "k"})["Url"]
    assert url.startswith("http://127.0.0.1:5000/miniprogram/qr?") and sb.token not in url
    path = url.split("5000", 1)[1]
    page = sb.client.get(path)
    assert page.status_code == 200 and "data:image/png;base64," in page.get_data(as_text=True)
    png = sb.client.get(path + "&format=png")
    assert png.mimetype == "image/png" and png.data.startswith(b"\x89PNG")
    opened = sb.client.get(path.replace("/qr?", "/qr/open?"))
    text = opened.get_data(as_text=True)
    assert opened.status_code == 200 and sb.token in text and "sessionStorage" in text
    assert sb.client.get(path.replace("/qr?", "/qr/open?")).status_code == 404  # once
    assert sb.client.get(path).status_code == 404
    assert sb.error("CreateWeappQRUrl") == "MissingParameter"


def test_a_body_over_the_limit_is_refused_before_it_is_read(sb):
    assert sb.error("DescribeVpcs", raw=b" " * (1024 * 1024 + 1)) == "RequestSizeLimitExceeded"


def _v1_params(sb, method_name="HmacSHA256"):
    """A signature v1 call as the SDK sends it with `ClientProfile(signMethod="HmacSHA256")`:
    Action, SecretId and Signature among the parameters, no Authorization header."""
    return {
        "Action": "DescribeVpcs",
        "Version": "2017-03-12",
        "Region": "ap-shanghai",
        "Timestamp": str(int(time.time())),
        "Nonce": "12345",
        "SecretId": sb.secret_id,
        "SignatureMethod": method_name,
        "Signature": "c2lnbmF0dXJl",
    }


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("host", ["127.0.0.1:5000", "vpc.tencentcloudapi.com"])
def test_a_signature_v1_call_gets_the_api_error_envelope_not_a_rest_404(sb, method, host):
    params = _v1_params(sb, "HmacSHA1" if method == "GET" else "HmacSHA256")
    if method == "GET":
        resp = sb.client.get("/", query_string=params, headers={"Host": host})
    else:
        resp = sb.client.post("/", data=params, headers={"Host": host})  # form-encoded, as the SDK posts v1
    assert resp.status_code == 200 and resp.headers["Content-Type"] == "application/json"  # the SDK checks both
    answer = resp.get_json()["Response"]
    assert set(answer) == {"Error", "RequestId"}
    assert answer["Error"]["Code"] == "AuthFailure.SignatureFailure"
    assert "TC3-HMAC-SHA256" in answer["Error"]["Message"]


def test_the_root_without_an_api_call_is_still_a_rest_404(sb):
    assert sb.client.get("/", query_string={"Action": "DescribeVpcs"}).status_code == 404  # no signature: not a call
    assert sb.client.post("/", data={"Signature": "x"}).status_code in (404, 405)
