"""icpsim benchmark: `make bench` (or `python -m bench`), the real stack beside its floors.

It starts an embedded Redis, then gunicorn and the worker exactly as the Procfile says,
plus the floors: a flask-smorest endpoint doing one HGETALL under the same gunicorn
settings (bench/floor.py) and RQ no-op jobs on the same worker. Every figure is measured
beside its floor in the same round, rounds alternate (≥ 3), and each ratio is reported as
its median and min–max over the rounds, with the goal of issue #11 and pass/fail.

  python -m bench             the full table (~3–5 min on 2 cores); JSON in var/bench.json
  python -m bench --quick     small sizes, 1 round per figure, for CI to keep it working
  python -m bench --strict    exit 1 when a goal is missed
  python -m bench --profile   pyinstrument profiles of a first filing and of the README tour → var/profile-*.html
  python -m bench --only get_application_rps,chat_reply_rps   only these figures (keys as in var/bench.json)
Every loop is bounded in count; nothing leaves the loopback.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # support.people: the README's 张三


class Ctx:
    def __init__(self, stack, quick, small, big):
        from backend.store.connection import connect

        self.stack, self.quick = stack, quick
        self.r = connect(stack.url)
        self.raw = connect(stack.url, decode_responses=False)
        self.small, self.big = small, big
        self._seed = 10_000
        self.notes = {}  # details printed and saved beside the table
        self.last_filing = None  # (icpsim, sum of medians) of the last first-filing measure

    def seed(self):
        self._seed += 1
        return self._seed


# One closure per measure (sharing ctx, the sizes and the quick divisor), then the table naming them.
# long: the benchmark's table of measures with their goals; split up, the table would not read as one
def _measures(ctx, sizes):
    from backend.services import sandboxes, timers
    from bench import measures as m, memory as mem

    q = 3 if ctx.quick else 1  # divisor of counts in quick mode

    def jobs(queue, n):
        def measure():
            icp, floor = m.jobs_round(ctx, queue, n)
            ctx.notes.setdefault("job_latency_ms (transition, no-op)", {}).setdefault(queue, []).append(
                (round(icp * 1000, 1), round(floor * 1000, 1))
            )
            return icp, floor

        return measure

    def filing():
        pairs, ctx.last_filing = m.filing_round(ctx, 1 if ctx.quick else 3)
        ctx.notes.setdefault("first filing ms: (icpsim, floor filing) pairs", []).append(
            [(round(a * 1000, 1), round(b * 1000, 1)) for a, b in pairs]
        )
        return m.paired(pairs)

    def journey():
        from bench.journey import measure

        return measure(ctx)

    def filing_vs_sum():
        """The same filings against the earlier floor: calls × a floor call's median back to back
        + jobs × a no-op job's median (what the table showed until 2026-11-30)."""
        if ctx.last_filing is None:
            filing()
        icp, floor = ctx.last_filing
        ctx.last_filing = None
        return icp, floor

    def trips():
        """The job body (one timer job), and what an advance adds per timer it fires: the
        difference between an advance firing 2 timers and one firing none, on both sides
        (the web request, and the worker's advance job run here in-process)."""
        from backend.services import advancing

        sid, tid, app_id = m.due_timer(ctx.r, ctx.seed())
        with m.round_trips() as body:
            timers.fire(ctx.r, sid, tid, app_id)
        # warm-up: scripts loaded, the queue's connection open (not what an advance costs)
        advancing.run(ctx.r, sandboxes.create(ctx.r, seed=ctx.seed())["id"], None, True, False, 500)
        advancing.advance(ctx.r, sandboxes.create(ctx.r, seed=ctx.seed())["id"], until_idle=True)
        counts = []
        for crowd in (True, False):
            busy = m.due_timer(ctx.r, ctx.seed())[0] if crowd else sandboxes.create(ctx.r, seed=ctx.seed())["id"]
            with m.round_trips() as worker:
                fired = advancing.run(ctx.r, busy, None, True, False, 500)["view"]["fired"]
            web_sid = m.due_timer(ctx.r, ctx.seed())[0] if crowd else sandboxes.create(ctx.r, seed=ctx.seed())["id"]
            with m.round_trips() as web:
                advancing.advance(ctx.r, web_sid, until_idle=True)
            counts.append((worker["n"], web["n"], len(fired)))
        (busy_w, busy_web, k), (idle_w, idle_web, _) = counts
        per_timer = (busy_w - idle_w + busy_web - idle_web) / max(1, k)
        ctx.notes["round_trips"] = {
            "timer_job_body": body["n"],
            "advance_per_timer": per_timer,
            "advance_worker_fixed": idle_w,
            "advance_web_fixed": idle_web,
            "advance_web_with_timers": busy_web,
        }
        return per_timer, None

    def get_app():
        sid, _, app_id = m.due_timer(ctx.r, ctx.seed())
        url = f"{ctx.stack.base}/sandboxes/{sid}/applications/{app_id}"
        n = 80 // q  # a burst; 5 bursts each, icpsim's and the floor's alternating
        return m.paired(
            m.pairs_of(
                lambda: m.throughput(lambda i: url, "GET", 8, n // 8, token=ctx.stack.control),
                lambda: m.throughput(lambda i: ctx.stack.floor_url, "GET", 8, n // 8),
                5,
            )
        )

    def chat():
        import requests

        sid = sandboxes.create(ctx.r, seed=ctx.seed(), preset="demo")["id"]
        auth = {"Authorization": f"Bearer {ctx.stack.control}"}
        convs = [
            requests.post(f"{ctx.stack.base}/sandboxes/{sid}/conversations", json={}, headers=auth, timeout=30).json()[
                "id"
            ]
            for _ in range(4)
        ]
        n = 48 // q  # a burst; 5 bursts each, icpsim's and the floor's alternating
        replies = lambda i: f"{ctx.stack.base}/sandboxes/{sid}/conversations/{convs[i]}/replies"  # noqa: E731
        return m.paired(
            m.pairs_of(
                lambda: m.throughput(replies, "POST", 4, n // 4, ctx.stack.control, lambda i: {"command": "help"}),
                lambda: m.throughput(lambda i: ctx.stack.floor_url, "POST", 4, n // 4, bodies=lambda i: {}),
                5,
            )
        )

    def delete():
        def one(r):
            sid = sandboxes.create(r, seed=1, preset="demo")["id"]
            start = time.perf_counter()
            sandboxes.delete(r, sid)
            return time.perf_counter() - start

        return m.paired(m.pairs_of(lambda: one(ctx.big), lambda: one(ctx.small), 61))  # same load for both

    def page():
        return m.paired(
            m.pairs_of(
                lambda: m.timed(lambda: sandboxes.list_page(ctx.big, "fill0000500", 100), 1),
                lambda: m.timed(lambda: sandboxes.list_page(ctx.small, "fill0000500", 100), 1),
                61,
            )
        )

    def crowded():
        n = 4 if ctx.quick else 10
        pairs = [(m.due_timer(ctx.r, ctx.seed(), crowd=1000), m.due_timer(ctx.r, ctx.seed())) for _ in range(n)]

        def fire(work):
            return m.timed(lambda: timers.fire(ctx.r, *work), 1)

        times = []
        for i, (many, few) in enumerate(pairs):  # which goes first alternates (no order bias)
            if i % 2:
                t_few = fire(few)
                times.append((fire(many), t_few))
            else:
                times.append((fire(many), fire(few)))
        return m.paired(times)

    def replay():
        cmd = [
            str(Path(sys.executable).parent / "icpsim"),
            "replay",
            "--library",
            "-j",
            "4",
            "-q",
            "--url",
            ctx.stack.base.rsplit("/api/v1", 1)[0],
            "--token",
            ctx.stack.control,
        ]
        if ctx.quick:
            cmd += ["-k", "first-filing"]
        start = time.perf_counter()
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            raise RuntimeError(f"replay failed: {done.stdout[-500:]} {done.stderr[-500:]}")
        return time.perf_counter() - start, None

    big, small = sizes
    return [
        (
            "job_procfile_worker",
            "transition job vs no-op job, Procfile worker (SimpleWorker)",
            "ratio",
            "<=",
            1.5,
            jobs("icpsim", 20 // q),
        ),
        (
            "job_forking_worker",
            "same on RQ's forking Worker (for comparison)",
            "ratio",
            None,
            None,
            jobs("bench-fork", 6 // q + 1),
        ),
        (
            "job_preloading_forking_worker",
            "same on a forking Worker that preloads the job module (for comparison)",
            "ratio",
            None,
            None,
            jobs("bench-preload", 6 // q + 1),
        ),
        (
            "first_filing_http",
            "README first filing over HTTP vs its calls and jobs on the floors, run alike",
            "ratio",
            "<=",
            2.0,
            filing,
        ),
        (
            "first_filing_http_vs_sum_of_medians",
            "same filings vs calls × a floor call's median + jobs × a no-op's (earlier floor)",
            "ratio",
            None,
            None,
            filing_vs_sum,
        ),
        (
            "readme_journey_http",
            "README's whole tour (forms, agreement, OTP, face, 3 uploads, reviews) vs floors",
            "ratio",
            "<=",
            2.0,
            journey,
        ),
        (
            "round_trips_per_transition",
            "Redis round trips per timer an advance fires (its transaction included)",
            "value",
            "<=",
            5,
            trips,
        ),
        ("get_application_rps", "GET of one application, req/s vs floor", "ratio", ">=", 0.8, get_app),
        ("chat_reply_rps", "chat reply, req/s vs floor", "ratio", ">=", 0.6, chat),
        (
            "delete_sandbox_big_vs_small",
            f"DELETE a sandbox, {big:,} applications elsewhere vs {small:,}",
            "ratio",
            "<=",
            1.2,
            delete,
        ),
        (
            "list_sandboxes_page_big_vs_small",
            f"GET /sandboxes, a page of 100 mid-list, {big:,} sandboxes vs {small:,}",
            "ratio",
            "<=",
            1.2,
            page,
        ),
        (
            "transition_1000_vs_1",
            "a transition in a sandbox holding 1,000 applications vs 1",
            "ratio",
            "<=",
            1.2,
            crowded,
        ),
        (*mem.FIRST_FILING, "value", "<=", 4, lambda: mem.first_filing_kb(ctx)),
        (*mem.CHAT_FILING, "value", "<=", 8, lambda: mem.chat_filing_kb(ctx)),
        (
            "replay_library_j4_s",
            "icpsim replay --library -j 4, seconds" + (" (quick: -k first-filing)" if ctx.quick else ""),
            "value",
            "<=",
            8,
            replay,
        ),
    ]


def _fill(small_r, big_r, small, big):
    from bench import measures as m

    t0 = time.perf_counter()
    m.fill_elsewhere(small_r, small)
    m.fill_elsewhere(big_r, big)
    print(f"filled {small:,} and {big:,} sandboxes in {time.perf_counter() - t0:.1f} s", flush=True)


def _selected(table, only):
    """The rows of `table` named by --only (all when it is empty)."""
    unknown = only - {key for key, *_ in table}
    if unknown:
        raise SystemExit(f"--only: no such figure {sorted(unknown)}; one of {[key for key, *_ in table]}")
    return [row for row in table if not only or row[0] in only]


FILLED = {"delete_sandbox_big_vs_small", "list_sandboxes_page_big_vs_small"}  # need the filled stores


def run(args):
    from backend.runtime.embedded_redis import EmbeddedRedis
    from backend.store.connection import connect
    from bench import report
    from bench.stack import Stack

    quick = args.quick
    rounds = 1 if quick else max(3, args.rounds)
    big, small = (10_000, 1_000) if quick else (100_000, 1_000)
    only = set(filter(None, (args.only or "").split(",")))
    tmp = Path(tempfile.mkdtemp(prefix="icpsim-bench-"))
    extra = [EmbeddedRedis(tmp / "small"), EmbeddedRedis(tmp / "big")]
    urls = [s.start() for s in extra]
    try:
        small_r, big_r = connect(urls[0]), connect(urls[1])
        if not only or only & FILLED:
            _fill(small_r, big_r, small, big)
        with Stack(tmp) as stack:
            os.environ["REDIS_URL"] = stack.url  # the services this process calls use the stack's Redis
            os.environ.pop("ICPSIM_SYNC_JOBS", None)
            ctx = Ctx(stack, quick, small_r, big_r)
            ctx.r.hset("bench:floor", mapping={"a": "1", "b": "2"})
            table = _selected(_measures(ctx, (big, small)), only)
            results = {key: [] for key, *_ in table}
            for i in range(rounds):
                for key, _label, kind, _op, _goal, fn in table:
                    try:
                        icp, floor, *paired = fn()  # a measure of interleaved pairs gives its own ratio
                        value = paired[0] if paired else icp / floor if kind == "ratio" else icp
                        results[key].append({"icpsim": icp, "floor": floor, "value": value})
                    except Exception as exc:  # noqa: BLE001 — reported in the table, never hidden
                        results[key].append({"error": f"{type(exc).__name__}: {exc}"[:300]})
                    print(f"round {i + 1}/{rounds} {key}: {results[key][-1]}", flush=True)
    finally:
        for s in extra:
            s.stop()
    return report.report(table, results, rounds, quick, args, ctx.notes)


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    p.add_argument(
        "--quick",
        action="store_true",
        default=os.environ.get("BENCH_QUICK") == "1",
        help="small sizes, one round (CI keeps the benchmark working; never a timed assertion)",
    )
    p.add_argument("--strict", action="store_true", help="exit 1 when a goal is missed")
    p.add_argument("--rounds", type=int, default=3, help="rounds per figure (at least 3; quick: 1)")
    p.add_argument("--only", help="comma-separated figure keys (as in var/bench.json): measure only these")
    p.add_argument("--json", default=str(ROOT / "var" / "bench.json"), help="where to write every figure")
    p.add_argument("--profile", action="store_true", help="only profile a first filing and the tour (pyinstrument)")
    p.add_argument("--profile-out", default=str(ROOT / "var" / "profile-first-filing.html"))
    p.add_argument("--profile-tour-out", default=str(ROOT / "var" / "profile-readme-tour.html"))
    p.add_argument("--profile-runs", type=int, default=5)
    args = p.parse_args(argv)
    if args.profile:
        from bench.profile import profile

        return profile(args)
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
