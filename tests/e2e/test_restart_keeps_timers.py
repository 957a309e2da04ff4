"""Stopping and starting the embedded Redis keeps sandboxes, applications and pending
timers (append-only file), and a timer still fires exactly once afterwards."""

import os

import pytest
from support.people import ZHANG_SAN_ID, personal_payload

from backend.runtime.embedded_redis import EmbeddedRedis
from backend.services import advancing, applications, domains, sandboxes, scheduling, timers
from backend.store.connection import connect


@pytest.fixture
def own_redis(tmp_path, redis_url):
    """A second embedded server we can stop and start; the queue follows REDIS_URL."""
    server = EmbeddedRedis(tmp_path / "var")
    url = server.start()
    old = os.environ["REDIS_URL"]
    os.environ["REDIS_URL"] = url
    scheduling.reset_queue()
    yield server
    os.environ["REDIS_URL"] = old
    scheduling.reset_queue()
    server.stop()


def test_pending_timers_survive_a_restart(own_redis):
    r = connect(os.environ["REDIS_URL"])
    sb = sandboxes.create(r, seed=5, settings={"pre_submit_checks": False})
    sid = sb["id"]
    domains.create(
        r, sid, {"name": "zhangsan-blog.cn", "holder_name": "张三", "holder_certificate_number": ZHANG_SAN_ID}
    )
    ip = sandboxes.cloud.check(r, sid)["usable_ips"][0]["ip"]
    app = applications.create(r, sid, "first_filing", personal_payload(ip))
    applications.act(r, sid, app["id"], "submit")
    pending = timers.clock_view(r, sid)["pending_timers"]
    assert [t["name"] for t in pending] == ["provider_review"]
    r.close()

    own_redis.stop()
    url = own_redis.start()
    r = connect(url)
    assert timers.clock_view(r, sid)["pending_timers"] == pending
    assert applications.get(r, sid, app["id"])["state"] == "provider_review"

    first = advancing.advance(r, sid, until_idle=True)
    assert [f["name"] for f in first["fired"]] == ["provider_review", "send_to_bureau"]
    # delivering the same timer again (a duplicate RQ job) changes nothing
    assert timers.fire(r, sid, pending[0]["id"]) == "gone"
    history = applications.history(r, sid, app["id"])
    assert [e["action"] for e in history].count("provider_approve") == 1
    assert applications.get(r, sid, app["id"])["state"] == "sms_verification"
