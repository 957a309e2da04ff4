"""audit_data entries for rejections that come from the clock or the SMS check, not a reviewer."""

SMS_TIMEOUT = {"code": "SMS_TIMEOUT", "field": "sms", "key_name": "短信核验",
               "error": "未在 24 小时内完成工信部短信核验（短信核验超时）",
               "suggest": "请重新提交订单，收到工信部短信后及时在备案小程序中完成核验"}
SMS_CODE_FAILED = {"code": "SMS_CODE_FAILED", "field": "sms", "key_name": "短信核验",
                   "error": "短信核验码错误次数过多，核验失败",
                   "suggest": "请重新提交订单后再次完成短信核验"}

# what a clock-fired rejection carries, by action of the workflow table
BY_ACTION = {"sms_timeout": [SMS_TIMEOUT]}
