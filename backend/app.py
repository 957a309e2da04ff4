"""The Flask application: REST API, OpenAPI at /openapi.json, Swagger UI at /docs."""

from types import FunctionType

import swagger_ui_bundle
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask, send_from_directory
from flask_smorest import Api

from backend.api import (
    applications,
    classes,
    cloud,
    common,
    console,
    control,
    conversations,
    domains,
    errors,
    gateway,
    materials,
    miit,
    miniprogram,
    ops,
    phone_checks,
    records,
    registry,
    sandboxes,
    schema_base,
    schemas,
    snapshots,
    tencentcloud,
    verification,
    webhooks,
    wechat as wechat_api,
    zh_messages,
)
from backend.store.connection import connect

BLUEPRINTS = (sandboxes.blp, cloud.blp, domains.blp, applications.blp, records.blp, registry.blp)
BLUEPRINTS += (control.blp,)  # issue #5: faults, teleport, resets, recordings
BLUEPRINTS += (conversations.blp,)  # issue #4: the chat-style filing conversation
BLUEPRINTS += (console.blp, classes.blp)  # issue #14: the trainer console, classes, live versions
BLUEPRINTS += (snapshots.blp,)  # issue #9: state snapshots
BLUEPRINTS += (wechat_api.blp, miit.blp, webhooks.blp)  # issue #13: WeChat view, MIIT checks, webhooks
BLUEPRINTS += (
    verification.blp,
    materials.blp,
)  # issue #12: filing-type verification, my filings, materials, face checks
BLUEPRINTS += (phone_checks.blp,)  # audit #7, #24: phone OTP while filling, the agreement


MAX_BODY_BYTES = 1024 * 1024  # 1 MiB: the largest real request (10 websites, a recording) is far smaller


def schema_name(schema):
    """OpenAPI component names; a partial schema (PATCH bodies) gets its own."""
    cls = schema if isinstance(schema, type) else type(schema)
    name = cls.__name__.removesuffix("Schema")
    return name + "Patch" if getattr(schema, "partial", False) else name


class IcpApi(Api):
    ERROR_SCHEMA = errors.ErrorSchema  # every documented error response: {code, message, errors?, …}

    def handle_http_exception(self, error):
        return errors.http_error(error)


class SpecPlugin(MarshmallowPlugin):
    def init_spec(self, spec):
        super().init_spec(spec)
        self.converter.add_attribute_function(schema_base.map_length_as_properties)  # a map's bounds


class IcpFlask(Flask):
    """Flask asks of every hook and view, on every request, whether it is a coroutine
    function (about 17 checks a request); a function's answer is kept instead."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._synced = {}

    def ensure_sync(self, func):
        if type(func) is not FunctionType:  # a bound method (a view's per-request instance): not kept
            return super().ensure_sync(func)
        synced = self._synced.get(func)
        if synced is None:
            synced = self._synced[func] = super().ensure_sync(func)
        return synced


def create_app(redis_client=None):
    zh_messages.install()
    app = IcpFlask(__name__)
    app.request_class = common.IcpRequest  # a body that is not JSON: 400 JSON_INVALID, never a 500
    app.config.update(
        API_TITLE="icpsim",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="/docs",
        OPENAPI_SWAGGER_UI_URL="/static/swagger-ui/",
        JSON_AS_ASCII=False,
        MAX_CONTENT_LENGTH=MAX_BODY_BYTES,  # a larger body: 413 PAYLOAD_TOO_LARGE (errors.http_error)
        API_SPEC_OPTIONS={
            "info": {"description": "ICP 备案模拟器（云托管）— 见 README"},
            "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        },
    )
    app.json.ensure_ascii = False
    app.extensions["icpsim.redis"] = redis_client or connect()
    api = IcpApi(app, spec_kwargs={"marshmallow_plugin": SpecPlugin(schema_name_resolver=schema_name)})
    for blp in BLUEPRINTS:
        api.register_blueprint(blp)
    schemas.register_components(api.spec)  # the per-kind application payloads
    errors.install(app)
    gateway.install(app)  # customer Hosts: the CloudBase Run gateway (HTML), before any route
    tencentcloud.install(app, api)  # issue #15: Tencent Cloud API 3.0 calls, before the gateway's Host check
    miniprogram.install(app)  # the mock mini-program page: /miniprogram/ (static files)
    ops.install(app)  # /healthz /readyz /metrics, request ids, request metrics, rate limits (before the tokens)
    miit.install(app)  # MIIT's verification page for the simulated phone: /miit/verify
    common.install(app)  # tokens before bodies (401/404 before any 422), then the body's checks
    control.install(app)  # after the auth check: journal each mutating sandbox call (recordings)

    @app.get("/static/swagger-ui/<path:name>")
    def swagger_assets(name):
        return send_from_directory(swagger_ui_bundle.swagger_ui_path, name)

    return app
