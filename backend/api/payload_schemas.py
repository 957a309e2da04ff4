"""The REST schemas of applications: the payload of each kind, built from its spec
(domain/kinds/, KindSpec.payload), and the application's requests and answers."""

from marshmallow import Schema, ValidationError, fields, post_load, validate

from backend.api import process_schemas
from backend.api.schema_base import (
    CERT_TYPES,
    ID_LAST6,
    MOBILE,
    NEW_FILING_TYPES,
    PERSON_ID,
    TYPES,
    IsoDate,
    ServiceContent,
    Strict,
    StrictBoolean,
    StrictInteger,
    one_of,
    text,
)
from backend.domain import kinds, limits, workflow


class PersonSchema(Strict):
    name = text(limits.MAX_PERSON_NAME, required=True, metadata={"description": "姓名"})
    # the domain requires it (validation.person_problems); the REST API fills the documented
    # default (README quick start, scenario files) before the domain sees the payload
    certificate_type = fields.String(
        load_default="resident_id",
        validate=one_of(CERT_TYPES),
        metadata={"description": "证件类型，缺省 resident_id（居民身份证）"},
    )
    certificate_number = text(limits.MAX_CERTIFICATE_NUMBER, required=True)
    mobile = text(limits.MAX_MOBILE, required=True)
    email = text(limits.MAX_TEXT, required=True)
    locals().update(process_schemas.person_fields())  # issue #12: validity, emergency and office phones


class EntitySchema(Strict):
    type = fields.String(required=True, validate=one_of(TYPES), metadata={"description": "主体性质"})
    name = text(limits.MAX_TEXT, required=True, metadata={"description": "主办单位或主办人名称"})
    certificate_type = fields.String(required=True, validate=one_of(CERT_TYPES))
    certificate_number = text(limits.MAX_CERTIFICATE_NUMBER, required=True)
    province = text(limits.MAX_PROVINCE, required=True, metadata={"description": "省份：代码 44、440000 或名称 广东省"})
    address = text(limits.MAX_TEXT, required=True, metadata={"description": "通信地址"})
    residence_permit = StrictBoolean(load_default=False)
    id_valid_until = IsoDate(load_default=None, allow_none=True)
    responsible = fields.Nested(PersonSchema, required=True, metadata={"description": "主体负责人"})
    locals().update(process_schemas.entity_fields())  # issue #12: address codes, legal rep, licence


class WebsiteSchema(Strict):
    name = text(limits.MAX_WEBSITE_NAME, required=True, metadata={"description": "网站名称"})
    domain = text(limits.MAX_DOMAIN, required=True, metadata={"description": "一个网站一个域名"})
    # the domain requires it (validation.website_problems); the REST API fills the documented
    # default (README examples of add_website and scenarios) before the domain sees the payload
    service_content = ServiceContent(load_default="blog", metadata={"description": "网站服务内容（可多选），缺省 blog"})
    commercial = StrictBoolean(load_default=False)
    pre_approval_number = fields.String(load_default=None, allow_none=True)
    filing_type = fields.String(load_default="cloudbase_run", validate=one_of(NEW_FILING_TYPES))
    nat_ip = text(limits.MAX_IP, required=True, metadata={"description": "可用于备案的系统 NAT 网关 IP"})
    responsible = fields.Nested(
        PersonSchema, load_default=None, allow_none=True, metadata={"description": "网站负责人（缺省同主体负责人）"}
    )
    locals().update(process_schemas.website_fields())  # issue #12: languages, 前置审批


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
    name = text(
        limits.MAX_WEBSITE_NAME, metadata={"description": "可不填；填写时须与备案信息一致（接入备案不能修改备案信息）"}
    )
    filing_type = fields.String(load_default="cloudbase_run", validate=one_of(NEW_FILING_TYPES))
    nat_ip = text(limits.MAX_IP, required=True, metadata={"description": "可用于备案的系统 NAT 网关 IP"})


class WebsiteChangeSchema(WebsiteRefSchema):
    """A change of one website on record: the reference, then only the fields that change."""

    name = text(limits.MAX_WEBSITE_NAME)
    service_content = ServiceContent()
    homepage_url = text(
        limits.MAX_URL,
        allow_none=True,
        metadata={"description": "新的网站首页地址，须在该网站保留的域名上；null 清除（恢复为默认的 http://域名/）"},
    )
    remark = process_schemas.remark_field("新的网站备注；null 或空字符串清除")
    commercial = StrictBoolean()
    pre_approval_number = fields.String(allow_none=True)
    responsible = PartialNested(PersonSchema(partial=True), metadata={"description": "网站负责人：只填变更的字段"})
    remove_domains = fields.List(
        text(limits.MAX_DOMAIN), metadata={"description": "删除的域名（网站至少保留一个域名）"}
    )
    add_domains = fields.List(
        text(limits.MAX_DOMAIN), metadata={"description": "不支持：变更只能删除域名（DOMAIN_CANNOT_BE_ADDED）"}
    )
    filing_type = fields.String(
        validate=one_of(NEW_FILING_TYPES),
        metadata={"description": "仅「变更网站」：改为云托管备案（须满足云托管备案要求，并选择 nat_ip）"},
    )
    nat_ip = text(limits.MAX_IP, metadata={"description": "仅「变更网站」：云托管备案使用的系统 NAT 网关 IP"})


# KindSpec.payload's modes -> the REST representation of each part
_WEBSITE_SCHEMAS = {"new": WebsiteSchema, "refs": AccessWebsiteSchema, "changes": WebsiteChangeSchema}
_ENTITY_NOTES = {"match": "可不填；填写时须与备案信息一致", "changes": "变更的主体字段"}


def _entity_field(shape):
    if shape.entity == "new":
        return fields.Nested(EntitySchema, required=shape.entity_required)
    return PartialNested(
        EntitySchema(partial=True),
        required=shape.entity_required,
        metadata={"description": _ENTITY_NOTES[shape.entity]},
    )


def _payload_fields(shape):
    """The marshmallow fields of a payload shape (domain/kinds/spec.py Payload)."""
    out = {}
    if shape.reference in ("entity_number", "entity_number?"):
        required = shape.reference == "entity_number"
        out["entity_number"] = text(
            limits.MAX_RECORD_NUMBER,
            required=required,
            metadata={"description": "主体备案号" if required else "主体备案号（可不填）"},
        )
    if shape.entity is not None:
        out["entity"] = _entity_field(shape)
    if shape.websites is not None:
        out["websites"] = _sites(
            _WEBSITE_SCHEMAS[shape.websites], required=shape.websites_required, hi=shape.max_websites
        )
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


# One instance per (kind, partial), made once: building a schema deep-copies its declared
# fields and its nested schemas (~0.2 ms for a first filing's), and an instance loads any
# number of payloads, as flask-smorest's own argument schemas do.
_LOADERS = {(code, partial): cls(partial=partial) for code, cls in PAYLOADS.items() for partial in (False, True)}


def load_payload(kind, payload, partial=False):
    """The payload loaded with its kind's schema; ValidationError keyed under "payload"."""
    if not isinstance(payload, dict):
        raise ValidationError({"payload": ["须为对象。"]})
    try:
        return _LOADERS[(kind, bool(partial))].load(payload)
    except ValidationError as e:
        raise ValidationError({"payload": e.messages}) from None


MERGE_PATCH = "MergePatch"  # the suffix of a payload schema's every-field-optional copy (PATCH bodies)


def register_components(spec):
    """The per-kind payload schemas, as OpenAPI components the request bodies point to, and
    their merge-patch copies (a PATCH loads with partial=True: nothing is required, nested
    objects included; unknown fields are refused all the same)."""
    for cls in PAYLOADS.values():
        name = cls.__name__.removesuffix("Schema")
        if name not in spec.components.schemas:
            spec.components.schema(name, schema=cls)
    for cls in PAYLOADS.values():
        _merge_patch_component(spec, cls.__name__.removesuffix("Schema"))
    create = spec.components.schemas.get("ApplicationCreate")
    if create is not None:
        create["oneOf"] = _kind_names_the_payload()


def _kind_names_the_payload():
    """POST …/applications: `kind` chooses the payload's schema (the `anyOf` of `payload` is
    only their union). One variant per kind; first_filing's also without `kind` (its default)."""
    return [
        {
            "properties": {
                "kind": {"type": "string", "enum": [code]},
                "payload": {"$ref": f"#/components/schemas/{cls.__name__.removesuffix('Schema')}"},
            },
            "required": ["payload"] if code == kinds.FIRST_FILING else ["kind", "payload"],
        }
        for code, cls in PAYLOADS.items()
    ]


def _merge_patch_component(spec, name):
    """`name` + MERGE_PATCH: the component without `required`, its $refs to such copies."""
    patched = name + MERGE_PATCH
    if patched in spec.components.schemas:
        return patched
    spec.components.schemas[patched] = {}  # taken before the walk: a schema may refer to itself

    def walk(node):
        if isinstance(node, list):
            return [walk(item) for item in node]
        if not isinstance(node, dict):
            return node
        out = {}
        for key, value in node.items():
            if key == "required" and isinstance(value, list):
                continue
            if key == "$ref" and isinstance(value, str):
                value = value.rsplit("/", 1)[0] + "/" + _merge_patch_component(spec, value.rsplit("/", 1)[1])
            out[key] = walk(value)
        return out

    spec.components.schemas[patched] = walk(spec.components.schemas[name])
    return patched


_PAYLOAD_DOC = "备案信息，结构取决于 kind（见 README「The nine scenarios」）：" + "；".join(
    f"{kind} → {cls.__name__.removesuffix('Schema')}" for kind, cls in PAYLOADS.items()
)


def _one_of_the_kinds(suffix=""):
    return [
        {"$ref": f"#/components/schemas/{cls.__name__.removesuffix('Schema')}{suffix}"} for cls in PAYLOADS.values()
    ]


def payload_field(description, suffix=""):
    """An application's payload: loaded by its kind's schema (load_payload), which refuses
    unknown fields. Documented as one of the kinds' schemas, each closed (additionalProperties:
    false); not a Dict, whose document would add `additionalProperties: {}` (anything goes)."""
    return fields.Raw(
        required=True,
        metadata={"type": "object", "description": description, "anyOf": _one_of_the_kinds(suffix)},
    )


class ApplicationCreateSchema(Strict):
    kind = fields.String(load_default=kinds.FIRST_FILING, validate=one_of(sorted(kinds.KINDS)))
    payload = payload_field(_PAYLOAD_DOC)

    @post_load
    def _payload_of_kind(self, data, **kwargs):
        return dict(data, payload=load_payload(data["kind"], data["payload"]))


class ApplicationPatchSchema(Strict):
    payload = payload_field(
        "JSON merge patch of the payload (its kind's schema, every field optional, at every depth)", MERGE_PATCH
    )


class SmsCodeSchema(Strict):
    code = fields.String(required=True, validate=validate.Regexp(r"^[0-9]{6}$", error="核验码为 6 位数字。"))
    # MIIT's page: who verifies (person id or mobile), with the last six digits of their ID
    person = fields.String(load_default=None, validate=PERSON_ID)
    mobile = fields.String(load_default=None, validate=MOBILE)
    id_last6 = fields.String(load_default=None, validate=ID_LAST6)


class ActionSchema(Strict):
    reason = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=MAX_REASON, error="原因不能超过 {max} 个字符。"),
    )


class HistoryEventSchema(Schema):
    at = fields.String()
    action = fields.String()
    from_ = fields.String(data_key="from", allow_none=True, attribute="from")
    to = fields.String()
    actor = fields.String()
    reason = fields.String()
    version = StrictInteger()
    audit_data = fields.List(fields.Dict())


class WechatSchema(Schema):
    status = StrictInteger(metadata={"description": "微信 getIcpEntranceInfo 的 status"})
    sms_verify_status = StrictInteger(allow_none=True)


class ApplicationSchema(Schema):
    id = fields.String()
    kind = fields.String()
    kind_zh = fields.String()
    state = fields.String(metadata={"description": "状态：" + "、".join(workflow.STATES)})
    state_zh = fields.String()
    version = StrictInteger()
    wechat = fields.Nested(WechatSchema)
    verifications = fields.List(
        fields.Dict(),
        metadata={
            "description": "工信部短信核验，每个手机号一人：person, roles, name, mobile_masked, state, attempts_left, expires_at"
        },
    )
    allowed_actions = fields.List(fields.String())
    waits_on = fields.String()
    payload = fields.Dict()
    audit_data = fields.List(fields.Dict())
    attempt = StrictInteger()
    result = fields.Dict()
    entity_id = fields.String()
    target = fields.Dict(metadata={"description": "订单涉及的备案记录：entity_id、website_ids"})
    created_at = fields.String()
    updated_at = fields.String()
    submitted_at = fields.String()
    miit_result = fields.Dict(
        metadata={
            "description": "工信部的审核结果（设置 tencent_sync_hours > 0 时）：verdict、at（工信部通知时刻）、"
            "tencent_sync_at（腾讯云同步状态的时刻）、audit_data、applied（备案记录已生成）"
        }
    )
    sms_resubmit = fields.Dict(
        allow_none=True,
        metadata={
            "description": "短信核验超时退回后腾讯云的重新提交（设置 sms_timeout_resubmit_hours）：returned_at、hours；"
            "修改订单即取消，重新提交后为 null"
        },
    )
    agreement = fields.Dict(metadata={"description": "《腾讯云备案服务信息收集及使用说明》：title, accepted_at"})


class SmsVerifiedSchema(ApplicationSchema):
    """The answer of a right MIIT entry: the order, and MIIT's words for it."""

    message = fields.String(
        metadata={
            "description": "工信部提示：您的短信核验完成，请等待其他核验人进行短信核验 / "
            "您的短信核验已全部完成，该请求将提交管局审核"
        }
    )
