"""One JSON error shape for everything: {code, message, ...}; never HTML, never a bare 500."""

import logging

import redis.exceptions
from flask import jsonify, request
from marshmallow import INCLUDE, Schema, fields
from werkzeug.exceptions import BadHost, HTTPException, RequestedRangeNotSatisfiable

from backend.domain.errors import DomainError, fail

log = logging.getLogger("icpsim")

_HTTP = {
    400: ("BAD_REQUEST", "请求格式不正确"),
    401: ("UNAUTHORIZED", "需要访问令牌"),
    403: ("FORBIDDEN", "没有权限"),
    404: ("NOT_FOUND", "请求的地址不存在"),
    405: ("METHOD_NOT_ALLOWED", "不支持该请求方法"),
    409: ("CONFLICT", "请求与当前状态冲突"),
    413: ("PAYLOAD_TOO_LARGE", "请求体过大"),
    415: ("UNSUPPORTED_MEDIA_TYPE", "请使用 application/json"),
    408: ("REQUEST_TIMEOUT", "请求体发送超时"),
    422: ("VALIDATION_FAILED", "提交的信息有误，请按提示修改"),
    429: ("TOO_MANY_REQUESTS", "请求过于频繁，请稍后再试"),
    500: ("INTERNAL_ERROR", "模拟器内部错误"),
}
OTHER_HTTP = ("HTTP_ERROR", "请求无法处理")  # a status Werkzeug raises that no table above names
# Werkzeug's own refusals with a code of their own: what was wrong, not just the status
_WERKZEUG = {BadHost: "HOST_INVALID", RequestedRangeNotSatisfiable: "RANGE_NOT_SATISFIABLE"}
REDIS_RETRY_AFTER = 5  # seconds: an embedded Redis restarts in about a second, a managed one in a few
# Redis unreachable (refused, reset, timed out, still loading its data): the simulator cannot
# answer now, but will; anything else from redis-py is a bug (500)
REDIS_DOWN = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


class ErrorSchema(Schema):
    """Every error answer of the API (4xx and 5xx), documented once in /openapi.json."""

    class Meta:
        unknown = INCLUDE  # documented as additionalProperties: errors carry details (state, allowed_actions, …)

    code = fields.String(
        required=True, metadata={"description": "stable machine code, e.g. TOKEN_MISSING, VALIDATION_FAILED"}
    )
    message = fields.String(required=True, metadata={"description": "zh-CN message for people"})
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "422: field path → messages"},
    )


def flatten(messages, prefix=""):
    """marshmallow's nested error dict → {"entity.responsible.mobile": [...]}."""
    out = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            out.update(flatten(value, path))
    else:
        out[prefix or "_schema"] = messages if isinstance(messages, list) else [messages]
    return out


MAX_FIELD_ERRORS = 50  # a 422 lists at most this many fields, then says how many there were


def capped(extra):
    """An error body's `errors` cut to MAX_FIELD_ERRORS fields, with `truncated` and the total."""
    errors = extra.get("errors")
    if isinstance(errors, dict) and len(errors) > MAX_FIELD_ERRORS:
        extra = dict(
            extra, errors=dict(list(errors.items())[:MAX_FIELD_ERRORS]), truncated=True, errors_total=len(errors)
        )
    return extra


def body(code, message, status, **extra):
    extra = capped(extra)
    response = jsonify({"code": code, "message": message, **extra})
    response.status_code = status
    return response


def domain_error(error: DomainError):
    return body(error.code, error.message, error.status, **error.details)


def http_error(error: HTTPException):
    status = error.code or 500
    if status == 429:
        return too_many(error)
    named = _WERKZEUG.get(type(error))
    if named:
        return _with_headers(domain_error(fail(named)), error)
    code, message = _HTTP.get(status, OTHER_HTTP)
    extra = {}
    data = getattr(error, "data", None) or {}
    if status == 422 and "messages" in data:
        # webargs puts errors under the location (json/query/...); drop it
        messages = data["messages"]
        if len(messages) == 1:
            messages = next(iter(messages.values()))
        extra["errors"] = flatten(messages)
    return _with_headers(body(code, message, status, **extra), error)


def _with_headers(response, error: HTTPException):
    """The exception's own headers, its HTML content type aside: a 405's Allow (RFC 9110
    §15.5.6), a 416's Content-Range."""
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def too_many(error: HTTPException):
    """Over a rate limit (api/ratelimits.py): 429 with Retry-After, the limit's window at most
    (the counter's exact time to live would cost a Redis call)."""
    retry_after = getattr(error, "retry_after", None) or 60
    if _browser_page():  # a visitor of a customer's site, or of /webblock
        from backend.api import gateway

        response = gateway.too_many_page()
    else:
        code, message = _HTTP[429]
        response = body(code, message, 429)
    response.headers["Retry-After"] = str(retry_after)
    return response


def too_deep(error: RecursionError):
    """JSON nested so deep that parsing or walking it recursed past Python's limit: the
    request's fault, answered before any service ran (nothing was written)."""
    log.warning("request body nested too deeply: %s", error)
    return domain_error(fail("JSON_TOO_DEEP"))


def redis_down(error: Exception):
    """Redis unreachable: 503 with Retry-After — JSON on the API, an HTML page where a
    browser is the client (the gateway's customer hosts and /webblock)."""
    log.error("redis unavailable: %s", error)
    if _browser_page():
        from backend.api import gateway  # the gateway's page frame; gateway imports nothing of errors

        response = gateway.unavailable_page()
    else:
        response = domain_error(fail("REDIS_UNAVAILABLE"))
    response.headers["Retry-After"] = str(REDIS_RETRY_AFTER)
    return response


def _browser_page():
    from backend.services import gateway as gateway_service  # host checks only, no Redis

    return request.path == "/webblock" or gateway_service.is_customer_host(request.host)


def unexpected(error: Exception):
    log.exception("unhandled error")
    code, message = _HTTP[500]
    return body(code, message, 500)


def install(app):
    app.register_error_handler(DomainError, domain_error)
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(RecursionError, too_deep)
    for error in REDIS_DOWN:
        app.register_error_handler(error, redis_down)
    app.register_error_handler(Exception, unexpected)
