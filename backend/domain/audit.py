"""audit_data entries for rejections that come from the clock or the SMS check, not a reviewer.

Their texts quote the sandbox's settings (the SMS window), so they are built per sandbox.
"""

from backend.domain import durations, workflow


def sms_timeout(settings=None):
    window = durations.hours_zh(durations.setting(settings, "sms_window_hours"))
    return {
        "code": "SMS_TIMEOUT",
        "field": "sms",
        "key_name": "短信核验",
        "error": f"未在 {window}内完成工信部短信核验（短信核验超时）",
        "suggest": "请重新提交订单，收到工信部短信后及时在备案小程序中完成核验",
    }


def sms_code_failed(settings=None):
    allowed = int(durations.setting(settings, "sms_max_wrong"))
    return {
        "code": "SMS_CODE_FAILED",
        "field": "sms",
        "key_name": "短信核验",
        "error": f"短信核验码错误超过 {allowed} 次，核验失败",
        "suggest": "请重新提交订单后再次完成短信核验",
    }


SMS_TIMEOUT = sms_timeout()  # with the default settings
SMS_CODE_FAILED = sms_code_failed()

# what a clock-fired rejection carries, by action of the workflow table
BY_ACTION = {workflow.SMS_TIMEOUT: sms_timeout}


def for_action(action, settings=None):
    """The audit_data a clock-fired `action` carries (None when it carries none)."""
    build = BY_ACTION.get(action)
    return [build(settings)] if build else None


# -- labels of custom audit_data (faults, teleports) ------------------------------------------

# The label WeChat shows beside a rejected field (`key_name`), by the field's last part and by
# its section; an entry whose field is unknown gets the neutral label, never another field's.
_PART_LABELS = {
    "name": ("主体名称", "网站名称"),
    "domain": (None, "网站域名"),
    "province": ("主体所在省份", None),
    "address": ("通信地址", None),
    "certificate_number": ("证件号码", None),
    "certificate_type": ("证件类型", None),
    "id_valid_until": ("证件有效期", None),
    "service_content": (None, "网站服务内容"),
    "commercial": (None, "是否经营性网站"),
    "pre_approval_number": (None, "前置审批文号"),
    "pre_approvals": (None, "前置审批"),
    "nat_ip": (None, "网站IP地址"),
    "mobile": ("负责人手机号码", "负责人手机号码"),
    "email": ("负责人电子邮箱", "负责人电子邮箱"),
}
_SECTION_LABELS = {"entity": "主体信息", "websites": "网站信息", "sms": "短信核验"}
UNSPECIFIED_FIELD, UNSPECIFIED_LABEL = "application", "备案信息"


def key_name(field):
    """The zh-CN label of a rejected field (`entity.name`, `websites.0.domain`, `sms`, …)."""
    parts = [p for p in str(field or "").split(".") if p and not p.isdigit()]
    if not parts:
        return UNSPECIFIED_LABEL
    section, last = parts[0], parts[-1]
    if len(parts) > 1 and last in _PART_LABELS:
        label = _PART_LABELS[last][0 if section == "entity" else 1]
        if label:
            return label
    return _SECTION_LABELS.get(section, UNSPECIFIED_LABEL)
