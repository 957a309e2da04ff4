"""No route answers for another: a static path segment (…/webhooks/deliveries) is never taken
by a variable one (…/webhooks/<webhook_id>) on a method the static route lacks, and OPTIONS
and Allow offer what the path really does."""

import re

import pytest
from werkzeug.exceptions import MethodNotAllowed, NotFound

from api.flows import assert_error, ok

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _example(rule):
    return re.sub(r"<[^>]+>", "x1", rule.rule)


def test_every_path_is_answered_only_by_its_own_route(app):
    adapter = app.url_map.bind("localhost")
    taken = []
    for rule in app.url_map.iter_rules():
        path = _example(rule)
        for method in METHODS:
            try:
                endpoint, _ = adapter.match(path, method=method)
            except (MethodNotAllowed, NotFound):
                continue
            if endpoint != rule.endpoint:
                taken.append(f"{method} {path} ({rule.rule}) → {endpoint}")
    assert not taken


def test_deliveries_is_not_a_webhook(sandbox):
    base = "~/webhooks/deliveries"
    resp = sandbox.call("OPTIONS", base)
    assert resp.status_code == 200 and set(resp.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    for method in ("DELETE", "POST", "PUT", "PATCH"):
        resp = sandbox.call(method, base)
        body = assert_error(resp, 405, "METHOD_NOT_ALLOWED")
        assert "DELETE" not in resp.headers["Allow"] and body["message"]
    assert ok(sandbox.get(base)) == []
    hook = sandbox.call("OPTIONS", "~/webhooks/H001")
    assert set(hook.headers["Allow"].split(", ")) == {"DELETE", "OPTIONS"}
    assert_error(sandbox.delete("~/webhooks/H001"), 404, "WEBHOOK_NOT_FOUND")


@pytest.mark.parametrize("name", ["deliveriesx", "xdeliveries"])
def test_a_webhook_id_near_the_word_is_still_a_webhook_id(sandbox, name):
    assert_error(sandbox.delete(f"~/webhooks/{name}"), 404, "WEBHOOK_NOT_FOUND")


def test_the_document_says_deliveries_is_no_webhook_id(app):
    doc = ok(app.test_client().get("/openapi.json"))
    params = doc["paths"]["/api/v1/sandboxes/{sid}/webhooks/{webhook_id}"]["parameters"]
    webhook_id = next(p for p in params if p["name"] == "webhook_id")
    assert webhook_id["schema"]["not"] == {"enum": ["deliveries"]}
