"""The admin commands of `icpsim`, against a running simulator, over HTTP through the SDK:

    icpsim sandbox create|list|show|reset|delete|export|import
    icpsim clock show|advance|scale SANDBOX
    icpsim outbox SANDBOX
    icpsim recording SANDBOX > file.yaml

`--url` (default $ICPSIM_URL, else http://127.0.0.1:$PORT, port 5000 as `make run`); the control token from
$ICPSIM_CONTROL_TOKEN (or --token); reads of one sandbox also work with its own token
($ICPSIM_TOKEN). Tables and progress with `rich` on a terminal; `--json` prints the answer.
"""

import argparse
import json
import os
import sys

from mock_miniprogram.sdk import Control, IcpsimError, SandboxClient

DEFAULT_URL = "http://127.0.0.1:5000"


def default_url():
    """Where `make run` listens: $ICPSIM_URL, else 127.0.0.1 on $PORT (5000)."""
    return os.environ.get("ICPSIM_URL") or f"http://127.0.0.1:{os.environ.get('PORT') or 5000}"


class AdminError(Exception):
    def __init__(self, message, code=1):
        super().__init__(message)
        self.code = code


def _console(stderr=False):
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def _common(parser):
    parser.add_argument(
        "--url", default=None, help=f"the simulator (default: $ICPSIM_URL or {DEFAULT_URL}, its port from $PORT)"
    )
    parser.add_argument("--token", default=None, help="the control token (default: $ICPSIM_CONTROL_TOKEN)")
    parser.add_argument("--json", action="store_true", help="print the answer as JSON")


def _url(args):
    return args.url or default_url()


def _control(args):
    token = args.token or os.environ.get("ICPSIM_CONTROL_TOKEN")
    if not token:
        raise AdminError(
            "the control token is needed: set ICPSIM_CONTROL_TOKEN (from `make run`'s banner) or pass --token", code=2
        )
    return Control(_url(args), token)


def _sandbox(args, sid):
    """A client of one sandbox: with the control token when there is one, else $ICPSIM_TOKEN."""
    token = args.token or os.environ.get("ICPSIM_CONTROL_TOKEN")
    if token:
        return SandboxClient(_url(args), sid, token, control=Control(_url(args), token))
    user = os.environ.get("ICPSIM_TOKEN")
    if not user:
        raise AdminError("a token is needed: ICPSIM_CONTROL_TOKEN, or the sandbox's own ICPSIM_TOKEN", code=2)
    return SandboxClient(_url(args), sid, user)


def _print_json(data):
    print(json.dumps(data, ensure_ascii=False, indent=2))


def _table(title, columns, rows):
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*["" if v is None else str(v) for v in row])
    _console().print(table)


def _with_status(text, fn):
    """Run fn() under a spinner on a terminal (stderr), plainly otherwise."""
    console = _console(stderr=True)
    if not console.is_terminal:
        return fn()
    with console.status(text):
        return fn()


def _run(handler):
    def run(args):
        try:
            return handler(args) or 0
        except AdminError as exc:
            print(f"icpsim: {exc}", file=sys.stderr)
            return exc.code
        except IcpsimError as exc:
            print(f"icpsim: {exc}", file=sys.stderr)  # status, code, message and a 422's fields
            return 1
        except OSError as exc:  # requests' connection errors are OSErrors
            print(f"icpsim: cannot reach the simulator at {_url(args)}: {exc}", file=sys.stderr)
            return 1

    return run


# -- icpsim sandbox -------------------------------------------------------------------------

SANDBOX_COLUMNS = ("id", "name", "preset", "seed", "clock", "scale", "token")


def _sandbox_row(sb):
    clock = sb.get("clock") or {}
    return (
        sb["id"],
        sb.get("name"),
        sb.get("preset"),
        sb.get("seed"),
        clock.get("now"),
        clock.get("scale"),
        sb.get("token"),
    )


def _show_sandboxes(args, title, sandboxes):
    if args.json:
        _print_json(sandboxes if len(sandboxes) != 1 or title == "sandboxes" else sandboxes[0])
    else:
        _table(title, SANDBOX_COLUMNS, [_sandbox_row(sb) for sb in sandboxes])


def _sandbox_create(args):
    options = {
        k: v
        for k, v in (("scale", args.scale), ("clock_start", args.clock_start), ("name", args.name))
        if v is not None
    }
    if args.no_pre_submit_checks:
        options["settings"] = {"pre_submit_checks": False}
    seed = int(args.seed) if args.seed is not None and args.seed.lstrip("-").isdigit() else args.seed
    sb = _control(args).new_sandbox(seed=seed, preset=args.preset, **options)
    _show_sandboxes(args, "sandbox created", [sb.info])


def _sandbox_list(args):
    _show_sandboxes(args, "sandboxes", _control(args).sandboxes())


def _sandbox_show(args):
    sb = _sandbox(args, args.sandbox)
    _show_sandboxes(args, f"sandbox {args.sandbox}", [sb.request("GET", f"/sandboxes/{args.sandbox}")])


def _sandbox_reset(args):
    _show_sandboxes(args, f"sandbox {args.sandbox} reset", [_control(args).reset_sandbox(args.sandbox)])


def _sandbox_delete(args):
    _control(args).delete_sandbox(args.sandbox)
    if args.json:
        _print_json({"deleted": args.sandbox})
    else:
        _console().print(f"deleted sandbox {args.sandbox}")


def _sandbox_export(args):
    snapshot = _with_status(f"exporting {args.sandbox}…", lambda: _control(args).snapshot(args.sandbox))
    text = json.dumps(snapshot, ensure_ascii=False, indent=1)
    if args.output in (None, "-"):
        print(text)
    else:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(text + "\n")
        _console(stderr=True).print(f"wrote the snapshot of {args.sandbox} to {args.output}")


def _sandbox_import(args):
    try:
        with sys.stdin if args.file == "-" else open(args.file, encoding="utf-8") as f:
            snapshot = json.load(f)
    except (OSError, ValueError) as exc:
        raise AdminError(f"cannot read the snapshot {args.file}: {exc}") from None
    control = _control(args)
    if args.into:
        info = _with_status(f"loading into {args.into}…", lambda: control.restore(args.into, snapshot))
    else:
        info = _with_status(
            "creating a sandbox from the snapshot…",
            lambda: control.sandbox_from_snapshot(snapshot, name=args.name).info,
        )
    _show_sandboxes(args, "sandbox loaded from the snapshot", [info])


def _add_sandbox_arguments(parser):
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = sub.add_parser("create", help="create a sandbox")
    p.add_argument("--seed", help="integer or string: the same seed gives the same run")
    p.add_argument("--preset", default="eligible", help="empty | eligible | demo (default eligible)")
    p.add_argument("--scale", type=float, help="clock speed (0 paused, 20000 a first filing in a minute)")
    p.add_argument("--clock-start", help="virtual start, e.g. 2026-06-01T09:00:00+08:00")
    p.add_argument("--name")
    p.add_argument(
        "--no-pre-submit-checks",
        action="store_true",
        help="settings.pre_submit_checks false: submit without the forms' extra fields, face check and materials",
    )
    p.set_defaults(_admin=_sandbox_create)
    p = sub.add_parser("list", help="list the sandboxes")
    p.set_defaults(_admin=_sandbox_list)
    for action, fn, text in (
        ("show", _sandbox_show, "show one sandbox"),
        ("reset", _sandbox_reset, "reset it to its preset and seed (same id and token)"),
        ("delete", _sandbox_delete, "delete it and everything in it"),
    ):
        p = sub.add_parser(action, help=text)
        p.add_argument("sandbox", metavar="SANDBOX")
        p.set_defaults(_admin=fn)
    p = sub.add_parser("export", help="write the sandbox's whole state (a snapshot, JSON)")
    p.add_argument("sandbox", metavar="SANDBOX")
    p.add_argument("-o", "--output", help="file to write (default: standard output)")
    p.set_defaults(_admin=_sandbox_export)
    p = sub.add_parser("import", help="load a snapshot into a fresh sandbox (or --into an existing one)")
    p.add_argument("file", metavar="FILE", help="a snapshot written by `icpsim sandbox export` (- for stdin)")
    p.add_argument("--into", metavar="SANDBOX", help="replace this sandbox's state instead")
    p.add_argument("--name", help="name of the new sandbox")
    p.set_defaults(_admin=_sandbox_import)
    for p in sub.choices.values():
        _common(p)


def _dispatch(args):
    return args._admin(args)


sandbox = argparse.Namespace(
    HELP="manage sandboxes of a running simulator (create, list, show, reset, delete, export, import)",
    add_arguments=_add_sandbox_arguments,
    run=_run(_dispatch),
)


# -- icpsim clock -------------------------------------------------------------------------


def _show_clock(args, view, title):
    if args.json:
        _print_json(view)
        return
    _console().print(f"[bold]{title}[/bold]  now {view['now']}  scale {view['scale']}")
    fired = view.get("fired") or []
    if fired:
        _table(
            "fired",
            ("at", "timer", "application", "result"),
            [(f.get("at"), f.get("name"), f.get("app_id"), f.get("result")) for f in fired],
        )
    pending = view.get("pending_timers") or []
    _table(
        "pending timers",
        ("due", "timer", "application"),
        [(t.get("due_at"), t.get("name"), t.get("app_id")) for t in pending],
    )


def _clock_show(args):
    _show_clock(args, _sandbox(args, args.sandbox).clock(), f"clock of {args.sandbox}")


def _clock_advance(args):
    if bool(args.duration) == bool(args.until_idle):
        raise AdminError("give a duration (e.g. 2d, 36h) or --until-idle", code=2)
    sb = SandboxClient(_url(args), args.sandbox, _control(args).token, control=_control(args))
    view = _with_status(
        "advancing the clock (the workers deliver each due timer)…",
        lambda: sb.advance(
            duration=args.duration, until_idle=args.until_idle, include_deadlines=args.include_deadlines
        ),
    )
    _show_clock(args, view, f"clock of {args.sandbox} advanced")


def _clock_scale(args):
    sb = SandboxClient(_url(args), args.sandbox, _control(args).token, control=_control(args))
    _show_clock(args, sb.set_scale(args.scale), f"clock of {args.sandbox} rescaled")


def _add_clock_arguments(parser):
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = sub.add_parser("show", help="the virtual time and the pending timers")
    p.add_argument("sandbox", metavar="SANDBOX")
    p.set_defaults(_admin=_clock_show)
    p = sub.add_parser("advance", help="advance by a duration, or until idle (control token)")
    p.add_argument("sandbox", metavar="SANDBOX")
    p.add_argument("duration", nargs="?", help="2d, 36h, 90m, …")
    p.add_argument("--until-idle", action="store_true", help="until no review or hand-over is pending")
    p.add_argument("--include-deadlines", action="store_true", help="with --until-idle: also the user's deadlines")
    p.set_defaults(_admin=_clock_advance)
    p = sub.add_parser("scale", help="set the clock's speed (0 pauses it)")
    p.add_argument("sandbox", metavar="SANDBOX")
    p.add_argument("scale", type=float)
    p.set_defaults(_admin=_clock_scale)
    for p in sub.choices.values():
        _common(p)


clock = argparse.Namespace(
    HELP="a sandbox's virtual clock: show, advance, scale", add_arguments=_add_clock_arguments, run=_run(_dispatch)
)


# -- icpsim outbox / recording ---------------------------------------------------------


def _outbox(args):
    messages = _sandbox(args, args.sandbox).outbox(channel=args.channel, app_id=args.app)
    if args.json:
        _print_json(messages)
    else:
        _table(
            f"outbox of {args.sandbox}",
            ("at", "channel", "to", "app", "code", "text"),
            [
                (m.get("at"), m.get("channel"), m.get("to"), m.get("app_id"), m.get("code"), m.get("text"))
                for m in messages
            ],
        )


def _add_outbox_arguments(parser):
    parser.add_argument("sandbox", metavar="SANDBOX")
    parser.add_argument("--channel", choices=("sms", "site"), help="only this channel")
    parser.add_argument("--app", metavar="APP_ID", help="only messages about this application")
    _common(parser)


outbox = argparse.Namespace(
    HELP="the SMS and in-site messages a sandbox sent", add_arguments=_add_outbox_arguments, run=_run(_outbox)
)


def _recording(args):
    sys.stdout.write(_sandbox(args, args.sandbox).recording("json" if args.json else "yaml"))


def _add_recording_arguments(parser):
    parser.add_argument("sandbox", metavar="SANDBOX")
    _common(parser)


recording = argparse.Namespace(
    HELP="the sandbox's session as a scenario file: icpsim recording SANDBOX > file.yaml",
    add_arguments=_add_recording_arguments,
    run=_run(_recording),
)
