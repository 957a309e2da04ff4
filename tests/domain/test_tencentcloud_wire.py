"""Tencent Cloud API 3.0 as pure Python: TC3-HMAC-SHA256 (checked against the official SDK's own
signer), parameters as the SDK's models declare them, the key pair sealed at rest, SyncIcpOrderWebInfo."""

import json

import pytest

from backend.tencentcloud import ba, credentials, errors, params, signature, tcbr, vpc, wire
from backend.tencentcloud.actions import resolve

SECRET_ID, SECRET_KEY = "AKID" + "a1B2" * 8, "k" * 32
NOW = 1_780_000_000


def signed(body=b'{"Limit": 1}', host="127.0.0.1:5000", method="POST", query="", **headers):
    h = {
        "Content-Type": "application/json",
        "Host": host,
        "X-TC-Action": "DescribeVpcs",
        "X-TC-Timestamp": str(NOW),
        **headers,
    }
    return signature.SignedRequest(method, "/", query, h, body)


def sdk_signature(req, service, secret_key=SECRET_KEY):
    """The official SDK's TC3 signature of the same request (AbstractClient._get_tc3_signature)."""
    from tencentcloud.common.abstract_client import AbstractClient
    from tencentcloud.common.http.request import RequestInternal

    inner = RequestInternal(req.headers["Host"], req.method, "/", header=dict(req.headers))
    inner.data = req.query if req.method == "GET" else req.body.decode()
    client = AbstractClient.__new__(AbstractClient)
    return client._get_tc3_signature({}, inner, signature.utc_date(NOW), service, secret_key)


@pytest.mark.parametrize(
    "method,body,query",
    [
        ("POST", b'{"Limit": 1, "Filters": [{"Name": "vpc-name", "Values": ["\\u672a\\u547d\\u540d"]}]}', ""),
        ("POST", b"", ""),
        ("GET", b"", "Limit=1&Offset=0"),
    ],
)
def test_the_signature_is_the_sdks(method, body, query):
    req = signed(body=body, method=method, query=query)
    assert signature.signature(SECRET_KEY, req, NOW, "vpc") == sdk_signature(req, "vpc")


def test_an_unsigned_payload_signs_the_marker_not_the_body():
    a = signed(body=b'{"a": 1}', **{"X-TC-Content-SHA256": "UNSIGNED-PAYLOAD"})
    b = signed(body=b'{"b": 2}', **{"X-TC-Content-SHA256": "UNSIGNED-PAYLOAD"})
    assert signature.signature(SECRET_KEY, a, NOW, "vpc") == signature.signature(SECRET_KEY, b, NOW, "vpc")


def verify(req, header=None, key=SECRET_KEY, service="vpc", timestamp=NOW):
    auth = signature.parse_authorization(
        header or signature.authorization_header(SECRET_ID, SECRET_KEY, req, NOW, "vpc")
    )
    signature.verify(req, auth, timestamp, key, service)


def code_of(fn, *args, **kw):
    with pytest.raises(errors.ApiError) as e:
        fn(*args, **kw)
    return e.value.code


def test_verify_accepts_the_right_key_and_refuses_everything_else():
    req = signed()
    verify(req)
    assert code_of(verify, req, key="x" * 32) == "AuthFailure.SignatureFailure"  # wrong key
    assert code_of(verify, req, service="tcbr") == "AuthFailure.SignatureFailure"  # another service
    tampered = signature.SignedRequest(req.method, req.path, req.query, req.headers, b'{"Limit": 2}')
    header = signature.authorization_header(SECRET_ID, SECRET_KEY, req, NOW, "vpc")
    assert code_of(verify, tampered, header) == "AuthFailure.SignatureFailure"  # body changed
    other_host = signed(host="127.0.0.1:5001")
    assert code_of(verify, other_host, header) == "AuthFailure.SignatureFailure"  # Host changed
    assert code_of(verify, req, timestamp=NOW + 86400) == "AuthFailure.SignatureFailure"  # scope date ≠ timestamp's


def test_the_timestamp_window_is_five_real_minutes():
    signature.check_fresh(NOW, NOW + 300)
    signature.check_fresh(NOW, NOW - 300)
    assert code_of(signature.check_fresh, NOW, NOW + 301) == "AuthFailure.SignatureExpire"
    assert code_of(signature.check_fresh, NOW, NOW - 301) == "AuthFailure.SignatureExpire"
    assert code_of(signature.parse_timestamp, None) == "MissingParameter"
    assert code_of(signature.parse_timestamp, "yesterday") == "InvalidParameter"


def test_authorization_header_shapes():
    assert code_of(signature.parse_authorization, "") == "MissingParameter"
    assert code_of(signature.parse_authorization, "Bearer x") == "AuthFailure.InvalidAuthorization"
    no_host = (
        f"TC3-HMAC-SHA256 Credential={SECRET_ID}/2026-06-01/vpc/tc3_request, "
        f"SignedHeaders=content-type, Signature={'0' * 64}"
    )
    assert code_of(signature.parse_authorization, no_host) == "AuthFailure.InvalidAuthorization"
    auth = signature.parse_authorization(no_host.replace("content-type,", "content-type;host;x-tc-action,"))
    assert auth.signed_headers == ("content-type", "host", "x-tc-action") and auth.service == "vpc"
    assert code_of(signature.check_secret_id, "not-a-key") == "AuthFailure.InvalidSecretId"
    signature.check_secret_id(SECRET_ID)


def test_more_signed_headers_are_signed_too():
    req = signed()
    names = ("content-type", "host", "x-tc-action")
    sig = signature.signature(SECRET_KEY, req, NOW, "vpc", names)
    header = (
        f"TC3-HMAC-SHA256 Credential={SECRET_ID}/{signature.utc_date(NOW)}/vpc/tc3_request, "
        f"SignedHeaders={';'.join(names)}, Signature={sig}"
    )
    verify(req, header)
    other_action = signed(**{"X-TC-Action": "DescribeAddresses"})
    assert code_of(verify, other_action, header) == "AuthFailure.SignatureFailure"


def test_key_pairs_and_sealing():
    pair = credentials.new_pair()
    assert pair.secret_id.startswith("AKID") and len(pair.secret_id) == 36 and len(pair.secret_key) == 32
    key = credentials.server_key(b"material")
    sealed = credentials.seal(key, pair)
    assert pair.secret_key not in sealed
    assert credentials.unseal(key, pair.secret_id, sealed) == pair.secret_key
    assert credentials.unseal(credentials.server_key(b"other"), pair.secret_id, sealed) is None
    assert credentials.unseal(key, "AKID" + "x" * 32, sealed) is None  # bound to its SecretId
    assert credentials.unseal(key, pair.secret_id, "v1:!!!") is None


def test_parameters_as_the_models_declare_them():
    spec = vpc.ACTIONS["DescribeNatGateways"].params
    assert params.check(spec, {"Limit": 5, "Filters": [{"Name": "vpc-id", "Values": ["vpc-1"]}]})["Limit"] == 5
    assert code_of(params.check, spec, {"Limt": 5}) == "UnknownParameter"
    assert code_of(params.check, spec, {"Limit": "5"}) == "InvalidParameter"
    assert code_of(params.check, spec, {"Limit": True}) == "InvalidParameter"
    assert code_of(params.check, spec, {"Filters": [{"Name": "vpc-id"}]}) == "MissingParameter"
    assert code_of(params.check, spec, {"Filters": [{"Name": "vpc-id", "Values": "vpc-1"}]}) == "InvalidParameter"
    assert code_of(params.check, spec, {"Filters": [{"Name": "x", "Values": [], "Extra": 1}]}) == "UnknownParameter"
    assert code_of(params.check, tcbr.ACTIONS["DescribeCloudRunServers"].params, {}) == "MissingParameter"
    assert params.from_query(spec, [("Limit", "3"), ("Filters.0.Name", "vpc-id"), ("Filters.0.Values.0", "v")]) == {
        "Limit": 3,
        "Filters": [{"Name": "vpc-id", "Values": ["v"]}],
    }


def test_a_query_whose_keys_contradict_each_other_is_the_callers_error():
    """`Filters.0=x` then `Filters.0.Name=y`: a value and a structure at one name. A signed GET
    may send it; it is InvalidParameter, not an InternalError."""
    spec = vpc.ACTIONS["DescribeNatGateways"].params
    assert code_of(params.from_query, spec, [("Filters.0", "x"), ("Filters.0.Name", "y")]) == "InvalidParameter"
    assert code_of(params.from_query, spec, [("Limit", "1"), ("Limit.0", "2")]) == "InvalidParameter"


def test_actions_versions_and_hosts():
    assert resolve("vpc", "2017-03-12", "DescribeVpcs") is vpc.ACTIONS["DescribeVpcs"]
    assert code_of(resolve, "vpc", "2017-03-12", "CreateVpc") == "InvalidAction"
    assert code_of(resolve, "cvm", "2017-03-12", "DescribeInstances") == "InvalidAction"
    assert code_of(resolve, "vpc", "2020-01-01", "DescribeVpcs") == "NoSuchVersion"
    assert code_of(resolve, "vpc", None, "DescribeVpcs") == "MissingParameter"
    assert wire.service_of_host("VPC.tencentcloudapi.com:443") == "vpc"
    assert wire.service_of_host("127.0.0.1:5000") is None and wire.service_of_host("evil-tencentcloudapi.com") is None
    assert wire.is_api_call("127.0.0.1", "/", {"X-TC-Action": "x"}) and not wire.is_api_call("127.0.0.1", "/", {})
    assert wire.is_v1_call("/", {"Action": "DescribeVpcs", "Signature": "s"})
    assert not wire.is_v1_call("/", {"Action": "DescribeVpcs"}) and not wire.is_v1_call(
        "/x", {"Action": "a", "Signature": "s"}
    )


def order(*sites, entity_person=None):
    return {"id": "A0001", "payload": {"entity": {"responsible": entity_person or {}}, "websites": list(sites)}}


PERSON = {
    "name": "王五",
    "certificate_type": "resident_id",
    "certificate_number": "440305198001014567",
    "mobile": "13900139000",
    "email": "wangwu@example.com",
}


def test_sync_copies_fields_to_the_targets_only():
    src = {"name": "官网", "domain": "a.cn", "service_content": "blog", "commercial": False}
    dst = {"name": "商城", "domain": "b.cn", "service_content": "ecommerce"}
    req = {"SourceWebId": "1", "TargetWebIds": ["2", "9"], "SyncFields": ["serviceContent", "commercial"]}
    sites = ba.synced_websites(req, order(src, dst, entity_person=PERSON))
    assert sites[1] == {"name": "商城", "domain": "b.cn", "service_content": "blog", "commercial": False}
    assert sites[0] == src  # "9" is not in the order: skipped, as the real API does


def test_sync_checks_the_same_person_unless_told_not_to():
    other = dict(PERSON, name="赵六", certificate_number="440305198001015553")
    src = {"name": "官网", "domain": "a.cn", "responsible": PERSON}
    dst = {"name": "商城", "domain": "b.cn", "responsible": other}
    req = {"SourceWebId": "1", "TargetWebIds": ["2"], "SyncFields": ["sitePersonMobile"]}
    assert code_of(ba.synced_websites, req, order(src, dst)) == "InvalidParameterValue"
    sites = ba.synced_websites(dict(req, CheckSamePerson=False), order(src, dst))
    assert sites[1]["responsible"] == dict(other, mobile=PERSON["mobile"])
    inherited = ba.synced_websites(
        dict(req, CheckSamePerson=False), order(src, dict(dst, responsible=None), entity_person=other)
    )
    assert inherited[1]["responsible"] == dict(other, mobile=PERSON["mobile"])  # from the entity's person
    assert code_of(ba.synced_websites, dict(req, SyncFields=["domain"]), order(src, dst)) == "InvalidParameterValue"
    assert code_of(ba.synced_websites, dict(req, SourceWebId="3"), order(src, dst)) == "ResourceNotFound"


def test_eligible_ips_from_the_vpc_view():
    world = {"region": "ap-shanghai", "created_at": "2026-06-01 09:00:00"}
    vpcs = [
        vpc.vpc_model({"id": "vpc-0001", "created_by": "system"}, world),
        vpc.vpc_model({"id": "vpc-0002", "created_by": "custom"}, world),
    ]
    nats = [
        vpc.nat_model(
            {"id": "nat-0001", "vpc_id": "vpc-0001", "ip": "1.1.1.1", "created_by": "system", "size": "micro"}, world
        ),
        vpc.nat_model(
            {"id": "nat-0002", "vpc_id": "vpc-0001", "ip": "2.2.2.2", "created_by": "system", "size": "small"}, world
        ),
        vpc.nat_model(
            {"id": "nat-0003", "vpc_id": "vpc-0002", "ip": "3.3.3.3", "created_by": "system", "size": "micro"}, world
        ),
    ]
    assert vpc.eligible_ips(vpcs, nats, ["vpc-0001", "vpc-0002"]) == ["1.1.1.1"]
    assert vpc.eligible_ips(vpcs, nats, []) == []
    assert json.loads(json.dumps(nats))  # plain JSON all the way down
