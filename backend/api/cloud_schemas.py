"""marshmallow schemas of a sandbox's account: its CloudBase environments, resource packs,
VPCs, NAT gateways and services, the eligibility they add up to, and its domains.
Re-exported by schemas.py."""

from marshmallow import Schema, fields, validate

from backend.api.schema_base import IsoDate, Strict, StrictBoolean, StrictInteger, in_range, ip_address, one_of, text
from backend.domain import limits


class EnvironmentSchema(Strict):
    id = fields.String(dump_only=True)
    name = text(50, required=True)
    plan = fields.String(
        load_default="personal", validate=one_of(("free", "personal", "standard", "professional", "enterprise"))
    )
    plan_expires_on = IsoDate(load_default=None, allow_none=True)
    fixed_egress_ip = fields.String(load_default=None, allow_none=True, validate=ip_address)


class ResourcePackSchema(Strict):
    id = fields.String(dump_only=True)
    env_id = fields.String(required=True)
    bought_on = IsoDate(load_default=None, allow_none=True)
    months = StrictInteger(load_default=None, allow_none=True, validate=in_range(1, 120))
    expires_on = IsoDate(load_default=None, allow_none=True)
    auto_renew = StrictBoolean(
        load_default=None,
        allow_none=True,
        metadata={"description": "自动续费：剩余不足一年时按虚拟日期续期（演示与培训沙箱）"},
    )


class VpcSchema(Strict):
    id = fields.String(dump_only=True)
    env_id = fields.String(load_default=None, allow_none=True)
    created_by = fields.String(load_default="system", validate=one_of(("system", "custom")))


class NatGatewaySchema(Strict):
    id = fields.String(dump_only=True)
    vpc_id = fields.String(required=True)
    created_by = fields.String(load_default="system", validate=one_of(("system", "custom")))
    size = fields.String(load_default="micro", validate=one_of(("micro", "small", "medium", "large")))
    ip = fields.String(
        load_default=None, allow_none=True, validate=ip_address, metadata={"description": "公网 IP；缺省按种子生成"}
    )


class ServiceSchema(Strict):
    id = fields.String(dump_only=True)
    env_id = fields.String(required=True)
    vpc_id = fields.String(required=True)
    name = text(50, required=True)


class EligibilitySchema(Schema):
    eligible = StrictBoolean()
    rule_set = fields.String()
    date = fields.String()
    rules = fields.List(fields.Dict())
    usable_ips = fields.List(fields.Dict())


class DomainSchema(Strict):
    id = fields.String(dump_only=True)
    name = text(limits.MAX_DOMAIN, required=True)
    registrar = fields.String(load_default=None, validate=validate.Length(max=100, error="长度不能超过 {max} 个字符。"))
    registrar_approved = StrictBoolean(load_default=None)
    holder_name = text(limits.MAX_TEXT, required=True)
    holder_certificate_number = text(limits.MAX_CERTIFICATE_NUMBER, required=True)
    real_name_status = fields.String(load_default=None, validate=one_of(("verified", "pending", "failed")))
    registered_on = IsoDate(load_default=None, allow_none=True)
    expires_on = IsoDate(load_default=None, allow_none=True)
    auto_renew = StrictBoolean(
        load_default=None,
        allow_none=True,
        metadata={"description": "自动续费：剩余不足一年时按虚拟日期续期（演示与培训沙箱）"},
    )
    real_name_verified_on = IsoDate(load_default=None, allow_none=True)  # MIIT has it 3 days later
    site_online = StrictBoolean(
        load_default=None,
        metadata={
            "description": "域名当前是否解析到可访问的网站：首次备案或新增网站在管局审核期间可访问则被驳回"
            "（SITE_REACHABLE_DURING_REVIEW）；默认否"
        },
    )
