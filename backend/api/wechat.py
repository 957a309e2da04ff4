"""WeChat's view: getIcpEntranceInfo's `info` object for one application and for the account."""

from flask.views import MethodView
from marshmallow import Schema, fields

from backend.api import common
from backend.api.blueprint import Blueprint
from backend.api.schema_base import StrictInteger
from backend.services import wechat

blp = Blueprint(
    "wechat",
    __name__,
    url_prefix="/api/v1/sandboxes/<sid>",
    description="微信 getIcpEntranceInfo 视图：status、sms_verify_status、is_canceling、available、audit_data",
)


class AuditEntrySchema(Schema):
    key_name = fields.String()
    error = fields.String()
    suggest = fields.String()


class EntranceInfoSchema(Schema):
    status = StrictInteger(metadata={"description": "2–6, 1024, 1025–1031（见 README「WeChat view」）"})
    is_canceling = StrictInteger()
    audit_data = fields.List(fields.Nested(AuditEntrySchema))
    available = StrictInteger()
    sms_verify_status = StrictInteger(allow_none=True)


class EntranceSchema(Schema):
    errcode = StrictInteger()
    errmsg = fields.String()
    info = fields.Nested(EntranceInfoSchema)
    status_zh = fields.String()
    icpsim = fields.Dict(metadata={"description": "our richer fields: state, kind, allowed actions…"})


@blp.route("/applications/<app_id>/wechat")
class ApplicationWechat(MethodView):
    @blp.response(200, EntranceSchema)
    @blp.doc(security=common.SECURITY)
    @common.needs("sandbox")
    def get(self, sid, app_id):
        """One application as WeChat's getIcpEntranceInfo would report it"""
        return wechat.application(common.redis(), sid, app_id)


@blp.route("/wechat/entrance-info")
class EntranceInfo(MethodView):
    @blp.response(200, EntranceSchema)
    @blp.doc(security=common.SECURITY)
    @common.needs("sandbox")
    def get(self, sid):
        """The account as WeChat's getIcpEntranceInfo would report it"""
        return wechat.account(common.redis(), sid)
