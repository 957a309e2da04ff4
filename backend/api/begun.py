"""A view's first round trip sent with its token check (api/common.py `sandbox`): the chat
reply's lock and first reads, and a clock advance's lock (services/advancing.AdvanceStart),
ride in the check's pipeline, so each costs one round trip less. The check still answers
first — 429, then 401/404, all before the body is read and so before any 422 — and a refused
token takes no lock (the check guards it in one script: services/auth.guarded) and sees none
of what was read."""

from flask import current_app, g, request

from backend.api import ratelimits
from backend.services import auth


def begins(start):
    """Mark a view (right above `def`, with `needs`) whose first round trip rides with its
    token check: `start(r, sid, **other view args)` gives an object with `take()` (the write
    the check guards: a lock's SET NX, done only when the check passes), `send(ahead)` (the
    round trip, `ahead` first), `hold(took)`, `clock()` and `drop()` (chat's ReplyStart, the
    advance's AdvanceStart); the view gets it back from `taken(sid)`. Whatever a 4xx before
    the view leaves is dropped."""

    def mark(fn):
        fn.icpsim_begin = start
        return fn

    return mark


def start(sid):
    """The begun round trip of this request's view (see `begins`), or None."""
    req = request._get_current_object()  # the proxy looked through once
    if req.method != "POST" or req.url_rule is None:
        return None
    app = current_app._get_current_object()
    view = getattr(app.view_functions[req.url_rule.endpoint], "view_class", None)
    make = getattr(getattr(view, "post", None), "icpsim_begin", None)
    if make is None:
        return None
    return make(app.extensions["icpsim.redis"], sid, **{k: v for k, v in req.view_args.items() if k != "sid"})


def check(r, sid, token, start):
    """The token check, the rate-limit counter and the view's first round trip at once; the
    check still answers first (429, then 401/404) and a refused token takes no lock and sees
    none of the reads."""
    control, guard = auth.guarded(r, token, sid, start.take())
    limit = ratelimits.pending()
    replies = start.send([limit, guard] if limit else [guard])
    took = bool(replies[-1][1])  # the lock's SET ran: the check passed and the lock was free
    start.hold(took)
    try:
        if limit:
            ratelimits.settle(replies[0])  # over the limit: 429 before any 401/404
        who, _ = auth.guard_verdict(control, replies[-1], sid)
    except BaseException:
        start.drop()
        raise
    g.icpsim_clock = (sid, start.clock())
    if took:
        g.icpsim_begun = (sid, start)
    return who


def taken(sid):
    """The view's begun round trip (see `begins`), or None (the lock was busy: the slow way)."""
    held = g.pop("icpsim_begun", None)
    return held[1] if held and held[0] == sid else None


def drop_begun(response_or_error=None):
    """after_request and teardown: a begun round trip no view took (a 4xx before it) let go."""
    held = g.pop("icpsim_begun", None)
    if held is not None:
        held[1].drop()
    return response_or_error


def install(app):
    app.after_request(drop_begun)  # before the answer goes out: the next reply need not wait
    app.teardown_request(drop_begun)  # and after an error no handler answered
