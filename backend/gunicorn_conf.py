"""gunicorn settings for the Procfile's `web:` process (`gunicorn -c backend/gunicorn_conf.py …`).

PORT comes from honcho (`icpsim up --port N`); ICPSIM_BIND overrides the host
(e.g. 0.0.0.0 in a container). Everything else is fixed here.
"""
import os

_host = os.environ.get("ICPSIM_BIND") or "127.0.0.1"
_port = os.environ.get("PORT") or "5000"
bind = f"[{_host}]:{_port}" if ":" in _host else f"{_host}:{_port}"

worker_class = "gthread"
workers = 2
threads = 8
accesslog = "-"   # stdout, so honcho prefixes it with "web.1 |"
errorlog = "-"
graceful_timeout = 5
# gunicorn ≥ 24 opens a control socket at ~/.gunicorn/gunicorn.ctl, shared by every
# instance of the user; two simulators (or a test run beside `icpsim up`) would fight
# over it. Older gunicorn ignores this unknown setting.
control_socket_disable = True
