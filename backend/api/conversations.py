"""Conversations: the chat-style filing mini-program (start, reply, transcript, poll).

The protocol is docs/conversation.md; the conversation itself is backend/chat/.
"""

from flask import request
from flask.views import MethodView
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from backend.api import begun, common, control, zh_messages
from backend.api.blueprint import Blueprint
from backend.api.schema_base import StrictInteger
from backend.chat import engine
from backend.chat.conversation_store import ReplyStart
from backend.chat.texts import LOCALES, normalize_locale

zh_messages.install()  # before the fields below are built

blp = Blueprint(
    "conversations",
    __name__,
    url_prefix="/api/v1/sandboxes/<sid>/conversations",
    description="对话式备案（聊天小程序）：开始对话、回复、读取记录、轮询新消息",
)


class ConversationStartSchema(Schema):
    locale = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.OneOf(LOCALES, error="须为以下之一：{choices}。"),
        metadata={"description": "zh-CN（缺省）或 en；也可用 Accept-Language: en"},
    )


CLIENT_ID_MAX, TEXT_MAX = 100, 500


class ConversationReplySchema(Schema):
    client_message_id = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(min=1, max=CLIENT_ID_MAX, error="长度须在 {min} 到 {max} 个字符之间。"),
        metadata={"description": "客户端生成的消息 id：重试同一 id 得到同样的回答，不会重复执行"},
    )
    choice = fields.String(load_default=None, allow_none=True, metadata={"description": "所选快捷回复的 value"})
    form = fields.Dict(load_default=None, allow_none=True, metadata={"description": "表单：字段名 → 值"})
    text = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=TEXT_MAX, error="不能超过 {max} 个字符。"),
        metadata={"description": "文字，例如短信核验码"},
    )
    command = fields.String(
        load_default=None, allow_none=True, validate=validate.OneOf(engine.COMMANDS, error="须为以下之一：{choices}。")
    )

    @validates_schema
    def exactly_one(self, data, **kwargs):
        given = [k for k in engine.ANSWER_KEYS if data.get(k) is not None]
        if len(given) != 1:
            raise ValidationError("choice、form、text、command 须且只能提供其中一项。", "_schema")

    def load(self, data, *, many=None, partial=None, unknown=None):
        """A reply as clients send it (known keys, plain values, one answer) loads without
        marshmallow's per-field machinery (~50 µs of a reply) to the dict marshmallow gives;
        anything else goes the full way, which words every error (tests/api/test_conversations.py
        keeps the two equal)."""
        plain = None if many or partial else plain_reply(data)
        return plain if plain is not None else super().load(data, many=many, partial=partial, unknown=unknown)


REPLY_FIELDS = ("client_message_id", "choice", "form", "text", "command")  # as declared: marshmallow's order
_TEXTS = ("client_message_id", "choice", "text", "command")


def plain_reply(data):
    """What ConversationReplySchema loads from `data`, when `data` is valid with plain values; else None."""
    if type(data) is not dict or not data.keys() <= set(REPLY_FIELDS):
        return None
    out = {name: data.get(name) for name in REPLY_FIELDS}
    if len([k for k in engine.ANSWER_KEYS if out[k] is not None]) != 1:
        return None
    for name in _TEXTS:
        if out[name] is not None and type(out[name]) is not str:
            return None
    cid, text, command, form = out["client_message_id"], out["text"], out["command"], out["form"]
    if (cid is not None and not 1 <= len(cid) <= CLIENT_ID_MAX) or (text is not None and len(text) > TEXT_MAX):
        return None
    if command is not None and command not in engine.COMMANDS:
        return None
    if form is not None:
        if type(form) is not dict:
            return None
        out["form"] = dict(form)  # fields.Dict loads a copy
    return out


class MessagesQuerySchema(Schema):
    after = StrictInteger(
        load_default=0,
        validate=validate.Range(min=0, error="须不小于 {min}。"),
        metadata={"description": "只返回 seq 大于该值的消息"},
    )


class ConversationSummarySchema(Schema):
    id = fields.String()
    step = fields.String()
    locale = fields.String()
    kind = fields.String(allow_none=True)
    application_id = fields.String(allow_none=True)
    accepts = fields.Dict()
    last_seq = StrictInteger()
    created_at = fields.String()
    updated_at = fields.String()


class ConversationSchema(ConversationSummarySchema):
    transcript = fields.List(fields.Dict())


class ConversationMessagesSchema(Schema):
    messages = fields.List(fields.Dict())
    step = fields.String()
    accepts = fields.Dict()
    application_id = fields.String(allow_none=True)
    last_seq = StrictInteger()

    def dump(self, obj, *, many=None):
        """What the engine answers (plain dicts, lists, str and int) dumps without marshmallow's
        per-field machinery (~20 µs of a reply) to what marshmallow gives: a copy of each dict;
        anything else goes the whole way (tests/api/test_conversation_reply_body.py)."""
        plain = None if many or self.many else plain_messages(obj)
        return plain if plain is not None else super().dump(obj, many=many)


MESSAGES_FIELDS = ("messages", "step", "accepts", "application_id", "last_seq")  # as declared


def plain_messages(obj):
    """What ConversationMessagesSchema dumps from `obj` when it holds every field as plain values; else None."""
    if type(obj) is not dict or obj.keys() != set(MESSAGES_FIELDS):
        return None
    messages, step, accepts, app_id, last_seq = (obj[name] for name in MESSAGES_FIELDS)
    if type(messages) is not list or type(accepts) is not dict:
        return None
    for message in messages:
        if type(message) is not dict:
            return None
    if type(step) is not str or type(last_seq) is not int or not (app_id is None or type(app_id) is str):
        return None
    return {"messages": [dict(m) for m in messages], "step": step, "accepts": dict(accepts)} | {
        "application_id": app_id,
        "last_seq": last_seq,
    }


@blp.route("")
class Conversations(MethodView):
    @blp.response(200, ConversationSummarySchema(many=True))
    @blp.doc(security=common.SECURITY)
    @common.needs("sandbox")
    def get(self, sid):
        """List the sandbox's conversations (without transcripts)"""
        return engine.list_all(common.redis(), sid)

    @blp.arguments(ConversationStartSchema)
    @blp.response(201, ConversationSchema)
    @blp.doc(security=common.SECURITY)
    @common.needs("sandbox")
    def post(self, data, sid):
        """Start a conversation: the bot's first messages (locale from the body or Accept-Language)"""
        locale = data.get("locale") or normalize_locale(request.headers.get("Accept-Language"))
        return engine.start(common.redis(), sid, locale)


@blp.route("/<cid>")
class Conversation(MethodView):
    @blp.response(200, ConversationSchema)
    @blp.doc(security=common.SECURITY)
    @common.needs("sandbox")
    def get(self, sid, cid):
        """The conversation with its whole transcript (synced with the application first)"""
        return engine.get(common.redis(), sid, cid)


@blp.route("/<cid>/messages")
class Messages(MethodView):
    @blp.arguments(MessagesQuerySchema, location="query")
    @blp.response(200, ConversationMessagesSchema)
    @blp.doc(security=common.SECURITY)
    @common.needs("sandbox")
    def get(self, query, sid, cid):
        """Messages after seq N, the current step and what it accepts (poll this)"""
        return engine.messages_after(common.redis(), sid, cid, query["after"])


@blp.route("/<cid>/replies")
class Replies(MethodView):
    @blp.arguments(ConversationReplySchema)
    @blp.response(200, ConversationMessagesSchema)
    @blp.doc(security=common.SECURITY)
    @common.needs("sandbox")
    @begun.begins(ReplyStart)  # the lock and the first reads ride with the token check
    def post(self, data, sid, cid):
        """Reply: a choice, a form, a text or a command; idempotent per client_message_id"""
        journal = control.journal_with_commit(200)
        return engine.reply(common.redis(), sid, cid, data, journal=journal, begun=begun.taken(sid))
