"""Tokens: the control token, one token per sandbox, and the JSON error shape."""

import pytest

from api.flows import CONTROL, assert_error, new_sandbox, ok

SCOPED = (
    "applications",
    "domains",
    "clock",
    "eligibility",
    "outbox",
    "entities",
    "websites",
    "cloud/environments",
    "cloud/resource-packs",
    "cloud/vpcs",
    "cloud/nat-gateways",
    "cloud/services",
)
# Reads that must answer 200 to the sandbox's own token and to the control token. The NAT
# gateway list is left to test_cloud_eligibility (its response body is checked there), so a
# failure here is about tokens only.
READABLE = tuple(p for p in SCOPED if p != "cloud/nat-gateways")


def test_no_token_on_control_endpoint(control):
    resp = control.post("/api/v1/sandboxes", json={"seed": 1}, token="")
    assert_error(resp, 401, "TOKEN_MISSING")
    assert_error(control.get("/api/v1/sandboxes", token=""), 401, "TOKEN_MISSING")


@pytest.mark.parametrize("path", ["~/", *(f"~/{p}" for p in SCOPED)])
def test_no_token_on_sandbox_endpoints(sandbox, path):
    path = path.rstrip("/") if path != "~/" else f"/api/v1/sandboxes/{sandbox.sid}"
    assert_error(sandbox.get(path, token=""), 401, "TOKEN_MISSING")


def test_bad_token(control, sandbox):
    assert_error(sandbox.get("~/applications", token="sbt_not-a-real-token"), 401, "TOKEN_INVALID")
    assert_error(control.post("/api/v1/sandboxes", json={}, token="wrong"), 401, "CONTROL_TOKEN_INVALID")
    assert_error(control.get("/api/v1/sandboxes", token="wrong"), 401, "CONTROL_TOKEN_INVALID")


def test_bearer_scheme_and_alternative_header(sandbox):
    resp = sandbox.client.get(
        f"/api/v1/sandboxes/{sandbox.sid}/applications", headers={"X-Icpsim-Token": sandbox.token}
    )
    assert ok(resp) == []
    resp = sandbox.client.get(
        f"/api/v1/sandboxes/{sandbox.sid}/applications", headers={"Authorization": f"bearer {sandbox.token}"}
    )
    assert ok(resp) == []


def test_sandbox_token_cannot_use_control_endpoints(sandbox):
    assert_error(sandbox.post("/api/v1/sandboxes", json={"seed": 3}), 401, "CONTROL_TOKEN_INVALID")
    assert_error(sandbox.get("/api/v1/sandboxes"), 401, "CONTROL_TOKEN_INVALID")
    assert_error(sandbox.delete(f"/api/v1/sandboxes/{sandbox.sid}"), 401, "CONTROL_TOKEN_INVALID")
    assert_error(sandbox.post("~/clock/advance", json={"duration": "1d"}), 401, "CONTROL_TOKEN_INVALID")
    assert_error(sandbox.put("~/clock/scale", json={"scale": 1}), 401, "CONTROL_TOKEN_INVALID")
    # and the sandbox still exists, its clock unmoved
    assert ok(sandbox.get("~/clock"))["now"] == "2026-06-01T09:00:00+08:00"


def test_sandbox_token_reads_its_own_sandbox(sandbox):
    body = ok(sandbox.get(f"/api/v1/sandboxes/{sandbox.sid}"))
    assert body["id"] == sandbox.sid
    for path in READABLE:
        assert sandbox.get(f"~/{path}").status_code == 200, path


@pytest.mark.parametrize("path", [f"~/{p}" for p in SCOPED])
def test_other_sandboxs_token_sees_nothing(control, path):
    a = new_sandbox(control, seed=1)
    b = new_sandbox(control, seed=2)
    resp = b.get(path, token=a.token)  # B's paths, A's token
    body = assert_error(resp, 404, "SANDBOX_NOT_FOUND")
    assert a.token not in resp.get_data(as_text=True) and b.token not in resp.get_data(as_text=True)
    assert body["code"] == "SANDBOX_NOT_FOUND"


def test_other_sandboxs_token_cannot_write(control):
    a = new_sandbox(control, seed=1)
    b = new_sandbox(control, seed=2)
    assert_error(b.get(f"/api/v1/sandboxes/{b.sid}", token=a.token), 404, "SANDBOX_NOT_FOUND")
    resp = b.post(
        "~/domains",
        json={"name": "intruder.cn", "holder_name": "张三", "holder_certificate_number": "440305199001010018"},
        token=a.token,
    )
    assert_error(resp, 404, "SANDBOX_NOT_FOUND")
    assert_error(b.post("~/cloud/environments", json={"name": "x"}, token=a.token), 404, "SANDBOX_NOT_FOUND")
    from support.people import personal_payload

    resp = b.post("~/applications", json={"payload": personal_payload("129.1.1.1")}, token=a.token)
    assert_error(resp, 404, "SANDBOX_NOT_FOUND")
    # nothing was written into B
    assert ok(b.get("~/domains")) == []
    assert ok(b.get("~/applications")) == []
    assert len(ok(b.get("~/cloud/environments"))) == 1  # the `eligible` preset's one


def test_control_token_reads_any_sandbox(control):
    a = new_sandbox(control, seed=1)
    b = new_sandbox(control, seed=2)
    for sb in (a, b):
        body = ok(control.get(f"/api/v1/sandboxes/{sb.sid}"))
        assert body["id"] == sb.sid and body["token"] == sb.token
        for path in READABLE:
            resp = control.get(f"/api/v1/sandboxes/{sb.sid}/{path}")
            assert resp.status_code == 200, (path, resp.get_json())
        assert ok(control.get(f"/api/v1/sandboxes/{sb.sid}/eligibility"))["eligible"] is True


@pytest.mark.parametrize("path", ["", *(f"/{p}" for p in SCOPED)])
def test_unknown_sandbox_with_control_token(control, path):
    resp = control.get(f"/api/v1/sandboxes/sb_doesnotexist{path}")
    assert_error(resp, 404, "SANDBOX_NOT_FOUND")


def test_unknown_sandbox_with_a_sandbox_token(sandbox):
    assert_error(sandbox.get("/api/v1/sandboxes/sb_doesnotexist/applications"), 404, "SANDBOX_NOT_FOUND")


def test_unknown_sandbox_delete(control):
    assert_error(control.delete("/api/v1/sandboxes/sb_doesnotexist"), 404, "SANDBOX_NOT_FOUND")


# --- the error shape: JSON with code and a zh-CN message, never HTML -------------


@pytest.mark.parametrize("path", ["/nope", "/api/v1/nope", "/api/v1/sandboxes/x/y/z/nope"])
def test_unknown_route_is_json_404(control, path):
    resp = control.get(path)
    body = assert_error(resp, 404, "NOT_FOUND")
    assert "<html" not in resp.get_data(as_text=True).lower()
    assert body["message"]


def test_unknown_route_inside_a_sandbox_is_json_404(sandbox):
    resp = sandbox.get("~/nope")
    assert_error(resp, 404)
    assert "<html" not in resp.get_data(as_text=True).lower()


@pytest.mark.parametrize(
    "method,path",
    [
        ("PUT", "/api/v1/sandboxes"),
        ("DELETE", "/api/v1/sandboxes"),
        ("POST", "/openapi.json"),
        ("DELETE", "~/applications"),
        ("PUT", "~/eligibility"),
        ("GET", "~/clock/advance"),
    ],
)
def test_wrong_method_is_json_405(sandbox, method, path):
    # with a token the route accepts (the control token): the method, not the token, is wrong
    resp = sandbox.call(method, path, json={} if method in ("POST", "PUT") else None, token=CONTROL)
    body = assert_error(resp, 405, "METHOD_NOT_ALLOWED")
    assert "<html" not in resp.get_data(as_text=True).lower()
    assert body["message"]


def test_malformed_json_body_is_json_400(control):
    resp = control.client.post(
        "/api/v1/sandboxes",
        data="{not json",
        headers={"Authorization": f"Bearer {CONTROL}", "Content-Type": "application/json"},
    )
    assert_error(resp, 400)
    assert "<html" not in resp.get_data(as_text=True).lower()


def test_body_that_is_not_an_object_is_json_422(control):
    resp = control.post("/api/v1/sandboxes", json=[1, 2])
    assert_error(resp, 422)


def test_unknown_field_is_rejected_with_zh_message(control):
    resp = control.post("/api/v1/sandboxes", json={"seed": 1, "colour": "blue"})
    body = assert_error(resp, 422, "VALIDATION_FAILED")
    assert "colour" in body["errors"]


# 401/404 come before 422: a caller without a valid token learns nothing from validation.


@pytest.mark.parametrize("token,status,code", [("", 401, "TOKEN_MISSING"), ("wrong", 401, "CONTROL_TOKEN_INVALID")])
def test_auth_before_validation_on_control_endpoint(control, token, status, code):
    resp = control.post("/api/v1/sandboxes", json={"preset": "no-such-preset"}, token=token)
    assert_error(resp, status, code)


def test_auth_before_validation_on_sandbox_endpoint(control):
    a = new_sandbox(control, seed=1)
    b = new_sandbox(control, seed=2)
    assert_error(b.post("~/applications", json={"payload": {}}, token=""), 401, "TOKEN_MISSING")
    assert_error(b.post("~/applications", json={"payload": {}}, token=a.token), 404, "SANDBOX_NOT_FOUND")
