"""Issue #8 at the HTTP edge: each defect the outside probe found, as a test.

HEAD/OPTIONS/unknown methods and tokens, inputs that used to answer 500, Redis down,
the OpenAPI error contract, request ids, health, metrics and rate limits.
"""

import json

import pytest
import redis
from support.people import personal_payload

from api.flows import CONTROL, assert_error, new_sandbox, ok

DOMAIN = {"name": "zhangsan-blog.cn", "holder_name": "张三", "holder_certificate_number": "440305199001010018"}


def _raw(client, method, path, data, token=CONTROL, **headers):
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json", **headers}
    return client.open(path, method=method, data=data, headers=headers)


# -- defect 1: HEAD, OPTIONS and unknown methods skip nothing -------------------------


def test_head_needs_the_token_on_control_routes(control):
    resp = control.client.head("/api/v1/sandboxes")
    assert resp.status_code == 401 and resp.get_data() == b""
    assert control.client.head("/api/v1/sandboxes", headers={"Authorization": f"Bearer {CONTROL}"}).status_code == 200


def test_head_is_no_existence_oracle(control, sandbox):
    stranger = new_sandbox(control, seed=3)
    resp = sandbox.post("~/applications", json={"kind": "first_filing", "payload": personal_payload("129.0.0.1")})
    app_id = resp.get_json()["id"] if resp.status_code == 201 else "A0001"
    for app in (app_id, "A0999"):
        path = f"/api/v1/sandboxes/{sandbox.sid}/applications/{app}"
        assert sandbox.client.head(path).status_code == 401
        assert stranger.call("HEAD", path).status_code == 404  # another sandbox's token: as if absent


def test_options_is_json_and_needs_the_token(sandbox):
    path = f"/api/v1/sandboxes/{sandbox.sid}/applications"
    assert_error(sandbox.client.options(path), 401, "TOKEN_MISSING")
    resp = sandbox.call("OPTIONS", path)
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    assert {"GET", "POST"} <= set(resp.get_json()["allow"])
    assert "POST" in resp.headers["Allow"]


def test_unknown_method_needs_the_token_before_405(sandbox):
    assert_error(sandbox.call("PROPFIND", "/api/v1/sandboxes", token=""), 401, "TOKEN_MISSING")
    assert_error(sandbox.call("PUT", "/api/v1/sandboxes"), 401, "CONTROL_TOKEN_INVALID")  # a sandbox token
    assert_error(sandbox.call("PUT", "/api/v1/sandboxes", token=CONTROL), 405, "METHOD_NOT_ALLOWED")


@pytest.mark.parametrize("method", ["PUT", "DELETE", "TRACE", "HEAD"])
def test_405_names_the_allowed_methods(sandbox, method):
    # RFC 9110 §15.5.6: a 405 carries Allow (schemathesis' unsupported_method check); HEAD of a POST-only route too
    resp = sandbox.call(method, f"/api/v1/sandboxes/{sandbox.sid}/clock/advance", token=CONTROL)
    assert resp.status_code == 405 and resp.mimetype == "application/json"
    assert set(resp.headers["Allow"].replace(" ", "").split(",")) == {"OPTIONS", "POST"}


# -- defect 5: inputs that answered 500 -------------------------------------------------


@pytest.mark.parametrize("header", ["Bearer \xff", "Bearer ÿÿ", "Bearer tok en\x7f"])
def test_non_ascii_bearer_token_is_401(sandbox, header):
    resp = sandbox.client.get(f"/api/v1/sandboxes/{sandbox.sid}", headers={"Authorization": header})
    assert_error(resp, 401, "TOKEN_INVALID")
    resp = sandbox.client.get("/api/v1/sandboxes", headers={"Authorization": header})
    assert_error(resp, 401, "TOKEN_INVALID")


def test_lone_surrogate_is_422_per_field(sandbox):
    body = json.dumps(DOMAIN, ensure_ascii=False).replace("张三", "\\ud800", 1)
    resp = _raw(sandbox.client, "POST", f"/api/v1/sandboxes/{sandbox.sid}/domains", body)
    assert list(assert_error(resp, 422, "VALIDATION_FAILED")["errors"]) == ["holder_name"]
    payload = json.dumps({"kind": "first_filing", "payload": personal_payload("129.0.0.1")}, ensure_ascii=False)
    payload = payload.replace('"name": "', '"name": "\\udfff', 1)
    resp = _raw(sandbox.client, "POST", f"/api/v1/sandboxes/{sandbox.sid}/applications", payload)
    errors = assert_error(resp, 422)["errors"]
    assert all(path.startswith("payload.") for path in errors), errors
    assert ok(sandbox.get("~/domains")) == [] and ok(sandbox.get("~/applications")) == []  # nothing stored


def test_lone_surrogate_in_a_key_is_422(control):
    resp = _raw(control.client, "POST", "/api/v1/sandboxes", '{"seed": 1, "settings": {"\\ud800": 1}}')
    assert_error(resp, 422)


def test_integer_over_4300_digits_is_400(control):
    resp = _raw(control.client, "POST", "/api/v1/sandboxes", '{"seed": ' + "9" * 5000 + "}")
    assert_error(resp, 400, "JSON_NUMBER_TOO_LONG")


@pytest.mark.parametrize("suffix", [":seq", ":col:applications", "%20", ":timers", "*"])
def test_sandbox_id_outside_the_alphabet_is_404(control, sandbox, suffix):
    for method, tail in (
        ("GET", ""),
        ("DELETE", ""),
        ("GET", "/clock"),
        ("GET", "/applications"),
        ("POST", "/reset"),
        ("GET", "/recording"),
    ):
        resp = control.call(method, f"/api/v1/sandboxes/{sandbox.sid}{suffix}{tail}")
        assert_error(resp, 404, "SANDBOX_NOT_FOUND")
    assert_error(sandbox.get(f"/api/v1/sandboxes/{sandbox.sid}:seq", token=""), 401, "TOKEN_MISSING")
    assert ok(control.get(f"/api/v1/sandboxes/{sandbox.sid}"))["id"] == sandbox.sid  # untouched


# -- defect 6: Redis down -------------------------------------------------------------------


@pytest.fixture
def app_without_redis(r):
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    from backend.app import create_app

    # a real client of a Redis that is not there (no retries, so the test is quick)
    return create_app(
        redis.Redis(
            unix_socket_path="/nonexistent/icpsim-no-redis.sock", socket_connect_timeout=1, retry=Retry(NoBackoff(), 0)
        )
    )


def test_redis_down_is_503_json_with_retry_after(app_without_redis):
    client = app_without_redis.test_client()
    headers = {"Authorization": f"Bearer {CONTROL}"}
    for method, path in (
        ("GET", "/api/v1/sandboxes/demo"),
        ("POST", "/api/v1/sandboxes/demo/domains"),
        ("GET", "/api/v1/sandboxes/demo/applications"),
    ):
        resp = client.open(path, method=method, headers=headers, json={} if method == "POST" else None)
        body = assert_error(resp, 503, "REDIS_UNAVAILABLE")
        assert int(resp.headers["Retry-After"]) > 0, body
    resp = client.get("/api/v1/sandboxes/demo", headers={"Authorization": "Bearer sbt_someone"})
    assert_error(resp, 503, "REDIS_UNAVAILABLE")


def test_redis_down_gateway_and_webblock_are_html_503(app_without_redis):
    client = app_without_redis.test_client()
    for resp in (client.get("/", headers={"Host": "zhangsan-blog.cn"}), client.get("/webblock?d=zhangsan-blog.cn")):
        assert resp.status_code == 503 and resp.mimetype == "text/html"
        assert "暂时不可用" in resp.get_data(as_text=True) and resp.headers["Retry-After"]


def test_redis_down_health_and_readiness(app_without_redis):
    client = app_without_redis.test_client()
    assert ok(client.get("/healthz")) == {"status": "ok"}
    resp = client.get("/readyz")
    assert resp.status_code == 503 and resp.get_json()["checks"]["redis"] is False
    assert client.get("/metrics").status_code == 200


# -- defect 8: the OpenAPI error contract ----------------------------------------------------


def test_openapi_documents_the_real_error_shape(app):
    doc = ok(app.test_client().get("/openapi.json"))
    error = doc["components"]["schemas"]["Error"]
    assert error["properties"]["code"]["type"] == "string"
    assert error["properties"]["message"]["type"] == "string"
    assert error["properties"]["errors"]["additionalProperties"]["type"] == "array"
    assert error.get("additionalProperties") is not False
    assert set(error["required"]) == {"code", "message"}
    refs = set()
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue  # path-level parameters
            default = operation["responses"].get("default")
            assert default, (method, path)
            refs.add(default["$ref"])
    assert refs == {"#/components/responses/DEFAULT_ERROR"}
    schema = doc["components"]["responses"]["DEFAULT_ERROR"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/Error"}


def test_a_real_409_matches_the_documented_error(sandbox):
    from jsonschema import validate

    doc = ok(sandbox.client.get("/openapi.json"))
    error = doc["components"]["schemas"]["Error"]
    resp = sandbox.post("~/applications/A0404/actions/submit")
    validate(resp.get_json(), error)
    resp = sandbox.post("~/domains", json={"name": "bad name"})
    validate(assert_error(resp, 422), error)


# -- what must exist: request ids, health, metrics, limits -------------------------------------


def test_request_id_is_returned_and_kept_when_sane(sandbox):
    path, auth = f"/api/v1/sandboxes/{sandbox.sid}/clock", {"Authorization": f"Bearer {sandbox.token}"}
    generated = sandbox.client.get(path, headers=auth).headers["X-Request-Id"]
    assert len(generated) >= 16
    resp = sandbox.client.get(path, headers={**auth, "X-Request-Id": "qa-run-7.step-3"})
    assert resp.headers["X-Request-Id"] == "qa-run-7.step-3"
    resp = sandbox.client.get(path, headers={**auth, "X-Request-Id": "bad id; " * 20})
    assert resp.headers["X-Request-Id"] not in (generated, "") and " " not in resp.headers["X-Request-Id"]
    resp = sandbox.get("~/nope")
    assert_error(resp, 404) and resp.headers["X-Request-Id"]  # errors carry it too


def test_request_id_goes_into_the_jobs_it_enqueues(r):
    from backend import observability
    from backend.services import scheduling

    observability.new_request_id("req-into-job")
    job = scheduling.queue().enqueue("builtins.len", [1], meta=observability.job_meta(due_real=1.0))
    assert job.meta == {"request_id": "req-into-job", "due_real": 1.0}


def test_healthz_readyz_metrics(sandbox):
    client = sandbox.client
    assert ok(client.get("/healthz")) == {"status": "ok"}
    ready = ok(client.get("/readyz"))
    assert ready["status"] == "ready" and ready["checks"]["redis"] is True
    resp = sandbox.post("~/domains", json=DOMAIN)
    assert resp.status_code == 201
    text = client.get("/metrics").get_data(as_text=True)
    assert 'icpsim_http_requests_total{method="POST",route="/api/v1/sandboxes/<sid>/domains",status="201"}' in text
    assert "icpsim_queue_jobs" in text and "icpsim_redis_up 1.0" in text
    assert sandbox.sid not in text  # route templates, never ids


def test_metrics_count_transitions_by_kind_and_state(sandbox):
    from api.flows import usable_ip

    ip = usable_ip(sandbox)
    sandbox.post("~/domains", json=DOMAIN)
    app = ok(sandbox.post("~/applications", json={"kind": "first_filing", "payload": personal_payload(ip)}), 201)
    ok(sandbox.post(f"~/applications/{app['id']}/actions/submit"))
    text = sandbox.client.get("/metrics").get_data(as_text=True)
    assert 'icpsim_transitions_total{kind="first_filing",state="provider_review"} 1.0' in text
    # the names the README's Operations section gives, exactly (not …_sum_total)
    names = {line.split(" ")[0] for line in text.splitlines() if line.startswith("icpsim_timer_lag")}
    assert names == {"icpsim_timer_lag_seconds_sum", "icpsim_timer_lag_seconds_count", "icpsim_timer_lag_seconds_max"}


def test_rate_limit_answers_429_json_with_retry_after(r, monkeypatch):
    monkeypatch.setenv("ICPSIM_RATE_LIMIT_SANDBOX", "3 per minute")
    from conftest import Api

    from backend.app import create_app

    app = create_app(r)
    control = Api(app.test_client(), token=CONTROL)
    sb = new_sandbox(control)
    statuses = [sb.get("~/clock").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    resp = sb.get("~/clock")
    assert_error(resp, 429, "TOO_MANY_REQUESTS")
    assert int(resp.headers["Retry-After"]) > 0
    other = new_sandbox(control, seed=9)  # limits are per sandbox
    assert other.get("~/clock").status_code == 200
    assert app.test_client().get("/healthz").status_code == 200  # never limited


def test_miniprogram_page_sends_no_referrer(app):
    resp = app.test_client().get("/miniprogram/?sandbox=demo&token=sbt_secret")
    assert resp.status_code == 200 and resp.headers["Referrer-Policy"] == "no-referrer"
    assert '<meta name="referrer" content="no-referrer">' in resp.get_data(as_text=True)


def test_rate_limit_covers_the_gateway_pages(r, monkeypatch):
    monkeypatch.setenv("ICPSIM_RATE_LIMIT_PUBLIC", "2 per minute")
    from backend.app import create_app

    client = create_app(r).test_client()
    statuses = [client.get("/", headers={"Host": "zhangsan-blog.cn"}).status_code for _ in range(3)]
    assert statuses[2] == 429 and statuses[:2] != [429, 429]
    resp = client.get("/webblock?d=zhangsan-blog.cn")
    assert resp.status_code == 429 and resp.mimetype == "text/html" and int(resp.headers["Retry-After"]) > 0
