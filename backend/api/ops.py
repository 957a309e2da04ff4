"""Operations: /healthz, /readyz, /metrics, the request id, request metrics and rate limits.

`install(app)` adds the routes (plain Flask routes, outside the OpenAPI document: they are
for load balancers and Prometheus, not API clients) and the hooks:

- every request gets an id (the caller's `X-Request-Id` when sane, else a new one), echoed
  in the response header, logged as one JSON line, and carried into the RQ jobs it enqueues;
- every request is counted by route template, method and status (prometheus_client,
  multiprocess-aware under gunicorn: backend/gunicorn_conf.py sets PROMETHEUS_MULTIPROC_DIR);
- rate limits (backend/api/ratelimits.py): per sandbox for routes under a sandbox id, per
  client address for everything else (configurable, generous by default; 429 JSON + Retry-After).
"""

import logging
import os
import time

from flask import Response, g, jsonify, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, SummaryMetricFamily

from backend import config, observability
from backend.api import common, errors, ratelimits

log = logging.getLogger("icpsim")

OPS_PATHS = ratelimits.EXEMPT_PATHS  # never rate limited, never logged

REQUESTS = Counter(
    "icpsim_http_requests_total", "HTTP requests by route template, method and status", ["route", "method", "status"]
)
LATENCY = Histogram(
    "icpsim_http_request_duration_seconds",
    "HTTP request duration by route template",
    ["route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)


# -- health -----------------------------------------------------------------------------------


def healthz():
    """The process answers (no Redis involved): for a liveness probe."""
    return jsonify({"status": "ok"})


def readyz():
    """Redis answers and (unless jobs run in-process) an RQ worker was seen within its TTL."""
    from rq import Worker

    from backend.services import scheduling

    checks = {"redis": False, "workers": 0}
    try:
        checks["redis"] = bool(common.redis().ping())
        if config.sync_jobs():
            checks["workers"] = None  # jobs run inside the web process
        else:
            checks["workers"] = len(Worker.all(queue=scheduling.queue()))
    except Exception as error:  # Redis down: not ready, and say why (no 500)
        checks["error"] = type(error).__name__
    ready = checks["redis"] and checks["workers"] != 0
    response = jsonify({"status": "ready" if ready else "not_ready", "checks": checks})
    response.status_code = 200 if ready else 503
    if not ready:
        response.headers["Retry-After"] = "5"
    return response


# -- metrics ----------------------------------------------------------------------------------


class StoreCollector:
    """Metrics kept in Redis (shared by every process) and the RQ queue, read at scrape time."""

    def collect(self):
        from rq.registry import FailedJobRegistry, StartedJobRegistry

        from backend.services import scheduling

        try:
            counters = observability.read_counters(common.redis())
            q = scheduling.queue()
            depth = {
                "queued": q.count,
                "scheduled": scheduling.registry().count,
                "started": StartedJobRegistry(queue=q).count,
                "failed": FailedJobRegistry(queue=q).count,
            }
        except Exception:  # Redis down: /metrics still answers with the process metrics
            log.warning("metrics: Redis unavailable", exc_info=True)
            yield GaugeMetricFamily("icpsim_redis_up", "1 when Redis answered this scrape", value=0)
            return
        yield GaugeMetricFamily("icpsim_redis_up", "1 when Redis answered this scrape", value=1)
        transitions = CounterMetricFamily(
            "icpsim_transitions", "Committed workflow transitions by kind and target state", labels=["kind", "state"]
        )
        for (kind, state), count in sorted(counters["transitions"].items()):
            transitions.add_metric([kind, state], count)
        yield transitions
        queue = GaugeMetricFamily("icpsim_queue_jobs", "RQ jobs of the icpsim queue by status", labels=["status"])
        for status, count in depth.items():
            queue.add_metric([status], count)
        yield queue
        lag = counters["timer_lag"]
        # a summary: exposed as icpsim_timer_lag_seconds_sum and _count (a counter gets _total)
        yield SummaryMetricFamily(
            "icpsim_timer_lag_seconds", "Lag of timer jobs", count_value=lag["count"], sum_value=lag["sum"]
        )
        yield GaugeMetricFamily(
            "icpsim_timer_lag_seconds_max", "Largest lag of a timer job behind its due time", value=lag["max"]
        )


def metrics():
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)  # every gunicorn worker's counters
    else:
        from prometheus_client import REGISTRY

        registry = REGISTRY  # one process (tests, `flask run`)
    text = generate_latest(registry)
    text += generate_latest(_store_registry())
    return Response(text, mimetype=CONTENT_TYPE_LATEST)


def _store_registry():
    registry = CollectorRegistry()
    registry.register(StoreCollector())
    return registry


# -- hooks ------------------------------------------------------------------------------------


def _route(req):
    return req.url_rule.rule if req.url_rule is not None else "unmatched"


def start_request():
    common.bound_socket()
    state = g._get_current_object()  # the proxies looked through once (each use costs a lookup)
    state.icpsim_started = time.perf_counter()
    state.icpsim_request_id = observability.new_request_id(request.headers.get("X-Request-Id"))


_CHILDREN: dict = {}  # (route, method, status) -> the counter's and the histogram's labelled children


def _counted(route, method, status, elapsed):
    """Count a request; `labels()` checks and looks its labels up under a lock each time (~2 µs
    per metric), so each combination's children are kept (routes and statuses are few)."""
    children = _CHILDREN.get((route, method, status))
    if children is None:
        if len(_CHILDREN) > 5000:  # bounded whatever comes (unmatched paths share one route)
            _CHILDREN.clear()
        children = _CHILDREN[(route, method, status)] = (
            REQUESTS.labels(route, method, str(status)),
            LATENCY.labels(route),
        )
    children[0].inc()
    children[1].observe(elapsed)


def finish_request(response):
    state, req = g._get_current_object(), request._get_current_object()  # each proxy use costs a lookup
    started = state.pop("icpsim_started", None)
    rid = state.get("icpsim_request_id")
    if rid:
        response.headers["X-Request-Id"] = rid
    # a page opened as /miniprogram/?…&token=… must not send its URL (the token) to anyone
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    if started is None:
        return response
    elapsed = time.perf_counter() - started
    route, method, status, path = _route(req), req.method, response.status_code, req.path
    _counted(route, method, status, elapsed)
    if path not in OPS_PATHS:
        sid = (req.view_args or {}).get("sid")
        observability.log_request(method, route, path, status, round(elapsed * 1000, 1), sid)
    return response


def install(app):
    """Routes, the request-id and metrics hooks (first and last of all), and the rate limits."""
    observability.configure_logging()
    app.before_request_funcs.setdefault(None, []).insert(0, start_request)
    app.after_request(finish_request)
    app.add_url_rule("/healthz", "healthz", healthz, methods=["GET"])
    app.add_url_rule("/readyz", "readyz", readyz, methods=["GET"])
    app.add_url_rule("/metrics", "metrics", metrics, methods=["GET"])
    ratelimits.install(app, after=start_request, too_many=errors.too_many)  # right after the request id
