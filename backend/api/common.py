"""What every blueprint needs: the Redis client and the caller's token checks."""
from flask import current_app, request

from backend.services import auth


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
