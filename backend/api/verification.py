"""验证备案类型 (filing-type verification) and 我的备案 (my filings): where every order starts."""

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from backend.api import common
from backend.api.blueprint import Blueprint
from backend.api.schema_base import Strict, one_of, text
from backend.domain import limits, validation as V
from backend.services import filing_type

blp = Blueprint(
    "verification",
    __name__,
    url_prefix="/api/v1/sandboxes/<sid>",
    description="验证备案类型（任何表单之前）和我的备案（变更、注销从这里开始）",
)


class VerifyRequestSchema(Strict):
    province = text(limits.MAX_PROVINCE, required=True, metadata={"description": "备案地域：省份代码或名称"})
    city = text(
        6,
        load_default=None,
        metadata={"description": "备案地域：城市 6 位行政区划代码（可不填），如 440300；须在所选省份内"},
    )
    district = text(
        6,
        load_default=None,
        metadata={"description": "备案地域：区县 6 位行政区划代码（可不填，须先选城市），如 440305"},
    )
    entity_type = fields.String(required=True, validate=one_of(V.ENTITY_TYPES))
    entity_name = text(
        limits.MAX_TEXT, load_default=None, metadata={"description": "主办单位名称 / 姓名：与账号实名认证主体比对"}
    )
    certificate_type = fields.String(required=True, validate=one_of(V.CERT_TYPES))
    certificate_number = text(limits.MAX_CERTIFICATE_NUMBER, required=True)
    domains = fields.List(
        text(limits.MAX_DOMAIN),
        required=True,
        validate=validate.Length(min=1, max=limits.MAX_WEBSITES, error=f"须填写 1 到 {limits.MAX_WEBSITES} 个域名。"),
    )
    resource = fields.String(
        load_default="cloudbase_run",
        validate=one_of(("cloudbase_run",)),
        metadata={"description": "备案云服务：云托管"},
    )
    nat_ip = text(limits.MAX_IP, load_default=None, metadata={"description": "云托管备案 IP（不填：第一个可用 IP）"})


class VerifyResultSchema(Schema):
    scenario = fields.String()
    scenario_zh = fields.String()
    next_step = fields.String()
    province = fields.String()
    city = fields.String(allow_none=True, metadata={"description": "所选城市（请求选了城市时）"})
    district = fields.String(allow_none=True, metadata={"description": "所选区县（请求选了区县时）"})
    mailing_address = fields.Dict(metadata={"description": "通信地址的起点：所选省、市、区县代码（街道待填写）"})
    entity_number = fields.String(allow_none=True)
    entity_id = fields.String(allow_none=True)
    domains = fields.List(fields.String())
    nat_ip = fields.String()
    usable_ips = fields.List(fields.Dict())
    not_checked = fields.List(
        fields.Dict(), metadata={"description": "未能核对的项（例如未填写主体名称时的账号实名认证主体比对）及说明"}
    )


class MyFilingsSchema(Schema):
    order_in_progress = fields.String(allow_none=True)
    entity = fields.Dict(allow_none=True)
    websites = fields.List(fields.Dict())
    offers = fields.List(fields.Dict())


@blp.route("/filing-type/verify")
class Verify(MethodView):
    @blp.arguments(VerifyRequestSchema)
    @blp.response(200, VerifyResultSchema)
    @blp.doc(security=common.SECURITY)
    @common.needs("sandbox")
    def post(self, data, sid):
        """验证备案类型: the scenario that applies (first filing, access filing, new website at Tencent
        or elsewhere), or 409 with a blocking code, its zh-CN message and `suggest` (what to do)"""
        return filing_type.verify(common.redis(), sid, common.plain(data))


@blp.route("/my-filings")
class MyFilings(MethodView):
    @blp.response(200, MyFilingsSchema)
    @blp.doc(security=common.SECURITY)
    @common.needs("sandbox")
    def get(self, sid):
        """我的备案: the account's entity, its websites (numbers, access state) and the orders that
        apply to them, each with a payload pre-filled from the record"""
        return filing_type.my_filings(common.redis(), sid)
