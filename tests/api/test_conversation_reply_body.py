"""A reply's body loads the short way (api/conversations.py `plain_reply`) to exactly what
marshmallow's whole load gives, and steps aside for every body that load refuses, so its
422 answers are worded by marshmallow as before."""

import pytest
from marshmallow import Schema, ValidationError

from api.chat_flows import Chat
from api.flows import assert_error, new_sandbox, ok
from backend.api.conversations import ConversationReplySchema, plain_reply

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
