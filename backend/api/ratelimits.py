"""Rate limits: one budget per sandbox on the routes under a sandbox id, one per client
address on every other route, counted in the store's Redis (keys `icpsim:ratelimit:…`).

The limits are the settings' strings (`ICPSIM_RATE_LIMIT_SANDBOX`, `ICPSIM_RATE_LIMIT_PUBLIC`,
e.g. "6000 per minute", several separated by ";"), parsed by the `limits` library; each
limit is a fixed-window counter (INCR, and EXPIRE when the window opens — the algorithm
flask-limiter used here before, its default). Over a limit: 429 TOO_MANY_REQUESTS with
Retry-After, the limit's window at most (errors.too_many).

A sandbox route's counter rides in the token check's pipeline (`pending` hands the command to
common.sandbox, `settle` reads its reply): no round trip of its own, where flask-limiter sent
one EVALSHA per request and spent ~0.8 ms of Python on it. Anything else is counted here, in
one round trip, before the other hooks answer (the gateway's pages are limited too). A
request the token check never reached with its counter (a missing token, a bad control
token, a page answered before the check) is counted on its own, so every request counts and
a 429 comes before any other answer, as before.
"""

import logging
import os
from functools import lru_cache

from flask import current_app, g, request
from limits import parse_many
from werkzeug.exceptions import TooManyRequests

from backend import config

log = logging.getLogger("icpsim")

DEFAULT_SANDBOX_LIMIT = "6000 per minute"  # a QA run drives one sandbox far below this
DEFAULT_PUBLIC_LIMIT = "6000 per minute"  # per client address: gateway, pages, control calls
EXEMPT_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})

# KEYS: one counter per limit, the narrowest first; ARGV: amount and window (s) of each.
# Counts each limit until the first one over its amount and returns that one's number (1-based),
# 0 when the request is within every limit. A counter that cannot be incremented (a key of
# another type) lets the request through, as flask-limiter swallowed its storage errors.
HIT = """
for i, key in ipairs(KEYS) do
  local ok, n = pcall(redis.call, 'INCR', key)
  if not ok then return 0 end
  if n == 1 then redis.call('EXPIRE', key, ARGV[2 * i]) end
  if n > tonumber(ARGV[2 * i - 1]) then return i end
end
return 0
"""


def enabled():
    return os.environ.get("ICPSIM_RATE_LIMITS", "on").lower() not in ("0", "off", "false", "no")


@lru_cache(maxsize=16)
def _limits(text):
    return tuple(sorted(parse_many(text)))


def _budget(sid, req):
    """(limits, counter identity) of this request."""
    if sid:
        text = os.environ.get("ICPSIM_RATE_LIMIT_SANDBOX") or DEFAULT_SANDBOX_LIMIT
        return _limits(text), f"sandbox:{sid}"
    text = os.environ.get("ICPSIM_RATE_LIMIT_PUBLIC") or DEFAULT_PUBLIC_LIMIT
    return _limits(text), f"addr:{req.remote_addr}"


@lru_cache(maxsize=1024)  # per sandbox (or address) and limits: the same command every time
def _command(limits, who):
    names = [f"{config.KEY_PREFIX}:ratelimit:{item.key_for(who)}" for item in limits]
    args = [value for item in limits for value in (item.amount, item.get_expiry())]
    return ("EVAL", HIT, len(names), *names, *args)


def _exempt(req):
    return req.path in EXEMPT_PATHS or (req.endpoint or "").rsplit(".", 1)[-1] == "static"


def check():
    """before_request, right after the request id: a sandbox route's counter waits for the
    token check's pipeline; anything else is counted now."""
    req = request._get_current_object()  # the proxy looked through once
    if _exempt(req):
        return
    sid = (req.view_args or {}).get("sid")
    limits, who = _budget(sid, req)
    g.icpsim_limit = (_command(limits, who), limits)
    if not sid:
        settle()


def pending():
    """The counter command this request still owes (to send in the token check's pipeline), or None."""
    owed = g.get("icpsim_limit")
    return owed[0] if owed else None


def settle(reply=None):
    """The owed counter's verdict: `reply` is the script's answer when it rode in another
    pipeline; None sends it now. Raises 429 when over a limit; a Redis error lets the request
    through (the request meets it again at its own reads)."""
    owed = g.pop("icpsim_limit", None)
    if owed is None:
        return
    command, limits = owed
    if reply is None:
        try:
            reply = current_app.extensions["icpsim.redis"].execute_command(*command)
        except Exception:  # noqa: BLE001 — never fail a request for its counter
            log.warning("rate limit: counter unavailable", exc_info=True)
            return
    if reply:
        raise TooManyRequests(retry_after=limits[int(reply) - 1].get_expiry())


def install(app, after, too_many):
    """`check` right after the hook `after` (the request id); after the request, a counter
    still owed (a page for a customer's Host on a sandbox path, answered before the token
    check) is counted too, and the answer replaced by `too_many(error)` when over its limit.
    Registered last, that hook runs before the request log, which then logs the 429."""
    if not enabled():
        return
    hooks = app.before_request_funcs.setdefault(None, [])
    hooks.insert(hooks.index(after) + 1, check)

    def settle_late(response):
        if "icpsim_limit" not in g:
            return response
        try:
            settle()
        except TooManyRequests as error:
            return too_many(error)
        return response

    app.after_request(settle_late)
