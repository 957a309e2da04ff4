"""Issue 9: the admin commands of `icpsim` (mock_miniprogram/admin.py) run as real processes
against a real running stack (gunicorn + rq worker), over HTTP only."""

import json
import os
import subprocess
import sys

import pytest
import yaml
from support.people import personal_payload
from support.procs import running_stack

CONTROL = "qa-admin-control"


@pytest.fixture(scope="module")
def stack(redis_url, tmp_path_factory):
    from backend.store.connection import connect

    connect(redis_url).flushdb()
    with running_stack(redis_url, CONTROL, tmp_path_factory.mktemp("admin") / "processes.log") as s:
        yield s


def icpsim(stack, *args, token=CONTROL, user_token=None, check=True):
    env = {k: v for k, v in os.environ.items() if k not in ("ICPSIM_CONTROL_TOKEN", "ICPSIM_TOKEN")}
    if token:
        env["ICPSIM_CONTROL_TOKEN"] = token
    if user_token:
        env["ICPSIM_TOKEN"] = user_token
    env["COLUMNS"] = "250"  # rich tables: one row per line
    done = subprocess.run(
        [sys.executable, "-m", "icpsim_cli", *args, "--url", stack.origin],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if check:
        assert done.returncode == 0, (done.stdout, done.stderr)
    return done


def as_json(stack, *args, **kw):
    return json.loads(icpsim(stack, *args, "--json", **kw).stdout)


def test_sandbox_create_list_show_reset_delete(stack):
    sb = as_json(stack, "sandbox", "create", "--seed", "42", "--preset", "eligible")
    assert sb["seed"] == "42" and sb["token"].startswith("sbt_")
    assert sb["settings"] == {"pre_submit_checks": True}  # the real stages: the server's default
    fast = as_json(stack, "sandbox", "create", "--no-pre-submit-checks")
    assert fast["settings"] == {"pre_submit_checks": False}
    table = icpsim(stack, "sandbox", "list").stdout
    assert sb["id"] in table and "eligible" in table  # a rich table
    assert [s["id"] for s in as_json(stack, "sandbox", "list")].count(sb["id"]) == 1
    # show works with the sandbox's own token too
    assert as_json(stack, "sandbox", "show", sb["id"], token=None, user_token=sb["token"])["id"] == sb["id"]
    assert as_json(stack, "sandbox", "reset", sb["id"])["token"] == sb["token"]
    icpsim(stack, "sandbox", "delete", sb["id"])
    gone = icpsim(stack, "sandbox", "show", sb["id"], check=False)
    assert gone.returncode == 1 and "404 SANDBOX_NOT_FOUND" in gone.stderr


def test_a_refused_value_is_named_with_what_is_wrong(stack):
    """A 422 names its fields on the command line, not only 提交的信息有误."""
    done = icpsim(stack, "sandbox", "create", "--scale", "-1", check=False)
    assert done.returncode == 1
    line = done.stderr.strip()
    assert line.startswith("icpsim: 422 VALIDATION_FAILED: ") and "scale" in line.split("（", 1)[1], line


def test_without_a_token_it_says_which_one(stack):
    done = icpsim(stack, "sandbox", "list", token=None, check=False)
    assert done.returncode == 2 and "ICPSIM_CONTROL_TOKEN" in done.stderr


LENIENT = {"pre_submit_checks": False}


def filed_sandbox(stack):
    """A sandbox with a first filing waiting for MIIT's SMS code (through the SDK; the fast path,
    no stages before the submit)."""
    from mock_miniprogram.sdk import Control

    sb = Control(stack.origin, CONTROL).new_sandbox(seed=42, settings=LENIENT)
    sb.create_domain("zhangsan-blog.cn", "张三", "440305199001010018")
    app = sb.create_application("first_filing", personal_payload(sb.eligibility()["usable_ips"][0]["ip"]))
    sb.act(app["id"], "submit")
    return sb, app["id"]


def test_clock_show_advance_scale_and_the_outbox(stack):
    sb, app = filed_sandbox(stack)
    shown = as_json(stack, "clock", "show", sb.sid)
    assert shown["now"] == "2026-06-01T09:00:00+08:00" and shown["pending_timers"]
    assert "provider_review" in icpsim(stack, "clock", "show", sb.sid).stdout
    advanced = as_json(stack, "clock", "advance", sb.sid, "--until-idle")
    assert [f["name"] for f in advanced["fired"]][:1] == ["provider_review"]
    assert sb.application(app)["state"] == "sms_verification"
    table = icpsim(stack, "clock", "advance", sb.sid, "1h").stdout
    assert "advanced" in table
    assert as_json(stack, "clock", "scale", sb.sid, "0")["scale"] == 0
    bad = icpsim(stack, "clock", "advance", sb.sid, check=False)
    assert bad.returncode == 2 and "--until-idle" in bad.stderr
    sms = as_json(stack, "outbox", sb.sid, "--channel", "sms")
    assert sms and sms[-1]["code"] == "MIIT_SMS_CODE"
    assert "MIIT_SMS_CODE" in icpsim(stack, "outbox", sb.sid).stdout


def test_recording_to_a_file_and_it_replays(stack, tmp_path):
    sb, app = filed_sandbox(stack)
    text = icpsim(stack, "recording", sb.sid).stdout
    scenario = yaml.safe_load(text)
    assert scenario["seed"] == 42 and scenario["steps"]
    (tmp_path / "rec.yaml").write_text(text, encoding="utf-8")
    done = icpsim(stack, "replay", str(tmp_path / "rec.yaml"), "--token", CONTROL)
    assert "1 passed" in done.stdout


def test_export_and_import_a_snapshot_then_go_on(stack, tmp_path):
    sb, app = filed_sandbox(stack)
    sb.advance(until_idle=True)
    snap = tmp_path / "world.json"
    icpsim(stack, "sandbox", "export", sb.sid, "-o", str(snap))
    assert json.loads(snap.read_text())["format"] == "icpsim-snapshot"
    copy = as_json(stack, "sandbox", "import", str(snap))
    assert copy["id"] != sb.sid
    from mock_miniprogram.sdk import Control

    twin = Control(stack.origin, CONTROL).sandbox(copy["id"])
    assert twin.application(app)["state"] == "sms_verification"
    twin.verify_sms(app, twin.sms_code(app))
    twin.advance(until_idle=True)
    assert twin.application(app)["state"] == "approved"
    again = as_json(stack, "sandbox", "import", str(snap), "--into", copy["id"])
    assert again["id"] == copy["id"] and twin.application(app)["state"] == "sms_verification"


def test_an_imported_running_clock_has_its_timers_rearmed(stack, tmp_path):
    """The copy's pending timers are handed to the real worker's scheduler again: provider
    review fires by itself in the copy (its clock runs), with nobody advancing it."""
    import time

    sb, app = filed_sandbox(stack)  # paused: provider review pending, no job scheduled
    snap = tmp_path / "world.json"
    icpsim(stack, "sandbox", "export", sb.sid, "-o", str(snap))
    data = json.loads(snap.read_text())
    clock = json.loads(data["keys"][""]["value"]["clock"])
    data["keys"][""]["value"]["clock"] = json.dumps(dict(clock, scale=50000.0))  # 1 working day ≈ 2 s
    snap.write_text(json.dumps(data, ensure_ascii=False))
    copy = as_json(stack, "sandbox", "import", str(snap))
    from mock_miniprogram.sdk import Control

    twin = Control(stack.origin, CONTROL).sandbox(copy["id"])
    deadline = time.monotonic() + 90
    while twin.application(app)["state"] == "provider_review" and time.monotonic() < deadline:
        time.sleep(0.5)
    assert twin.application(app)["state"] != "provider_review"
    assert sb.application(app)["state"] == "provider_review"  # the original's clock is still paused


def test_recordings_of_a_running_clock_replay_with_real_workers(stack, tmp_path):
    """Issue 9 item 1, as reported: a 20000x sandbox whose filing the worker moves on by
    itself; three exports in a row, each replayed green."""
    import time

    from mock_miniprogram.sdk import Control

    sb = Control(stack.origin, CONTROL).new_sandbox(seed=42, scale=20000, settings=LENIENT)
    sb.create_domain("zhangsan-blog.cn", "张三", "440305199001010018")
    app = sb.create_application("first_filing", personal_payload(sb.eligibility()["usable_ips"][0]["ip"]))
    sb.act(app["id"], "submit")
    for n in range(3):
        time.sleep(1.5)  # about 8 virtual hours: reviews fall due, the worker delivers them
        path = tmp_path / f"running-{n}.yaml"
        path.write_text(icpsim(stack, "recording", sb.sid).stdout, encoding="utf-8")
        done = icpsim(stack, "replay", str(path), "--token", CONTROL, "-q", check=False)
        assert done.returncode == 0 and "1 passed" in done.stdout, (path.read_text(), done.stdout)
