"""`python -m bench --profile`: in one process (jobs run in-process, RQ's sync mode), under
pyinstrument, the README's first filing (var/profile-first-filing.html and .txt) and the README's
whole tour, forms to approval with its three image uploads (var/profile-readme-tour.html and .txt):
where the time of the two HTTP figures goes, the tour being the one that misses its goal."""

import io
import os
import tempfile
from pathlib import Path


def profile(args):
    """Both profiles, `args.profile_runs` runs each, on one embedded Redis."""
    from backend.runtime.embedded_redis import EmbeddedRedis

    os.environ["ICPSIM_SYNC_JOBS"] = "1"
    os.environ.setdefault("ICPSIM_CONTROL_TOKEN", "bench-control")
    with tempfile.TemporaryDirectory(prefix="icpsim-profile-") as tmp:
        server = EmbeddedRedis(Path(tmp))
        os.environ["REDIS_URL"] = server.start()
        os.environ.setdefault("ICPSIM_UPLOADS_DIR", str(Path(tmp) / "uploads"))  # the tour's images, gone with it
        try:
            call = _client()
            runs = range(args.profile_runs)
            _write(_profiled(lambda: [_first_filing(call, seed) for seed in runs]), Path(args.profile_out))
            pngs = {seed: _tour_png(seed) for seed in runs}  # drawn before: the profile is the tour's calls
            tour = _profiled(lambda: [_readme_tour(call, seed, pngs[seed]) for seed in runs])
            _write(tour, Path(args.profile_tour_out))
        finally:
            server.stop()
    print(f"profiles of {args.profile_runs} first filings and {args.profile_runs} README tours: ")
    print(f"  {args.profile_out} and {args.profile_tour_out} (and their .txt)")
    return 0


def _client():
    """`call(method, path, json=, query_string=, data=)` on the app's test client, as the control
    token; refuses any 4xx/5xx (a profile of an error path would mislead)."""
    from backend.app import create_app
    from backend.store.connection import connect

    client = create_app(connect()).test_client()
    headers = {"Authorization": f"Bearer {os.environ['ICPSIM_CONTROL_TOKEN']}"}

    def call(method, path, **kw):
        resp = client.open("/api/v1" + path, method=method, headers=headers, **kw)
        assert resp.status_code < 400, (path, resp.status_code, resp.get_data(as_text=True)[:300])
        return resp.get_json()

    return call


def _profiled(work):
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0005)
    profiler.start()
    try:
        work()
    finally:
        profiler.stop()
    return profiler


def _write(profiler, out):
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(profiler.output_html())
    out.with_suffix(".txt").write_text(profiler.output_text(unicode=True, color=False))


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


def _tour_png(seed):
    from bench.journey import id_png

    return id_png(f"profile {seed}")


def _readme_tour(call, seed, png):
    """The benchmark's README tour (bench/journey.readme_filing), its calls on the test client."""
    from bench.journey import readme_filing

    def http(method, path, json=None, params=None, files=None):
        kw = {"json": json} if json is not None else {}
        if params:
            kw["query_string"] = params
        if files:
            kw["data"] = {name: (io.BytesIO(body), filename, kind) for name, (filename, body, kind) in files.items()}
        return call(method, path, **kw)

    readme_filing(None, seed, http, png=png)
