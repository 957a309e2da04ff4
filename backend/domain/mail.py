"""The e-mails Tencent sends beside SMS and in-site messages (domain.md §9, §7): which
notices go out by e-mail, with what subject, and the body around the notice's text.

Tencent e-mails the responsible people about order progress and results: submitted,
provider review passed / rejected (with what to fix), submitted to the bureau, bureau
approved (with the numbers) / rejected, cancellation done, reminders when the order waits
on the user, expiry, and the public-security filing reminder [T18, T19, T22, T24, T10].
MIIT's verification code is SMS only.
"""

SENDER = "腾讯云备案 <beian-noreply@tencent.com>"  # simulator's choice: the real address is not documented

SUBJECTS = {
    "ORDER_SUBMITTED": "备案订单 {app_id} 已提交",
    "PROVIDER_APPROVED": "备案订单 {app_id} 已通过腾讯云初审",
    "PROVIDER_REJECTED": "备案订单 {app_id} 初审驳回，请修改后重新提交",
    "SUBMITTED_TO_BUREAU": "备案订单 {app_id} 已提交管局审核",
    "BUREAU_APPROVED": "备案订单 {app_id} 管局审核通过",
    "BUREAU_REJECTED": "备案订单 {app_id} 管局审核驳回，请修改后重新提交",
    "CANCELLATION_DONE": "备案订单 {app_id} 注销/取消接入已完成",
    "IDLE_REMINDER": "备案订单 {app_id} 待您处理",
    "ORDER_EXPIRED": "备案订单 {app_id} 已过期",
    "ORDER_WITHDRAWN": "备案订单 {app_id} 已撤销",
    "PUBLIC_SECURITY_REMINDER": "请在 30 日内办理公安联网备案",
}
MAX_AUDIT_LINES = 20
# process.md §6.3 [T57]: the messages to the Tencent account reach it by 站内信 (`site`, the one
# the outbox stores) and also by the 腾讯云助手 official account (`wechat`) and WeCom (`wecom`)
ACCOUNT_CHANNELS = ("site", "wechat", "wecom")
CHANNELS = ("sms", "email", *ACCOUNT_CHANNELS)


def on_channel(messages: list, channel: str | None) -> list:
    """The outbox as one channel delivers it: `wechat` / `wecom` carry the account's in-site
    messages (same id, code and text); no channel: the messages as stored."""
    if channel is None:
        return messages
    if channel in ACCOUNT_CHANNELS[1:]:
        return [dict(m, channel=channel) for m in messages if m["channel"] == "site"]
    return [m for m in messages if m["channel"] == channel]


def wanted(code: str, channel: str) -> bool:
    """Does this outbox notice go out by e-mail too? (Only the account's notices: an SMS is not copied.)"""
    return channel == "site" and code in SUBJECTS


def recipients(people: list) -> list:
    """(name, e-mail) of the responsible people, one per distinct address, in order."""
    out, seen = [], set()
    for person in people:
        email = (person or {}).get("email")
        if email and email not in seen:
            seen.add(email)
            out.append((person.get("name") or "", email))
    return out


def compose(code: str, app_id: str | None, name: str, text: str, audit_data=()) -> tuple:
    """(subject, body) in zh-CN."""
    subject = "【腾讯云】" + SUBJECTS[code].format(app_id=app_id)
    lines = [f"尊敬的{name or '用户'}：", "", "您好！", text]
    entries = list(audit_data or [])[:MAX_AUDIT_LINES]
    if entries:
        lines += ["", "驳回原因及修改建议："]
        lines += [
            f"{i}. {e.get('key_name') or e.get('field')}：{e.get('error')}（建议：{e.get('suggest')}）"
            for i, e in enumerate(entries, 1)
        ]
    lines += [
        "",
        "您可在微信「腾讯云备案」小程序或腾讯云控制台查看订单详情。",
        "",
        "腾讯云备案中心",
        "（此邮件由系统自动发送，请勿回复）",
    ]
    return subject, "\n".join(lines)


# -- storage: an e-mail copy is kept as the notice it copies, and rendered on read ----------


def pack(message: dict) -> dict:
    """The stored form of an outbox message: an e-mail copy without what `compose` renders
    again on read (subject, sender and the body's fixed lines), so a copy costs little more
    than its notice. Anything else, or an e-mail this module did not compose, is kept whole."""
    if (
        message.get("channel") != "email"
        or not isinstance(message.get("text"), str)
        or message.get("code") not in SUBJECTS
        or "mail" in message
    ):
        return message
    name, notice, audit = _parts(message["text"])
    if audit is None:
        return message
    packed = {k: v for k, v in message.items() if k not in ("subject", "sender", "text")}
    packed["mail"] = {"name": name, "notice": notice}
    if unpack(packed) != message:  # only a faithful round trip is stored packed
        return message
    return packed


def unpack(message: dict) -> dict:
    """The message as it was sent (`pack`'s inverse; a message stored whole is returned as is)."""
    mail = message.get("mail")
    if not (
        message.get("channel") == "email"
        and isinstance(mail, dict)
        and message.get("code") in SUBJECTS
        and isinstance(mail.get("name"), str)
        and isinstance(mail.get("notice"), str)
        and isinstance(mail.get("audit", []), list)
    ):
        return message  # stored whole (or not a form this module wrote)
    out = {k: v for k, v in message.items() if k != "mail"}
    out["subject"], out["text"] = compose(
        out["code"], out.get("app_id"), mail["name"], mail["notice"], mail.get("audit") or ()
    )
    out["sender"] = SENDER
    return out


_HEAD, _TAIL = (
    "尊敬的",
    "\n\n您可在微信「腾讯云备案」小程序或腾讯云控制台查看订单详情。\n\n腾讯云备案中心\n（此邮件由系统自动发送，请勿回复）",
)


def _parts(body: str):
    """(name, notice, None) from a body `compose` wrote without audit lines; (…, None) otherwise.
    Audit lines are not parsed back: such a copy (a rejection) is stored whole."""
    if not body.startswith(_HEAD) or not body.endswith(_TAIL) or "驳回原因及修改建议" in body:
        return None, None, None
    head, sep, notice = body[len(_HEAD) : -len(_TAIL)].partition("：\n\n您好！\n")
    if not sep:
        return None, None, None
    return head, notice, []
