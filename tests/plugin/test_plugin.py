"""The pytest plugin shipped with the package (entry point pytest11), as a team uses it:
a test file of its own, run by pytest in a subprocess, with nothing but the fixtures."""

from importlib.metadata import entry_points

import pytest

pytest_plugins = ["pytester"]

EXAMPLE = """
import pytest

PAYLOAD = {"entity": {"type": "personal", "name": "张三", "certificate_type": "resident_id",
                      "certificate_number": "440305199001010018", "province": "44",
                      "address": "广东省深圳市南山区科技园路 1 号",
                      "responsible": {"name": "张三", "certificate_number": "440305199001010018",
                                      "mobile": "13800138000", "email": "zhangsan@example.com"}},
           "websites": [{"name": "张三的个人博客", "domain": "zhangsan-blog.cn", "service_content": "blog"}]}


@pytest.mark.icpsim(seed=42, preset="demo", settings={"pre_submit_checks": False})  # the reviews, not the stages
def test_first_filing(icpsim_sandbox, icpsim_clock, icpsim_outbox):
    ip = icpsim_sandbox.eligibility()["usable_ips"][0]["ip"]
    payload = dict(PAYLOAD, websites=[dict(PAYLOAD["websites"][0], nat_ip=ip)])
    app = icpsim_sandbox.create_application("first_filing", payload)
    icpsim_sandbox.act(app["id"], "submit")
    icpsim_clock.until_idle()
    icpsim_sandbox.verify_sms(app["id"], icpsim_outbox.sms_code(app["id"]))
    icpsim_clock.until_idle()
    app = icpsim_sandbox.application(app["id"])
    assert app["state"] == "approved"
    assert app["result"]["entity_number"] == "粤ICP备2026014959号"   # seed 42: always this number
    assert "BUREAU_APPROVED" in icpsim_outbox.codes(app["id"])


def test_every_test_gets_a_fresh_sandbox(icpsim_sandbox, icpsim_clock):
    assert icpsim_sandbox.applications() == []
    assert icpsim_clock.now() == "2026-06-01T09:00:00+08:00"
    icpsim_clock.advance("2d")
    assert icpsim_clock.now() == "2026-06-03T09:00:00+08:00"
    assert icpsim_clock.pending() == []


def test_a_scenario_file(icpsim_replay, tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("version: 1\\nname: clock\\nsteps:\\n  - advance: 1d\\n    expect: {clock: '2026-06-02T09:00:00+08:00'}\\n",
                    encoding="utf-8")
    assert icpsim_replay(path).ok


def test_a_failing_scenario_fails_the_test(icpsim_replay, tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("version: 1\\nname: wrong clock\\nsteps:\\n  - advance: 1d\\n    expect: {clock: '2030-01-01T00:00:00+08:00'}\\n",
                    encoding="utf-8")
    icpsim_replay(path)
"""


def plugin_args():
    """-p when the package's entry point is not installed (a source tree without pip install -e)."""
    installed = any(e.name == "icpsim" for e in entry_points(group="pytest11"))
    return [] if installed else ["-p", "mock_miniprogram.pytest_plugin"]


def test_a_team_uses_icpsim_in_its_own_tests(pytester):
    pytester.makepyfile(test_team=EXAMPLE)
    result = pytester.runpytest_subprocess(*plugin_args(), "-p", "no:cacheprovider", "-v", timeout=240)
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*test_a_failing_scenario_fails_the_test FAILED*",
            "*step 1 (advance: 1d)*",
            '*clock: expected "2030-01-01T00:00:00+08:00"*',
        ]
    )


def test_the_fixtures_are_listed(pytester):
    result = pytester.runpytest_subprocess(*plugin_args(), "--fixtures", "-p", "no:cacheprovider")
    for name in ("icpsim_server", "icpsim_control", "icpsim_sandbox", "icpsim_clock", "icpsim_outbox", "icpsim_replay"):
        result.stdout.fnmatch_lines([f"{name}*"])
    result.stdout.fnmatch_lines(["*A fresh sandbox per test*"])


@pytest.mark.parametrize("option", ["--icpsim-url=http://127.0.0.1:9"])
def test_a_url_without_a_token_is_a_clear_error(pytester, option, monkeypatch):
    monkeypatch.delenv("ICPSIM_CONTROL_TOKEN", raising=False)
    pytester.makepyfile(test_x="def test_x(icpsim_sandbox):\n    pass\n")
    result = pytester.runpytest_subprocess(*plugin_args(), option, "-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*--icpsim-url needs the control token*"])
