"""What every blueprint needs: the Redis client and the caller's token checks."""

import os
import re
import socket

from flask import Request, current_app, g, jsonify, request
from gunicorn.http.errors import ParseException
from werkzeug.exceptions import ClientDisconnected, MethodNotAllowed, RequestEntityTooLarge

from backend.api import begun, ratelimits
from backend.domain.errors import NotFound, fail, validation_failed
from backend.services import auth
from backend.store import keys, tx as store

MAX_JSON_DEPTH = 32  # the deepest real body (a payload's entity.responsible.name) is 4 levels
MAX_FIELD_ERRORS = 20  # a body with thousands of bad strings gets the first ones, not a huge 422
# what services create ("sb_" + hex, "demo", a chosen id): anything else names no sandbox, and
# never reaches a key (`x:seq` would be another key of sandbox x)
SANDBOX_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
TOKEN_TEXT = re.compile(r"[\x21-\x7e]{1,512}")  # tokens are printable ASCII; anything else is no token


def redis():
    return current_app.extensions["icpsim.redis"]


def bearer():
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        token = header[7:].strip()
    else:
        token = request.headers.get("X-Icpsim-Token", "").strip()
    if not token:
        return None
    if not TOKEN_TEXT.fullmatch(token):  # e.g. `Bearer \xff`: compare_digest refuses non-ASCII
        raise fail("TOKEN_INVALID")
    return token


def control():
    auth.require_control(redis(), bearer())


def sandbox(sid):
    """Returns 'control' or 'user' (who is calling), or raises 401/404."""
    if sid is not None and not SANDBOX_ID.fullmatch(sid):
        try:  # the token is still checked first: 401 before 404
            auth.require_sandbox(redis(), bearer(), "")
        except NotFound:
            pass
        raise fail("SANDBOX_NOT_FOUND", sandbox_id=sid)
    token = bearer()
    start = begun.start(sid) if token else None  # the view's first round trip rides along (api/begun.py)
    if start is not None:
        return begun.check(redis(), sid, token, start)
    noted = {} if request.method in CHANGING else None  # a change is journaled: its clock read here too
    reads = _sure_reads(sid)
    limit = ratelimits.pending()  # the sandbox's rate-limit counter rides in the same pipeline
    if limit:
        reads[limit] = None
    try:
        who = auth.require_sandbox(redis(), token, sid, noted, reads)
    finally:
        if limit:
            ratelimits.settle(reads.pop(limit, None))  # over the limit: 429 before any 401/404
    if noted is not None:
        g.icpsim_clock = (sid, noted["clock"])
    if reads:
        g.icpsim_reads = (sid, reads)
    return who


def _sure_reads(sid):
    """What a request surely reads, sent with its token check: a GET naming an application
    reads its document (common.reader hands it to the service), the outbox's GET the outbox
    (common.already_read)."""
    if request.method not in ("GET", "HEAD"):
        return {}
    app_id = (request.view_args or {}).get("app_id")
    if isinstance(app_id, str):
        return {("HGET", keys.collection(sid, "applications"), app_id): None}
    if request.url_rule is not None and request.url_rule.rule.endswith("/<sid>/outbox"):
        return {outbox_read(sid): None}
    return {}


def outbox_read(sid):
    return ("LRANGE", keys.outbox(sid), 0, -1)


def already_read(sid, command):
    """The reply of a read sent with the token check (`_sure_reads`), or None."""
    seen = g.get("icpsim_reads")
    return seen[1].get(command) if seen and seen[0] == sid else None


def reader(sid):
    """A store reader for this request's GET, holding what the token check read with it."""
    out = store.read(redis(), sid)
    seen = g.pop("icpsim_reads", None)
    if seen and seen[0] == sid:
        out.seed(seen[1])
    return out


CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})


SECURITY = [{"bearer": []}]


def ok_doc(description, *content_types):
    """`responses` of a view that answers its 200 itself (no response schema): declared, so a
    checker does not judge that answer by the `default` (error) response."""
    content = {t: {} for t in content_types or ("application/json",)}
    return {"200": {"description": description, "content": content}}


def _too_deep():
    return fail("JSON_TOO_DEEP", f"请求格式不正确：JSON 嵌套不能超过 {MAX_JSON_DEPTH} 层")


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


def body_timeout():
    """Seconds a client may take to send its body (ICPSIM_BODY_TIMEOUT, default 10)."""
    try:
        return max(0.5, float(os.environ.get("ICPSIM_BODY_TIMEOUT", "10")))
    except ValueError:
        return 10.0


def bound_socket():
    """before_request (first): under gunicorn, bound every read and write of this request's
    socket, so a client that stalls its body holds a worker thread for seconds, not forever."""
    sock = request.environ.get("gunicorn.socket")
    if sock is not None:
        sock.settimeout(body_timeout())


def _stop_reading():
    """After a stalled body: no more reads on this connection (gunicorn would otherwise drain
    the rest of the body, without a timeout, before the next request); the 408 still goes out."""
    sock = request.environ.get("gunicorn.socket")
    try:
        if sock is not None:
            sock.shutdown(socket.SHUT_RD)
    except OSError:
        pass


def _read_body(req):
    if not (req.content_length or req.headers.get("Transfer-Encoding")):
        return b""
    try:
        return req.get_data(cache=True)  # over MAX_CONTENT_LENGTH: 413
    except (TimeoutError, ClientDisconnected) as error:
        # werkzeug reports a socket timeout as a disconnect (400); the cause tells them apart
        if not isinstance(error, TimeoutError) and not isinstance(error.__context__, TimeoutError):
            raise
        _stop_reading()
        raise fail("REQUEST_TIMEOUT") from error
    except ParseException as error:  # gunicorn decodes a chunked body: a chunk size not in hex, no CRLF
        _stop_reading()  # the framing is lost: nothing after it on this connection is a request
        raise fail("BODY_MALFORMED") from error


def _too_large(view_class, req):
    """413 PAYLOAD_TOO_LARGE, or the view's own answer (`body_too_large(declared length)`: an
    upload says MATERIAL_TOO_LARGE with the sizes)."""
    hook = getattr(view_class, "body_too_large", None)
    return hook(req.content_length) if hook else RequestEntityTooLarge()


def check_body():
    """before_request, after the token checks: the body is read here, within the socket's
    timeout (408 when it stalls); a JSON body nested deeper than any real request is refused
    (400) before anything walks it (schemas, services, the journal), and so is text that
    cannot be stored (a lone surrogate: 422 per field)."""
    req = request._get_current_object()  # the proxy looked through once (each use costs a lookup)
    if not (req.content_length or req.headers.get("Transfer-Encoding")):
        return  # no body (a GET): nothing to check (what the steps below conclude, sooner)
    app = current_app._get_current_object()
    limit = app.config.get("MAX_CONTENT_LENGTH")
    view_class = getattr(app.view_functions.get(req.endpoint), "view_class", None)
    larger = getattr(view_class, "max_body_bytes", None)  # uploads: their own cap
    if larger:
        limit = req.max_content_length = larger
    if limit and (req.content_length or 0) > limit:
        raise _too_large(view_class, req)  # whatever its type, before anything reads it
    try:
        body = _read_body(req)
    except RequestEntityTooLarge:
        raise _too_large(view_class, req) from None
    if limit and req.content_length is None and len(body) >= limit:
        raise _too_large(view_class, req)  # werkzeug cuts a chunked body at the cap without a word
    if not body or not req.is_json:
        return
    try:
        data = req.get_json()  # not JSON: 400 (IcpRequest.on_json_loading_failed)
    except RecursionError:  # the JSON parser itself gave up (about 1000 levels)
        raise _too_deep() from None
    if json_depth(data) > MAX_JSON_DEPTH:
        raise _too_deep()
    bad = unencodable_texts(data)
    if bad:  # a lone surrogate ("\ud800") cannot be stored as UTF-8: refuse it per field
        raise validation_failed({path: ["包含无效的字符（不成对的 Unicode 代理项），请删除后重新填写"] for path in bad})


class IcpRequest(Request):
    def on_json_loading_failed(self, e):
        if e is None:
            return super().on_json_loading_failed(e)
        if "digits" in str(e):  # Python refuses integers over 4,300 digits (int_max_str_digits)
            raise fail("JSON_NUMBER_TOO_LONG")
        raise fail("JSON_INVALID")


def _encodable(text):
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
        return True
    except UnicodeEncodeError:
        return False


def unencodable_texts(value, limit=MAX_FIELD_ERRORS):
    """Paths ("websites.0.name") of strings and keys UTF-8 cannot encode, at most `limit`."""
    found, stack = [], [(value, "")]
    while stack and len(found) < limit:
        item, path = stack.pop()
        if isinstance(item, str):
            if not _encodable(item):
                found.append(path or "_schema")
        elif isinstance(item, dict):
            for key, child in item.items():
                key_text = key if _encodable(key) else key.encode("utf-8", "replace").decode()
                child_path = f"{path}.{key_text}" if path else key_text
                if key_text is not key:
                    found.append(child_path)
                stack.append((child, child_path))
        elif isinstance(item, list):
            stack.extend((child, f"{path}.{i}" if path else str(i)) for i, child in enumerate(item))
    return sorted(found[:limit])


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


def _marks(view):
    """{METHOD: mark or None} for the methods a view defines."""
    cls = getattr(view, "view_class", None)
    if cls is None:
        return {"GET": getattr(view, "icpsim_auth", None)}
    return {m: getattr(getattr(cls, m.lower(), None), "icpsim_auth", None) for m in (cls.methods or ())}


def _matched(req):
    """(view functions, view_args) of the route the path names, whatever the method:
    a method the route lacks (405) still names the route, and so its tokens."""
    if req.url_rule is not None:
        return [current_app.view_functions[req.url_rule.endpoint]], req.view_args or {}
    error = req.routing_exception
    if not isinstance(error, MethodNotAllowed) or not error.valid_methods:
        return [], {}
    adapter, views, args = current_app.create_url_adapter(request), [], {}
    for method in error.valid_methods:
        endpoint, args = adapter.match(method=method)
        views.append(current_app.view_functions[endpoint])
    return views, args


def required(method, views, has_sid):
    """Which tokens a request needs: {"control", "sandbox"} (both: the control token and an
    existing sandbox), {"sandbox"}, or empty (public). HEAD is GET; any method a view does
    not define (OPTIONS, PROPFIND, …) needs the strictest mark of the route, so the answer
    never depends on which methods a view happens to define. A route under a sandbox id
    with no mark at all still needs the sandbox's token (deny by default)."""
    marks = {}
    for view in views:
        marks.update(_marks(view))
    own = marks.get(method) or (marks.get("GET") if method == "HEAD" else None)
    chosen = [own] if own else [m for m in marks.values() if m]
    needs_set = {part for mark in chosen for part in mark.split("+")}
    if has_sid:
        needs_set.add("sandbox")
    return needs_set


def check_auth():
    """before_request: the caller's token, for every method (HEAD, OPTIONS and unknown ones
    included), before the body is read; then OPTIONS answers here, in JSON."""
    req = request._get_current_object()  # the proxy looked through once
    views, args = _matched(req)
    if not views:
        return None  # no such path: 404 JSON
    needs_set = required(req.method, views, "sid" in args)
    try:
        if "control" in needs_set:
            control()
        if "sandbox" in needs_set:
            sandbox(args.get("sid"))
    finally:
        ratelimits.settle()  # a counter the token check did not carry (refused before it): sent now
    if req.method == "OPTIONS":
        return options_answer()
    return None


def install(app):
    app.before_request(check_auth)  # tokens before bodies: 401/404 before any 422
    app.before_request(check_body)  # then the body's size (413) and nesting (400)
    begun.install(app)  # a lock taken with the token check, left by a 4xx: released


def options_answer():
    allowed = sorted(current_app.create_url_adapter(request).allowed_methods())
    response = jsonify({"allow": allowed})
    response.headers["Allow"] = ", ".join(allowed)
    return response
