"""Webhooks: callback URLs of a sandbox, their delivery log, redelivery."""

from flask.views import MethodView
from marshmallow import Schema, fields, validate
from werkzeug.routing import BaseConverter

from backend.api import common
from backend.api.blueprint import Blueprint
from backend.api.schema_base import StrictBoolean, StrictInteger, one_of
from backend.services import webhooks

blp = Blueprint(
    "webhooks",
    __name__,
    url_prefix="/api/v1/sandboxes/<sid>/webhooks",
    description="事件回调：注册回调地址（可按事件类型过滤）、投递记录、重新投递；HMAC-SHA256 签名见 README",
)

DELIVERIES = "deliveries"  # the delivery log's path segment: never a webhook id (ids are H001, H002, …)


class WebhookIdConverter(BaseConverter):
    """A webhook id: any path segment but `deliveries`. Without it DELETE …/webhooks/deliveries
    reached the webhook route (a webhook named "deliveries"), and OPTIONS there offered DELETE."""

    regex = f"(?!{DELIVERIES}$)[^/]+"


# before the routes below: a blueprint's deferred functions run in the order they were recorded
blp.record_once(lambda state: state.app.url_map.converters.setdefault("webhook_id", WebhookIdConverter))
WEBHOOK_ID = {
    "in": "path",
    "name": "webhook_id",
    "required": True,
    "schema": {"type": "string", "not": {"enum": [DELIVERIES]}},
    "description": f"回调编号（例如 H001）；{DELIVERIES} 是投递记录的路径，不是回调编号",
}


class WebhookCreateSchema(Schema):
    url = fields.String(
        required=True,
        validate=validate.Length(min=8, max=webhooks.MAX_URL, error="长度须在 {min} 到 {max} 个字符之间。"),
    )
    events = fields.List(
        fields.String(validate=one_of(webhooks.EVENT_TYPES)),
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=len(webhooks.EVENT_TYPES), error="最多 {max} 项。"),
        metadata={"description": "只接收这些事件；不填为全部"},
    )


class WebhookSchema(Schema):
    id = fields.String()
    url = fields.String()
    events = fields.List(fields.String(), allow_none=True)
    created_at = fields.String()
    secret = fields.String(metadata={"description": "本沙箱的签名密钥（所有回调共用）"})


class AttemptSchema(Schema):
    n = StrictInteger()
    at = fields.String()
    status = StrictInteger(allow_none=True)
    ok = StrictBoolean()
    latency_ms = StrictInteger()
    error = fields.String()
    response_excerpt = fields.String()


class DeliverySchema(Schema):
    id = fields.String()
    webhook_id = fields.String()
    app_id = fields.String()
    seq = StrictInteger()
    state = fields.String(metadata={"description": "pending | delivered | failed"})
    attempts = fields.List(fields.Nested(AttemptSchema))
    next_attempt_at = fields.Float(allow_none=True)
    redelivery_of = fields.String()
    error = fields.String()
    event = fields.Dict()


class DeliveryQuerySchema(Schema):
    webhook_id = fields.String(load_default=None, validate=validate.Length(max=20))
    app_id = fields.String(load_default=None, validate=validate.Length(max=20))
    state = fields.String(load_default=None, validate=validate.OneOf(("pending", "delivered", "failed")))
    limit = StrictInteger(load_default=100, validate=validate.Range(min=1, max=500))


@blp.route("")
class Webhooks(MethodView):
    @blp.response(200, WebhookSchema(many=True))
    @blp.doc(security=common.SECURITY)
    @common.needs("sandbox")
    def get(self, sid):
        """The sandbox's callback URLs"""
        return webhooks.list_hooks(common.redis(), sid)

    @blp.arguments(WebhookCreateSchema)
    @blp.response(201, WebhookSchema)
    @blp.doc(security=common.SECURITY)
    @common.needs("sandbox")
    def post(self, data, sid):
        """Register a callback URL (public addresses only; loopback with ICPSIM_WEBHOOK_ALLOW_LOOPBACK=1)"""
        return webhooks.register(common.redis(), sid, data["url"], data["events"])


@blp.route("/<webhook_id:webhook_id>", parameters=[WEBHOOK_ID])
class Webhook(MethodView):
    @blp.response(204)
    @blp.doc(security=common.SECURITY)
    @common.needs("sandbox")
    def delete(self, sid, webhook_id):
        """Remove a callback URL"""
        webhooks.remove(common.redis(), sid, webhook_id)


@blp.route("/deliveries")
class Deliveries(MethodView):
    @blp.arguments(DeliveryQuerySchema, location="query")
    @blp.response(200, DeliverySchema(many=True))
    @blp.doc(security=common.SECURITY)
    @common.needs("sandbox")
    def get(self, query, sid):
        """The delivery log, newest first: each attempt's status, latency and response excerpt"""
        return webhooks.log(common.redis(), sid, **query)


@blp.route("/deliveries/<delivery_id>/redeliver")
class Redeliver(MethodView):
    @blp.response(202, DeliverySchema)
    @blp.doc(security=common.SECURITY)
    @common.needs("sandbox")
    def post(self, sid, delivery_id):
        """Send a delivery's event again (a new delivery at the end of its chain)"""
        return webhooks.redeliver(common.redis(), sid, delivery_id)
