"""Tenancy over every route and every method, generated from the app's URL map.

A route added tomorrow is covered without anyone remembering: it is either in PUBLIC
below (with the reason it needs no token), or it must refuse a missing token (401) and
another sandbox's token (401/404) on GET, HEAD, POST, PUT, PATCH, DELETE and OPTIONS —
including the methods it does not define (the token is checked before the 405) — and a
control-only route must refuse the sandbox's own token.
"""

import pytest

from api.flows import CONTROL, new_sandbox

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")

# endpoint -> why anyone may call it without a token
PUBLIC = {
    "api-docs.openapi_json": "the OpenAPI document describes the API, not a sandbox",
    "api-docs.openapi_swagger_ui": "Swagger UI page (static)",
    "swagger_assets": "Swagger UI's static files",
    "static": "Flask's static folder",
    "control.ScenarioSchema": "the JSON Schema of scenario files (static)",
    "miniprogram_index": "the mock mini-program page; it asks for the token itself",
    "miniprogram_asset": "the mock mini-program page's files",
    "webblock": "the gateway's public block page, like CloudBase Run's",
    "healthz": "liveness probe for load balancers",
    "readyz": "readiness probe for load balancers",
    "metrics": "Prometheus scrape: route templates and counts, no sandbox data",
    "materials.Reference": "reference tables (division codes, languages, pre-approval types): public data, no sandbox",
    "materials.Template": "the commitment / authorisation letter templates: public documents to download",
    "miit_verify": "MIIT's verification page for the simulated phone; it asks for the token itself",
    "miit_asset": "MIIT's verification page's static files",
    "console_index": "the trainer console page; it asks for the control token itself (kept in sessionStorage)",
    "console_asset": "the trainer console's static files",
    "miniprogram_qr": "CreateWeappQRUrl's QR page: reached only with its one-time key, which it checks itself",
    "miniprogram_qr_open": "CreateWeappQRUrl's link: exchanges its one-time key (expires in 10 min) for the page",
}
ARGS = {
    "app_id": "A0001",
    "action": "submit",
    "cid": "C0001",
    "name": "zhangsan-blog.cn",
    "fault_id": "F0001",
    "path": "index.html",
    "filename": "x.css",
}


def _rules(app):
    return sorted(app.url_map.iter_rules(), key=lambda rule: (rule.rule, rule.endpoint))


def _path(rule, sid):
    values = {arg: (sid if arg == "sid" else ARGS.get(arg, "x")) for arg in rule.arguments}
    return rule.build(values, append_unknown=False)[1]


def _marks(app, rule):
    view = app.view_functions[rule.endpoint]
    cls = getattr(view, "view_class", None)
    methods = cls.methods if cls is not None else ()
    return {m: getattr(getattr(cls, m.lower(), None), "icpsim_auth", None) for m in methods}


def _control_only(app, rule):
    marks = [m for m in _marks(app, rule).values() if m]
    return bool(marks) and all(m.startswith("control") for m in marks)


def _call(client, method, path, token):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body = {} if method in ("POST", "PUT", "PATCH") else None
    return client.open(path, method=method, json=body, headers=headers)


def test_every_route_is_public_by_declaration_or_guarded(app):
    """The PUBLIC list names real endpoints, and nothing else goes unmarked."""
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert set(PUBLIC) <= endpoints, set(PUBLIC) - endpoints
    for rule in _rules(app):
        if rule.endpoint in PUBLIC:
            continue
        marks = _marks(app, rule)
        assert "sid" in rule.arguments or any(marks.values()), f"{rule.rule}: no token mark and no sandbox id"


def test_no_token_is_401_on_every_method(app, control):
    b = new_sandbox(control, seed=2)
    client, failures = app.test_client(), []
    for rule in _rules(app):
        if rule.endpoint in PUBLIC:
            continue
        path = _path(rule, b.sid)
        for method in METHODS:
            resp = _call(client, method, path, None)
            if resp.status_code != 401:
                failures.append((method, path, resp.status_code))
    assert not failures, failures


def test_other_sandboxs_token_never_reaches_a_route(app, control):
    a, b = new_sandbox(control, seed=1), new_sandbox(control, seed=2)
    client, failures = app.test_client(), []
    for rule in _rules(app):
        if rule.endpoint in PUBLIC:
            continue
        path = _path(rule, b.sid)  # B's paths, A's token
        for method in METHODS:
            resp = _call(client, method, path, a.token)
            if resp.status_code not in (401, 404):
                failures.append((method, path, resp.status_code))
            elif a.token in resp.get_data(as_text=True) or b.token in resp.get_data(as_text=True):
                failures.append((method, path, "token leaked"))
    assert not failures, failures


def test_control_only_routes_refuse_the_sandbox_token(app, control):
    b = new_sandbox(control, seed=2)
    client, failures, checked = app.test_client(), [], 0
    for rule in _rules(app):
        if rule.endpoint in PUBLIC or not _control_only(app, rule):
            continue
        checked += 1
        path = _path(rule, b.sid)
        for method in METHODS:
            resp = _call(client, method, path, b.token)
            if resp.status_code != 401:
                failures.append((method, path, resp.status_code))
    assert checked >= 2  # /sandboxes and /reset at least
    assert not failures, failures


def test_head_answers_like_get_with_every_token(app, control):
    """HEAD is GET without a body: same status for no token, a stranger's and the owner's."""
    a, b = new_sandbox(control, seed=1), new_sandbox(control, seed=2)
    client, failures = app.test_client(), []
    for rule in _rules(app):
        if "GET" not in rule.methods or rule.endpoint in ("metrics", "readyz"):
            continue
        path = _path(rule, b.sid)
        for token in (None, a.token, b.token, CONTROL):
            get, head = _call(client, "GET", path, token), _call(client, "HEAD", path, token)
            if get.status_code != head.status_code or head.get_data():
                failures.append((path, token and token[:4], get.status_code, head.status_code))
    assert not failures, failures


@pytest.mark.parametrize("token", [None, "sbt_stranger", CONTROL])
def test_public_routes_answer_every_method_without_a_500(app, token):
    client, failures = app.test_client(), []
    for rule in _rules(app):
        if rule.endpoint not in PUBLIC:
            continue
        path = _path(rule, "demo")
        for method in METHODS:
            resp = _call(client, method, path, token)
            if resp.status_code >= 500 and rule.endpoint != "readyz":
                failures.append((method, path, resp.status_code))
    assert not failures, failures


def test_the_sandbox_is_checked_before_the_method(app, control):
    """One rule on every route under a sandbox id: the caller and the sandbox first, then the
    method. A deleted sandbox answers every method alike — 404 SANDBOX_NOT_FOUND to the control
    token, 401 to its own former token — and only a live one answers a method its route lacks
    with 405 METHOD_NOT_ALLOWED and an Allow header (ids below the sandbox are the view's: after)."""
    live, gone = new_sandbox(control, seed=2), new_sandbox(control, seed=3)
    assert control.delete(f"/api/v1/sandboxes/{gone.sid}").status_code == 204
    client, failures, lacking = app.test_client(), [], 0
    for rule in _rules(app):
        if rule.endpoint in PUBLIC or "sid" not in rule.arguments:
            continue
        for method in METHODS:
            for token, status in ((CONTROL, 404), (gone.token, 401)):
                resp = _call(client, method, _path(rule, gone.sid), token)
                if resp.status_code != status or resp.mimetype != "application/json":
                    failures.append((method, rule.rule, "deleted", token[:4], resp.status_code))
            if method in rule.methods:
                continue  # a live sandbox's own methods change it: the other tests call them
            lacking += 1
            resp = _call(client, method, _path(rule, live.sid), CONTROL)
            body = {"code": "METHOD_NOT_ALLOWED"} if method == "HEAD" else resp.get_json(silent=True) or {}
            allow = set(resp.headers.get("Allow", "").replace(" ", "").split(","))
            if resp.status_code != 405 or body.get("code") != "METHOD_NOT_ALLOWED" or not allow <= rule.methods:
                failures.append((method, rule.rule, "live", resp.status_code, body.get("code")))
    assert lacking > 100
    assert not failures, failures
