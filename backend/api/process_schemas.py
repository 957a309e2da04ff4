"""Schemas of the stages before submission (issue #12): filing-type verification, materials,
face checks, and the sandbox settings they read."""

from marshmallow import Schema, ValidationError, fields, validate

from backend.api.schema_base import IsoDate, StrictBoolean, one_of, text
from backend.domain import face_check, limits, provinces, validation, verification


class AccountSettingsSchema(Schema):
    """The Tencent Cloud account's real-name data that filing-type verification checks (process.md §1.4)."""

    real_name = text(limits.MAX_TEXT, metadata={"description": "账号实名认证主体名称（新增备案须与主体一致）"})
    real_name_verified_at = fields.DateTime(
        format="iso", metadata={"description": "实名认证完成时间（48 小时内未同步）"}
    )
    flagged = StrictBoolean(metadata={"description": "异常账号（风控）"})


MAX_MOBILE_REGISTRY = 200


def _mobile(value):
    if validation.normalize_mobile(value) is None:
        raise ValidationError("须为 11 位中国大陆手机号码。")


def _province(value):
    try:
        provinces.normalize(value)
    except Exception:
        raise ValidationError("未知的省份（填写省份代码或名称，如 32 或 江苏省）。") from None


def mobile_registry_field(**kw):
    return fields.Dict(
        keys=fields.String(validate=_mobile),
        values=fields.String(validate=_province),
        validate=validate.Length(max=MAX_MOBILE_REGISTRY, error="最多 {max} 项。"),
        metadata={
            "description": "手机号归属地：{手机号码: 省份（代码或名称）}；未登记的号码视为本地号码"
            "（江苏、天津、湖南个人要求负责人使用本省手机号码）"
        },
        **kw,
    )


class MobileRegistrySchema(Schema):
    """PUT …/mobile-registry: the whole registry, replacing the one the sandbox had."""

    mobile_registry = mobile_registry_field(required=True)


class BusinessRecordSchema(Schema):
    """A licence's entry in the business registry: when it was registered or last changed."""

    updated_on = IsoDate(required=True, metadata={"description": "登记或变更日期，例如 2026-05-28"})


class OrderElsewhereSchema(Schema):
    """An order of the entity open at another provider (主办者冲突): which provider holds it."""

    provider = text(64, metadata={"description": "接入商，例如 aliyun"})


class ProcessSettings(Schema):
    """Settings of the stages before submission; SettingsSchema inherits them."""

    account = fields.Nested(AccountSettingsSchema)
    business_registry = fields.Dict(
        keys=text(limits.MAX_CERTIFICATE_NUMBER),
        values=fields.Nested(BusinessRecordSchema),
        validate=validate.Length(max=100, error="最多 {max} 项。"),
        metadata={"description": "工商登记：{证件号码: {updated_on: 日期}}（7 个工作日内视为未同步）"},
    )
    orders_elsewhere = fields.Dict(
        keys=text(limits.MAX_CERTIFICATE_NUMBER),
        values=fields.Nested(OrderElsewhereSchema),
        validate=validate.Length(max=100, error="最多 {max} 项。"),
        metadata={
            "description": "其他接入商进行中的备案订单：{证件号码: {provider: 接入商}}；"
            "该主体验证备案类型、新建订单时返回 ENTITY_ORDER_ELSEWHERE（管局：主办者冲突）"
        },
    )
    verification_faults = fields.List(
        fields.String(validate=one_of(sorted(verification.BLOCKING))),
        validate=validate.Length(max=5, error="最多 {max} 项。"),
        metadata={"description": "验证备案类型时强制返回的拦截代码"},
    )
    mobile_registry = mobile_registry_field()
    pre_submit_checks = StrictBoolean(
        metadata={
            "description": "提交前的真实流程：表单字段、网站负责人真实性核验与材料齐全方可提交（缺省 true，"
            "服务端 ICPSIM_PRE_SUBMIT_CHECKS=0 时缺省 false）；false：直接提交，供只测提交之后的场景"
        }
    )
    face_check_before_materials = StrictBoolean(
        metadata={
            "description": "先真实性核验再上传材料（缺省 true，process.md §4.1：视频核身 → 上传材料）；"
            "false：核验前也可上传"
        }
    )
    face_check_faults = fields.List(
        fields.String(validate=one_of(face_check.REPORTABLE_REASONS)),
        validate=validate.Length(max=10, error="最多 {max} 项。"),
        metadata={"description": "真实性核验：依次强制失败的原因（每次核验用掉一项）"},
    )


PROCESS_SETTINGS = set(ProcessSettings._declared_fields)


# -- the real forms' extra fields (process.md §2; domain/forms_rules.py checks them) ----------


class AddressSchema(Schema):
    province_code = text(6, required=True, metadata={"description": "省份 6 位行政区划代码，如 440000"})
    city_code = text(6, required=True, metadata={"description": "城市代码，如 440300"})
    district_code = text(6, required=True, metadata={"description": "区县代码，如 440305"})
    street = text(limits.MAX_STREET, required=True, metadata={"description": "街道门牌（详细到门牌号）"})


class LegalRepSchema(Schema):
    name = text(limits.MAX_PERSON_NAME, required=True)
    certificate_number = text(limits.MAX_CERTIFICATE_NUMBER, required=True)
    certificate_type = fields.String(
        validate=one_of(validation.PERSON_CERT_TYPES),
        metadata={"description": "法定代表人证件类型（可不填，缺省居民身份证）；外籍法定代表人在河北、山西须授权他人"},
    )


class PreApprovalSchema(Schema):
    type = text(30, required=True, metadata={"description": "前置审批类型（GET /api/v1/reference/pre-approval-types）"})
    number = text(60, required=True, metadata={"description": "审批号，例如 粤-12345号"})


def person_fields():
    """The 负责人 fields beyond name/certificate/mobile/e-mail; absent unless given (old payloads stay as they were)."""
    return {
        "id_valid_from": text(10, metadata={"description": "证件有效期起始 YYYY-MM-DD"}),
        "id_valid_until": text(10, metadata={"description": "证件有效期截止 YYYY-MM-DD 或「长期」"}),
        "emergency_phone": text(limits.MAX_MOBILE, metadata={"description": "应急联系电话（不能与手机号相同）"}),
        "office_phone": text(limits.MAX_MOBILE, metadata={"description": "办公室电话（带区号的固定电话）"}),
        "hk_macao_id": text(
            limits.MAX_CERTIFICATE_NUMBER,
            metadata={
                "description": "港澳居民身份证号码（通行证背面，如 A123456(7)）：持港澳居民来往内地通行证者可填；"
                "浙江的工信部短信核验须输入其后六位"
            },
        ),
    }


def remark_field(what):
    return fields.String(
        allow_none=True,
        validate=validate.Length(max=limits.MAX_REMARK, error="备注不能超过 {max} 个字符。"),
        metadata={"description": f"{what}（可不填，最多 {limits.MAX_REMARK} 个字符）"},
    )


def entity_fields():
    return {
        "certificate_address": text(
            limits.MAX_CERT_ADDRESS,
            metadata={"description": "证件住所：证件上的地址，与证件一致（不同于通信地址；提交前须填写）"},
        ),
        "investor": text(
            limits.MAX_TEXT,
            metadata={
                "description": "投资人或主管单位：个人为本人姓名（可不填）；单位为法定代表人或主管/投资单位（提交前须填写）"
            },
        ),
        "remark": remark_field("主体备注，如「已是最详细地址」"),
        "mailing_address": fields.Nested(AddressSchema, metadata={"description": "通信地址：行政区划代码 + 街道"}),
        "legal_representative": fields.Nested(
            LegalRepSchema, metadata={"description": "法定代表人（单位主体负责人不是法定代表人时填写）"}
        ),
        "icp_licence_number": text(
            limits.MAX_RECORD_NUMBER, metadata={"description": "ICP 经营许可证号，如 粤B2-20090059"}
        ),
    }


def website_fields():
    return {
        "languages": fields.List(
            text(3),
            validate=validate.Length(min=1, max=17, error="须选择 {min} 到 {max} 种语言。"),
            metadata={"description": '网站语言 id（GET /api/v1/reference/languages），如 ["1"]'},
        ),
        "homepage_url": text(
            limits.MAX_URL,
            metadata={
                "description": "网站首页地址，须在该网站的域名上，如 https://www.example.cn/（缺省 http://域名/）"
            },
        ),
        "remark": remark_field("网站备注，如「XXXX为本公司的项目」"),
        "pre_approvals": fields.List(
            fields.Nested(PreApprovalSchema),
            validate=validate.Length(max=10, error="最多 {max} 项。"),
            metadata={"description": "前置审批；不涉及时为空列表"},
        ),
    }
