"""marshmallow schemas of the REST API (requests validated, responses documented).

The applications' schemas are in payload_schemas.py, the account's cloud resources and
domains in cloud_schemas.py and the building blocks in schema_base.py; this module
re-exports them, so every blueprint imports one name."""

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from backend.api.cloud_schemas import (  # noqa: F401
    DomainSchema,
    EligibilitySchema,
    EnvironmentSchema,
    NatGatewaySchema,
    ResourcePackSchema,
    ServiceSchema,
    VpcSchema,
)
from backend.api.payload_schemas import (  # noqa: F401
    MAX_REASON,
    PAYLOADS,
    AccessWebsiteSchema,
    ActionSchema,
    ApplicationCreateSchema,
    ApplicationPatchSchema,
    ApplicationSchema,
    EntitySchema,
    HistoryEventSchema,
    PartialNested,
    PersonSchema,
    SmsCodeSchema,
    SmsVerifiedSchema,
    WebsiteChangeSchema,
    WebsiteRefSchema,
    WebsiteSchema,
    WechatSchema,
    load_payload,
    register_components,
)
from backend.api.process_schemas import PROCESS_SETTINGS, ProcessSettings
from backend.api.schema_base import (  # noqa: F401
    CERT_TYPES,
    CONTENTS,
    FILING_TYPES,
    NEW_FILING_TYPES,
    TYPES,
    IsoDate,
    ServiceContent,
    Strict,
    StrictBoolean,
    StrictInteger,
    audit_items,
    in_range,
    ip_address,
    one_of,
    text,
)
from backend.api.timeline_schemas import TIMELINE_SETTINGS, TimelineSettings
from backend.domain import clock, durations, eligibility, limits, mail, presets, provinces, review

# -- sandbox settings (README「Per-sandbox settings」): every key typed and bounded -------------

WORKING_DAYS = (0, 60)
SMS_WINDOW_HOURS = (1, 8760)
EXPIRY_DAYS = (1, 365)


def working_days(**kw):
    return StrictInteger(validate=in_range(*WORKING_DAYS), **kw)


def int_triple(lo, hi, strictly, what):
    """A list of 3 integers in [lo, hi], increasing (strictly or not)."""

    def ordered(values):
        pairs = list(zip(values, values[1:]))
        if any(a >= b if strictly else a > b for a, b in pairs):
            raise ValidationError(f"{what}须{'依次递增' if strictly else '依次不减'}。")

    return fields.List(
        StrictInteger(validate=in_range(lo, hi)),
        validate=[validate.Length(equal=3, error=f"须为 3 个整数：{what}。"), ordered],
    )


class ProvinceOverrideSchema(Strict):
    """One province's rules as in provinces.csv (provinces.OVERRIDABLE), every field optional."""

    bureau_wd_min = working_days()
    bureau_wd_typical = working_days()
    bureau_wd_max = working_days()
    nonlocal_personal_id = fields.String(validate=one_of(("refused", "residence_permit")))
    domain_min_months_left = StrictInteger(validate=in_range(0, 120))
    id_min_months_left = StrictInteger(validate=in_range(0, 120))
    temporary_id_refused = StrictBoolean()


assert set(ProvinceOverrideSchema._declared_fields) == set(provinces.OVERRIDABLE)


class ProvinceOverrides(fields.Field):
    """{"44": {"bureau_wd_max": 5, …}}: keys are 2-digit province codes; the bureau's
    min ≤ typical ≤ max still holds once the overrides are applied to provinces.csv."""

    default_error_messages = {"invalid": '须为对象：省份代码 → 覆盖的规则，例如 {{"44": {{"bureau_wd_max": 5}}}}。'}

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, dict):
            raise self.make_error("invalid")
        out, errors = {}, {}
        for code, changes in value.items():
            try:
                province = provinces.get(code)
            except Exception:  # DomainError: not one of the 31 codes
                errors[str(code)] = ["未知的省份代码：须为 2 位省级行政区划代码，例如 44（广东省）。"]
                continue
            try:
                loaded = ProvinceOverrideSchema().load(changes if isinstance(changes, dict) else None)
            except ValidationError as e:
                errors[code] = e.messages if isinstance(changes, dict) else ["须为对象。"]
                continue
            merged = provinces.with_overrides(province, {code: loaded})
            if not merged.bureau_wd_min <= merged.bureau_wd_typical <= merged.bureau_wd_max:
                errors[code] = [
                    f"管局审核工作日须满足 最少 ≤ 通常 ≤ 最多（{province.name}合并后为 "
                    f"{merged.bureau_wd_min}、{merged.bureau_wd_typical}、{merged.bureau_wd_max}）。"
                ]
                continue
            out[code] = loaded
        if errors:
            raise ValidationError(errors)
        return out


class SettingsSchema(ProcessSettings, TimelineSettings, Strict):
    """Per-sandbox settings: durations.DEFAULTS, review.DEFAULT_SETTINGS and the rest (README)."""

    provider_review_wd = working_days(metadata={"description": "初审（腾讯云）工作日"})
    to_bureau_wd_min = working_days(metadata={"description": "初审通过到提交管局，最少工作日"})
    to_bureau_wd_max = working_days(metadata={"description": "初审通过到提交管局，最多工作日"})
    sms_window_hours = StrictInteger(
        validate=in_range(*SMS_WINDOW_HOURS), metadata={"description": "短信核验时限（小时）"}
    )
    sms_max_wrong = StrictInteger(validate=in_range(0, 100), metadata={"description": "允许输错核验码的次数"})
    change_wd = int_triple(*WORKING_DAYS, strictly=False, what="变更的管局审核工作日 [最少, 通常, 最多]")
    cancel_wd = int_triple(*WORKING_DAYS, strictly=False, what="注销的管局审核工作日 [最少, 通常, 最多]")
    bureau_wd = working_days(allow_none=True, metadata={"description": "固定管局审核工作日（缺省按省份）"})
    idle_reminder_days = int_triple(*EXPIRY_DAYS, strictly=True, what="未处理提醒的天数 [第 1 次, 第 2 次, 第 3 次]")
    idle_expiry_days = StrictInteger(validate=in_range(*EXPIRY_DAYS), metadata={"description": "未处理过期天数"})
    strict_nonlocal_id = StrictBoolean()
    min_age = StrictInteger(validate=in_range(0, 100), metadata={"description": "个人备案的最低年龄"})
    random_rejection_rate = fields.Float(validate=in_range(0, 1), metadata={"description": "随机驳回的比例"})
    material_min_sharpness = StrictInteger(
        validate=in_range(0, 255),
        metadata={
            "description": "材料清晰度下限（0–255，上传时用 Pillow 计算），设置后对所有材料统一适用；"
            "缺省按材料类别（证件照 60、扫描件 40、签字文书 30）；低于它初审以「模糊」驳回该材料；0 关闭"
        },
    )
    material_rejection_rate = fields.Float(
        validate=in_range(0, 1),
        metadata={"description": "初审以模板不对、未签字盖章、水印不符驳回一份材料的比例（按种子抽取；缺省 0）"},
    )
    rule_set = fields.String(validate=one_of(eligibility.RULE_SETS))
    province_overrides = ProvinceOverrides(
        metadata={"type": "object", "description": '按省份覆盖 provinces.csv 的规则：{"44": {"bureau_wd_max": 5}}'}
    )

    @validates_schema
    def _min_not_above_max(self, data, **kwargs):
        lo = data.get("to_bureau_wd_min", durations.DEFAULTS["to_bureau_wd_min"])
        hi = data.get("to_bureau_wd_max", durations.DEFAULTS["to_bureau_wd_max"])
        if lo > hi:
            raise ValidationError(
                f"最少工作日（{lo}）不能大于最多工作日（{hi}）。",
                "to_bureau_wd_min" if "to_bureau_wd_min" in data else "to_bureau_wd_max",
            )


# every setting the domain reads has its field (a new default without one fails here, at import)
assert set(SettingsSchema._declared_fields) == (
    set(durations.DEFAULTS)
    | set(review.DEFAULT_SETTINGS)
    | {"random_rejection_rate", "rule_set", "province_overrides"}
    | PROCESS_SETTINGS
    | TIMELINE_SETTINGS
)


class Seed(fields.Field):
    """An integer or a short string (stored as text)."""

    default_error_messages = {"invalid": f"种子须为整数或 1 到 {limits.MAX_SEED_CHARS} 个字符的字符串。"}

    def _deserialize(self, value, attr, data, **kwargs):
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, str))
            or not 0 < len(str(value)) <= limits.MAX_SEED_CHARS
        ):
            raise self.make_error("invalid")
        return value


class SandboxCreateSchema(Strict):
    seed = Seed(
        load_default=None,
        allow_none=True,
        metadata={
            "description": "种子（整数或字符串）；同一种子得到同样的结果",
            "anyOf": [{"type": "integer"}, {"type": "string", "maxLength": limits.MAX_SEED_CHARS}],
        },
    )
    preset = fields.String(load_default="eligible", validate=one_of(sorted(presets.PRESETS)))
    clock_start = fields.String(
        load_default=None,
        allow_none=True,
        metadata={"description": "虚拟时钟起点（2000-01-01 到 2100-01-01），缺省 2026-06-01T09:00:00+08:00"},
    )
    scale = fields.Float(load_default=0.0)  # bounds: clock.scale_problems (sandboxes.create)
    settings = fields.Nested(SettingsSchema, load_default=dict)
    name = fields.String(
        load_default=None,
        validate=validate.Length(min=1, max=limits.MAX_SANDBOX_NAME, error="长度须在 {min} 到 {max} 个字符之间。"),
    )
    pacing = fields.String(
        load_default=None,
        allow_none=True,
        validate=one_of(clock.PACINGS),
        metadata={"description": "时钟节奏：steady（始终按倍率）或 demo（审核时按倍率快进，轮到用户时按真实速度）"},
    )
    idle_ttl_seconds = StrictInteger(
        load_default=None,
        allow_none=True,
        validate=in_range(1, limits.MAX_IDLE_TTL_SECONDS),
        metadata={"description": "闲置时限（秒）：这么久没有任何 API 调用，沙箱连同其数据被删除；缺省不删除"},
    )


class ClockSchema(Schema):
    now = fields.String()
    scale = fields.Float()
    pacing = fields.String()


class SandboxSchema(Schema):
    id = fields.String()
    name = fields.String()
    seed = fields.String()
    preset = fields.String()
    token = fields.String()
    created_at = fields.String()
    settings = fields.Dict()
    clock = fields.Nested(ClockSchema)
    idle_ttl_seconds = StrictInteger(allow_none=True)
    expires_at = fields.String(allow_none=True, metadata={"description": "闲置到此刻（UTC）即被删除"})
    dropped = fields.Dict(metadata={"description": "上限丢弃的条数：journal、outbox、history:<订单号>"})


MAX_ADVANCE_DAYS = limits.MAX_ADVANCE_DAYS


class AdvanceSchema(Strict):
    """Either a duration or until_idle."""

    duration = fields.String(
        load_default=None,
        allow_none=True,
        metadata={"description": f"例如 2d、36h、1d12h（最多 {MAX_ADVANCE_DAYS} 天）；与 until_idle 二选一"},
    )
    until_idle = StrictBoolean(load_default=False)
    include_deadlines = StrictBoolean(load_default=False)

    @validates_schema
    def _duration_or_until_idle(self, data, **kwargs):
        duration = data.get("duration")
        if data.get("until_idle"):
            if duration:
                raise ValidationError("duration 与 until_idle: true 只能提供一个。", "duration")
            return
        if not duration:
            raise ValidationError("请提供 duration（例如 2d）或 until_idle: true。", "duration")
        # what the duration means (its format, direction, bound) is the domain's:
        # clock.advance_problems, checked by the service before anything happens


class ScaleSchema(Strict):
    scale = fields.Float(
        required=True,  # its bounds are the domain's (clock.scale_problems, checked by timers.set_scale)
        metadata={"description": f"0 pauses; a running clock: {clock.MIN_RUNNING_SCALE:g} to {clock.MAX_SCALE:.0f}"},
    )


class ClockViewSchema(Schema):
    now = fields.String()
    epoch = fields.Float()
    scale = fields.Float()
    paused = StrictBoolean()
    pending_timers = fields.List(fields.Dict())
    failed_timers = fields.List(fields.Dict())  # timers whose job failed: skipped by advances
    fired = fields.List(fields.Dict())
    started_at = fields.String()


class OutboxQuerySchema(Strict):
    channel = fields.String(
        load_default=None,
        validate=one_of(mail.CHANNELS),
        metadata={
            "description": "sms、email、site（站内信）；wechat（腾讯云助手）和 wecom（企业微信）送达与 site 相同的账号消息"
        },
    )
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
    subject = fields.String(metadata={"description": "e-mail only (channel=email)"})
    text = fields.String()


class NumberQuerySchema(Strict):
    number = fields.String(required=True, metadata={"description": "备案号、许可证号或公安备案号"})


class NumberSchema(Schema):
    valid = StrictBoolean()
    input = fields.String()
    code = fields.String()
    message = fields.String()
    suggestion = fields.String(
        metadata={"description": "the number as it should be written, when only its writing is wrong"}
    )
    kind = fields.String()
    normalized = fields.String()
    province_code = fields.String()
    province_abbr = fields.String()
    province_name = fields.String()
    serial = fields.String()
    year = StrictInteger(allow_none=True)
    sequence = StrictInteger(allow_none=True)
    site_index = StrictInteger(allow_none=True)
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
    site_index = StrictInteger()
    max_site_index = StrictInteger(metadata={"description": "主体：已分配的最大网站序号（注销的序号不再使用）"})
    filing_type = fields.String(allow_none=True, metadata={"description": "网站：cloudbase_run（云托管）或 cvm"})
    extra_domains = fields.List(fields.String(), metadata={"description": "网站：旧备案的附加域名"})
    service_content = fields.Raw(allow_none=True, metadata={"description": "网站服务内容：代码或代码列表"})
    homepage_url = fields.String(metadata={"description": "网站：网站首页地址（填写时）"})
    certificate_address = fields.String(metadata={"description": "主体：证件住所（填写时）"})
    investor = fields.String(metadata={"description": "主体：投资人或主管单位（填写时）"})
    remark = fields.String(metadata={"description": "主体备注或网站备注（填写时）"})
    mailing_address = fields.Dict(metadata={"description": "主体：通信地址（行政区划代码 + 街道，填写时）"})
    legal_representative = fields.Dict(metadata={"description": "主体：法定代表人（填写时）"})
    icp_licence_number = fields.String(metadata={"description": "主体：ICP 经营许可证号（持证时，备案号由其派生）"})
    responsible = fields.Dict(allow_none=True)
    revoked_at = fields.String(metadata={"description": "注销时间（status 为 cancelled）"})
    changed_at = fields.String()
    accessed_at = fields.String()
