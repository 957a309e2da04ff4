"""The building blocks of the REST schemas: strict schemas, zh-CN messages, bounded text."""
import ipaddress

from marshmallow import Schema, ValidationError, fields, validate

from backend.api import zh_messages
from backend.domain import scenarios
from backend.domain import validation as V

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
