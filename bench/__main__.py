"""icpsim benchmarks: `make bench` (or `python -m bench`).

Every figure is reported as a ratio against a baseline measured in the same run on
the same Redis, so results compare across machines: the baseline is one bare
optimistic transaction (WATCH, GET, MULTI, SET, EXEC) on the embedded Redis.
Loops are bounded in count and time; nothing leaves the loopback.
"""
import os
import sys
import tempfile
import time
from pathlib import Path

ROUNDS = int(os.environ.get("ICPSIM_BENCH_ROUNDS", "20"))
BUDGET_S = float(os.environ.get("ICPSIM_BENCH_BUDGET", "60"))


def timed(fn, rounds, budget):
    """Mean seconds per call over at most `rounds` calls or `budget` seconds."""
    start, n = time.perf_counter(), 0
    while n < rounds and time.perf_counter() - start < budget:
        fn(n)
        n += 1
    return (time.perf_counter() - start) / max(n, 1), n


def main():
    os.environ["ICPSIM_SYNC_JOBS"] = "1"  # jobs in-process: we measure our code, not RQ's polling
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from backend.runtime.embedded_redis import EmbeddedRedis
    with tempfile.TemporaryDirectory(prefix="icpsim-bench-") as tmp:
        server = EmbeddedRedis(Path(tmp))
        os.environ["REDIS_URL"] = server.start()
        try:
            return run()
        finally:
            server.stop()


def run():
    from backend.services import applications, cloud, domains, sandboxes, timers
    from backend.store.connection import connect
    from support.people import ZHANG_SAN_ID, personal_payload
    r = connect()

    def bare_tx(i):
        def fn(pipe):
            pipe.watch("bench:k")
            pipe.get("bench:k")
            pipe.multi()
            pipe.set("bench:k", i)
        r.transaction(fn)

    def new_sandbox(i):
        sandboxes.create(r, seed=i)

    def first_filing(i):
        sid = sandboxes.create(r, seed=1000 + i)["id"]
        domains.create(r, sid, {"name": "zhangsan-blog.cn", "holder_name": "张三",
                                "holder_certificate_number": ZHANG_SAN_ID})
        ip = cloud.check(r, sid)["usable_ips"][0]["ip"]
        app = applications.create(r, sid, "first_filing", personal_payload(ip))
        applications.act(r, sid, app["id"], "submit")
        timers.advance(r, sid, until_idle=True)
        code = sandboxes.outbox(r, sid, channel="sms")[-1]["text"].split("核验码为 ")[1][:6]
        applications.verify_sms(r, sid, app["id"], code)
        timers.advance(r, sid, until_idle=True)
        assert applications.get(r, sid, app["id"])["state"] == "approved"

    base, nb = timed(bare_tx, ROUNDS * 50, BUDGET_S / 4)
    rows = [("baseline: bare Redis transaction", base, nb)]
    for name, fn in (("create a sandbox (eligible preset)", new_sandbox),
                     ("first filing, create → approved (2 advances, SMS)", first_filing)):
        mean, n = timed(fn, ROUNDS, BUDGET_S / 2)
        rows.append((name, mean, n))
    print(f"{'benchmark':52} {'runs':>5} {'mean ms':>9} {'× baseline':>11}")
    for name, mean, n in rows:
        print(f"{name:52} {n:5d} {mean * 1000:9.2f} {mean / base:11.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
