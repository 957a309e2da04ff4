"""Operations: structured JSON logs with a request id, and the counters behind /metrics.

No Flask here (services and workers import it): the web hooks that set the request id
live in backend/api/ops.py. The request id rides in a context variable, goes into the
meta of every RQ job a request enqueues (`job_meta`), and the worker logs it
(`job_started`), so one id follows a call from the API into its timers.

Counters that several processes bump (transitions commit in web and worker processes,
timers fire in workers) live in Redis, in one hash, so /metrics on any web process sees
all of them; per-request counters are prometheus_client metrics (multiprocess-aware
under gunicorn, see backend/gunicorn_conf.py).
"""

import contextvars
import json
import logging
import os
import re
import threading
import time

from backend.config import KEY_PREFIX

log = logging.getLogger("icpsim")
METRICS_KEY = f"{KEY_PREFIX}:metrics"  # hash: transition|kind|state, timer_lag_sum|count|max
REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")  # a caller's X-Request-Id; anything else is replaced

_request_id = contextvars.ContextVar("icpsim_request_id", default=None)


def new_request_id(offered=None):
    """The caller's X-Request-Id when it is a sane token, else a fresh one."""
    rid = offered if offered and REQUEST_ID.fullmatch(offered) else os.urandom(16).hex()  # 32 hex digits
    _request_id.set(rid)
    return rid


def request_id():
    return _request_id.get()


def job_meta(**extra):
    """RQ `meta` for a job enqueued now: the request id that caused it, plus `extra`."""
    meta = dict(extra)
    if request_id():
        meta["request_id"] = request_id()
    return meta


# json.dumps builds a new encoder on every call when given options: one, built once
_ENCODER = json.JSONEncoder(ensure_ascii=False)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, and extras."""

    FIELDS = ("method", "route", "path", "status", "duration_ms", "sandbox", "job_id", "timer", "lag_seconds", "remote")

    def format(self, record):
        doc = {
            "ts": round(record.created, 3),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        given = record.__dict__
        rid = given.get("request_id") or request_id()
        if rid:
            doc["request_id"] = rid
        for name in self.FIELDS:
            if name in given:
                doc[name] = given[name]
        if record.exc_info:
            doc["exc"] = self.formatException(record.exc_info)
        return _ENCODER.encode(doc)


class RequestRecord(logging.LogRecord):
    """The request log's record (`log_request`), made without LogRecord.__init__'s work that
    this line does not need: the caller's frame (findCaller walks the stack; the line names
    its route instead), the message's arguments, the multiprocessing lookups. It still holds
    every attribute a LogRecord holds, in its __dict__ (where %-style formatters read them)."""

    FIXED = {
        "name": "icpsim",
        "msg": "request",
        "args": (),
        "levelno": logging.INFO,
        "levelname": "INFO",
        "pathname": __file__,
        "filename": "observability.py",
        "module": "observability",
        "funcName": "log_request",
        "lineno": 0,
        "exc_info": None,
        "exc_text": None,
        "stack_info": None,
        "processName": "MainProcess",
        "taskName": None,
    }

    def __init__(self, fields):  # (not LogRecord.__init__: see the class)
        attrs = self.__dict__
        attrs.update(self.FIXED)
        attrs.update(fields)
        now = self.created = time.time()
        self.msecs = int((now - int(now)) * 1000) + 0.0  # as LogRecord's
        self.relativeCreated = (now - logging._startTime) * 1000
        self.thread, self.threadName, self.process = threading.get_ident(), threading.current_thread().name, os.getpid()


def log_request(method, route, path, status, duration_ms, sandbox):
    """The request log: one JSON line per request (JsonFormatter), through the `icpsim`
    logger's level and handlers, without the per-record work of `log.info` (RequestRecord)."""
    if log.isEnabledFor(logging.INFO):
        fields = {"method": method, "route": route, "path": path, "status": status, "duration_ms": duration_ms}
        fields["sandbox"] = sandbox
        log.handle(RequestRecord(fields))


def configure_logging():
    """The `icpsim` logger writes JSON lines to stderr (once per process)."""
    if any(isinstance(h.formatter, JsonFormatter) for h in log.handlers):
        return
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False


# -- counters kept in Redis (every process) -----------------------------------------------


def _safe(fn):
    """Counting never fails the work it counts (it runs after commits)."""

    def wrapper(*args, **kwargs):
        try:
            fn(*args, **kwargs)
        except Exception:  # Redis gone, a WRONGTYPE key: the metric is lost, the work is not
            log.warning("metrics: cannot count %s", fn.__name__, exc_info=True)

    return wrapper


# Counting a transition inside its own commit's MULTI (no round trip of its own); pcall: a
# broken metrics key (WRONGTYPE) loses the count, never the commit.
_COUNT = "redis.pcall('HINCRBY', KEYS[1], ARGV[1], 1) return 0"


def count_transition_in(tx, kind, state):
    """Count a transition with the transaction (`tx.script`) that commits it."""
    tx.script(_COUNT, [METRICS_KEY], [f"transition|{kind}|{state}"])


# The timer lag's sum, count and max in one round trip, the max compared atomically.
_LAG = """
redis.call('HINCRBYFLOAT', KEYS[1], 'timer_lag_sum', ARGV[1])
redis.call('HINCRBY', KEYS[1], 'timer_lag_count', 1)
if tonumber(ARGV[1]) > tonumber(redis.call('HGET', KEYS[1], 'timer_lag_max') or '0') then
  redis.call('HSET', KEYS[1], 'timer_lag_max', ARGV[1])
end
return 0
"""


@_safe
def record_timer_lag(r, seconds):
    r.register_script(_LAG)(keys=[METRICS_KEY], args=[max(0.0, float(seconds))])


def timer_lag_script(seconds):
    """The same count as a script (text, keys, args) for a caller to send with its own reads."""
    return (_LAG, [METRICS_KEY], [max(0.0, float(seconds))])


def read_counters(r):
    """{"transitions": {(kind, state): n}, "timer_lag": {"sum", "count", "max"}}."""
    raw = r.hgetall(METRICS_KEY)
    text = {
        (k.decode() if isinstance(k, bytes) else k): (v.decode() if isinstance(v, bytes) else v) for k, v in raw.items()
    }
    transitions = {}
    for field, value in text.items():
        if field.startswith("transition|"):
            _, kind, state = field.split("|", 2)
            transitions[(kind, state)] = int(value)
    lag = {name: float(text.get(f"timer_lag_{name}", 0)) for name in ("sum", "count", "max")}
    return {"transitions": transitions, "timer_lag": lag}


def job_started(job, sid, timer_id, r=None):
    """A worker picked up a timer job: log it with the request id that caused it, and the
    lag between the real moment it was due (`due_real` in its meta) and now, counted in Redis
    when `r` is given. Returns the lag in seconds (None without `due_real`)."""
    configure_logging()  # a worker process: RQ set up its own loggers only
    meta = getattr(job, "meta", None) or {}
    extra = {
        "request_id": meta.get("request_id"),
        "job_id": getattr(job, "id", None),
        "sandbox": sid,
        "timer": timer_id,
    }
    due_real = meta.get("due_real")
    if due_real is not None:
        extra["lag_seconds"] = round(max(0.0, time.time() - float(due_real)), 3)
        if r is not None:
            record_timer_lag(r, extra["lag_seconds"])
    log.info("timer job started", extra=extra)
    return extra.get("lag_seconds")
