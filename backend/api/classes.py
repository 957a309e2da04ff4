"""Classes of trainees (issue #14, control token): N sandboxes at once, their links and
QR codes, and a class view with everyone's progress."""

from flask import Response, request
from flask.views import MethodView
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from backend.api import common, schemas as s
from backend.api.blueprint import Blueprint
from backend.api.schema_base import StrictInteger
from backend.domain import clock, presets
from backend.services import classes

blp = Blueprint(
    "classes",
    __name__,
    url_prefix="/api/v1/classes",
    description="培训班（控制令牌）：一次创建 N 个学员沙箱，打印链接与二维码，并排查看进度",
)

MAX_NAME = 64


class ClassCreateSchema(s.Strict):
    size = StrictInteger(
        required=True,
        validate=s.in_range(1, classes.MAX_SIZE),
        metadata={"description": f"学员人数（1 到 {classes.MAX_SIZE}）"},
    )
    preset = fields.String(load_default="training", validate=s.one_of(sorted(presets.PRESETS)))
    seed_base = StrictInteger(
        load_default=1, validate=s.in_range(0, 10**9), metadata={"description": "第 i 个学员的种子为 seed_base + i"}
    )
    names = fields.List(
        fields.String(validate=validate.Length(max=MAX_NAME, error="长度不能超过 {max} 个字符。")),
        load_default=list,
        validate=validate.Length(max=classes.MAX_SIZE, error="最多 {max} 个名字。"),
    )
    name = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(min=1, max=MAX_NAME, error="长度须在 {min} 到 {max} 个字符之间。"),
    )
    scale = fields.Float(load_default=classes.DEFAULT_SCALE, validate=s.in_range(0, 1e7))
    pacing = fields.String(load_default=clock.DEMO, validate=s.one_of(clock.PACINGS))
    pre_submit_checks = s.StrictBoolean(
        load_default=None,
        allow_none=True,
        metadata={"description": "学员沙箱的 settings.pre_submit_checks（缺省：服务端默认，即提交前的真实流程）"},
    )

    @validates_schema
    def _names_fit(self, data, **kw):
        if len(data.get("names") or []) > data.get("size", 0):
            raise ValidationError("名字比学员人数多", "names")


class ClassSchema(Schema):
    id = fields.String()
    name = fields.String()
    preset = fields.String()
    seed_base = StrictInteger()
    scale = fields.Float()
    pacing = fields.String()
    created_at = fields.String()
    sandboxes = fields.List(fields.String())
    trainees = fields.List(fields.Dict())


class QrQuerySchema(s.Strict):
    format = fields.String(load_default="svg", validate=s.one_of(("svg", "png")))


def base_url():
    """Where phones reach this server: the address the console was opened with."""
    return request.host_url.rstrip("/")


@blp.route("")
class Classes(MethodView):
    @blp.arguments(ClassCreateSchema)
    @blp.response(201, ClassSchema)
    @blp.doc(security=common.SECURITY)
    @common.needs("control")
    def post(self, data):
        """Create a class: `size` trainee sandboxes (a preset, seed_base + i, a name each)"""
        doc = classes.create(common.redis(), **data)
        return classes.view(common.redis(), doc["id"], base_url())

    @blp.response(200, ClassSchema(many=True))
    @blp.doc(security=common.SECURITY)
    @common.needs("control")
    def get(self):
        """List the classes (the newest 100)"""
        return classes.list_all(common.redis())


@blp.route("/<cid>")
class Class(MethodView):
    @blp.response(200, ClassSchema)
    @blp.doc(security=common.SECURITY)
    @common.needs("control")
    def get(self, cid):
        """The class view: each trainee's link, clock and latest application with its progress"""
        return classes.view(common.redis(), cid, base_url())

    @blp.response(204)
    @blp.doc(security=common.SECURITY)
    @common.needs("control")
    def delete(self, cid):
        """Delete the class and its trainees' sandboxes"""
        classes.delete(common.redis(), cid)


@blp.route("/<cid>/qr/<sid>")
class Qr(MethodView):
    @blp.arguments(QrQuerySchema, location="query")
    @blp.doc(
        security=common.SECURITY,
        responses={"200": {"description": "学员小程序链接的二维码", "content": {"image/svg+xml": {}, "image/png": {}}}},
    )
    @common.needs("control")
    def get(self, query, cid, sid):
        """A trainee's mini-program link as a QR code (SVG or PNG), for a phone's camera"""
        data = classes.qr(common.redis(), cid, sid, base_url(), query["format"])
        mimetype = "image/png" if query["format"] == "png" else "image/svg+xml"
        response = Response(data, mimetype=mimetype)
        response.headers["Cache-Control"] = "no-store"  # it carries the sandbox token
        return response
