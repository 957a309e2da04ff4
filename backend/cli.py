"""The `icpsim` command (console script `backend.cli:main`; also `python -m backend.cli`).

Subcommands come from one table, `SUBCOMMANDS`. Another module adds its own
either by appending a `Subcommand` to that table before `main()` runs, or (the
usual way) by listing its module in `PLUGIN_MODULES`; such a module defines

    HELP = "one line for `icpsim --help`"
    def add_arguments(parser): ...      # an argparse parser of its own
    def run(args) -> int: ...           # the exit code

and is imported only when the command line is parsed. A plugin module that
fails to import does not break the other subcommands: running it prints why.
"""
import argparse
import errno
import importlib
import importlib.util
import json
import os
import signal
import socket
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from backend import config


@dataclass
class Subcommand:
    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


# name -> module defining HELP, add_arguments(parser), run(args). E.g.
#   "chat": "backend.chat.cli",
#   "replay": "backend.replay.cli",
PLUGIN_MODULES: dict = {"replay": "mock_miniprogram.replay.cli"}
PLUGIN_MODULES["chat"] = "mock_miniprogram.terminal"  # issue #4: the conversation in a terminal


class CliError(Exception):
    """A failure to report in one clear sentence (no traceback), with an exit code."""

    def __init__(self, message, code=1):
        super().__init__(message)
        self.code = code


class _Stop(Exception):
    """SIGTERM arrived before honcho took over the signals."""


def _silence_broken_stdout():
    """Our reader went away (`icpsim up | tee log`, then Ctrl-C kills tee too). Keep
    running, so the processes and Redis still stop cleanly; write to /dev/null from now on."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def _say(text="", file=None):
    stream = file or sys.stdout
    try:
        print(text, file=stream, flush=True)
    except (BrokenPipeError, OSError, ValueError):
        if stream is sys.stdout:
            _silence_broken_stdout()


def _err(text):
    _say(f"icpsim: {text}", file=sys.stderr)


# ---------------------------------------------------------------------------
# icpsim up
# ---------------------------------------------------------------------------

def _add_up_arguments(parser):
    parser.add_argument("--port", type=int, default=None,
                        help=f"HTTP port of the web process (default: $PORT or {config.DEFAULT_PORT})")


def project_root():
    """The directory holding the Procfile (the web and worker run there)."""
    candidates = [Path(__file__).resolve().parent.parent, Path.cwd()]
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
                    f"or choose another port: icpsim up --port N", code=2) from None
            raise CliError(f"cannot use {host}:{port}: {exc.strerror or exc}", code=2) from None


def _load_bootstrap():
    try:
        from backend.services import bootstrap
    except ModuleNotFoundError as exc:
        if exc.name in ("backend.services.bootstrap", "backend.services"):
            raise CliError(
                "backend/services/bootstrap.py is missing: `icpsim up` needs "
                "backend.services.bootstrap.prepare(redis) to set up the control token and "
                "the demo sandbox") from None
        raise
    if not hasattr(bootstrap, "prepare"):
        raise CliError("backend.services.bootstrap has no prepare(redis) function")
    return bootstrap


def _check_app_module():
    if importlib.util.find_spec("backend.app") is None:
        raise CliError("backend/app.py is missing: the Procfile's web process runs "
                       "backend.app:create_app()")


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
        f"&token={quote(str(boot.get('demo_token')))}",
        "",
        f"  Redis           {redis_url}" + ("  (embedded, data in " + str(config.data_dir()) + ")"
                                            if embedded else "  (REDIS_URL)"),
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
                _silence_broken_stdout()

    return SafePrinter


def run_procfile(root, env):
    """Run the Procfile through honcho until a signal or a process exit; return honcho's code."""
    from honcho.environ import expand_processes, parse_procfile
    from honcho.manager import Manager

    procfile = parse_procfile((root / "Procfile").read_text())
    if not procfile.processes:
        raise CliError(f"{root / 'Procfile'} declares no processes")
    manager = Manager(_safe_printer_class()(sys.stdout))
    for proc in expand_processes(procfile.processes, env=env):
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


def _stop_processes(manager, grace=5.0):
    """Last resort when honcho's loop itself failed: SIGTERM, then SIGKILL, every process group."""
    import time

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
    raise _Stop()


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
            from backend.runtime.embedded_redis import EmbeddedRedis, EmbeddedRedisError
            embedded = EmbeddedRedis(config.data_dir())
            try:
                redis_url = embedded.start()
            except EmbeddedRedisError as exc:
                embedded = None
                raise CliError(f"cannot start the embedded Redis: {exc}") from None
            how = "reusing the running" if embedded.reused else "started the embedded"
            _say(f"icpsim: {how} Redis at {redis_url}")
            os.environ["REDIS_URL"] = redis_url
            config.rebuild()

        from backend.store.connection import connect
        import redis

        client = connect(redis_url)
        try:
            try:
                client.ping()
            except redis.exceptions.RedisError as exc:
                raise CliError(f"cannot reach the Redis at {redis_url}: {exc}") from None
            boot = bootstrap.prepare(client)
        finally:
            client.close()
        control_token = boot["control_token"]
        os.environ["ICPSIM_CONTROL_TOKEN"] = control_token
        config.rebuild()

        _banner(port, redis_url, embedded is not None, boot)
        rc = run_procfile(root, _child_env(port, redis_url, control_token))
        if rc in (130, 143, 0, None):   # 130/143: honcho got SIGINT/SIGTERM
            code = 0
        else:
            _err(f"a process exited (code {rc}); everything was stopped")
            code = rc if isinstance(rc, int) and rc > 0 else 1
    except (KeyboardInterrupt, _Stop):
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


# ---------------------------------------------------------------------------
# icpsim number
# ---------------------------------------------------------------------------

KIND_LABELS = {
    "entity": ("主体备案号", "entity (主体) filing number"),
    "website": ("网站备案号", "website filing number"),
    "app": ("App备案号", "app filing number"),
    "miniprogram": ("小程序备案号", "mini-program filing number"),
    "icp_licence": ("ICP许可证号", "ICP licence number"),
    "icp_licence_legacy": ("ICP证号（旧式）", "ICP licence number, legacy form"),
    "website_on_licence": ("网站许可证号", "website number under an ICP licence"),
    "app_on_licence": ("App许可证号", "app number under an ICP licence"),
    "miniprogram_on_licence": ("小程序许可证号", "mini-program number under an ICP licence"),
    "public_security": ("公安备案号", "public-security filing number"),
}

FIELD_LABELS = [
    ("normalized", "规范写法", "normalized"),
    ("province", "省份", "province"),
    ("serial", "流水号", "serial"),
    ("year", "年份", "year"),
    ("sequence", "序号", "sequence"),
    ("site_index", "网站序号", "site index"),
    ("suffix", "后缀", "suffix"),
    ("entity_number", "主体备案号", "entity number"),
]


def _add_number_arguments(parser):
    parser.add_argument("number", help="a record number, e.g. 京ICP备16020626号-8")
    parser.add_argument("--json", action="store_true", help="print the description as JSON")


def _describe_number(text):
    try:
        from backend.domain import numbering
    except ModuleNotFoundError as exc:
        if exc.name in ("backend.domain.numbering", "backend.domain"):
            raise CliError("backend/domain/numbering.py is missing: "
                           "`icpsim number` needs backend.domain.numbering.describe(text)",
                           code=2) from None
        raise
    return numbering.describe(text)


def _width(text):
    """Terminal columns: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def format_number_summary(result):
    if not result.get("valid"):
        return "\n".join([
            f"✗ 无效的备案号 / not a valid record number: {result.get('input')!r}",
            f"  {result.get('code')}: {result.get('message')}",
        ])
    kind = result.get("kind")
    zh, en = KIND_LABELS.get(kind, (str(kind), str(kind)))
    lines = [f"✓ {result.get('normalized')}  —  有效的{zh} / valid {en}"]
    values = dict(result)
    province = " ".join(str(v) for v in (result.get("province_abbr"), result.get("province_name"))
                        if v)
    if result.get("province_code"):
        province += f" ({result['province_code']})"
    values["province"] = province or None
    for key, zh_label, en_label in FIELD_LABELS:
        value = values.get(key)
        if value is None or value == "":
            continue
        label = f"{zh_label} / {en_label}"
        lines.append(f"  {label}{' ' * max(1, 30 - _width(label))}{value}")
    return "\n".join(lines)


def cmd_number(args):
    result = _describe_number(args.number)
    if args.json:
        _say(json.dumps(result, ensure_ascii=False, indent=2, default=str))
    else:
        _say(format_number_summary(result))
    return 0 if result.get("valid") else 1


# ---------------------------------------------------------------------------
# the table and main()
# ---------------------------------------------------------------------------

def _add_diagram_arguments(parser):
    parser.add_argument("--write-readme", action="store_true",
                        help="replace the diagram between the README's diagram markers")


def cmd_diagram(args):
    """Print the state diagram generated from the workflow table (Mermaid)."""
    from backend.domain import workflow
    text = workflow.mermaid()
    if not args.write_readme:
        _say(text)
        return 0
    readme = project_root() / "README.md"
    start, end = "<!-- diagram:start -->\n```mermaid\n", "\n```\n<!-- diagram:end -->"
    body = readme.read_text(encoding="utf-8")
    head, _, rest = body.partition(start)
    _, _, tail = rest.partition(end)
    if not rest:
        raise CliError("README.md has no diagram markers")
    readme.write_text(head + start + text + end + tail, encoding="utf-8")
    _say(f"updated {readme}")
    return 0


SUBCOMMANDS = [
    Subcommand("up", "start Redis (embedded unless REDIS_URL is set), the web and the worker",
               _add_up_arguments, cmd_up),
    Subcommand("number", "validate and describe an ICP record number (备案号)",
               _add_number_arguments, cmd_number),
    Subcommand("diagram", "print the state diagram generated from the workflow table",
               _add_diagram_arguments, cmd_diagram),
]


def _plugin_subcommand(name, module_name):
    try:
        module = importlib.import_module(module_name)
        return Subcommand(name, getattr(module, "HELP", ""), module.add_arguments, module.run)
    except Exception as exc:  # keep the other subcommands usable
        reason = f"{type(exc).__name__}: {exc}"

        def unavailable(args):
            raise CliError(f"`icpsim {name}` is unavailable ({module_name} failed to load: {reason})")

        return Subcommand(name, f"(unavailable: {module_name} failed to load)",
                          lambda parser: parser.add_argument("rest", nargs=argparse.REMAINDER),
                          unavailable)


def all_subcommands():
    commands = list(SUBCOMMANDS)
    known = {c.name for c in commands}
    for name, module_name in PLUGIN_MODULES.items():
        if name not in known:
            commands.append(_plugin_subcommand(name, module_name))
            known.add(name)
    return commands


def build_parser():
    parser = argparse.ArgumentParser(
        prog="icpsim", description="A simulator of China's ICP filing (ICP备案) for CloudBase Run.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for command in all_subcommands():
        p = sub.add_parser(command.name, help=command.help, description=command.help)
        command.add_arguments(p)
        p.set_defaults(_run=command.run)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        code = args._run(args)
    except CliError as exc:
        _err(str(exc))
        code = exc.code
    except KeyboardInterrupt:
        code = 130
    return int(code or 0)


if __name__ == "__main__":
    sys.exit(main())
