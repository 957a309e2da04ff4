"""The national filing registry: seeding records (operators) and MIIT's public query."""

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from backend.api import (
    common,
    schemas as s,  # first: installs the zh-CN messages before the fields below
)
from backend.api.blueprint import Blueprint
from backend.api.schema_base import StrictInteger
from backend.services import registry

blp = Blueprint(
    "registry",
    __name__,
    url_prefix="/api/v1/sandboxes/<sid>/registry",
    description="全国备案信息库：预置其他接入商（或本账号）的备案记录；模拟工信部公共查询",
)

PROVIDER = r"^[a-z][a-z0-9_-]{0,31}$"


class SeedWebsiteSchema(s.Strict):
    name = s.text(50, required=True, metadata={"description": "网站名称"})
    domain = s.text(253, required=True, metadata={"description": "一级域名，一个网站一个域名"})
    number = fields.String(
        load_default=None, allow_none=True, metadata={"description": "网站备案号（主体备案号-序号）；缺省依次分配 -n"}
    )
    nat_ip = fields.IPv4(
        load_default=None,
        allow_none=True,
        error_messages={"invalid_ip": "请填写有效的 IPv4 地址。"},
        metadata={"description": "腾讯云接入时的 NAT IP"},
    )
    access_providers = fields.List(
        fields.String(
            validate=validate.Regexp(PROVIDER, error="接入商代码须为小写字母开头的字母、数字，例如 tencent、other。")
        ),
        load_default=None,
        allow_none=True,
        validate=validate.Length(min=1, error="至少填写一个接入商。"),
        metadata={"description": "接入商，缺省同主体的 access_provider；含 tencent 即接入腾讯云"},
    )
    service_content = s.ServiceContent(load_default=None, allow_none=True)
    responsible = fields.Nested(s.PersonSchema, load_default=None, allow_none=True)
    filing_type = fields.String(
        load_default=None,
        allow_none=True,
        validate=s.one_of(s.FILING_TYPES),
        metadata={
            "description": "在腾讯云备案使用的云服务：cloudbase_run（云托管）或 cvm（云服务器等）；"
            "缺省：有 nat_ip 为 cloudbase_run，否则 cvm"
        },
    )
    extra_domains = fields.List(
        s.text(253),
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=9, error="最多 {max} 个附加域名。"),
        metadata={"description": "旧备案一个网站可有多个域名：附加的域名（「变更网站」可删除）"},
    )


class SeedEntitySchema(s.Strict):
    name = s.text(100, required=True, metadata={"description": "主办单位或主办人名称"})
    type = fields.String(required=True, validate=s.one_of(s.TYPES), metadata={"description": "主体性质"})
    certificate_type = fields.String(required=True, validate=s.one_of(s.CERT_TYPES))
    certificate_number = s.text(40, required=True)
    province = s.text(20, required=True, metadata={"description": "省份：代码 44、440000 或名称 广东省"})
    number = fields.String(
        load_default=None,
        allow_none=True,
        metadata={"description": "主体备案号，须属于 province；缺省按省份和年份分配"},
    )
    access_provider = fields.String(
        load_default="other",
        validate=s.one_of(("other", "tencent")),
        metadata={"description": "接入商：other（其他接入商）或 tencent"},
    )
    account = fields.String(
        load_default="external",
        validate=s.one_of(("external", "self")),
        metadata={"description": "external：其他账号的备案；self：本沙箱账号的备案"},
    )
    filed_at = fields.String(
        load_default=None, allow_none=True, metadata={"description": "备案通过时间（ISO 8601），缺省为虚拟时钟当前时间"}
    )
    responsible = fields.Nested(s.PersonSchema, load_default=None, allow_none=True)
    websites = fields.List(
        fields.Nested(SeedWebsiteSchema),
        required=True,
        validate=validate.Length(min=1, max=100, error="网站数量须在 {min} 到 {max} 个之间。"),
    )


class EntityRecordSchema(Schema):
    """An entity (主体) on record, as stored."""

    id = fields.String()
    name = fields.String()
    type = fields.String()
    certificate_type = fields.String()
    certificate_number = fields.String()
    province = fields.String()
    number = fields.String()
    status = fields.String()
    account = fields.String(metadata={"description": "self：本账号的备案；external：其他账号的备案"})
    responsible = fields.Dict(allow_none=True)
    max_site_index = StrictInteger(metadata={"description": "已分配的最大网站序号（注销的序号不再使用）"})
    filed_at = fields.String()
    access_providers = fields.List(fields.String())
    seeded = s.StrictBoolean()


class WebsiteRecordSchema(Schema):
    """A website (网站) on record, as stored."""

    id = fields.String()
    entity_id = fields.String()
    name = fields.String()
    domain = fields.String()
    number = fields.String()
    site_index = StrictInteger()
    status = fields.String()
    nat_ip = fields.String(allow_none=True)
    access_providers = fields.List(fields.String())
    service_content = fields.Raw(allow_none=True, metadata={"description": "网站服务内容：代码或代码列表"})
    filed_at = fields.String()
    responsible = fields.Dict(allow_none=True)
    seeded = s.StrictBoolean()
    filing_type = fields.String(allow_none=True)
    extra_domains = fields.List(fields.String())


class SeededSchema(Schema):
    entity = fields.Nested(EntityRecordSchema)
    websites = fields.List(fields.Nested(WebsiteRecordSchema))


class RegistryQuerySchema(s.Strict):
    domain = fields.String(load_default=None, metadata={"description": "域名（精确匹配）"})
    number = fields.String(load_default=None, metadata={"description": "主体备案号或网站备案号"})
    entity = fields.String(load_default=None, metadata={"description": "主办单位名称（包含即匹配）"})


class QueryEntitySchema(Schema):
    name = fields.String()
    type = fields.String()
    number = fields.String()
    province = fields.String()


class QueryWebsiteSchema(Schema):
    name = fields.String()
    domain = fields.String()
    number = fields.String()


class QueryResultSchema(Schema):
    entity = fields.Nested(QueryEntitySchema)
    website = fields.Nested(QueryWebsiteSchema, allow_none=True)
    access_providers = fields.List(fields.String())
    filed_at = fields.String()


@blp.route("/entities")
class SeedEntities(MethodView):
    @blp.arguments(SeedEntitySchema)
    @blp.response(201, SeededSchema)
    @blp.doc(security=common.SECURITY)
    @common.needs("control+sandbox")
    def post(self, data, sid):
        """Seed an entity (主体) on record with its websites (control token)

        A filing made elsewhere (`account: external`, `access_provider: other`) by default; numbers
        are checked (kind, province, website numbers under the entity number) or allocated."""
        return registry.seed_entity(common.redis(), sid, common.plain(data))


@blp.route("/query")
class Query(MethodView):
    @blp.arguments(RegistryQuerySchema, location="query")
    @blp.response(200, QueryResultSchema(many=True))
    @blp.doc(security=common.SECURITY)
    @common.needs("sandbox")
    def get(self, query, sid):
        """MIIT's public query (ICP备案查询): active records by domain, record number or entity name"""
        return registry.query(
            common.redis(), sid, domain=query["domain"], number=query["number"], entity_name=query["entity"]
        )
