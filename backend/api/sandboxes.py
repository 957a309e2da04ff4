"""Control API: sandboxes and their clocks (control token), outbox and clock reads."""

from flask.views import MethodView
from marshmallow import fields, validate

from backend.api import begun, common, control, process_schemas, schemas as s
from backend.api.blueprint import Blueprint
from backend.api.schema_base import StrictInteger
from backend.services import advancing, sandboxes, timers


class PageQuery(s.Strict):
    cursor = fields.String(
        load_default="",
        validate=validate.Length(max=200),
        metadata={"description": "上一页响应头 X-Next-Cursor 的值（上一页最后一个沙箱 id）；首页不传"},
    )
    limit = StrictInteger(load_default=sandboxes.DEFAULT_PAGE, validate=validate.Range(min=1, max=sandboxes.MAX_PAGE))


blp = Blueprint(
    "sandboxes",
    __name__,
    url_prefix="/api/v1/sandboxes",
    description="沙箱（控制令牌）：创建、查看、删除；虚拟时钟；通知发件箱",
)


class CreatedSandboxSchema(s.SandboxSchema):
    secret_id = s.fields.String(metadata={"description": "腾讯云 API 3.0 的 SecretId（issue #15）"})
    secret_key = s.fields.String(metadata={"description": "SecretKey：只在此处和轮换时返回"})


@blp.route("")
class Sandboxes(MethodView):
    @blp.arguments(s.SandboxCreateSchema)
    @blp.response(201, CreatedSandboxSchema)
    @blp.doc(security=common.SECURITY)
    @common.needs("control")
    def post(self, data):
        """Create a sandbox (one simulated Tencent Cloud account)"""
        return control.created(sandboxes.create(common.redis(), **common.plain(data)))

    @blp.arguments(PageQuery, location="query")
    @blp.response(
        200,
        s.SandboxSchema(many=True),
        headers={
            "X-Next-Cursor": {
                "description": "下一页的 cursor；没有此响应头表示已是最后一页",
                "schema": {"type": "string"},
            }
        },
    )
    @blp.doc(security=common.SECURITY)
    @common.needs("control")
    def get(self, query):
        """List sandboxes by id, one page at a time (the next page's cursor in X-Next-Cursor, absent at the end)"""
        page, cursor = sandboxes.list_page(common.redis(), **query)
        return page, 200, ({"X-Next-Cursor": cursor} if cursor else {})


@blp.route("/<sid>")
class Sandbox(MethodView):
    @blp.response(200, s.SandboxSchema)
    @blp.doc(security=common.SECURITY)
    @common.needs("sandbox")
    def get(self, sid):
        """Read a sandbox (its own token works too)"""
        return sandboxes.describe(common.redis(), sid)

    @blp.response(204)
    @blp.doc(security=common.SECURITY)
    @common.needs("control")
    def delete(self, sid):
        """Delete a sandbox and everything in it"""
        sandboxes.delete(common.redis(), sid)


@blp.route("/<sid>/clock")
class Clock(MethodView):
    @blp.response(200, s.ClockViewSchema)
    @blp.doc(security=common.SECURITY)
    @common.needs("sandbox")
    def get(self, sid):
        """Read the virtual clock and the pending timers"""
        return timers.clock_view(common.redis(), sid)


@blp.route("/<sid>/clock/advance")
class Advance(MethodView):
    @blp.arguments(s.AdvanceSchema)
    @blp.response(200, s.ClockViewSchema)
    @blp.doc(security=common.SECURITY)
    @common.needs("control+sandbox")
    @begun.begins(advancing.AdvanceStart)  # the clock lock rides with the token check
    def post(self, data, sid):
        """Advance the clock by a duration (at most 400 days), or until idle, firing due timers in order"""
        journal = control.journal_with_commit(200)  # appended with the lock's release, with the answer's epoch
        return advancing.advance(common.redis(), sid, **data, begun=begun.taken(sid), journal=journal)


@blp.route("/<sid>/clock/scale")
class Scale(MethodView):
    @blp.arguments(s.ScaleSchema)
    @blp.response(200, s.ClockViewSchema)
    @blp.doc(security=common.SECURITY)
    @common.needs("control+sandbox")
    def put(self, data, sid):
        """Set the clock's speed (0 pauses it; 86400 = one virtual day per second)"""
        return timers.set_scale(common.redis(), sid, data["scale"])


@blp.route("/<sid>/mobile-registry")
class MobileRegistry(MethodView):
    @blp.response(200, process_schemas.MobileRegistrySchema)
    @blp.doc(security=common.SECURITY)
    @common.needs("sandbox")
    def get(self, sid):
        """Read the phone-locality registry (settings.mobile_registry: {mobile: province})"""
        return sandboxes.mobile_registry(common.redis(), sid)

    @blp.arguments(process_schemas.MobileRegistrySchema)
    @blp.response(200, process_schemas.MobileRegistrySchema)
    @blp.doc(security=common.SECURITY)
    @common.needs("control")
    def put(self, data, sid):
        """Replace the phone-locality registry after creation (a setting: the control token, like creating the sandbox)"""
        return sandboxes.set_mobile_registry(common.redis(), sid, data["mobile_registry"])


@blp.route("/<sid>/outbox")
class Outbox(MethodView):
    @blp.arguments(s.OutboxQuerySchema, location="query")
    @blp.response(200, s.MessageSchema(many=True))
    @blp.doc(security=common.SECURITY)
    @common.needs("sandbox")
    def get(self, query, sid):
        """SMS and in-site messages sent in this sandbox (e-mail is not simulated)"""
        return sandboxes.outbox(common.redis(), sid, **query, raw=common.already_read(sid, common.outbox_read(sid)))
