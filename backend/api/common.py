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
