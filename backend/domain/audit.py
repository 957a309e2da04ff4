"""audit_data entries for rejections that come from the clock or the SMS check, not a reviewer.

Their texts quote the sandbox's settings (the SMS window), so they are built per sandbox.
"""
from backend.domain import durations, workflow


def sms_timeout(settings=None):
    window = durations.hours_zh(durations.setting(settings, "sms_window_hours"))
    return {"code": "SMS_TIMEOUT", "field": "sms", "key_name": "短信核验",
            "error": f"未在 {window}内完成工信部短信核验（短信核验超时）",
            "suggest": "请重新提交订单，收到工信部短信后及时在备案小程序中完成核验"}


def sms_code_failed(settings=None):
    allowed = int(durations.setting(settings, "sms_max_wrong"))
    return {"code": "SMS_CODE_FAILED", "field": "sms", "key_name": "短信核验",
            "error": f"短信核验码错误超过 {allowed} 次，核验失败",
            "suggest": "请重新提交订单后再次完成短信核验"}


SMS_TIMEOUT = sms_timeout()  # with the default settings
SMS_CODE_FAILED = sms_code_failed()

# what a clock-fired rejection carries, by action of the workflow table
BY_ACTION = {workflow.SMS_TIMEOUT: sms_timeout}


def for_action(action, settings=None):
    """The audit_data a clock-fired `action` carries (None when it carries none)."""
    build = BY_ACTION.get(action)
    return [build(settings)] if build else None
