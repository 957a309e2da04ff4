"""A deleted or reset sandbox takes its scheduled RQ jobs with it (issue #8, item 10)."""

import pytest
from api.flows import CONTROL, act, create_app, ok, register_domain, usable_ip
from support.people import personal_payload

from backend.services import scheduling


def rq_jobs_of(r, sid):
    """(scheduled registry entries, job hashes) of the sandbox's timer jobs, read from RQ's keys."""
    reg = scheduling.registry()
    scheduled = [j for j in reg.get_job_ids() if j.startswith(f"icpsim-{sid}-")]
    hashes = list(r.scan_iter(match=f"rq:job:icpsim-{sid}-*", count=500))
    return scheduled, hashes


def submitted_on_a_running_clock(sb):
    ok(sb.put("~/clock/scale", json={"scale": 1}, token=CONTROL))
    register_domain(sb, "zhangsan-blog.cn")
    app = create_app(sb, personal_payload(usable_ip(sb)))["id"]
    act(sb, app, "submit")


@pytest.mark.parametrize("how", ["delete", "reset"])
def test_deleting_or_resetting_a_sandbox_removes_its_scheduled_jobs(sandbox, control, r, how):
    other = __import__("conftest").new_sandbox(control)
    submitted_on_a_running_clock(sandbox)
    submitted_on_a_running_clock(other)
    scheduled, hashes = rq_jobs_of(r, sandbox.sid)
    assert scheduled and hashes  # the review's timer is on RQ's schedule
    if how == "delete":
        assert control.delete(f"/api/v1/sandboxes/{sandbox.sid}").status_code == 204
    else:
        ok(sandbox.post("~/reset", token=CONTROL))
    assert rq_jobs_of(r, sandbox.sid) == ([], [])
    assert rq_jobs_of(r, other.sid)[0]  # another sandbox's jobs stay
