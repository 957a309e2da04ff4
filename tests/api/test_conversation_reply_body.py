"""A reply's body loads the short way (api/conversations.py `plain_reply`) to exactly what
marshmallow's whole load gives, and steps aside for every body that load refuses, so its
422 answers are worded by marshmallow as before; the answer dumps the short way
(`plain_messages`) to exactly what marshmallow's dump gives."""

import pytest
from marshmallow import Schema, ValidationError

from api.chat_flows import Chat
from api.flows import assert_error, new_sandbox, ok
from backend.api.conversations import ConversationMessagesSchema, ConversationReplySchema, plain_messages, plain_reply

PLAIN = [
    {"command": "help"},
    {"command": "back", "client_message_id": "m-1"},
    {"choice": "start"},
    {"choice": "start", "client_message_id": "x" * 100, "text": None},
    {"text": "123456"},
    {"text": "中" * 500},
    {"form": {"name": "张三", "websites": [{"domain": "zhangsan-blog.cn"}]}},
    {"form": {}},
    {"client_message_id": None, "choice": None, "form": None, "text": None, "command": "status"},
]

REFUSED = [
    {},
    {"client_message_id": "x"},
    {"choice": "start", "text": "start"},
    {"command": "jump"},
    {"choice": "start", "extra": 1},
    {"choice": 1},
    {"text": "x" * 501},
    {"command": "help", "client_message_id": ""},
    {"command": "help", "client_message_id": "x" * 101},
    {"form": [1, 2]},
    {"form": "name"},
    {"choice": ["start"]},
    ["choice"],
    "choice",
    None,
]


def whole_load(body):
    """marshmallow's own load (the base class's), as the schema ran before the short way."""
    return Schema.load(ConversationReplySchema(), body)


@pytest.mark.parametrize("body", PLAIN)
def test_a_plain_body_loads_to_what_marshmallow_gives(body):
    short = plain_reply(body)
    assert short is not None  # the short way was taken
    whole = whole_load(body)
    assert short == whole and list(short) == list(whole)
    assert ConversationReplySchema().load(body) == whole
    if body.get("form") is not None:
        assert short["form"] is not body["form"]  # a copy, as fields.Dict loads


@pytest.mark.parametrize("body", REFUSED)
def test_a_refused_body_goes_the_whole_way(body):
    assert plain_reply(body) is None
    with pytest.raises(ValidationError) as whole:
        whole_load(body)
    with pytest.raises(ValidationError) as loaded:
        ConversationReplySchema().load(body)
    assert loaded.value.messages == whole.value.messages


def test_refused_bodies_answer_422_per_field(control):
    demo = new_sandbox(control, preset="demo", seed=42)
    chat = Chat(demo)
    errors = assert_error(demo.post(chat.url("/replies"), json={"text": "x" * 501}), 422)["errors"]
    assert set(errors) == {"text"}
    errors = assert_error(demo.post(chat.url("/replies"), json={"command": "help", "client_message_id": ""}), 422)
    assert set(errors["errors"]) == {"client_message_id"}
    assert ok(demo.post(chat.url("/replies"), json={"command": "help"}))["messages"][-1]["code"] == "HELP"


ANSWERS = [
    {
        "messages": [{"seq": 3, "from": "user", "text": "帮助"}, {"seq": 4, "from": "bot", "choices": [{"v": 1}]}],
        "step": "welcome",
        "accepts": {"type": "choice", "choices": [{"label": "开始", "value": "start"}], "commands": ["help"]},
        "application_id": None,
        "last_seq": 4,
    },
    {"messages": [], "step": "waiting", "accepts": {"type": "none"}, "application_id": "A0001", "last_seq": 9},
]

NOT_PLAIN = [
    {**ANSWERS[1], "last_seq": "9"},
    {**ANSWERS[1], "last_seq": True},
    {**ANSWERS[1], "application_id": 1},
    {**ANSWERS[1], "extra": 1},
    {k: v for k, v in ANSWERS[1].items() if k != "step"},
    {**ANSWERS[1], "messages": ({"seq": 1},)},
    {**ANSWERS[1], "step": None},
]


@pytest.mark.parametrize("answer", ANSWERS)
def test_an_answer_dumps_to_what_marshmallow_gives(answer):
    short = plain_messages(answer)
    assert short is not None  # the short way was taken
    whole = Schema.dump(ConversationMessagesSchema(), answer)
    assert short == whole and list(short) == list(whole) and ConversationMessagesSchema().dump(answer) == whole
    assert short["messages"] is not answer["messages"] and short["accepts"] is not answer["accepts"]
    assert all(a is not b for a, b in zip(short["messages"], answer["messages"], strict=True))


@pytest.mark.parametrize("answer", NOT_PLAIN)
def test_anything_else_dumps_the_whole_way(answer):
    assert plain_messages(answer) is None
    assert ConversationMessagesSchema().dump(answer) == Schema.dump(ConversationMessagesSchema(), answer)
