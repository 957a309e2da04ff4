"""Each figure of the performance table: one round of icpsim beside its floor.

A measure's `round(ctx)` returns (icpsim, floor) raw values for one round; the runner
(bench/__main__.py) alternates them over the rounds and divides. Every loop is bounded.
"""

import json
import statistics
import threading
import time
from contextlib import contextmanager

import redis
import requests
from rq import Queue
from support.people import ZHANG_SAN_ID, personal_payload

from backend.domain.clock import Clock
from backend.services import applications, cloud, domains, sandboxes
from backend.store import keys, tx as store

# the measures are of what follows the submit: no forms, face check or uploads before it
LENIENT = {"pre_submit_checks": False}

DOMAIN = {"name": "zhangsan-blog.cn", "holder_name": "张三", "holder_certificate_number": ZHANG_SAN_ID}


# -- counting round trips ----------------------------------------------------


@contextmanager
def round_trips():
    """Counts what this process sends to Redis: one per command, one per pipeline."""
    count = {"n": 0}
    original = redis.connection.AbstractConnection.send_packed_command

    def counted(self, *args, **kwargs):
        count["n"] += 1
        return original(self, *args, **kwargs)

    redis.connection.AbstractConnection.send_packed_command = counted
    try:
        yield count
    finally:
        redis.connection.AbstractConnection.send_packed_command = original


# -- preparing work ------------------------------------------------------------


def due_timer(r, seed, crowd=0):
    """A sandbox with a submitted first filing whose provider review is due now (clock
    paused at its due time): (sandbox id, timer id, application id)."""
    sid = sandboxes.create(r, seed=seed, settings=dict(LENIENT))["id"]
    domains.create(r, sid, dict(DOMAIN))
    ip = cloud.check(r, sid)["usable_ips"][0]["ip"]
    app = applications.create(r, sid, "first_filing", personal_payload(ip))
    applications.act(r, sid, app["id"], "submit")
    if crowd:
        add_applications(r, sid, crowd)
    timer = next(t for t in (json.loads(v) for v in r.hvals(keys.timer_docs(sid))) if t["app_id"] == app["id"])
    store.run(
        r,
        sid,
        lambda tx: tx.set_meta(
            "clock", Clock.from_dict(json.loads(tx.meta()["clock"])).moved_to(timer["due"], 0).to_dict()
        ),
    )
    return sid, timer["id"], app["id"]


def add_applications(r, sid, n, batch=2000):
    """n applications with a timer each, written raw in pipelines (a busy sandbox)."""
    pipe = r.pipeline(transaction=False)
    for i in range(n):
        app = {
            "id": f"Z{i:06d}",
            "state": "provider_review",
            "version": 1,
            "kind": "first_filing",
            "payload": {"note": "x" * 400},
        }
        timer = {
            "id": f"TZ{i:06d}",
            "app_id": app["id"],
            "name": "provider_review",
            "state": "provider_review",
            "version": 1,
            "due": 4e9,
            "due_at": "2096-10-02T07:06:40+08:00",
            "mode": "progress",
        }
        pipe.hset(keys.collection(sid, "applications"), app["id"], store.dumps(app))
        pipe.hset(keys.timer_docs(sid), timer["id"], store.dumps(timer))
        pipe.zadd(keys.timers(sid), {timer["id"]: timer["due"]})
        pipe.sadd(keys.app_timers(sid, app["id"]), timer["id"])
        if i % batch == batch - 1:
            pipe.execute()
    pipe.execute()


def fill_elsewhere(r, n, batch=5000):
    """n other sandboxes, one application (and its history) each: raw pipelined writes."""
    meta = sandboxes._new_meta("x", "t", 1, "eligible", Clock(0, 0, 0), {}, None)
    app = store.dumps({"id": "A0001", "state": "approved", "payload": {"note": "x" * 300}})
    pipe = r.pipeline(transaction=False)
    for i in range(n):
        sid = f"fill{i:07d}"
        pipe.hset(keys.sandbox(sid), mapping=dict(meta, id=sid, name=sid))
        pipe.sadd(keys.SANDBOXES, sid)
        pipe.zadd(keys.SANDBOX_ORDER, {sid: 0})
        pipe.hset(keys.collection(sid, "applications"), "A0001", app)
        pipe.rpush(keys.history(sid, "A0001"), '{"action":"create"}')
        if i % batch == batch - 1:
            pipe.execute()
    pipe.execute()


def median_of(values):
    return statistics.median(values) if values else float("nan")


def pairs_of(big, small, n):
    """n (big, small) timings back to back, which one goes first alternating (no order bias)."""
    out = []
    for i in range(n):
        if i % 2:
            s = small()
            out.append((big(), s))
        else:
            out.append((big(), small()))
    return out


def paired(pairs):
    """(median icpsim, median floor, median of the per-pair ratios): each pair ran back to back,
    so its ratio cancels the machine's drifts that a ratio of two medians would keep."""
    return (
        median_of([a for a, _ in pairs]),
        median_of([b for _, b in pairs]),
        median_of([a / b for a, b in pairs if b]),
    )


# -- jobs ----------------------------------------------------------------------


def job_latency(q, func, *args):
    """Seconds from enqueue to the job's result, waited for on RQ's result stream."""
    start = time.perf_counter()
    job = q.enqueue(func, *args, result_ttl=60)
    result = job.latest_result(timeout=60)
    if result is None:
        raise RuntimeError(f"job {func} got no result within 60 s")
    return time.perf_counter() - start


def jobs_round(ctx, queue_name, n):
    """n transition jobs and n no-op jobs, interleaved, on the given queue."""
    q = Queue(queue_name, connection=ctx.raw)
    work = [due_timer(ctx.r, seed=ctx.seed()) for _ in range(n)]
    icp, floor = [], []
    for sid, tid, app_id in work:
        icp.append(job_latency(q, "workers.jobs.fire_timer", sid, tid, app_id))
        floor.append(job_latency(q, "bench.noop.noop"))
    return median_of(icp), median_of(floor)


# -- HTTP ----------------------------------------------------------------------


class Http:
    """A keep-alive session on one base URL that notes each call (method, path, JSON body) in
    `sent`, so the same calls can be replayed on the floor (`floor_filing`)."""

    def __init__(self, base, token):
        self.base, self.s = base, requests.Session()
        self.s.headers["Authorization"] = f"Bearer {token}"
        self.sent = []

    @property
    def calls(self):
        return len(self.sent)

    def __call__(self, method, path, **kw):
        self.sent.append((method, kw.get("json"), kw.get("params"), kw.get("files"), path.endswith("/clock/advance")))
        resp = self.s.request(method, self.base + path, timeout=60, **kw)
        if resp.status_code >= 400:
            raise RuntimeError(f"{method} {path} -> {resp.status_code}: {resp.text[:300]}")
        return resp.json() if resp.content else None


def first_filing(ctx, seed, http=None):
    """The README's first filing over HTTP, without the stages before submission (as measured
    before they were the default): (seconds, HTTP calls, jobs, sandbox id). `http.sent` keeps
    the calls made, for `floor_filing`."""
    http = http or Http(ctx.stack.base, ctx.stack.control)
    start = time.perf_counter()
    sb = http("POST", "/sandboxes", json={"seed": seed, "settings": dict(LENIENT)})
    home = f"/sandboxes/{sb['id']}"
    http("POST", f"{home}/domains", json=dict(DOMAIN))
    ip = http("GET", f"{home}/eligibility")["usable_ips"][0]["ip"]
    app = http("POST", f"{home}/applications", json={"payload": personal_payload(ip)})
    http("POST", f"{home}/applications/{app['id']}/actions/submit", json={})
    http("POST", f"{home}/clock/advance", json={"until_idle": True})
    code = http("GET", f"{home}/outbox", params={"channel": "sms"})[-1]["text"].split("核验码为 ")[1][:6]
    http("POST", f"{home}/applications/{app['id']}/sms-verification", json={"code": code})
    http("POST", f"{home}/clock/advance", json={"until_idle": True})
    jobs = 2  # each advance is one worker job (backend.services.advancing), whatever it fires
    state = http("GET", f"{home}/applications/{app['id']}")["state"]
    elapsed = time.perf_counter() - start
    if state != "approved":
        raise RuntimeError(f"first filing ended {state}")
    return elapsed, http.calls, jobs, sb["id"]


def floor_filing(ctx, sent):
    """The floor of a first filing, run the way the filing runs: the same calls (method, JSON
    body, query, multipart files) one after the other on a new keep-alive session, each to the floor endpoint,
    and an RQ no-op job, waited for, where the filing's advances ran their job. Seconds."""
    s, q = requests.Session(), Queue("icpsim", connection=ctx.raw)
    start = time.perf_counter()
    for method, body, params, files, runs_a_job in sent:
        s.request(method, ctx.stack.floor_url, json=body, params=params, files=files, timeout=60).raise_for_status()
        if runs_a_job:
            job = q.enqueue("bench.noop.noop", result_ttl=60)
            if job.latest_result(timeout=60) is None:
                raise RuntimeError("the no-op job got no result within 60 s")
    return time.perf_counter() - start


def filing_round(ctx, n):
    """n filings each paired with a floor filing (the same calls on the floor endpoint, no-op
    jobs where its advances ran theirs), which one goes first alternating: (pairs, (median
    icpsim, the earlier floor)) — the earlier floor being each call's floor as the median of 20
    back-to-back floor calls, plus the median of 5 no-op jobs per job (the table's until
    2026-11-30)."""
    sent: list = []

    def icp():
        http = Http(ctx.stack.base, ctx.stack.control)
        elapsed = first_filing(ctx, ctx.seed(), http)[0]
        sent[:] = http.sent
        return elapsed

    pairs = pairs_of(icp, lambda: floor_filing(ctx, sent), n)  # the first pair runs icpsim first: `sent` is set
    noop = median_of([job_latency(Queue("icpsim", connection=ctx.raw), "bench.noop.noop") for _ in range(5)])
    jobs = sum(1 for *_, runs_a_job in sent if runs_a_job)
    earlier = len(sent) * floor_call_latency(ctx, 20) + jobs * noop
    return pairs, (median_of([a for a, _ in pairs]), earlier)


def floor_call_latency(ctx, n):
    s = requests.Session()
    out = []
    for _ in range(n):
        start = time.perf_counter()
        s.get(ctx.stack.floor_url, timeout=30).raise_for_status()
        out.append(time.perf_counter() - start)
    return median_of(out)


def throughput(url, method, threads, per_thread, token=None, bodies=None):
    """Requests per second of `threads` keep-alive clients sending `per_thread` requests each."""
    errors = []

    def client(i):
        s = requests.Session()
        if token:
            s.headers["Authorization"] = f"Bearer {token}"
        for _ in range(per_thread):
            resp = s.request(method, url(i), json=bodies(i) if bodies else None, timeout=60)
            if resp.status_code >= 400:
                errors.append(resp.status_code)
                return

    pool = [threading.Thread(target=client, args=(i,)) for i in range(threads)]
    start = time.perf_counter()
    for t in pool:
        t.start()
    for t in pool:
        t.join(timeout=300)
    elapsed = time.perf_counter() - start
    if errors:
        raise RuntimeError(f"{len(errors)} requests failed: {errors[:5]}")
    return threads * per_thread / elapsed


# -- in-process timings ----------------------------------------------------------


def timed(fn, n):
    out = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return median_of(out)


def memory_of_sandbox(r, sid):
    """Bytes Redis holds for a sandbox: every key of its index, the meta hash and its token."""
    names = set(keys.indexed(sid, r)) | {keys.sandbox(sid)}
    pipe = r.pipeline(transaction=False)
    for k in names:
        pipe.memory_usage(k, samples=0)
    return sum(v or 0 for v in pipe.execute())
