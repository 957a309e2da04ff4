"""Settings of the steps after submission that process.md describes beyond domain.md (the audit's
items 11, 12, 13, 17; backend/domain/timeline.py); SettingsSchema inherits them."""

from marshmallow import Schema, fields, validate

from backend.api.schema_base import StrictBoolean, StrictInteger, in_range
from backend.domain import timeline


class TimelineSettings(Schema):
    sms_timeout_resubmit_hours = StrictInteger(
        allow_none=True,
        validate=in_range(1, timeline.MAX_HOURS),
        metadata={
            "description": "短信核验超时（或失败）退回后，信息无需修改时腾讯云重新提交管局的小时数"
            "（process.md：24）；缺省 null：不自动重新提交，由用户重新提交（domain.md）"
        },
    )
    tencent_sync_hours = fields.Float(
        validate=in_range(0, timeline.MAX_HOURS),
        metadata={
            "description": "管局审核结果先由工信部短信通知、腾讯云备案系统若干小时后同步状态（process.md：约 6）；"
            "缺省 0：同时（domain.md）"
        },
    )
    miit_sms_sender = fields.String(
        validate=validate.Regexp(r"^\d{3,20}$", error="须为 3 到 20 位数字，例如 12381 或 106598051001。"),
        metadata={
            "description": "工信部短信的发送号码：缺省 12381（工信部现行号码，process.md §5）；旧运营商号码如 106598051001"
        },
    )
    call_unreachable_rate = fields.Float(
        validate=in_range(0, 1),
        metadata={"description": "初审电话核实时负责人无人接听而驳回（CALL_UNREACHABLE）的比例（按种子抽取；缺省 0）"},
    )
    miit_auto_resend = StrictBoolean(
        metadata={
            "description": "工信部于短信发出次日 12:00 自动重发待核验的核验码（process.md §5，2018 年来源；"
            "仅当该时刻在短信核验有效期内）；缺省 true，false 关闭"
        },
    )


TIMELINE_SETTINGS = set(TimelineSettings._declared_fields)
assert set(timeline.DEFAULTS) == TIMELINE_SETTINGS  # every default has its field
