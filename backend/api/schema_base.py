"""The building blocks of the REST schemas: strict schemas, zh-CN messages, bounded text."""

import ipaddress

from marshmallow import Schema, ValidationError, fields, pre_load, validate

from backend.api import zh_messages
from backend.domain import scenarios, validation as V

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
    return fields.String(
        validate=validate.Length(min=1, max=max_len, error="长度须在 {min} 到 {max} 个字符之间。"), **kw
    )


def ip_address(value):
    try:
        ipaddress.ip_address(value)
    except ValueError:
        raise ValidationError("须为合法的 IP 地址，例如 162.14.10.20。") from None


# MIIT's verification page (payload_schemas.SmsCodeSchema, miit.ResendSchema): who verifies
PERSON_ID = validate.Regexp(r"^P\d{1,2}$", error="核验人编号格式为 P1、P2…")
MOBILE = validate.Regexp(r"^1\d{10}$", error="手机号为 11 位数字。")
# the last 6 of an ID number (末位可为 X); in Zhejiang an HK/Macau holder's ID card: 456（7） (process.md §5)
ID_LAST6 = validate.Regexp(
    r"^(\d{5}[\dXx]|\d{3}[(（][\dA-Za-z][)）])$",
    error="证件号码后六位为 6 位数字（末位可为 X）；浙江港澳居民为港澳身份证号码后六位，如 456（7）。",
)


def in_range(lo, hi):
    return validate.Range(min=lo, max=hi, error="须在 {min} 到 {max} 之间。")


MAX_LIST_ITEMS = 1000  # a request list without a maximum of its own (bodies are at most 1 MiB)


def list_limit(field):
    """(max items, zh-CN message) of a List field: its Length validator's, else MAX_LIST_ITEMS."""
    for v in field.validators:
        if isinstance(v, validate.Length) and (v.max is not None or v.equal is not None):
            hi = v.equal if v.equal is not None else v.max
            message = v.error.format(min=v.min, max=v.max, equal=v.equal) if v.error else f"最多 {hi} 项。"
            return hi, message
    return MAX_LIST_ITEMS, f"最多 {MAX_LIST_ITEMS} 项。"


class AuditItemSchema(Schema):
    """A rejection opinion (驳回意见) as a client writes it (a fault rule, a teleport): a review
    rule's code; the texts left out are the rule table's (domain.faults.audit_entries)."""

    code = fields.String(
        required=True, validate=validate.Length(min=1, max=64, error="长度须在 {min} 到 {max} 个字符之间。")
    )
    field = fields.String(metadata={"description": "字段路径，例如 entity.name"})
    key_name = fields.String()
    error = fields.String()
    suggest = fields.String()


def audit_items(description):
    return fields.List(
        fields.Nested(AuditItemSchema), load_default=None, allow_none=True, metadata={"description": description}
    )


class StrictBoolean(fields.Boolean):
    """A JSON boolean: true or false only. marshmallow's Boolean also takes 1, 0, "yes", "on",
    "t"… — a body's `"pre_submit_checks": "no"` would have loaded as False, silently. A query
    string has no booleans (every value is text): no query parameter of the API is a boolean."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class StrictInteger(fields.Integer):
    """A whole number: 2.5 is refused (须为整数), where marshmallow's Integer truncated it to 2
    without a word (`"idle_ttl_seconds": 100.7` kept 100, `"size": 1.7` made a class of 1).
    2.0 is a whole number (JSON Schema's `integer` too), and so are a query string's digits."""

    def _validated(self, value):
        if isinstance(value, float) and not value.is_integer():
            raise self.make_error("invalid")
        return super()._validated(value)


class Strict(Schema):
    @pre_load
    def _list_lengths_before_items(self, data, **kwargs):
        """marshmallow checks a list's Length only after validating every item: 200,000 items
        would cost seconds of CPU and a 422 of megabytes. Over-long lists are refused here,
        before any item is looked at, with the list's own message."""
        if not isinstance(data, dict):
            return data
        errors = {}
        for name, field in self.load_fields.items():
            key = field.data_key or name
            value = data.get(key)
            if isinstance(field, fields.List) and isinstance(value, list):
                hi, message = list_limit(field)
                if len(value) > hi:
                    errors[key] = [message]
        if errors:
            raise ValidationError(errors)
        return data


class IsoDate(fields.Date):
    """A date kept as ISO text in the store: loads to "2026-06-01", dumps text as is."""

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).isoformat()

    def _serialize(self, value, attr, obj, **kwargs):
        return value if isinstance(value, str) or value is None else value.isoformat()


class ServiceContent(fields.Field):
    """网站服务内容 (process.md §2.3: multi-select): a list of codes; a single code (the shape of
    orders written before) is accepted as written and reads as a one-item list. Kept as given, so
    older payloads answer exactly as before."""

    def __init__(self, **kwargs):
        meta = {
            "description": '网站服务内容（可多选）：代码列表，例如 ["blog"]；单个代码视为一项。可选：'
            + "、".join(CONTENTS),
            "oneOf": [
                {"type": "array", "items": {"type": "string", "enum": list(CONTENTS)}},
                {"type": "string", "enum": list(CONTENTS)},
            ],
        }
        meta.update(kwargs.pop("metadata", {}))
        super().__init__(metadata=meta, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        allowed = "须为以下之一：" + ", ".join(CONTENTS) + "。"
        if isinstance(value, str):
            if value not in CONTENTS:
                raise ValidationError(allowed)
            return value
        if not isinstance(value, list) or not value:
            raise ValidationError("须为网站服务内容代码的列表（至少 1 项）。")
        if len(value) > V.service_contents.MAX_ITEMS:
            raise ValidationError(f"最多选择 {V.service_contents.MAX_ITEMS} 项。")
        bad = [str(i + 1) for i, v in enumerate(value) if not isinstance(v, str) or v not in CONTENTS]
        if bad:
            raise ValidationError(f"第 {'、'.join(bad)} 项{allowed}")
        if len(set(value)) != len(value):
            raise ValidationError("网站服务内容不能重复选择。")
        return list(value)

    def _serialize(self, value, attr, obj, **kwargs):
        return value


def map_length_as_properties(converter, field, ret, **kwargs) -> dict:
    """apispec documents a Length on a Dict as minLength/maxLength (a string's keywords, which
    JSON Schema ignores on an object): a map's bounds are minProperties/maxProperties."""
    if isinstance(field, fields.Dict):
        for string_word, object_word in (("minLength", "minProperties"), ("maxLength", "maxProperties")):
            if string_word in ret:
                ret[object_word] = ret.pop(string_word)
    return {}
