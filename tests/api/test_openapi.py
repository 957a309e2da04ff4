"""The OpenAPI document and the Swagger UI (served locally, no CDN)."""

import re

from api.flows import ok

MAIN_PATHS = (
    "/api/v1/sandboxes",
    "/api/v1/sandboxes/{sid}",
    "/api/v1/sandboxes/{sid}/clock",
    "/api/v1/sandboxes/{sid}/clock/advance",
    "/api/v1/sandboxes/{sid}/outbox",
    "/api/v1/sandboxes/{sid}/eligibility",
    "/api/v1/sandboxes/{sid}/cloud/environments",
    "/api/v1/sandboxes/{sid}/cloud/resource-packs",
    "/api/v1/sandboxes/{sid}/cloud/vpcs",
    "/api/v1/sandboxes/{sid}/cloud/nat-gateways",
    "/api/v1/sandboxes/{sid}/cloud/services",
    "/api/v1/sandboxes/{sid}/domains",
    "/api/v1/sandboxes/{sid}/domains/{name}",
    "/api/v1/sandboxes/{sid}/applications",
    "/api/v1/sandboxes/{sid}/applications/{app_id}",
    "/api/v1/sandboxes/{sid}/applications/{app_id}/actions/{action}",
    "/api/v1/sandboxes/{sid}/applications/{app_id}/sms-verification",
    "/api/v1/sandboxes/{sid}/applications/{app_id}/history",
    "/api/v1/sandboxes/{sid}/entities",
    "/api/v1/sandboxes/{sid}/websites",
    "/api/v1/sandboxes/{sid}/numbers/validate",
)


def test_openapi_document(app):
    client = app.test_client()
    resp = client.get("/openapi.json")  # no token needed
    doc = ok(resp)
    assert resp.mimetype == "application/json"
    assert doc["openapi"].startswith("3.")
    assert doc["info"]["title"] == "icpsim" and doc["info"]["version"] == "v1"
    missing = [p for p in MAIN_PATHS if p not in doc["paths"]]
    assert not missing, missing
    assert doc["components"]["securitySchemes"]["bearer"] == {"type": "http", "scheme": "bearer"}


def test_openapi_operations(app):
    doc = ok(app.test_client().get("/openapi.json"))
    paths = doc["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/sandboxes"])
    assert {"get", "delete"} <= set(paths["/api/v1/sandboxes/{sid}"])
    assert {"get", "patch"} <= set(paths["/api/v1/sandboxes/{sid}/applications/{app_id}"])
    assert "post" in paths["/api/v1/sandboxes/{sid}/clock/advance"]
    action = paths["/api/v1/sandboxes/{sid}/applications/{app_id}/actions/{action}"]["post"]
    enums = [p["schema"].get("enum") for p in action.get("parameters", []) if p.get("name") == "action"]
    assert enums and {"submit", "resubmit", "withdraw", "reopen"} <= set(enums[0])
    # request schemas are documented
    schemas = doc["components"]["schemas"]
    assert "ApplicationCreate" in schemas and "Application" in schemas
    assert "payload" in schemas["ApplicationCreate"]["properties"]


def test_swagger_ui(app):
    client = app.test_client()
    resp = client.get("/docs")
    assert resp.status_code == 200 and resp.mimetype == "text/html"
    html = resp.get_data(as_text=True)
    assert "swagger" in html.lower()
    assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html)
    local = [a for a in assets if a.startswith("/static/swagger-ui/")]
    assert local, assets
    assert not [a for a in assets if a.startswith(("http://", "https://", "//"))], assets  # no CDN
    assert any(a.endswith(".js") for a in local) and any(a.endswith(".css") for a in local)
    for asset in local:
        r = client.get(asset)
        assert r.status_code == 200, asset
        assert r.data, asset
    assert "/openapi.json" in html


def test_swagger_asset_types(app):
    client = app.test_client()
    js = client.get("/static/swagger-ui/swagger-ui-bundle.js")
    css = client.get("/static/swagger-ui/swagger-ui.css")
    assert js.status_code == 200 and "javascript" in js.mimetype
    assert css.status_code == 200 and css.mimetype == "text/css"


def test_missing_swagger_asset_is_json_404(app):
    resp = app.test_client().get("/static/swagger-ui/nope.js")
    assert resp.status_code == 404 and resp.mimetype == "application/json"
    assert resp.get_json()["code"] == "NOT_FOUND"


def test_every_operation_declares_its_success(app):
    # an operation without a declared 2xx has its 200 judged by `default`, the error schema
    # (schemathesis' response_schema_conformance: "code is a required property" on the stages' GETs)
    doc = ok(app.test_client().get("/openapi.json"))
    undeclared = [
        f"{method.upper()} {path}"
        for path, item in doc["paths"].items()
        for method, op in item.items()
        if method != "parameters" and not any(code[0] in "23" for code in op["responses"])
    ]
    assert not undeclared, undeclared


def test_a_body_is_documented_as_required_only_when_it_is(app, sandbox):
    # a JSON body without required fields may be left out (it loads as {}): schemathesis'
    # negative_data_rejection sent none where the document said `required` and saw a 2xx
    doc = ok(app.test_client().get("/openapi.json"))
    schemas = doc["components"]["schemas"]
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method == "parameters":
                continue
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            if "schema" in body:
                ref = body["schema"].get("$ref", "").rsplit("/", 1)[-1]
                needs = bool((schemas.get(ref) or body["schema"]).get("required"))
                assert op["requestBody"].get("required", False) == needs, (method, path)
    submit = doc["paths"]["/api/v1/sandboxes/{sid}/applications/{app_id}/actions/{action}"]["post"]
    assert submit["requestBody"].get("required", False) is False
    assert sandbox.post("~/conversations").status_code == 201  # and left out it is accepted
