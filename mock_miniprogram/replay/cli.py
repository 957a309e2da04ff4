"""`icpsim replay PATH... [--url URL] [--junit FILE] [-j N]` — run scenario files.

Registered by the `icpsim` launcher (icpsim_cli). Without --url it starts a simulator of its
own (embedded Redis, gunicorn, rq workers on a free loopback port) and stops it at
the end. Exit code: 0 when every scenario passed, 1 when any failed or could not be
read, 2 for a usage error.
"""

import argparse
import json
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HELP = "replay scenario files (YAML) against a simulator and check their expectations"


def add_arguments(parser):
    parser.add_argument("paths", nargs="*", metavar="PATH", help="scenario files or folders (*.yaml, *.yml)")
    parser.add_argument("--library", action="store_true", help="also run the built-in scenario library")
    parser.add_argument("--url", help="a running simulator (default: start one on an embedded Redis)")
    parser.add_argument("--token", help="its control token (default: $ICPSIM_CONTROL_TOKEN)")
    parser.add_argument("--junit", metavar="FILE", help="write a JUnit XML report to FILE")
    parser.add_argument(
        "-j",
        "--jobs",
        type=int,
        default=1,
        metavar="N",
        help="run N scenarios in parallel, each in its own sandbox (default 1)",
    )
    parser.add_argument("-k", dest="select", metavar="TEXT", help="only scenarios whose name or file contains TEXT")
    parser.add_argument(
        "--transcripts", metavar="DIR", help="write each scenario's transcript (JSON lines) to DIR/<file>.jsonl"
    )
    parser.add_argument("--keep", action="store_true", help="keep the sandboxes (default: delete them)")
    parser.add_argument("--check", action="store_true", help="only validate the files against the schema")
    parser.add_argument("--schema", action="store_true", help="print the JSON Schema of scenario files and exit")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    parser.add_argument(
        "--watch", action="store_true", help="run again whenever a file changes (the authoring loop; Ctrl-C stops)"
    )
    parser.add_argument("--max-runs", type=int, default=None, metavar="N", help=argparse.SUPPRESS)


class Progress:
    """`rich`'s progress bar on a terminal; one line per scenario otherwise (CI logs)."""

    def __init__(self, total, quiet=False, stream=None):
        from rich.console import Console

        self.total, self.quiet = total, quiet
        self.console = Console(file=stream or sys.stderr, highlight=False, soft_wrap=True)
        self.done = self.passed = self.failed = 0
        self.lock = threading.Lock()
        self.bar = None
        if self.console.is_terminal and not quiet:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress as Bar, TextColumn, TimeElapsedColumn

            self.bar = Bar(
                TextColumn("[bold]replay"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("[green]{task.fields[passed]} passed[/] [red]{task.fields[failed]} failed[/]"),
                TimeElapsedColumn(),
                TextColumn("{task.description}"),
                console=self.console,
            )
            self.task = self.bar.add_task("", total=total, passed=0, failed=0)
            self.bar.start()

    def update(self, result):
        with self.lock:
            self.done += 1
            if result.ok:
                self.passed += 1
            else:
                self.failed += 1
            if self.quiet:
                return
            mark = "ok  " if result.ok else ("FAIL" if result.status == "failed" else "ERR ")
            if self.bar is not None:
                self.bar.update(
                    self.task,
                    advance=1,
                    passed=self.passed,
                    failed=self.failed,
                    description=f"{mark} {result.name[:40]}",
                )
                if self.done == self.total:
                    self.close()
            else:
                self.console.print(
                    f"{self.done}/{self.total} {mark} {result.name} ({result.duration:.1f}s)", markup=False
                )

    def close(self):
        if self.bar is not None:
            self.bar.stop()
            self.bar = None


def _error_result(path, message):
    from mock_miniprogram.replay.runner import Result

    return Result(path=str(path), name=Path(path).name, status="error", message=message)


def load_all(paths, select=None):
    """(scenarios, error results) for the given files and folders."""
    from mock_miniprogram.replay import parser

    scenarios, errors = [], []
    try:
        files = parser.collect(paths)
    except parser.ScenarioError as exc:
        return [], [_error_result(exc.path, "; ".join(exc.problems))]
    for f in files:
        try:
            sc = parser.load(f)
        except parser.ScenarioError as exc:
            errors.append(_error_result(f, "invalid scenario file:\n" + "\n".join(f"- {p}" for p in exc.problems)))
            continue
        if select and select not in sc.name and select not in str(f):
            continue
        scenarios.append(sc)
    return scenarios, errors


def run_all(scenarios, url, token, jobs=1, progress=None, keep=False):
    """Results in the order of `scenarios`, each run in its own fresh sandbox."""
    from mock_miniprogram.replay.runner import Runner

    runner = Runner(url, token, keep_sandboxes=keep)

    def one(sc):
        try:
            result = runner.run(sc)
        except Exception as exc:  # a bug in the runner must not hide the other results
            result = _error_result(sc.path, f"{type(exc).__name__}: {exc}")
            result.name = sc.name
        if progress:
            progress.update(result)
        return result

    if jobs <= 1:
        return [one(sc) for sc in scenarios]
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        # the longest first, so the run does not end on one long scenario while the other
        # threads idle; the results keep the files' order (and each its own sandbox)
        futures = {id(sc): pool.submit(one, sc) for sc in sorted(scenarios, key=_weight, reverse=True)}
        return [futures[id(sc)].result() for sc in scenarios]


def _weight(scenario):
    """A scenario's expected length: its steps, a clock advance (worker jobs, reviews) as three."""
    steps = [s for s in scenario.steps if isinstance(s, dict)]
    return len(steps) + 2 * sum("advance" in s or "teleport" in s for s in steps) + len(scenario.world)


def write_transcripts(folder, results):
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    used = set()
    for r in results:
        stem = Path(r.path).stem
        name, n = stem, 1
        while name in used:
            n += 1
            name = f"{stem}-{n}"
        used.add(name)
        (folder / f"{name}.jsonl").write_text(r.transcript_text(), encoding="utf-8")


def summary(results, elapsed):
    passed = sum(r.ok for r in results)
    failed = sum(r.status == "failed" for r in results)
    errors = sum(r.status == "error" for r in results)
    return f"{len(results)} scenarios: {passed} passed, {failed} failed, {errors} errors in {elapsed:.1f}s"


class CliError(Exception):
    """A usage or start-up problem: one sentence on stderr, and an exit code."""

    def __init__(self, message, code=1):
        super().__init__(message)
        self.code = code


def run(args):
    try:
        return _run(args)
    except CliError as exc:
        print(f"icpsim replay: {exc}", file=sys.stderr)
        return exc.code


def _run(args):
    from mock_miniprogram.replay import parser

    if args.schema:
        print(json.dumps(parser.schema(), ensure_ascii=False, indent=2))
        return 0
    paths = _paths(args, parser)
    scenarios, errors = load_all(paths, args.select)
    if args.check:
        return _validity(scenarios, errors)
    if not scenarios and not errors and not args.watch:
        raise CliError("no scenario files found in " + ", ".join(paths), code=2)
    sim = None
    try:
        if scenarios or args.watch:
            sim, url, token = _simulator(args)
        else:
            url = token = None
        code = _once(args, paths, url, token, scenarios, errors, sim is not None)
        runs = 1
        while args.watch and (args.max_runs is None or runs < args.max_runs):
            print(
                f"icpsim replay: watching {', '.join(paths)} for changes (Ctrl-C to stop)", file=sys.stderr, flush=True
            )
            _wait_for_change(paths)
            scenarios, errors = load_all(paths, args.select)
            code = _once(args, paths, url, token, scenarios, errors, sim is not None)
            runs += 1
        return code
    except KeyboardInterrupt:
        if not args.watch:
            raise
        print("icpsim replay: stopped watching", file=sys.stderr)
        return 0
    finally:
        if sim is not None:
            sim.stop()


def _paths(args, parser):
    """The files and folders to replay (--library adds the built-in library); usage checked."""
    paths = list(args.paths) + ([str(parser.builtin_library())] if args.library else [])
    if not paths:
        raise CliError("no scenario given: icpsim replay PATH... (files or folders), or --library", code=2)
    if args.jobs < 1:
        raise CliError("-j needs a positive number", code=2)
    return paths


def _validity(scenarios, errors):
    """--check: each invalid file's problems, then the counts; exit code 1 when any is invalid."""
    for e in errors:
        print(f"ERROR {e.path}\n  " + e.message.replace("\n", "\n  "))
    print(f"{len(scenarios)} valid, {len(errors)} invalid")
    return 1 if errors else 0


def _simulator(args):
    """(self-started simulator or None, url, control token)."""
    url, token = args.url, args.token or os.environ.get("ICPSIM_CONTROL_TOKEN")
    if url is not None:
        if not token:
            raise CliError("--url needs the control token: --token or $ICPSIM_CONTROL_TOKEN", code=2)
        return None, url, token
    from mock_miniprogram.replay.local import LocalSimulator, LocalSimulatorError

    print(
        f"icpsim replay: starting a simulator (`icpsim up`: embedded Redis, web, {max(2, args.jobs)} workers)…",
        file=sys.stderr,
    )
    try:
        sim = LocalSimulator(workers=max(2, args.jobs)).start()
    except LocalSimulatorError as exc:
        raise CliError(str(exc)) from None
    return sim, sim.url, sim.control_token


def _mtimes(paths):
    from mock_miniprogram.replay import parser

    try:
        files = parser.collect(paths)
    except parser.ScenarioError:
        files = [Path(p) for p in paths]
    out = {}
    for f in files:
        try:
            out[str(f)] = f.stat().st_mtime_ns
        except OSError:
            out[str(f)] = None
    return out


def _wait_for_change(paths, poll=0.3):
    """Poll the files' modification times (and the folders' file lists) until one changes."""
    before = _mtimes(paths)
    while True:
        time.sleep(poll)
        if _mtimes(paths) != before:
            time.sleep(poll)  # an editor writes in several steps: let it finish
            return


def _once(args, paths, url, token, scenarios, errors, self_started):
    """One run of the files: progress, failures, summary, reports; the exit code."""
    from mock_miniprogram.replay import junit

    started = time.monotonic()
    results = []
    if scenarios:
        print(
            f"icpsim replay: {len(scenarios)} scenario(s) against {url}"
            f"{' (self-started)' if self_started else ''}, {args.jobs} at a time",
            file=sys.stderr,
        )
        progress = Progress(len(scenarios), quiet=args.quiet)
        try:
            results = run_all(scenarios, url, token, jobs=args.jobs, progress=progress, keep=args.keep)
        finally:
            progress.close()
    elapsed = time.monotonic() - started
    results = errors + results
    if args.transcripts:
        write_transcripts(args.transcripts, [r for r in results if r.transcript])
    if args.junit:
        junit.write(args.junit, results, total_time=elapsed)
    bad = [r for r in results if not r.ok]
    for r in bad:
        print(("FAILED " if r.status == "failed" else "ERROR  ") + r.report(), file=sys.stdout)
        print(file=sys.stdout)
    print(summary(results, elapsed), flush=True)
    if args.junit:
        print(f"JUnit report: {args.junit}")
    return 1 if bad else 0
