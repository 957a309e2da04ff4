"""A sandbox's session, exported by GET …/recording, replays to the same result."""

import yaml
from api.flows import (
    CONTROL,
    act,
    advance,
    create_app,
    get_app,
    ok,
    register_domain,
    sms_code,
    until_idle,
    usable_ip,
    verify,
    wrong_code,
)
from support.people import personal_payload

from mock_miniprogram.replay import parser


def export(sb):
    resp = sb.get("~/recording")
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return resp.get_data(as_text=True)


def test_a_recorded_session_replays_to_the_same_result(sandbox, replay):
    sb = sandbox
    register_domain(sb, "zhangsan-blog.cn", real_name_status="pending")
    app = create_app(sb, personal_payload(usable_ip(sb)))["id"]
    ok(sb.post("~/faults", json={"effect": "delay", "stage": "bureau", "delay": "2d"}, token=CONTROL), 201)
    act(sb, app, "submit")
    until_idle(sb)
    assert get_app(sb, app)["state"] == "provider_rejected"  # the domain is not real-name verified yet
    ok(sb.patch("~/domains/zhangsan-blog.cn", json={"real_name_status": "verified"}))
    act(sb, app, "resubmit")
    advance(sb, duration="1d")
    until_idle(sb)
    assert verify(sb, app, wrong_code(sms_code(sb, app))).status_code == 422
    ok(verify(sb, app, sms_code(sb, app)))
    until_idle(sb)
    final = get_app(sb, app)
    assert final["state"] == "approved"

    text = export(sb)
    scenario = parser.loads(text, "recorded.yaml")  # valid against the published schema
    data = yaml.safe_load(text)
    steps = data["steps"]
    assert data["seed"] == 7 and data["world"] == {
        "preset": "eligible",
        "clock_start": "2026-06-01T09:00:00+08:00",
        "settings": {"pre_submit_checks": False},  # the sandbox's settings: the replay submits as it did
    }
    assert {"verify_sms": {"app": app}} in steps  # the right code: read from the outbox
    assert any(s.get("verify_sms", {}).get("code") for s in steps if isinstance(s.get("verify_sms"), dict))
    assert {"fault": {"effect": "delay", "stage": "bureau", "delay": "2d"}} in steps
    assert {"advance": "1d"} in steps
    expect = steps[-1]["expect"]
    assert expect["applications"][app]["record_number"] == final["result"]["entity_number"]
    assert expect["clock"] == ok(sb.get("~/clock"))["now"]

    result = replay(text, "recorded.yaml")
    assert result.ok, result.report()
    assert result.steps_total == len(scenario.steps)


def test_a_recorded_chat_replays(control, replay):
    from api.flows import new_sandbox

    sb = new_sandbox(control, preset="demo", seed=42)
    conv = ok(sb.post("~/conversations", json={}), 201)
    url = f"~/conversations/{conv['id']}/replies"
    for n, answer in enumerate(
        [
            {"choice": "start"},
            {"choice": "first_filing"},
            {
                "form": {
                    "type": "personal",
                    "name": "张三",
                    "certificate_type": "resident_id",
                    "certificate_number": "440305199001010018",
                    "province": "44",
                    "address": "广东省深圳市南山区科技园路 1 号",
                }
            },
            {"form": {"mobile": "13800138000", "email": "zhangsan@example.com"}},
            {"form": {"name": "张三的个人博客", "domain": "zhangsan-blog.cn"}},
            {"choice": "submit"},
        ]
    ):
        ok(sb.post(url, json={"client_message_id": f"random-{n}", **answer}))
    until_idle(sb)
    ok(sb.post(url, json={"client_message_id": "code", "text": sms_code(sb, "A0001")}))
    until_idle(sb)
    assert get_app(sb, "A0001")["state"] == "approved"
    text = export(sb)
    steps = yaml.safe_load(text)["steps"]
    assert steps[0] == {"chat_start": {}}
    assert steps[1] == {"chat": {"conversation": conv["id"], "reply": {"choice": "start"}}}
    assert "random-" not in text  # the page's message ids are not part of a result
    assert {"chat": {"conversation": conv["id"], "reply": {"text": "${sms_code.A0001}"}}} in steps
    result = replay(text, "chat.yaml")
    assert result.ok, result.report()


def test_an_empty_session_is_a_valid_scenario(sandbox, replay):
    text = export(sandbox)
    assert replay(text).ok


def test_a_recording_of_a_running_clock_replays(control, replay):
    """Issue 9 item 1: the final `clock` expectation and the last `advance: {to:}` come from
    one reading of the running clock, so a recording of a 20000x sandbox replays green."""
    import time

    from conftest import new_sandbox

    sb = new_sandbox(control, seed=42, preset="eligible", scale=20000)
    register_domain(sb, "zhangsan-blog.cn")
    create_app(sb, personal_payload(usable_ip(sb)))
    for _ in range(3):  # three exports in a row, as in the issue
        time.sleep(0.05)  # about 1000 virtual seconds go by
        text = export(sb)
        steps = yaml.safe_load(text)["steps"]
        last_to = [s["advance"]["to"] for s in steps if isinstance(s.get("advance"), dict) and "to" in s["advance"]][-1]
        assert steps[-1]["expect"]["clock"] == last_to[:19] + "+08:00"
        result = replay(text, "running.yaml")
        assert result.ok, result.report()
