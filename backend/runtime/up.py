"""`icpsim up`: the embedded Redis (unless REDIS_URL), the control token and the demo
sandbox, the banner, then the Procfile's web and worker processes under honcho until
Ctrl-C, SIGTERM or the web's exit (a worker, or the embedded Redis, that exits is started
again); Redis is stopped (its append-only file flushed) last."""

import errno
import importlib.util
import os
import signal
import socket
import sys
import time
from pathlib import Path

from backend import config
from backend.runtime.console import CliError, Stop, err as _err, say as _say, silence_broken_stdout


def add_up_arguments(parser):
    parser.add_argument(
        "--port", type=int, default=None, help=f"HTTP port of the web process (default: $PORT or {config.DEFAULT_PORT})"
    )
    parser.add_argument("--workers", type=int, default=1, metavar="N", help="number of RQ worker processes (default 1)")


def project_root():
    """The directory holding the Procfile (the web and worker run there)."""
    candidates = [Path(__file__).resolve().parents[2], Path.cwd()]  # backend/runtime/up.py -> the project
    for directory in candidates:
        if (directory / "Procfile").is_file():
            return directory
    raise CliError("no Procfile found next to the backend package or in the current directory")


def _bind_host():
    return os.environ.get("ICPSIM_BIND") or "127.0.0.1"


def check_port_free(host, port):
    """Fail clearly when something already listens on host:port (gunicorn would die later)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        # Same option as gunicorn: a port in TIME_WAIT is free for it, so it is free here.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise CliError(
                    f"port {port} on {host} is already in use; stop whatever listens there "
                    f"or choose another port: icpsim up --port N",
                    code=2,
                ) from None
            raise CliError(f"cannot use {host}:{port}: {exc.strerror or exc}", code=2) from None


def _load_bootstrap():
    try:
        from backend.services import bootstrap
    except ModuleNotFoundError as exc:
        if exc.name in ("backend.services.bootstrap", "backend.services"):
            raise CliError(
                "backend/services/bootstrap.py is missing: `icpsim up` needs "
                "backend.services.bootstrap.prepare(redis) to set up the control token and "
                "the demo sandbox"
            ) from None
        raise
    if not hasattr(bootstrap, "prepare"):
        raise CliError("backend.services.bootstrap has no prepare(redis) function")
    return bootstrap


def _check_app_module():
    if importlib.util.find_spec("backend.app") is None:
        raise CliError("backend/app.py is missing: the Procfile's web process runs backend.app:create_app()")


def _banner(port, redis_url, embedded, boot):
    from urllib.parse import quote

    base = f"http://127.0.0.1:{port}"
    host = _bind_host()
    lines = [
        "",
        "=" * 72,
        "  icpsim — ICP备案 simulator for CloudBase Run (云托管)",
        "=" * 72,
        f"  API base        {base}/api/v1",
        f"  Swagger UI      {base}/docs",
        f"  OpenAPI         {base}/openapi.json",
    ]
    if host not in ("127.0.0.1", "localhost"):
        lines.append(f"  (listening on  {host}:{port})")
    lines += [
        "",
        f"  Control token   {boot.get('control_token')}",
        f"  Demo sandbox    {boot.get('demo_sandbox_id')}",
        f"  Demo token      {boot.get('demo_token')}",
        f"  Mini-program    {base}/miniprogram/?sandbox={quote(str(boot.get('demo_sandbox_id')))}"
        f"#token={quote(str(boot.get('demo_token')))}",  # after '#': never sent to a server, never in a log
        f"  Trainer console {base}/console/  (asks for the control token)",
        "",
        f"  Redis           {redis_url}"
        + ("  (embedded, data in " + str(config.data_dir()) + ")" if embedded else "  (REDIS_URL)"),
        "  Stop with Ctrl-C.",
        "=" * 72,
        "",
    ]
    _say("\n".join(lines))


def _child_env(port, redis_url, control_token):
    env = os.environ.copy()
    env["PORT"] = str(port)
    env["REDIS_URL"] = redis_url
    env["ICPSIM_CONTROL_TOKEN"] = control_token
    env.setdefault("PYTHONUNBUFFERED", "1")  # worker logs reach honcho's pipe at once
    # gunicorn and rq live next to this interpreter (the venv's bin/), even when the
    # venv is not activated (`.venv/bin/icpsim up`).
    bindir = os.path.dirname(sys.executable)
    path = env.get("PATH", "")
    if bindir and bindir not in path.split(os.pathsep):
        env["PATH"] = bindir + (os.pathsep + path if path else "")
    return env


def _safe_printer_class():
    from honcho.printer import Printer

    class SafePrinter(Printer):
        """honcho's printer, except that a closed stdout does not abort the manager's
        loop (which would leave the web and the worker running)."""

        def write(self, message):
            try:
                super().write(message)
            except (BrokenPipeError, OSError, ValueError):
                silence_broken_stdout()

    return SafePrinter


def run_procfile(root, env, workers=1, redis=None):
    """Run the Procfile through honcho until a signal or the web's exit; return honcho's code.
    `redis`: the embedded Redis this command started, watched and started again when it dies."""
    from honcho.environ import expand_processes, parse_procfile
    from honcho.manager import Manager

    procfile = parse_procfile((root / "Procfile").read_text())
    if not procfile.processes:
        raise CliError(f"{root / 'Procfile'} declares no processes")
    manager = _supervisor_class(Manager)(_safe_printer_class()(sys.stdout))
    manager.redis_watch = RedisWatch(redis) if redis is not None else None
    for proc in expand_processes(procfile.processes, concurrency={"worker": max(1, workers)}, env=env):
        child = dict(env)
        child.update(proc.env)
        manager.add_process(proc.name, proc.cmd, quiet=proc.quiet, env=child, cwd=str(root))
    # loop() installs its own SIGINT/SIGTERM handlers: SIGTERM to every process, SIGKILL after 5 s.
    try:
        manager.loop()
    except BaseException:
        _stop_processes(manager)
        raise
    return manager.returncode


RESTART_DELAY = 1.0  # seconds before a worker that exited is started again


def _supervisor_class(manager_class):
    """honcho's Manager, except that a worker process exiting while the stack is not stopping
    (SIGKILLed, killed for memory) is started again after RESTART_DELAY instead of stopping
    everything: the workers are stateless and recovery (services/recovery.py) requeues the
    job it held. The web exiting still stops the stack. (honcho has no restart of its own; this
    leans on its loop calling `_any_stopped` and on its `_processes` entries.)"""

    class Supervisor(manager_class):
        redis_watch = None  # a RedisWatch when `icpsim up` started the embedded Redis

        def _any_stopped(self):
            now = time.monotonic()
            if self.redis_watch is not None and not self._terminating:
                self.redis_watch.check(now, self._system_print)
            for name, proc in self._processes.items():
                if not name.startswith("worker") or proc.get("returncode") is None or self._terminating:
                    continue
                due = proc.setdefault("restart_at", now + RESTART_DELAY)
                if now >= due:
                    self._restart(name, proc)
            return any(
                proc.get("returncode") is not None and (self._terminating or not name.startswith("worker"))
                for name, proc in self._processes.items()
            )

        def _restart(self, name, proc):
            import multiprocessing

            self._system_print(f"{name} exited (rc={proc['returncode']}); starting it again\n")
            for key in ("returncode", "restart_at"):
                proc.pop(key, None)
            self.returncode = None  # its exit code is not the stack's
            proc["process"] = multiprocessing.Process(name=name, target=proc["obj"].run, args=(self.events, True))
            proc["process"].start()

    return Supervisor


class RedisWatch:
    """The embedded Redis killed (SIGKILL, out of memory): started again on its data directory,
    from its append-only file, so the web's 503s and the workers' waits end."""

    def __init__(self, embedded):
        self.embedded = embedded
        self.restart_at = None  # set while it is down

    def check(self, now, say):
        from backend.runtime.embedded_redis import EmbeddedRedisError

        if self.restart_at is None:
            code = self.embedded.exited()
            if code is None:
                return
            say(f"embedded Redis exited (rc={code}); starting it again\n")
            self.restart_at = now + RESTART_DELAY
        if now < self.restart_at:
            return
        try:
            self.embedded.start()
            self.restart_at = None
        except EmbeddedRedisError as error:  # tried again after the delay
            say(f"embedded Redis did not start: {error}\n")
            self.restart_at = time.monotonic() + RESTART_DELAY


def _stop_processes(manager, grace=5.0):
    """Last resort when honcho's loop itself failed: SIGTERM, then SIGKILL, every process group."""

    manager.terminate()
    procs = [p.get("process") for p in getattr(manager, "_processes", {}).values()]
    deadline = time.monotonic() + grace
    for proc in procs:
        if proc is not None:
            proc.join(max(0.0, deadline - time.monotonic()))
    if any(proc is not None and proc.is_alive() for proc in procs):
        manager.kill()
        for proc in procs:
            if proc is not None:
                proc.join(2)


def _raise_stop(signum, frame):
    raise Stop()


def cmd_up(args):
    port = args.port if args.port is not None else config.port()
    if not 0 < port < 65536:
        raise CliError(f"invalid port {port}", code=2)
    root = project_root()
    check_port_free(_bind_host(), port)
    _check_app_module()
    bootstrap = _load_bootstrap()

    # Until honcho takes over, SIGTERM must still reach the `finally` that stops Redis.
    signal.signal(signal.SIGTERM, _raise_stop)
    embedded = None
    code = 0
    try:
        redis_url = config.redis_url()
        if redis_url:
            _say(f"icpsim: using the Redis at REDIS_URL ({redis_url}); not starting one")
        else:
            embedded, redis_url = _start_embedded_redis()
        boot = _prepare(bootstrap, redis_url)
        _banner(port, redis_url, embedded is not None, boot)
        env = _child_env(port, redis_url, boot["control_token"])
        rc = run_procfile(root, env, workers=args.workers, redis=embedded)
        code = _exit_code(rc)
    except (KeyboardInterrupt, Stop):
        code = 0
    finally:
        # A second Ctrl-C must not cut the Redis shutdown (and its AOF flush) short.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if embedded is not None:
            _say("icpsim: stopping the embedded Redis (flushing the append-only file)…")
            embedded.stop()
            _say("icpsim: embedded Redis stopped")
    return code


def _start_embedded_redis():
    """(the started or reused embedded Redis, its URL); REDIS_URL points at it from now on."""
    from backend.runtime.embedded_redis import EmbeddedRedis, EmbeddedRedisError

    embedded = EmbeddedRedis(config.data_dir())
    try:
        redis_url = embedded.start()
    except EmbeddedRedisError as exc:
        raise CliError(f"cannot start the embedded Redis: {exc}") from None
    how = "reusing the running" if embedded.reused else "started the embedded"
    _say(f"icpsim: {how} Redis at {redis_url}")
    os.environ["REDIS_URL"] = redis_url
    config.rebuild()
    return embedded, redis_url


def _prepare(bootstrap, redis_url):
    """The control token and the demo sandbox (bootstrap.prepare); the token goes to the children."""
    import redis

    from backend.store.connection import connect

    client = connect(redis_url)
    try:
        try:
            client.ping()
        except redis.exceptions.RedisError as exc:
            raise CliError(f"cannot reach the Redis at {redis_url}: {exc}") from None
        boot = bootstrap.prepare(client)
    finally:
        client.close()
    os.environ["ICPSIM_CONTROL_TOKEN"] = boot["control_token"]
    config.rebuild()
    return boot


def _exit_code(rc):
    """`icpsim up`'s exit code from honcho's."""
    if rc in (130, 143, 0, None):  # 130/143: honcho got SIGINT/SIGTERM
        return 0
    _err(f"a process exited (code {rc}); everything was stopped")
    return rc if isinstance(rc, int) and rc > 0 else 1
