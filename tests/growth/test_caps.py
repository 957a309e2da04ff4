"""History, outbox and conversations are capped per sandbox, and the API says what was dropped
(issue #8, bounded growth). Caps come from the environment (README: configuration)."""

from api.flows import act, assert_error, create_app, history, ok, outbox, register_domain, to_sms, usable_ip
from support.people import personal_payload


def filed(sb):
    register_domain(sb, "zhangsan-blog.cn")
    return create_app(sb, personal_payload(usable_ip(sb)))["id"]


def test_history_keeps_the_newest_events_and_counts_the_rest(sandbox, monkeypatch):
    monkeypatch.setenv("ICPSIM_HISTORY_MAX_EVENTS", "3")
    app = filed(sandbox)
    total = len(history(sandbox, app))
    for n in range(8):  # each edit of the draft is an event
        ok(
            sandbox.patch(
                f"~/applications/{app}", json={"payload": {"entity": {"address": f"广东省深圳市南山区科技园路 {n} 号"}}}
            )
        )
    act(sandbox, app, "submit")
    total += 9
    events = history(sandbox, app)
    assert len(events) == 3 and events[-1]["action"] == "submit"
    dropped = ok(sandbox.get(f"/api/v1/sandboxes/{sandbox.sid}"))["dropped"]
    assert dropped[f"history:{app}"] == total - 3


def test_the_outbox_keeps_the_newest_messages_and_counts_the_rest(sandbox, monkeypatch):
    monkeypatch.setenv("ICPSIM_OUTBOX_MAX_MESSAGES", "2")
    app = filed(sandbox)
    act(sandbox, app, "submit")
    to_sms(sandbox, app)
    messages = outbox(sandbox)
    assert len(messages) == 2 and messages[-1]["code"] == "MIIT_SMS_CODE"  # the newest kept
    assert ok(sandbox.get(f"/api/v1/sandboxes/{sandbox.sid}"))["dropped"]["outbox"] >= 1


def test_nothing_dropped_says_so(sandbox):
    filed(sandbox)
    assert ok(sandbox.get(f"/api/v1/sandboxes/{sandbox.sid}"))["dropped"] == {}


def test_conversations_per_sandbox_are_capped(sandbox, monkeypatch):
    monkeypatch.setenv("ICPSIM_CONVERSATIONS_MAX", "2")
    for _ in range(2):
        ok(sandbox.post("~/conversations", json={}), 201)
    assert_error(sandbox.post("~/conversations", json={}), 409, "CONVERSATION_LIMIT")
    assert len(ok(sandbox.get("~/conversations"))) == 2


def test_a_conversation_stops_growing_at_its_cap(sandbox, monkeypatch):
    monkeypatch.setenv("ICPSIM_CONVERSATION_MAX_MESSAGES", "6")
    conv = ok(sandbox.post("~/conversations", json={}), 201)
    url = f"~/conversations/{conv['id']}/replies"
    answers = []
    for n in range(20):  # bounded: the cap is reached long before
        resp = sandbox.post(url, json={"client_message_id": f"m{n}", "command": "help"})
        answers.append(resp.status_code)
        if resp.status_code == 409:
            assert_error(resp, 409, "CONVERSATION_FULL")
            break
    assert answers[-1] == 409
    last_seq = ok(sandbox.get(f"~/conversations/{conv['id']}"))["last_seq"]
    assert last_seq < 6 + 10  # stopped at the cap (plus one reply's messages)
