"""`python -m bench --profile`: the README's first filing, in one process, under pyinstrument
(var/profile-first-filing.html and .txt)."""

import os
import tempfile
from pathlib import Path


def profile(args):
    """A first filing in one process (jobs run in-process, RQ's sync mode), under pyinstrument."""
    from pyinstrument import Profiler

    from backend.runtime.embedded_redis import EmbeddedRedis

    os.environ["ICPSIM_SYNC_JOBS"] = "1"
    os.environ.setdefault("ICPSIM_CONTROL_TOKEN", "bench-control")
    with tempfile.TemporaryDirectory(prefix="icpsim-profile-") as tmp:
        server = EmbeddedRedis(Path(tmp))
        os.environ["REDIS_URL"] = server.start()
        try:
            from backend.app import create_app
            from backend.store.connection import connect

            r = connect()
            client = create_app(r).test_client()
            control = os.environ["ICPSIM_CONTROL_TOKEN"]
            h = {"Authorization": f"Bearer {control}"}

            def call(method, path, **kw):
                resp = client.open("/api/v1" + path, method=method, headers=h, **kw)
                assert resp.status_code < 400, (path, resp.status_code, resp.get_data(as_text=True)[:300])
                return resp.get_json()

            profiler = Profiler(interval=0.0005)
            profiler.start()
            for seed in range(args.profile_runs):
                _first_filing(call, seed)
            profiler.stop()
        finally:
            server.stop()
    out = Path(args.profile_out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(profiler.output_html())
    out.with_suffix(".txt").write_text(profiler.output_text(unicode=True, color=False))
    print(f"profile of {args.profile_runs} first filings: {out} (and {out.with_suffix('.txt')})")
    return 0


def _first_filing(call, seed):
    """The README's first filing of 张三, approved, through `call` (method, path, **kw)."""
    from support.people import ZHANG_SAN_ID, personal_payload

    sid = call("POST", "/sandboxes", json={"seed": seed, "settings": {"pre_submit_checks": False}})["id"]
    home = f"/sandboxes/{sid}"
    call(
        "POST",
        f"{home}/domains",
        json={"name": "zhangsan-blog.cn", "holder_name": "张三", "holder_certificate_number": ZHANG_SAN_ID},
    )
    ip = call("GET", f"{home}/eligibility")["usable_ips"][0]["ip"]
    app = call("POST", f"{home}/applications", json={"payload": personal_payload(ip)})
    call("POST", f"{home}/applications/{app['id']}/actions/submit", json={})
    call("POST", f"{home}/clock/advance", json={"until_idle": True})
    code = call("GET", f"{home}/outbox?channel=sms")[-1]["text"].split("核验码为 ")[1][:6]
    call("POST", f"{home}/applications/{app['id']}/sms-verification", json={"code": code})
    call("POST", f"{home}/clock/advance", json={"until_idle": True})
    assert call("GET", f"{home}/applications/{app['id']}")["state"] == "approved"
