"""marshmallow's default error messages in zh-CN, set once when the API is loaded."""

from marshmallow import Schema, fields

_FIELD = {
    "required": "此项为必填项。",
    "null": "此项不能为空。",
    "validator_failed": "取值无效。",
}
_BY_TYPE = {
    fields.String: {"invalid": "须为字符串。"},
    fields.Integer: {"invalid": "须为整数。"},
    fields.Float: {"invalid": "须为数字。", "special": "不能为 NaN 或无穷大。"},
    fields.Number: {"invalid": "须为数字。", "too_large": "数值过大。"},
    fields.IP: {"invalid_ip": "须为合法的 IP 地址。"},
    fields.Boolean: {"invalid": "须为 true 或 false。"},
    fields.Date: {"invalid": "日期格式不正确，例如 2026-06-01。"},
    fields.DateTime: {"invalid": "时间格式不正确，例如 2026-06-01T09:00:00+08:00。"},
    fields.List: {"invalid": "须为列表。"},
    fields.Dict: {"invalid": "须为对象。"},
    fields.Nested: {"type": "须为对象。"},
}


def install():
    fields.Field.default_error_messages.update(_FIELD)
    for cls, messages in _BY_TYPE.items():
        cls.default_error_messages = {**cls.default_error_messages, **messages}
    Schema._default_error_messages = {
        **Schema._default_error_messages,
        "type": "请求体须为 JSON 对象。",
        "unknown": "不支持的字段。",
    }
