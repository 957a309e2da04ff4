"""What every blueprint needs: the Redis client and the caller's token checks."""
from flask import current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

from backend.domain.errors import DomainError
from backend.services import auth

MAX_JSON_DEPTH = 32  # the deepest real body (a payload's entity.responsible.name) is 4 levels


def redis():
    return current_app.extensions["icpsim.redis"]


def bearer():
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.headers.get("X-Icpsim-Token") or None


def control():
    auth.require_control(redis(), bearer())


def sandbox(sid):
    """Returns 'control' or 'user' (who is calling), or raises 401/404."""
    return auth.require_sandbox(redis(), bearer(), sid)


SECURITY = [{"bearer": []}]


def _too_deep():
    return DomainError("JSON_TOO_DEEP", f"请求格式不正确：JSON 嵌套不能超过 {MAX_JSON_DEPTH} 层", status=400)


def json_depth(value, limit=MAX_JSON_DEPTH):
    """How deeply objects and arrays nest in `value` (a scalar: 0), counted without
    recursion; stops counting once past `limit`."""
    deepest, stack = 0, [(value, 1)]
    while stack and deepest <= limit:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def check_body():
    """before_request, after the token checks: a JSON body nested deeper than any real request
    is refused (400) before anything walks it (schemas, services, the journal)."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    view = current_app.view_functions.get(request.endpoint)
    larger = getattr(getattr(view, "view_class", None), "max_body_bytes", None)  # uploads: their own cap
    if larger:
        limit = request.max_content_length = larger
    if limit and (request.content_length or 0) > limit:
        raise RequestEntityTooLarge()  # whatever its type, before anything reads it
    if not request.is_json:
        return
    try:
        data = request.get_json(silent=True)  # a body over MAX_CONTENT_LENGTH: 413 here
    except RecursionError:  # the JSON parser itself gave up (about 1000 levels)
        raise _too_deep() from None
    if json_depth(data) > MAX_JSON_DEPTH:
        raise _too_deep()


def plain(value):
    """Loaded data → JSON-ready values (dates and IPs as text), for the services."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def needs(who):
    """Declare who may call a view: "control", "sandbox", or "control+sandbox".

    Put it right above `def` (innermost), so flask-smorest's wrappers carry the mark;
    `check_auth` runs before the body is parsed, so 401/404 come before any 422.
    """
    def mark(fn):
        fn.icpsim_auth = who
        return fn
    return mark


def check_auth():
    view = current_app.view_functions.get(request.endpoint)
    method = getattr(getattr(view, "view_class", None), request.method.lower(), None)
    who = getattr(method, "icpsim_auth", None)
    if who is None:
        return
    if "control" in who:
        control()
    if "sandbox" in who:
        sandbox((request.view_args or {}).get("sid"))
