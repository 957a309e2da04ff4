"""The request log (observability.log_request): one JSON line per request through the
`icpsim` logger, with its level and handlers, readable by any formatter."""

import json
import logging

from api.flows import new_sandbox, ok
from backend import observability


class Kept(logging.Handler):
    def __init__(self):
        super().__init__()
        self.records = []

    def emit(self, record):
        self.records.append(record)


def logged(app_fn):
    """The `icpsim` logger's records while app_fn runs."""
    kept = Kept()
    observability.log.addHandler(kept)
    try:
        app_fn()
    finally:
        observability.log.removeHandler(kept)
    return kept.records


def test_every_request_is_one_json_line(control):
    sb = new_sandbox(control)
    auth = {"Authorization": f"Bearer {sb.token}", "X-Request-Id": "log-test-1"}
    records = logged(lambda: ok(sb.client.get(f"/api/v1/sandboxes/{sb.sid}/clock", headers=auth)))
    (record,) = [r for r in records if r.getMessage() == "request"]
    line = json.loads(observability.JsonFormatter().format(record))
    assert line == {
        "ts": line["ts"],
        "level": "info",
        "logger": "icpsim",
        "msg": "request",
        "request_id": "log-test-1",
        "method": "GET",
        "route": "/api/v1/sandboxes/<sid>/clock",
        "path": f"/api/v1/sandboxes/{sb.sid}/clock",
        "status": 200,
        "duration_ms": line["duration_ms"],
        "sandbox": sb.sid,
    }
    assert isinstance(line["duration_ms"], float) and abs(line["ts"] - record.created) < 0.001
    assert not [r for r in logged(lambda: control.get("/healthz")) if r.getMessage() == "request"]  # ops: not logged


def test_a_plain_formatter_reads_every_attribute(control):
    records = logged(lambda: control.get("/api/v1/sandboxes/nope/clock"))
    (record,) = [r for r in records if r.getMessage() == "request"]
    text = logging.Formatter(
        "%(asctime)s %(msecs)03d %(relativeCreated)d %(name)s %(levelname)s %(levelno)d %(pathname)s %(filename)s "
        "%(module)s %(funcName)s %(lineno)d %(process)d %(processName)s %(thread)d %(threadName)s %(message)s "
        "%(status)s %(route)s"
    ).format(record)
    assert text.endswith(" request 404 /api/v1/sandboxes/<sid>/clock") and " icpsim INFO 20 " in text


def test_the_logger_level_still_decides(control):
    observability.log.setLevel(logging.WARNING)
    try:
        assert not [r for r in logged(lambda: control.get("/api/v1/sandboxes")) if r.getMessage() == "request"]
    finally:
        observability.log.setLevel(logging.INFO)
