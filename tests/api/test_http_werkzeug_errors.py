"""What Werkzeug refuses on its own, before a view runs, answered as every other error: a stable
code and a zh-CN message that says what was wrong (an outside probe found a bad Host told
"请求体不是合法的 JSON" and a bad Range answered in English)."""

import pytest

from api.flows import CONTROL, assert_error


@pytest.mark.parametrize("host", ["x..cn", "a" * 64 + ".cn", "a" * 4000 + ".cn"], ids=["empty-label", "64", "4000"])
@pytest.mark.parametrize("path", ["/api/v1/sandboxes", "/", "/healthz"])
def test_a_host_that_is_no_host_name_is_400_host_invalid(control, host, path):
    resp = control.client.get(path, headers={"Host": host, "Authorization": f"Bearer {CONTROL}"})
    body = assert_error(resp, 400, "HOST_INVALID")
    assert "JSON" not in body["message"]


def test_a_body_cut_short_is_400_without_blaming_json(control):
    """Werkzeug's ClientDisconnected (fewer bytes than Content-Length) is a 400 whose message
    says the request is malformed, not that its JSON is (nothing was parsed)."""
    from werkzeug.exceptions import ClientDisconnected

    from backend.api import errors

    with control.client.application.test_request_context("/api/v1/sandboxes", method="POST"):
        body = errors.http_error(ClientDisconnected()).get_json()
    assert body["code"] == "BAD_REQUEST" and "JSON" not in body["message"]


@pytest.mark.parametrize("path", ["/miniprogram/app.js", "/static/swagger-ui/swagger-ui.css"])
def test_a_range_past_the_end_is_416_in_chinese(control, path):
    resp = control.client.get(path, headers={"Range": "bytes=999999999-"})
    assert resp.headers["Content-Range"].startswith("bytes */")
    assert_error(resp, 416, "RANGE_NOT_SATISFIABLE")


def test_any_other_http_status_werkzeug_raises_has_a_chinese_message(control):
    from werkzeug.exceptions import ImATeapot, PreconditionRequired

    from backend.api import errors

    with control.client.application.test_request_context("/api/v1/sandboxes"):
        for error in (ImATeapot(), PreconditionRequired()):
            resp = errors.http_error(error)
            assert_error(resp, error.code, "HTTP_ERROR")
