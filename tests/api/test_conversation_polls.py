"""What the mini-program page's poll (GET …/messages?after=N, every 1.5 s) costs: an idle
poll reads the conversation and its application with one HGET each, takes no lock and
writes nothing; once the application moves, the next poll syncs and brings the news."""

from support.redis_calls import commands, spent

from api.chat_flows import Chat, one, submit, to_confirm
from api.flows import new_sandbox, until_idle


def test_an_idle_poll_is_two_hgets_and_a_moved_application_is_news(control, r):
    demo = new_sandbox(control, preset="demo", seed=42)
    chat = Chat(demo)
    body = submit(to_confirm(chat))
    seen = body["last_seq"]
    assert body["application_id"]

    before = commands(r)
    for _ in range(3):
        assert chat.poll(seen)["messages"] == []
    used = spent(r, before)
    used.pop("get", None)  # the API's token check (one GET per request)
    assert used.pop("eval", 0) == 3 and used.pop("incr", 0) == 3  # the rate limit: one script per request
    assert used == {"hget": 6}, used  # per poll: the conversation, then its application

    until_idle(demo)  # the provider passes it on to MIIT's SMS check: a new version
    news = chat.poll(seen)
    assert one(news, "STATUS_CARD")["card"]["state"] == "sms_verification"
    assert news["step"] == "sms"

    before = commands(r)
    assert chat.poll(news["last_seq"])["messages"] == []  # caught up: cheap again
    used = spent(r, before)
    used.pop("get", None)
    used.pop("eval", None), used.pop("incr", None)
    assert used == {"hget": 2}, used
