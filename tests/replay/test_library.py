"""End to end, with real processes: the built-in library against a simulator the runner
starts itself (embedded Redis, gunicorn, rq workers), the CLI with JUnit output, and
determinism — byte-identical transcripts across runs and with -j 1 vs -j 4."""

import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from mock_miniprogram.replay import cli, parser
from mock_miniprogram.replay.local import LocalSimulator

LIBRARY = parser.builtin_library()
ICPSIM = [sys.executable, "-m", "icpsim_cli"]


@pytest.fixture(scope="module")
def simulator():
    with LocalSimulator(workers=4) as sim:
        yield sim


@pytest.fixture(scope="module")
def library():
    scenarios, errors = cli.load_all([LIBRARY])
    assert not errors, [e.report() for e in errors]
    return scenarios


@pytest.fixture(scope="module")
def parallel_run(simulator, library):
    return cli.run_all(library, simulator.url, simulator.control_token, jobs=4)


def test_the_library_covers_what_it_should(library):
    tags = {t for sc in library for t in sc.tags}
    from backend.domain import kinds, review

    assert len(library) >= 30
    implemented = kinds.IMPLEMENTED
    assert implemented <= tags, sorted(implemented - tags)  # every kind that works has its scenario
    first_filing_codes = {r.code for r in review.RULES} | {"SMS_TIMEOUT", "SMS_CODE_FAILED", "RANDOM_REVIEW_REJECTION"}
    assert first_filing_codes <= tags, sorted(first_filing_codes - tags)  # every rejection code
    for need in (
        "eligibility",
        "withdrawal",
        "expiry",
        "resubmission",
        "gateway",
        "faults",
        "teleport",
        "chat",
        "conflict",
        "timeout",
        "wrong_code",
    ):
        assert need in tags, need


def test_the_whole_library_passes_in_parallel(parallel_run):
    failed = [r.report() for r in parallel_run if not r.ok]
    assert not failed, "\n\n".join(failed)


def test_transcripts_are_identical_across_runs_and_parallelism(simulator, library, parallel_run):
    sequential = cli.run_all(library, simulator.url, simulator.control_token, jobs=1)
    assert all(r.ok for r in sequential)
    for one, four in zip(sequential, parallel_run):
        assert one.path == four.path
        assert one.transcript_text() == four.transcript_text(), f"{one.path}: transcripts differ"
    # and they carry record numbers and virtual timestamps
    text = "".join(r.transcript_text() for r in sequential)
    assert "粤ICP备2026" in text and "2026-06-01T09:00:00+08:00" in text


def run_cli(*args, env=None, timeout=300):
    return subprocess.run(
        ICPSIM + ["replay", *args], capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})}
    )


def test_the_cli_against_a_url_with_junit_and_a_failing_expectation(simulator, tmp_path):
    good = LIBRARY / "first-filing-happy-path-personal.yaml"
    bad = tmp_path / "deliberately-wrong.yaml"
    bad.write_text(
        good.read_text(encoding="utf-8").replace("state: approved", "state: bureau_rejected"), encoding="utf-8"
    )
    report = tmp_path / "junit.xml"
    proc = run_cli(
        str(good),
        str(bad),
        "--url",
        simulator.url,
        "--junit",
        str(report),
        "-j",
        "2",
        env={"ICPSIM_CONTROL_TOKEN": simulator.control_token},
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "2 scenarios: 1 passed, 1 failed, 0 errors" in proc.stdout
    assert f"[{bad}]" in proc.stdout and "step 11 (advance: until_idle)" in proc.stdout
    assert 'state: expected "bureau_rejected", got "approved"' in proc.stdout
    assert "2/2" in proc.stderr  # the progress bar
    root = ET.parse(report).getroot()
    assert (root.get("tests"), root.get("failures")) == ("2", "1")
    failure = root.find("testsuite").findall("testcase")[1].find("failure")
    assert 'expected "bureau_rejected", got "approved"' in failure.text


def test_the_cli_starts_its_own_simulator_and_rejects_unknown_versions(tmp_path):
    future = tmp_path / "future.yaml"
    future.write_text("version: 2\nname: from the future\nsteps: [{advance: 1d}]\n", encoding="utf-8")
    proc = run_cli(
        str(LIBRARY / "faults-teleport.yaml"),
        str(future),
        "--junit",
        str(tmp_path / "j.xml"),
        env={"ICPSIM_CONTROL_TOKEN": ""},
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "starting a simulator" in proc.stderr
    assert "unsupported scenario format version 2" in proc.stdout
    assert "2 scenarios: 1 passed, 0 failed, 1 errors" in proc.stdout
    assert ET.parse(tmp_path / "j.xml").getroot().get("errors") == "1"


def test_cli_usage_errors():
    assert run_cli().returncode == 2
    assert run_cli("--check", str(LIBRARY)).returncode == 0
    schema = run_cli("--schema")
    assert schema.returncode == 0 and '"title": "icpsim scenario"' in schema.stdout


def test_a_running_clock_session_records_and_replays(simulator, tmp_path):
    """A sandbox whose clock runs by itself (like `make run`'s demo): the recording turns the time
    that passed between calls into explicit clock moves, and replays to the same result."""
    import time

    import requests

    from mock_miniprogram.replay import parser as p
    from mock_miniprogram.replay.runner import Runner
    from mock_miniprogram.sdk import Control

    control = Control(simulator.url, simulator.control_token)
    sb = control.new_sandbox(
        seed=2026, preset="demo", scale=100000, settings={"sms_window_hours": 720, "pre_submit_checks": False}
    )
    ip = sb.eligibility()["usable_ips"][0]["ip"]
    person = {
        "name": "张三",
        "certificate_number": "440305199001010018",
        "mobile": "13800138000",
        "email": "zhangsan@example.com",
    }
    app = sb.create_application(
        "first_filing",
        {
            "entity": {
                "type": "personal",
                "name": "张三",
                "certificate_type": "resident_id",
                "certificate_number": "440305199001010018",
                "province": "44",
                "address": "广东省深圳市南山区科技园路 1 号",
                "responsible": person,
            },
            "websites": [
                {"name": "张三的个人博客", "domain": "zhangsan-blog.cn", "service_content": "blog", "nat_ip": ip}
            ],
        },
    )
    sb.act(app["id"], "submit")

    def wait_for(state, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if sb.application(app["id"])["state"] == state:
                return
            time.sleep(0.2)
        raise AssertionError(f"still {sb.application(app['id'])['state']}, wanted {state}")

    wait_for("sms_verification")
    sb.verify_sms(app["id"], sb.sms_code(app["id"]))
    wait_for("approved")
    sb.set_scale(0)
    number = sb.application(app["id"])["result"]["entity_number"]
    text = requests.get(
        f"{simulator.url}/api/v1/sandboxes/{sb.sid}/recording",
        headers={"Authorization": f"Bearer {sb.token}"},
        timeout=30,
    ).text
    scenario = p.loads(text, "running.yaml")
    assert any("to" in (s.get("advance") or {}) for s in scenario.steps if isinstance(s.get("advance"), dict))
    assert number in text
    result = Runner(simulator.url, simulator.control_token).run(scenario)
    assert result.ok, result.report() + "\n" + text


def test_transcripts_equal_the_golden_files(parallel_run, tmp_path):
    """The refactors' safety net: every built-in scenario's transcript is byte-identical to the one
    recorded before (tests/golden/transcripts; regenerate with tests/golden/regenerate.py only when
    behaviour changes on purpose)."""
    from golden.regenerate import differences

    cli.write_transcripts(tmp_path, [r for r in parallel_run if r.transcript])
    assert differences(tmp_path) == []
