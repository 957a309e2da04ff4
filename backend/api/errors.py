"""One JSON error shape for everything: {code, message, ...}; never HTML, never a bare 500."""
import logging

from flask import jsonify
from werkzeug.exceptions import HTTPException

from backend.domain.errors import DomainError

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
    422: ("VALIDATION_FAILED", "提交的信息有误，请按提示修改"),
    500: ("INTERNAL_ERROR", "模拟器内部错误"),
}


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
        extra = dict(extra, errors=dict(list(errors.items())[:MAX_FIELD_ERRORS]),
                     truncated=True, errors_total=len(errors))
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
    code, message = _HTTP.get(status, ("HTTP_ERROR", error.name))
    extra = {}
    data = getattr(error, "data", None) or {}
    if status == 422 and "messages" in data:
        # webargs puts errors under the location (json/query/...); drop it
        messages = data["messages"]
        if len(messages) == 1:
            messages = next(iter(messages.values()))
        extra["errors"] = flatten(messages)
    elif status == 400 and error.description:
        message = f"{message}：请求体不是合法的 JSON"
    return body(code, message, status, **extra)


def too_deep(error: RecursionError):
    """JSON nested so deep that parsing or walking it recursed past Python's limit: the
    request's fault, answered before any service ran (nothing was written)."""
    log.warning("request body nested too deeply: %s", error)
    return body("JSON_TOO_DEEP", "请求格式不正确：JSON 嵌套层级过深", 400)


def unexpected(error: Exception):
    log.exception("unhandled error")
    code, message = _HTTP[500]
    return body(code, message, 500)


def install(app):
    app.register_error_handler(DomainError, domain_error)
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(RecursionError, too_deep)
    app.register_error_handler(Exception, unexpected)
