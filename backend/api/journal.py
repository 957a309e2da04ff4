"""The journal hook (recordings, issue #5): every mutating call to a sandbox that changed
something is appended to its journal (services/recording.py).

The entry rides in the MULTI of the call's change (store.tx.RIDER): the first commit to the
sandbox that writes something appends it, with the status the view answers on success
(its one declared 2xx), so a change pays no round trip for its journal. When the request
then answers something else (an error after its commit, another 2xx), the after_request
hook takes that entry back (recording.retract) and appends what the answer says, as it
always did for calls that commit nothing through the store (faults, settings, the clock).
A clock advance takes its entry itself (with_commit) and appends it, with the answer's epoch,
in its lock's release round trip.
"""

import logging
import re

from flask import current_app, g, request

from backend.api import common
from backend.services import auth, recording
from backend.store import tx as store

log = logging.getLogger("icpsim")

MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
SANDBOX_PATH = re.compile(r"^/api/v1/sandboxes/([^/]+)(/.*)?$")
# calls whose entry needs their answer (the clock's epoch after a move): appended after it —
# or, for an advance, with its lock's release (services/advancing: the view's with_commit)
AFTER_ANSWER = ("/clock/advance", "/clock/scale")
SUCCESS_STATUSES = "icpsim.success_statuses"  # app.extensions: (endpoint, method) -> status or None


def _mark():
    """before_request (after the auth check): note what to journal and the virtual time."""
    req = request._get_current_object()  # the proxy looked through once
    if req.method not in MUTATING:
        return
    m = SANDBOX_PATH.match(req.path)
    if not m or not m.group(2) or m.group(2).rstrip("/") in recording.NOT_RECORDED:
        return
    try:
        r = common.redis()
        sid = m.group(1)
        noted = g.pop("icpsim_clock", None)  # read with the token check (common.sandbox)
        raw = noted[1] if noted and noted[0] == sid else recording.UNREAD
        note = g.icpsim_journal = {
            "sid": sid,
            "path": m.group(2).rstrip("/"),
            "at": recording.clock_now(r, sid, raw),
            "who": "control" if auth.is_control(r, common.bearer()) else "user",
        }
        status = _success_status(req)
        if status is not None and note["path"] not in AFTER_ANSWER:
            store.RIDER.set(_Rider(note, status))
    except Exception:  # never fail a request because of the recording
        log.exception("journal: cannot note the request")


def _success_status(req):
    """The one 2xx the view declares (flask-smorest's `@blp.response`), or None; found once per
    route and method (the app's views do not change once it serves)."""
    rule = req.url_rule
    endpoint = rule.endpoint if rule is not None else None
    known = current_app.extensions[SUCCESS_STATUSES]
    key = (endpoint, req.method)
    if key not in known:
        known[key] = _declared_success(current_app.view_functions.get(endpoint), req.method)
    return known[key]


def _declared_success(view, method):
    view = getattr(getattr(view, "view_class", None), method.lower(), view)
    codes = getattr(view, "_apidoc", {}).get("success_status_codes", [])
    return int(codes[0]) if len(codes) == 1 and 200 <= int(codes[0]) < 300 else None


class _Rider:
    """The request's journal entry, riding in the first commit of its sandbox (store.tx.RIDER)."""

    def __init__(self, note, status):
        self.sid, self.note, self.status = note["sid"], note, status

    def ride(self, tx):
        entry = self.note["ahead_entry"] = _entry(self.note, self.status)
        recording.append_in(tx, entry)

    def committed(self):
        self.note["ahead"] = {"sid": self.sid, "entry": self.note["ahead_entry"], "done": True}


def with_commit(status):
    """This request's journal entry as it reads if the request answers `status`, for a use case
    that appends it in its own commit (recording.append_in: no round trip of its own); once it
    sets "done", the after_request hook leaves it. None when the request is not journaled."""
    store.RIDER.set(None)  # the use case carries it itself
    note = g.get("icpsim_journal")
    if note is None or not recording.worth_journaling(status, note["path"]):
        return None
    try:
        note["ahead"] = {"sid": note["sid"], "entry": _entry(note, status), "done": False}
    except Exception:  # never fail a request because of the recording: the hook appends it then
        log.exception("journal: cannot note the request")
        return None
    return note["ahead"]


def _entry(note, status):
    return {
        "method": request.method,
        "path": note["path"],
        "body": recording.journal_body(note["path"], request.get_json(silent=True)),
        "status": status,
        "at": note["at"],
        "who": note["who"],
    }


def _journal(response):
    store.RIDER.set(None)
    note = g.pop("icpsim_journal", None)
    if note is None:
        return response
    ahead = note.get("ahead") or {}
    try:
        if ahead.get("done"):
            if ahead["entry"]["status"] == response.status_code:
                return response  # appended with the request's own commit
            recording.retract(common.redis(), note["sid"], ahead["entry"])  # it answered otherwise
        if not recording.worth_journaling(response.status_code, note["path"], _error_code(response)):
            return response  # a refused call changed nothing: a replay does not need it
        entry = _entry(note, response.status_code)
        if note["path"] in AFTER_ANSWER and response.status_code == 200:
            entry["now"] = (response.get_json(silent=True) or {}).get("epoch")
        recording.append(common.redis(), note["sid"], entry)
    except Exception:
        log.exception("journal: cannot append the request")
    return response


def _error_code(response):
    """The stable code of an error answer (a wrong code is journaled, services/recording.py)."""
    if response.status_code < 400 or not response.is_json:
        return None
    return (response.get_json(silent=True) or {}).get("code")


def _forget(_error=None):
    store.RIDER.set(None)  # never left for the next request of this thread


def install(app):
    app.extensions[SUCCESS_STATUSES] = {}
    app.before_request(_mark)
    app.after_request(_journal)
    app.teardown_request(_forget)
