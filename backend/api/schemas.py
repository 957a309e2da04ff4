"""marshmallow schemas of the REST API (requests validated, responses documented)."""
import ipaddress

from marshmallow import Schema, ValidationError, fields, post_load, validate

from backend.api import zh_messages
from backend.domain import kinds, presets, workflow

zh_messages.install()  # before any field below is built: fields copy their messages at init

TYPES = ("personal", "enterprise", "government", "institution", "social_org",
         "private_non_enterprise", "foundation", "law_firm")
CERT_TYPES = ("resident_id", "uscc", "passport", "hk_macao_permit", "taiwan_permit",
              "foreign_permanent_id", "org_code")
CONTENTS = ("blog", "enterprise_site", "portal", "ecommerce", "news", "publishing", "drugs_medical",
            "culture", "radio_film_tv", "finance", "ride_hailing", "games", "education", "other")


def one_of(choices):
    return validate.OneOf(choices, error="须为以下之一：{choices}。")


def text(max_len=200, **kw):
    return fields.String(validate=validate.Length(min=1, max=max_len, error="长度须在 {min} 到 {max} 个字符之间。"), **kw)


def ip_address(value):
    try:
        ipaddress.ip_address(value)
    except ValueError:
        raise ValidationError("须为合法的 IP 地址，例如 162.14.10.20。") from None


def in_range(lo, hi):
    return validate.Range(min=lo, max=hi, error="须在 {min} 到 {max} 之间。")


class Strict(Schema):
    pass


class IsoDate(fields.Date):
    """A date kept as ISO text in the store: loads to "2026-06-01", dumps text as is."""

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).isoformat()

    def _serialize(self, value, attr, obj, **kwargs):
        return value if isinstance(value, str) or value is None else value.isoformat()


class PersonSchema(Strict):
    name = text(50, required=True, metadata={"description": "姓名"})
    certificate_type = fields.String(load_default="resident_id", validate=one_of(CERT_TYPES))
    certificate_number = text(40, required=True)
    mobile = text(20, required=True)
    email = text(100, required=True)


class EntitySchema(Strict):
    type = fields.String(required=True, validate=one_of(TYPES), metadata={"description": "主体性质"})
    name = text(100, required=True, metadata={"description": "主办单位或主办人名称"})
    certificate_type = fields.String(required=True, validate=one_of(CERT_TYPES))
    certificate_number = text(40, required=True)
    province = text(20, required=True, metadata={"description": "省份：代码 44、440000 或名称 广东省"})
    address = text(200, required=True, metadata={"description": "通信地址"})
    residence_permit = fields.Boolean(load_default=False)
    id_valid_until = IsoDate(load_default=None, allow_none=True)
    responsible = fields.Nested(PersonSchema, required=True, metadata={"description": "主体负责人"})


class WebsiteSchema(Strict):
    name = text(50, required=True, metadata={"description": "网站名称"})
    domain = text(253, required=True, metadata={"description": "一个网站一个域名"})
    service_content = fields.String(load_default="blog", validate=one_of(CONTENTS))
    commercial = fields.Boolean(load_default=False)
    pre_approval_number = fields.String(load_default=None, allow_none=True)
    filing_type = fields.String(load_default="cloudbase_run", validate=one_of(("cloudbase_run",)))
    nat_ip = text(45, required=True, metadata={"description": "可用于备案的系统 NAT 网关 IP"})
    responsible = fields.Nested(PersonSchema, load_default=None, allow_none=True,
                                metadata={"description": "网站负责人（缺省同主体负责人）"})


class PartialNested(fields.Nested):
    """A nested object of which every field is optional: changes, or data to compare with a record.
    (A nested schema's own `partial` is overridden by its parent's on load; this one is not.)"""

    def _load(self, value, partial=None):
        return super()._load(value, partial=True)


def _sites(schema, required=True, lo=1, hi=10):
    error = "只能填写 1 个网站。" if lo == hi == 1 else "网站数量须在 {min} 到 {max} 个之间。"
    return fields.List(fields.Nested(schema), required=required, validate=validate.Length(min=lo, max=hi, error=error))


class PayloadSchema(Strict):
    """首次备案：主体信息和网站信息。"""
    entity = fields.Nested(EntitySchema, required=True)
    websites = _sites(WebsiteSchema)


# -- the payloads of the other kinds (domain/scenarios.py declares them; these mirror it) --

class WebsiteRefSchema(Strict):
    """A website on record, named by its ID, its record number or its domain (one is enough)."""
    website_id = text(20, metadata={"description": "网站 ID（GET …/websites）"})
    website_number = text(40, metadata={"description": "网站备案号，例如 粤ICP备2026012345号-1"})
    domain = text(253, metadata={"description": "网站的域名"})


class AccessWebsiteSchema(WebsiteRefSchema):
    name = text(50, metadata={"description": "可不填；填写时须与备案信息一致（接入备案不能修改备案信息）"})
    filing_type = fields.String(load_default="cloudbase_run", validate=one_of(("cloudbase_run",)))
    nat_ip = text(45, required=True, metadata={"description": "可用于备案的系统 NAT 网关 IP"})


class WebsiteChangeSchema(WebsiteRefSchema):
    """A change of one website on record: the reference, then only the fields that change."""
    name = text(50)
    service_content = fields.String(validate=one_of(CONTENTS))
    commercial = fields.Boolean()
    pre_approval_number = fields.String(allow_none=True)
    responsible = PartialNested(PersonSchema(partial=True), metadata={"description": "网站负责人：只填变更的字段"})
    remove_domains = fields.List(text(253), metadata={"description": "删除的域名（网站至少保留一个域名）"})
    add_domains = fields.List(text(253), metadata={"description": "不支持：变更只能删除域名（DOMAIN_CANNOT_BE_ADDED）"})
    filing_type = fields.String(validate=one_of(("cloudbase_run",)),
                                metadata={"description": "仅「变更网站」：改为云托管备案（须满足云托管备案要求，并选择 nat_ip）"})
    nat_ip = text(45, metadata={"description": "仅「变更网站」：云托管备案使用的系统 NAT 网关 IP"})


class FirstFilingPayloadSchema(PayloadSchema):
    """首次备案 first_filing"""


class AccessFilingPayloadSchema(Strict):
    """接入备案 access_filing：已在其他接入商备案的主体和网站接入腾讯云，信息须与备案一致。"""
    entity_number = text(40, required=True, metadata={"description": "主体备案号"})
    entity = PartialNested(EntitySchema(partial=True), metadata={"description": "可不填；填写时须与备案信息一致"})
    websites = _sites(AccessWebsiteSchema)


class AddWebsitePayloadSchema(Strict):
    """新增网站（原备案在腾讯云）add_website：主体为账号在腾讯云备案的主体。"""
    websites = _sites(WebsiteSchema)


class AddWebsiteExternalPayloadSchema(Strict):
    """新增网站（原备案不在腾讯云）add_website_external：主办者性质、证件类型和号码须与备案一致。"""
    entity_number = text(40, metadata={"description": "主体备案号（可不填：按证件号码查找）"})
    entity = fields.Nested(EntitySchema, required=True)
    websites = _sites(WebsiteSchema)


class ChangeFilingPayloadSchema(Strict):
    """变更备案 change_filing：只填变更的主体字段和/或网站字段（不能跨省，证件不能变）。"""
    entity = PartialNested(EntitySchema(partial=True), metadata={"description": "变更的主体字段"})
    websites = _sites(WebsiteChangeSchema, required=False)


class ChangeWebsitePayloadSchema(Strict):
    """变更网站 change_website：一个网站的变更，可删除域名、改为云托管备案。"""
    websites = _sites(WebsiteChangeSchema, lo=1, hi=1)


class CancelEntityPayloadSchema(Strict):
    """注销主体 cancel_entity：注销账号的主体及其全部网站。"""
    entity_number = text(40, metadata={"description": "可不填：账号在腾讯云备案的主体"})
    reason = text(200)


class CancelWebsitePayloadSchema(WebsiteRefSchema):
    """注销网站 cancel_website：不能注销主体下唯一的网站（请注销主体）。"""
    reason = text(200)


class CancelAccessPayloadSchema(WebsiteRefSchema):
    """取消接入 cancel_access：备案号保留，网站不再接入腾讯云。"""
    reason = text(200)


PAYLOADS = {
    "first_filing": FirstFilingPayloadSchema, "access_filing": AccessFilingPayloadSchema,
    "add_website": AddWebsitePayloadSchema, "add_website_external": AddWebsiteExternalPayloadSchema,
    "change_filing": ChangeFilingPayloadSchema, "change_website": ChangeWebsitePayloadSchema,
    "cancel_entity": CancelEntityPayloadSchema, "cancel_website": CancelWebsitePayloadSchema,
    "cancel_access": CancelAccessPayloadSchema,
}


def load_payload(kind, payload, partial=False):
    """The payload loaded with its kind's schema; ValidationError keyed under "payload"."""
    if not isinstance(payload, dict):
        raise ValidationError({"payload": ["须为对象。"]})
    try:
        return PAYLOADS[kind](partial=partial).load(payload)
    except ValidationError as e:
        raise ValidationError({"payload": e.messages}) from None


def register_components(spec):
    """The per-kind payload schemas, as OpenAPI components the request bodies point to."""
    for cls in PAYLOADS.values():
        name = cls.__name__.removesuffix("Schema")
        if name not in spec.components.schemas:
            spec.components.schema(name, schema=cls)


_PAYLOAD_DOC = ("备案信息，结构取决于 kind（见 README「The nine scenarios」）：" + "；".join(
    f"{kind} → {cls.__name__.removesuffix('Schema')}" for kind, cls in PAYLOADS.items()))


class ApplicationCreateSchema(Strict):
    kind = fields.String(load_default="first_filing", validate=one_of(sorted(kinds.KINDS)))
    payload = fields.Dict(required=True, metadata={"description": _PAYLOAD_DOC, "anyOf": [
        {"$ref": f"#/components/schemas/{cls.__name__.removesuffix('Schema')}"} for cls in PAYLOADS.values()]})

    @post_load
    def _payload_of_kind(self, data, **kwargs):
        return dict(data, payload=load_payload(data["kind"], data["payload"]))


class ApplicationPatchSchema(Strict):
    payload = fields.Dict(required=True, metadata={
        "description": "JSON merge patch of the payload (its kind's schema, every field optional)"})


class SmsCodeSchema(Strict):
    code = fields.String(required=True, validate=validate.Regexp(r"^\d{6}$", error="核验码为 6 位数字。"))


class ActionSchema(Strict):
    reason = fields.String(load_default=None, allow_none=True)


class HistoryEventSchema(Schema):
    at = fields.String()
    action = fields.String()
    from_ = fields.String(data_key="from", allow_none=True, attribute="from")
    to = fields.String()
    actor = fields.String()
    reason = fields.String()
    version = fields.Integer()
    audit_data = fields.List(fields.Dict())


class WechatSchema(Schema):
    status = fields.Integer(metadata={"description": "微信 getIcpEntranceInfo 的 status"})
    sms_verify_status = fields.Integer(allow_none=True)


class ApplicationSchema(Schema):
    id = fields.String()
    kind = fields.String()
    kind_zh = fields.String()
    state = fields.String(metadata={"description": "状态：" + "、".join(workflow.STATES)})
    state_zh = fields.String()
    version = fields.Integer()
    wechat = fields.Nested(WechatSchema)
    allowed_actions = fields.List(fields.String())
    waits_on = fields.String()
    payload = fields.Dict()
    audit_data = fields.List(fields.Dict())
    attempt = fields.Integer()
    result = fields.Dict()
    entity_id = fields.String()
    target = fields.Dict(metadata={"description": "订单涉及的备案记录：entity_id、website_ids"})
    created_at = fields.String()
    updated_at = fields.String()
    submitted_at = fields.String()


class SandboxCreateSchema(Strict):
    seed = fields.Raw(load_default=None, metadata={"description": "种子（整数或字符串）；同一种子得到同样的结果"})
    preset = fields.String(load_default="eligible", validate=one_of(sorted(presets.PRESETS)))
    clock_start = fields.String(load_default=None, metadata={"description": "虚拟时钟起点，缺省 2026-06-01T09:00:00+08:00"})
    scale = fields.Float(load_default=0.0, validate=in_range(0, 1e7))
    settings = fields.Dict(load_default=dict)
    name = fields.String(load_default=None)


class ClockSchema(Schema):
    now = fields.String()
    scale = fields.Float()


class SandboxSchema(Schema):
    id = fields.String()
    name = fields.String()
    seed = fields.String()
    preset = fields.String()
    token = fields.String()
    created_at = fields.String()
    settings = fields.Dict()
    clock = fields.Nested(ClockSchema)


class AdvanceSchema(Strict):
    duration = fields.String(load_default=None, metadata={"description": "例如 2d、36h、1d12h"})
    until_idle = fields.Boolean(load_default=False)
    include_deadlines = fields.Boolean(load_default=False)


class ScaleSchema(Strict):
    scale = fields.Float(required=True, validate=in_range(0, 1e7))


class ClockViewSchema(Schema):
    now = fields.String()
    epoch = fields.Float()
    scale = fields.Float()
    paused = fields.Boolean()
    pending_timers = fields.List(fields.Dict())
    fired = fields.List(fields.Dict())
    started_at = fields.String()


class EnvironmentSchema(Strict):
    id = fields.String(dump_only=True)
    name = text(50, required=True)
    plan = fields.String(load_default="personal", validate=one_of(("free", "personal", "standard", "professional", "enterprise")))
    plan_expires_on = IsoDate(load_default=None, allow_none=True)
    fixed_egress_ip = fields.String(load_default=None, allow_none=True)


class ResourcePackSchema(Strict):
    id = fields.String(dump_only=True)
    env_id = fields.String(required=True)
    bought_on = IsoDate(load_default=None, allow_none=True)
    months = fields.Integer(load_default=None, allow_none=True, validate=in_range(1, 120))
    expires_on = IsoDate(load_default=None, allow_none=True)


class VpcSchema(Strict):
    id = fields.String(dump_only=True)
    env_id = fields.String(load_default=None, allow_none=True)
    created_by = fields.String(load_default="system", validate=one_of(("system", "custom")))


class NatGatewaySchema(Strict):
    id = fields.String(dump_only=True)
    vpc_id = fields.String(required=True)
    created_by = fields.String(load_default="system", validate=one_of(("system", "custom")))
    size = fields.String(load_default="micro", validate=one_of(("micro", "small", "medium", "large")))
    ip = fields.String(load_default=None, allow_none=True, validate=ip_address,
                       metadata={"description": "公网 IP；缺省按种子生成"})


class ServiceSchema(Strict):
    id = fields.String(dump_only=True)
    env_id = fields.String(required=True)
    vpc_id = fields.String(required=True)
    name = text(50, required=True)


class EligibilitySchema(Schema):
    eligible = fields.Boolean()
    rule_set = fields.String()
    date = fields.String()
    rules = fields.List(fields.Dict())
    usable_ips = fields.List(fields.Dict())


class DomainSchema(Strict):
    id = fields.String(dump_only=True)
    name = text(253, required=True)
    registrar = fields.String(load_default=None)
    registrar_approved = fields.Boolean(load_default=None)
    holder_name = text(100, required=True)
    holder_certificate_number = text(40, required=True)
    real_name_status = fields.String(load_default=None, validate=one_of(("verified", "pending", "failed")))
    registered_on = IsoDate(load_default=None, allow_none=True)
    expires_on = IsoDate(load_default=None, allow_none=True)


class OutboxQuerySchema(Strict):
    channel = fields.String(load_default=None, validate=one_of(("sms", "email", "site")))
    to = fields.String(load_default=None)
    app_id = fields.String(load_default=None)


class MessageSchema(Schema):
    id = fields.String()
    at = fields.String()
    channel = fields.String()
    to = fields.String()
    sender = fields.String()
    code = fields.String()
    app_id = fields.String()
    text = fields.String()


class NumberQuerySchema(Strict):
    number = fields.String(required=True, metadata={"description": "备案号、许可证号或公安备案号"})


class NumberSchema(Schema):
    valid = fields.Boolean()
    input = fields.String()
    code = fields.String()
    message = fields.String()
    kind = fields.String()
    normalized = fields.String()
    province_code = fields.String()
    province_abbr = fields.String()
    province_name = fields.String()
    serial = fields.String()
    year = fields.Integer(allow_none=True)
    sequence = fields.Integer(allow_none=True)
    site_index = fields.Integer(allow_none=True)
    suffix = fields.String(allow_none=True)
    entity_number = fields.String(allow_none=True)


class RecordSchema(Schema):
    """An entity (主体) or website (网站) on record."""
    class Meta:
        unknown = "include"
    id = fields.String()
    number = fields.String()
    name = fields.String()
    status = fields.String()
    access_providers = fields.List(fields.String())
    entity_id = fields.String()
    domain = fields.String()
    nat_ip = fields.String()
    type = fields.String()
    province = fields.String()
    filed_at = fields.String()
    account = fields.String(metadata={"description": "主体：self（本账号）或 external（其他账号）"})
    address = fields.String(allow_none=True)
    certificate_type = fields.String()
    certificate_number = fields.String()
    site_index = fields.Integer()
    max_site_index = fields.Integer(metadata={"description": "主体：已分配的最大网站序号（注销的序号不再使用）"})
    filing_type = fields.String(allow_none=True, metadata={"description": "网站：cloudbase_run（云托管）或 cvm"})
    extra_domains = fields.List(fields.String(), metadata={"description": "网站：旧备案的附加域名"})
    service_content = fields.String(allow_none=True)
    responsible = fields.Dict(allow_none=True)
    revoked_at = fields.String(metadata={"description": "注销时间（status 为 cancelled）"})
    changed_at = fields.String()
    accessed_at = fields.String()
