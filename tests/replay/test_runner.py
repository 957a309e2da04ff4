"""The runner in-process: a passing scenario, failure reports, transcripts, JUnit."""

import xml.etree.ElementTree as ET

from mock_miniprogram.replay import junit, parser

HEAD = """
version: 1
name: {name}
seed: 42
world:
  preset: eligible
  settings: {{pre_submit_checks: false}}
  domains: [{{name: zhangsan-blog.cn, holder_name: 张三, holder_certificate_number: "440305199001010018"}}]
vars:
  payload:
    entity: {{type: personal, name: 张三, certificate_type: resident_id, certificate_number: "440305199001010018",
             province: "44", address: 广东省深圳市南山区科技园路 1 号,
             responsible: {{name: 张三, certificate_number: "440305199001010018", mobile: "13800138000",
                           email: zhangsan@example.com}}}}
    websites: [{{name: 张三的个人博客, domain: zhangsan-blog.cn, service_content: blog, nat_ip: "${{nat_ip}}"}}]
steps:
  - create_application: {{payload: "${{payload}}"}}
    as: app
  - submit: app
  - advance: until_idle
"""
GOOD = (
    HEAD.format(name="good")
    + """
  - verify_sms: app
    expect: {state: bureau_review}
  - advance: until_idle
    expect: {state: approved, record_number: '粤ICP备2026014959号', website_numbers: ['粤ICP备2026014959号-1'],
             gateway: {domain: zhangsan-blog.cn, served: true, reason: SERVED}}
"""
)


def test_a_scenario_passes_and_its_transcript_hides_secrets(replay):
    result = replay(GOOD)
    assert result.ok, result.report()
    assert (result.steps_run, result.steps_total) == (5, 5)
    text = result.transcript_text()
    assert result.sandbox not in text
    assert "sbt_" not in text and "test-control-token" not in text
    assert '"entity_number":"粤ICP备2026014959号"' in text  # the final snapshot
    assert text.count("\n") == len(result.transcript)


def test_the_same_scenario_gives_the_same_transcript(replay):
    assert replay(GOOD).transcript_text() == replay(GOOD).transcript_text()


def test_a_wrong_expectation_fails_with_the_step_the_expected_and_the_actual(replay):
    text = (
        HEAD.format(name="wrong")
        + """
  - name: enter the code
    verify_sms: app
    expect: {state: approved, wechat_status: 6}
  - advance: until_idle
"""
    )
    result = replay(text, "wrong.yaml")
    assert result.status == "failed" and result.failure.index == 3 and result.steps_run == 4
    report = result.report()
    assert "wrong  [wrong.yaml]" in report
    assert "step 4 (enter the code)" in report
    assert 'app A0001.state: expected "approved", got "bureau_review"' in report
    assert "app A0001.wechat_status: expected 6, got 4" in report


def test_an_unexpected_error_answer_is_a_failure(replay):
    text = HEAD.format(name="error") + "  - withdraw: app\n"
    result = replay(text)
    assert result.status == "failed"
    assert "unexpected error answer 409" in result.report() and "ACTION_NOT_ALLOWED" in result.report()
    tolerated = (
        HEAD.format(name="tolerated") + "  - withdraw: app\n    expect: {status: 409, error: ACTION_NOT_ALLOWED}\n"
    )
    assert replay(tolerated).ok


def test_a_wrong_status_shows_the_answer(replay):
    text = HEAD.format(name="status") + "  - resubmit: app\n    expect: {status: 200}\n"
    report = replay(text).report()
    assert "status: expected 200, got 409" in report and "ACTION_NOT_ALLOWED" in report


def test_unknown_variables_and_missing_sms_are_reported(replay):
    text = HEAD.format(name="vars") + "  - call: {method: GET, path: '/applications/${missing.id}'}\n"
    assert "unknown variable ${missing.id}" in replay(text).report()
    text = "version: 1\nname: sms\nworld: {domains: []}\nsteps:\n  - verify_sms: {app: A0001}\n"
    assert "no MIIT verification SMS in the outbox for A0001" in replay(text).report()


def test_world_failures_are_reported(replay):
    text = "version: 1\nname: w\nworld: {domains: [{name: 'not a domain'}]}\nsteps: [{advance: 1d}]\n"
    result = replay(text)
    assert result.status == "failed" and result.failure.index == -1
    assert result.report().splitlines()[1].strip().startswith("world (domain not a domain)")


def test_advance_to_and_the_clock(replay):
    text = (
        "version: 1\nname: clock\nsteps:\n"
        "  - advance: {to: '2026-06-03T12:00:00+08:00'}\n    expect: {clock: '2026-06-03T04:00:00Z'}\n"
        "  - advance: {to: '2026-06-02'}\n    expect: {clock: '2026-06-03T12:00:00+08:00'}\n"
    )
    result = replay(text)
    assert result.ok, result.report()


def test_junit_xml(replay, tmp_path):
    good, bad = (
        replay(GOOD, "good.yaml"),
        replay(HEAD.format(name="bad") + "  - expect: {state: approved}\n", "bad.yaml"),
    )
    path = tmp_path / "out" / "junit.xml"
    junit.write(path, [good, bad], total_time=1.5)
    root = ET.parse(path).getroot()
    suite = root.find("testsuite")
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("2", "1", "0")
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == ["good", "bad"]
    failure = cases[1].find("failure")
    assert "step 4" in failure.get("message") and 'expected "approved", got "sms_verification"' in failure.text


def test_the_runner_keeps_going_after_a_parse_error_in_another_file(tmp_path):
    from mock_miniprogram.replay.cli import load_all

    (tmp_path / "a.yaml").write_text("version: 3\nname: a\nsteps: [{advance: 1d}]\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text(GOOD, encoding="utf-8")
    scenarios, errors = load_all([tmp_path])
    assert [s.name for s in scenarios] == ["good"]
    assert errors[0].status == "error" and "unsupported scenario format version 3" in errors[0].report()
    assert parser.loads(GOOD).name == "good"
