"""gunicorn settings for the Procfile's `web:` process (`gunicorn -c backend/gunicorn_conf.py …`).

PORT comes from honcho (`icpsim up --port N`); ICPSIM_BIND overrides the host
(e.g. 0.0.0.0 in a container); ICPSIM_WEB_WORKERS / ICPSIM_WEB_THREADS size the pool.

Slow clients: gthread hands a connection to a pool thread once its first bytes arrive, and
that thread then reads the request. A client that sends its headers and stalls the body
would hold the thread for good; the app bounds every read and write of the request's socket
(ICPSIM_BODY_TIMEOUT, default 10 s: backend/api/common.py `bound_socket`), answers 408 JSON
and closes the connection, so stalled bodies cost a thread for seconds and the pool
(workers × threads, 2 × 16 by default) keeps serving.
"""

import json
import os
import re
import shutil
from pathlib import Path

from gunicorn import util as gunicorn_util
from gunicorn.glogging import Logger

_host = os.environ.get("ICPSIM_BIND") or "127.0.0.1"
_port = os.environ.get("PORT") or "5000"
bind = f"[{_host}]:{_port}" if ":" in _host else f"{_host}:{_port}"

worker_class = "gthread"
workers = int(os.environ.get("ICPSIM_WEB_WORKERS") or 2)
threads = int(os.environ.get("ICPSIM_WEB_THREADS") or 16)
accesslog = "-"  # stdout, so honcho prefixes it with "web.1 |"
errorlog = "-"
graceful_timeout = 5
# gunicorn refuses these itself, before the app (400 bad request line, 414 request line over
# 4094 bytes, 431 a header over 8190 bytes); the limits stay (no real call comes close), and
# the answer is our JSON error shape (json_error_page below), not gunicorn's HTML page
limit_request_line = 4094
limit_request_field_size = 8190
# the request id (X-Request-Id, set by the app) in every access line; the query string is
# redacted of tokens (RedactingLogger)
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(f)s" "%(a)s" rid=%({x-request-id}o)s'
# gunicorn ≥ 24 opens a control socket at ~/.gunicorn/gunicorn.ctl, shared by every
# instance of the user; two simulators (or a test run beside `icpsim up`) would fight
# over it. Older gunicorn ignores this unknown setting.
control_socket_disable = True

_SECRET = re.compile(r"((?:^|[?&;])(?:token|access_token|control_token)=)[^&;#\s]*", re.IGNORECASE)


def redact(text):
    """'…/miniprogram/?sandbox=demo&token=sbt_x' → '…&token=[redacted]' (query strings and Referers)."""
    return _SECRET.sub(r"\1[redacted]", text) if isinstance(text, str) else text


class RedactingLogger(Logger):
    """gunicorn's access log without secrets: `token=` in the request line, the query string and
    the Referer, and no Authorization header (`%({authorization}i)s` logs `[redacted]`)."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for name in ("r", "q", "f", "{raw_uri}e", "{query_string}e", "{http_referer}e", "{referer}i"):
            if name in atoms:
                atoms[name] = redact(atoms[name])
        for name in ("{authorization}i", "{x-icpsim-token}i", "{http_authorization}e", "{http_x_icpsim_token}e"):
            if name in atoms:
                atoms[name] = "[redacted]"
        return atoms


logger_class = RedactingLogger

_GUNICORN_ERRORS = {
    400: ("BAD_REQUEST", "请求格式不正确"),
    403: ("FORBIDDEN", "没有权限"),
    414: ("REQUEST_LINE_TOO_LONG", "请求地址过长"),
    417: ("EXPECTATION_FAILED", "不支持该 Expect 请求头"),
    431: ("HEADERS_TOO_LARGE", "请求头过大"),
    500: ("INTERNAL_ERROR", "模拟器内部错误"),
    501: ("NOT_IMPLEMENTED", "不支持该请求"),
}


def json_error_page(sock, status_int, reason, mesg):
    """gunicorn's own error answers (a request it could not parse, before any app code runs)
    in the API's shape: {code, message}. It replaces gunicorn.util.write_error, which has the
    same signature and is only called from the worker's handle_error; the client's text
    (`mesg`) is not echoed."""
    code, message = _GUNICORN_ERRORS.get(status_int, ("BAD_REQUEST", "请求格式不正确"))
    body = json.dumps({"code": code, "message": message}, ensure_ascii=False).encode("utf-8")
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\n"
        f"Content-Type: application/json; charset=utf-8\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    gunicorn_util.write_nonblock(sock, head.encode("latin-1") + body)


gunicorn_util.write_error = json_error_page  # loaded in the master, inherited by every worker


# Prometheus: each gunicorn worker writes its counters to files in one directory per master
# (under the data dir), which /metrics merges (prometheus_client's multiprocess mode). Set
# here, in the master, before any worker imports prometheus_client.
def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_stale(metrics_root):
    """Directories of masters that died without on_exit (SIGKILL) go on the next start."""
    for child in metrics_root.glob("*"):
        if child.name.isdigit() and not _alive(int(child.name)):
            shutil.rmtree(child, ignore_errors=True)


if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    _metrics_root = Path(os.environ.get("ICPSIM_DATA_DIR", "var")).resolve() / "metrics"
    _metrics_dir = _metrics_root / str(os.getpid())
    if _metrics_root.is_dir():
        _remove_stale(_metrics_root)
    shutil.rmtree(_metrics_dir, ignore_errors=True)
    _metrics_dir.mkdir(parents=True, exist_ok=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(_metrics_dir)
    _own_metrics_dir = _metrics_dir
else:
    _own_metrics_dir = None


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    if _own_metrics_dir is not None:
        shutil.rmtree(_own_metrics_dir, ignore_errors=True)
