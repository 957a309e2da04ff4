"""marshmallow schemas of the REST API (requests validated, responses documented)."""
import ipaddress

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from backend.api import zh_messages
from backend.domain import clock, durations, eligibility, kinds, limits, presets, provinces, review, scenarios, workflow
from backend.domain import validation as V
from backend.domain import verification

zh_messages.install()  # before any field below is built: fields copy their messages at init

# The domain's own lists (validation.py), never copies: a new type is accepted everywhere at once.
TYPES = V.ENTITY_TYPES
CERT_TYPES = V.CERT_TYPES
CONTENTS = V.SERVICE_CONTENTS
FILING_TYPES = scenarios.FILING_TYPES  # cloudbase_run or cvm: a record on file may be either
NEW_FILING_TYPES = ("cloudbase_run",)  # a new or accessed website at Tencent is filed as 云托管
assert set(NEW_FILING_TYPES) <= set(FILING_TYPES)

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
    name = text(limits.MAX_PERSON_NAME, required=True, metadata={"description": "姓名"})
    # the domain requires it (validation.person_problems); the REST API fills the documented
    # default (README quick start, scenario files) before the domain sees the payload
    certificate_type = fields.String(load_default="resident_id", validate=one_of(CERT_TYPES),
                                     metadata={"description": "证件类型，缺省 resident_id（居民身份证）"})
    certificate_number = text(limits.MAX_CERTIFICATE_NUMBER, required=True)
    mobile = text(limits.MAX_MOBILE, required=True)
    email = text(limits.MAX_TEXT, required=True)


class EntitySchema(Strict):
    type = fields.String(required=True, validate=one_of(TYPES), metadata={"description": "主体性质"})
    name = text(V.MAX_TEXT, required=True, metadata={"description": "主办单位或主办人名称"})
    certificate_type = fields.String(required=True, validate=one_of(CERT_TYPES))
    certificate_number = text(limits.MAX_CERTIFICATE_NUMBER, required=True)
    province = text(limits.MAX_PROVINCE, required=True, metadata={"description": "省份：代码 44、440000 或名称 广东省"})
    address = text(V.MAX_TEXT, required=True, metadata={"description": "通信地址"})
    residence_permit = fields.Boolean(load_default=False)
    id_valid_until = IsoDate(load_default=None, allow_none=True)
    responsible = fields.Nested(PersonSchema, required=True, metadata={"description": "主体负责人"})


class WebsiteSchema(Strict):
    name = text(V.MAX_WEBSITE_NAME, required=True, metadata={"description": "网站名称"})
    domain = text(limits.MAX_DOMAIN, required=True, metadata={"description": "一个网站一个域名"})
    # the domain requires it (validation.website_problems); the REST API fills the documented
    # default (README examples of add_website and scenarios) before the domain sees the payload
    service_content = fields.String(load_default="blog", validate=one_of(CONTENTS),
                                    metadata={"description": "网站服务内容，缺省 blog（博客/个人空间）"})
    commercial = fields.Boolean(load_default=False)
    pre_approval_number = fields.String(load_default=None, allow_none=True)
    filing_type = fields.String(load_default="cloudbase_run", validate=one_of(NEW_FILING_TYPES))
    nat_ip = text(limits.MAX_IP, required=True, metadata={"description": "可用于备案的系统 NAT 网关 IP"})
    responsible = fields.Nested(PersonSchema, load_default=None, allow_none=True,
                                metadata={"description": "网站负责人（缺省同主体负责人）"})


class PartialNested(fields.Nested):
    """A nested object of which every field is optional: changes, or data to compare with a record.
    (A nested schema's own `partial` is overridden by its parent's on load; this one is not.)"""

    def _load(self, value, partial=None):
        return super()._load(value, partial=True)


def _sites(schema, required=True, lo=1, hi=limits.MAX_WEBSITES):
    error = "只能填写 1 个网站。" if lo == hi == 1 else "网站数量须在 {min} 到 {max} 个之间。"
    return fields.List(fields.Nested(schema), required=required, validate=validate.Length(min=lo, max=hi, error=error))


# -- the payloads, one schema per kind, built from its spec (domain/kinds/, KindSpec.payload) --

class WebsiteRefSchema(Strict):
    """A website on record, named by its ID, its record number or its domain (one is enough)."""
    website_id = text(limits.MAX_DOCUMENT_ID, metadata={"description": "网站 ID（GET …/websites）"})
    website_number = text(limits.MAX_RECORD_NUMBER, metadata={"description": "网站备案号，例如 粤ICP备2026012345号-1"})
    domain = text(limits.MAX_DOMAIN, metadata={"description": "网站的域名"})


class AccessWebsiteSchema(WebsiteRefSchema):
    name = text(limits.MAX_WEBSITE_NAME, metadata={"description": "可不填；填写时须与备案信息一致（接入备案不能修改备案信息）"})
    filing_type = fields.String(load_default="cloudbase_run", validate=one_of(NEW_FILING_TYPES))
    nat_ip = text(limits.MAX_IP, required=True, metadata={"description": "可用于备案的系统 NAT 网关 IP"})


class WebsiteChangeSchema(WebsiteRefSchema):
    """A change of one website on record: the reference, then only the fields that change."""
    name = text(V.MAX_WEBSITE_NAME)
    service_content = fields.String(validate=one_of(CONTENTS))
    commercial = fields.Boolean()
    pre_approval_number = fields.String(allow_none=True)
    responsible = PartialNested(PersonSchema(partial=True), metadata={"description": "网站负责人：只填变更的字段"})
    remove_domains = fields.List(text(limits.MAX_DOMAIN), metadata={"description": "删除的域名（网站至少保留一个域名）"})
    add_domains = fields.List(text(limits.MAX_DOMAIN), metadata={"description": "不支持：变更只能删除域名（DOMAIN_CANNOT_BE_ADDED）"})
    filing_type = fields.String(validate=one_of(NEW_FILING_TYPES),
                                metadata={"description": "仅「变更网站」：改为云托管备案（须满足云托管备案要求，并选择 nat_ip）"})
    nat_ip = text(limits.MAX_IP, metadata={"description": "仅「变更网站」：云托管备案使用的系统 NAT 网关 IP"})


# KindSpec.payload's modes -> the REST representation of each part
_WEBSITE_SCHEMAS = {"new": WebsiteSchema, "refs": AccessWebsiteSchema, "changes": WebsiteChangeSchema}
_ENTITY_NOTES = {"match": "可不填；填写时须与备案信息一致", "changes": "变更的主体字段"}


def _entity_field(shape):
    if shape.entity == "new":
        return fields.Nested(EntitySchema, required=shape.entity_required)
    return PartialNested(EntitySchema(partial=True), required=shape.entity_required,
                         metadata={"description": _ENTITY_NOTES[shape.entity]})


def _payload_fields(shape):
    """The marshmallow fields of a payload shape (domain/kinds/spec.py Payload)."""
    out = {}
    if shape.reference in ("entity_number", "entity_number?"):
        required = shape.reference == "entity_number"
        out["entity_number"] = text(limits.MAX_RECORD_NUMBER, required=required, metadata={
            "description": "主体备案号" if required else "主体备案号（可不填）"})
    if shape.entity is not None:
        out["entity"] = _entity_field(shape)
    if shape.websites is not None:
        out["websites"] = _sites(_WEBSITE_SCHEMAS[shape.websites], required=shape.websites_required,
                                 hi=shape.max_websites)
    if shape.reason:
        out["reason"] = text(MAX_REASON)
    return out


def _payload_schema(spec):
    """A kind's payload schema, named for the OpenAPI components (e.g. AccessFilingPayload)."""
    name = "".join(part.title() for part in spec.code.split("_")) + "PayloadSchema"
    base = WebsiteRefSchema if spec.payload.reference == "website" else Strict
    doc = f"{spec.zh} {spec.code}：{spec.payload.description}"
    return type(name, (base,), {**_payload_fields(spec.payload), "__doc__": doc})


MAX_REASON = limits.MAX_REASON
PAYLOADS = {code: _payload_schema(spec) for code, spec in kinds.KINDS.items()}


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
    code = fields.String(required=True, validate=validate.Regexp(r"^[0-9]{6}$", error="核验码为 6 位数字。"))




class ActionSchema(Strict):
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(
        max=MAX_REASON, error="原因不能超过 {max} 个字符。"))


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


# -- sandbox settings (README「Per-sandbox settings」): every key typed and bounded -------------

WORKING_DAYS = (0, 60)
SMS_WINDOW_HOURS = (1, 8760)
EXPIRY_DAYS = (1, 365)


def working_days(**kw):
    return fields.Integer(validate=in_range(*WORKING_DAYS), **kw)


def int_triple(lo, hi, strictly, what):
    """A list of 3 integers in [lo, hi], increasing (strictly or not)."""
    def ordered(values):
        pairs = list(zip(values, values[1:]))
        if any(a >= b if strictly else a > b for a, b in pairs):
            raise ValidationError(f"{what}须{'依次递增' if strictly else '依次不减'}。")
    return fields.List(fields.Integer(validate=in_range(lo, hi)), validate=[
        validate.Length(equal=3, error=f"须为 3 个整数：{what}。"), ordered])


class ProvinceOverrideSchema(Strict):
    """One province's rules as in provinces.csv (provinces.OVERRIDABLE), every field optional."""
    bureau_wd_min = working_days()
    bureau_wd_typical = working_days()
    bureau_wd_max = working_days()
    nonlocal_personal_id = fields.String(validate=one_of(("refused", "residence_permit")))
    domain_min_months_left = fields.Integer(validate=in_range(0, 120))
    id_min_months_left = fields.Integer(validate=in_range(0, 120))
    temporary_id_refused = fields.Boolean()


assert set(ProvinceOverrideSchema._declared_fields) == set(provinces.OVERRIDABLE)


class ProvinceOverrides(fields.Field):
    """{"44": {"bureau_wd_max": 5, …}}: keys are 2-digit province codes; the bureau's
    min ≤ typical ≤ max still holds once the overrides are applied to provinces.csv."""

    default_error_messages = {"invalid": "须为对象：省份代码 → 覆盖的规则，例如 {{\"44\": {{\"bureau_wd_max\": 5}}}}。"}

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
                errors[code] = [f"管局审核工作日须满足 最少 ≤ 通常 ≤ 最多（{province.name}合并后为 "
                                f"{merged.bureau_wd_min}、{merged.bureau_wd_typical}、{merged.bureau_wd_max}）。"]
                continue
            out[code] = loaded
        if errors:
            raise ValidationError(errors)
        return out


class AccountSchema(Strict):
    """The Tencent Cloud account's real-name data that filing-type verification checks (process.md §1.4)."""
    real_name = text(limits.MAX_TEXT, metadata={"description": "账号实名认证主体名称（新增备案须与主体一致）"})
    real_name_verified_at = fields.DateTime(format="iso", metadata={"description": "实名认证完成时间（48 小时内未同步）"})
    flagged = fields.Boolean(metadata={"description": "异常账号（风控）"})


class SettingsSchema(Strict):
    """Per-sandbox settings: durations.DEFAULTS, review.DEFAULT_SETTINGS and the rest (README)."""
    provider_review_wd = working_days(metadata={"description": "初审（腾讯云）工作日"})
    to_bureau_wd_min = working_days(metadata={"description": "初审通过到提交管局，最少工作日"})
    to_bureau_wd_max = working_days(metadata={"description": "初审通过到提交管局，最多工作日"})
    sms_window_hours = fields.Integer(validate=in_range(*SMS_WINDOW_HOURS), metadata={"description": "短信核验时限（小时）"})
    sms_max_wrong = fields.Integer(validate=in_range(0, 100), metadata={"description": "允许输错核验码的次数"})
    change_wd = int_triple(*WORKING_DAYS, strictly=False, what="变更的管局审核工作日 [最少, 通常, 最多]")
    cancel_wd = int_triple(*WORKING_DAYS, strictly=False, what="注销的管局审核工作日 [最少, 通常, 最多]")
    bureau_wd = working_days(allow_none=True, metadata={"description": "固定管局审核工作日（缺省按省份）"})
    idle_reminder_days = int_triple(*EXPIRY_DAYS, strictly=True, what="未处理提醒的天数 [第 1 次, 第 2 次, 第 3 次]")
    idle_expiry_days = fields.Integer(validate=in_range(*EXPIRY_DAYS), metadata={"description": "未处理过期天数"})
    strict_nonlocal_id = fields.Boolean()
    min_age = fields.Integer(validate=in_range(0, 100), metadata={"description": "个人备案的最低年龄"})
    random_rejection_rate = fields.Float(validate=in_range(0, 1), metadata={"description": "随机驳回的比例"})
    rule_set = fields.String(validate=one_of(eligibility.RULE_SETS))
    province_overrides = ProvinceOverrides(metadata={
        "type": "object", "description": "按省份覆盖 provinces.csv 的规则：{\"44\": {\"bureau_wd_max\": 5}}"})
    # issue #12: the world filing-type verification looks at, and the stages before submission
    account = fields.Nested(AccountSchema)
    business_registry = fields.Dict(keys=text(limits.MAX_CERTIFICATE_NUMBER), values=fields.Dict(), validate=validate.Length(
        max=100, error="最多 {max} 项。"), metadata={"description": "工商登记：{证件号码: {updated_on: 日期}}（7 个工作日内未同步）"})
    verification_faults = fields.List(fields.String(validate=one_of(sorted(verification.BLOCKING))), validate=validate.Length(
        max=5, error="最多 {max} 项。"), metadata={"description": "验证备案类型时强制返回的拦截代码"})

    @validates_schema
    def _min_not_above_max(self, data, **kwargs):
        lo = data.get("to_bureau_wd_min", durations.DEFAULTS["to_bureau_wd_min"])
        hi = data.get("to_bureau_wd_max", durations.DEFAULTS["to_bureau_wd_max"])
        if lo > hi:
            raise ValidationError(f"最少工作日（{lo}）不能大于最多工作日（{hi}）。",
                                  "to_bureau_wd_min" if "to_bureau_wd_min" in data else "to_bureau_wd_max")


PROCESS_SETTINGS = {"account", "business_registry", "verification_faults"}
# every setting the domain reads has its field (a new default without one fails here, at import)
assert set(SettingsSchema._declared_fields) == (
    set(durations.DEFAULTS) | set(review.DEFAULT_SETTINGS) | {"random_rejection_rate", "rule_set", "province_overrides"} | PROCESS_SETTINGS)


class Seed(fields.Field):
    """An integer or a short string (stored as text)."""

    default_error_messages = {"invalid": "种子须为整数或 1 到 64 个字符的字符串。"}

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, (int, str)) or not 0 < len(str(value)) <= 64:
            raise self.make_error("invalid")
        return value


def clock_start_in_range(value):
    problems = clock.start_problems(value)
    if problems:
        raise ValidationError(problems)


class SandboxCreateSchema(Strict):
    seed = Seed(load_default=None, allow_none=True, metadata={
        "description": "种子（整数或字符串）；同一种子得到同样的结果",
        "anyOf": [{"type": "integer"}, {"type": "string", "maxLength": 64}]})
    preset = fields.String(load_default="eligible", validate=one_of(sorted(presets.PRESETS)))
    clock_start = fields.String(load_default=None, allow_none=True, validate=clock_start_in_range, metadata={
        "description": "虚拟时钟起点（2000-01-01 到 2100-01-01），缺省 2026-06-01T09:00:00+08:00"})
    scale = fields.Float(load_default=0.0, validate=in_range(0, limits.MAX_CLOCK_SCALE))
    settings = fields.Nested(SettingsSchema, load_default=dict)
    name = fields.String(load_default=None, validate=validate.Length(min=1, max=64, error="长度须在 {min} 到 {max} 个字符之间。"))


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


MAX_ADVANCE_DAYS = limits.MAX_ADVANCE_DAYS


class AdvanceSchema(Strict):
    """Either a duration or until_idle."""
    duration = fields.String(load_default=None, allow_none=True, metadata={
        "description": f"例如 2d、36h、1d12h（最多 {MAX_ADVANCE_DAYS} 天）；与 until_idle 二选一"})
    until_idle = fields.Boolean(load_default=False)
    include_deadlines = fields.Boolean(load_default=False)

    @validates_schema
    def _duration_or_until_idle(self, data, **kwargs):
        duration = data.get("duration")
        if data.get("until_idle"):
            if duration:
                raise ValidationError("duration 与 until_idle: true 只能提供一个。", "duration")
            return
        if not duration:
            raise ValidationError("请提供 duration（例如 2d）或 until_idle: true。", "duration")
        try:
            seconds = clock.parse_duration(duration)
        except ValueError:
            raise ValidationError(f"时长格式不正确：{duration[:40]!r}，例如 2d、36h、1d12h、90m。", "duration") from None
        if not seconds <= limits.MAX_ADVANCE_SECONDS:
            raise ValidationError(f"一次最多推进 {MAX_ADVANCE_DAYS} 天。", "duration")


class ScaleSchema(Strict):
    scale = fields.Float(required=True, validate=in_range(0, limits.MAX_CLOCK_SCALE))


class ClockViewSchema(Schema):
    now = fields.String()
    epoch = fields.Float()
    scale = fields.Float()
    paused = fields.Boolean()
    pending_timers = fields.List(fields.Dict())
    failed_timers = fields.List(fields.Dict())  # timers whose job failed: skipped by advances
    fired = fields.List(fields.Dict())
    started_at = fields.String()


class EnvironmentSchema(Strict):
    id = fields.String(dump_only=True)
    name = text(50, required=True)
    plan = fields.String(load_default="personal", validate=one_of(("free", "personal", "standard", "professional", "enterprise")))
    plan_expires_on = IsoDate(load_default=None, allow_none=True)
    fixed_egress_ip = fields.String(load_default=None, allow_none=True, validate=ip_address)


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
    registrar = fields.String(load_default=None, validate=validate.Length(max=100, error="长度不能超过 {max} 个字符。"))
    registrar_approved = fields.Boolean(load_default=None)
    holder_name = text(100, required=True)
    holder_certificate_number = text(40, required=True)
    real_name_status = fields.String(load_default=None, validate=one_of(("verified", "pending", "failed")))
    registered_on = IsoDate(load_default=None, allow_none=True)
    expires_on = IsoDate(load_default=None, allow_none=True)
    real_name_verified_on = IsoDate(load_default=None, allow_none=True)  # MIIT syncs it 3 days later


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
