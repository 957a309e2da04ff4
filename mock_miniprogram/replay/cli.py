"""`icpsim replay PATH... [--url URL] [--junit FILE] [-j N]` — run scenario files.

Registered in backend.cli.PLUGIN_MODULES. Without --url it starts a simulator of its
own (embedded Redis, gunicorn, rq workers on a free loopback port) and stops it at
the end. Exit code: 0 when every scenario passed, 1 when any failed or could not be
read, 2 for a usage error.
"""
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
    parser.add_argument("-j", "--jobs", type=int, default=1, metavar="N",
                        help="run N scenarios in parallel, each in its own sandbox (default 1)")
    parser.add_argument("-k", dest="select", metavar="TEXT", help="only scenarios whose name or file contains TEXT")
    parser.add_argument("--transcripts", metavar="DIR",
                        help="write each scenario's transcript (JSON lines) to DIR/<file>.jsonl")
    parser.add_argument("--keep", action="store_true", help="keep the sandboxes (default: delete them)")
    parser.add_argument("--check", action="store_true", help="only validate the files against the schema")
    parser.add_argument("--schema", action="store_true", help="print the JSON Schema of scenario files and exit")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar")


class Progress:
    """A progress bar on a terminal; one line per scenario otherwise."""

    def __init__(self, total, quiet=False, stream=None):
        self.total, self.quiet = total, quiet
        self.stream = stream or sys.stderr
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.done = self.passed = self.failed = 0
        self.lock = threading.Lock()
        self.started = time.monotonic()

    def bar(self, width=28):
        filled = int(width * self.done / self.total) if self.total else width
        return "[" + "#" * filled + "." * (width - filled) + "]"

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
            if self.tty:
                line = (f"\r{self.bar()} {self.done}/{self.total}  passed {self.passed}  failed {self.failed}"
                        f"  {time.monotonic() - self.started:5.1f}s  {mark} {result.name[:40]}")
                self.stream.write(line.ljust(120)[:160])
                if self.done == self.total:
                    self.stream.write("\n")
            else:
                self.stream.write(f"{self.bar()} {self.done}/{self.total} {mark} {result.name} "
                                  f"({result.duration:.1f}s)\n")
            self.stream.flush()


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
        return list(pool.map(one, scenarios))


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
    from mock_miniprogram.replay import junit, parser

    if args.schema:
        print(json.dumps(parser.schema(), ensure_ascii=False, indent=2))
        return 0
    paths = list(args.paths) + ([str(parser.builtin_library())] if args.library else [])
    if not paths:
        raise CliError("no scenario given: icpsim replay PATH... (files or folders), or --library", code=2)
    if args.jobs < 1:
        raise CliError("-j needs a positive number", code=2)
    scenarios, errors = load_all(paths, args.select)
    if args.check:
        for e in errors:
            print(f"ERROR {e.path}\n  " + e.message.replace("\n", "\n  "))
        print(f"{len(scenarios)} valid, {len(errors)} invalid")
        return 1 if errors else 0
    if not scenarios and not errors:
        raise CliError("no scenario files found in " + ", ".join(paths), code=2)

    started = time.monotonic()
    sim = None
    url, token = args.url, args.token or os.environ.get("ICPSIM_CONTROL_TOKEN")
    results = []
    try:
        if scenarios:
            if url is None:
                from mock_miniprogram.replay.local import LocalSimulator, LocalSimulatorError
                print(f"icpsim replay: starting a simulator (embedded Redis, web, {max(2, args.jobs)} workers)…",
                      file=sys.stderr)
                try:
                    sim = LocalSimulator(workers=max(2, args.jobs)).start()
                except LocalSimulatorError as exc:
                    raise CliError(str(exc)) from None
                url, token = sim.url, sim.control_token
            elif not token:
                raise CliError("--url needs the control token: --token or $ICPSIM_CONTROL_TOKEN", code=2)
            print(f"icpsim replay: {len(scenarios)} scenario(s) against {url}"
                  f"{' (self-started)' if sim else ''}, {args.jobs} at a time", file=sys.stderr)
            progress = Progress(len(scenarios), quiet=args.quiet)
            results = run_all(scenarios, url, token, jobs=args.jobs, progress=progress, keep=args.keep)
    finally:
        if sim is not None:
            sim.stop()
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
    print(summary(results, elapsed))
    if args.junit:
        print(f"JUnit report: {args.junit}")
    return 1 if bad else 0
