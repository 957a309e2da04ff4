"""After submission where process.md says more than domain.md (the audit's items 11, 12, 13, 17, 24).

Pure rules and texts; the services (engine, effects, timers) call them. Every behaviour that the
real system varies, or where domain.md and process.md differ, is a sandbox setting whose default
keeps domain.md's model (README "Simulator choices"):

- `sms_timeout_resubmit_hours` (item 11, process.md §5 "Timeout / failure" [T40, T8] and §9.6):
  after an SMS-verification timeout (or failure) the order goes back to the provider, and when
  nothing has to change Tencent phones the user and submits it to the bureau again 24 h later
  (MIIT sends new codes). domain.md §4 sends it back to 初审驳回 for the user to resubmit, so the
  default is None: no automatic resubmission.
- `tencent_sync_hours` (item 13, process.md §6.1 "Bureau → Tencent sync" [T27, T9], §6.3, §9.7):
  the user hears the bureau's result from MIIT first (MIIT's SMS; MIIT's portal shows the record)
  and Tencent's filing system syncs the status ~6 h later. domain.md §4 moves the order when the
  bureau decides, so the default is 0 (both at once, no MIIT result SMS).
- `miit_sms_sender` (item 12): process.md §5 (M1) and §9.8 say MIIT's current sender is `12381`,
  the default; domain.md §9's "106598051001-style" legacy carrier sender is a setting.
- `call_unreachable_rate` (item 17, process.md §6.1 "Call" [T45, T10], §9.5): the provider
  reviewer phones the responsible person; unanswered, again ~1 h later, still unanswered → 初审驳回
  `CALL_UNREACHABLE`. A seeded share of provider reviews, default 0.
- Reminders (item 24, process.md §6.3 [T57, T24], domain.md §9): the idle reminders go by SMS to
  each responsible person's mobile besides the account's message and the e-mails.
- `miit_auto_resend` (process.md §5 "Resend" [A1, M2]: "MIIT also re-sent automatically at 12:00
  next day", a 2018 source): at 12:00 (CST) of the day after MIIT's codes went out, every person
  who has not verified gets their current code again, when that moment falls inside the SMS
  window (with the 24 h window, only codes sent after 12:00). domain.md is silent on it, so it is
  on by default; `false` turns it off.
"""

from datetime import datetime, time, timedelta

from backend.domain.clock import CST, to_datetime
from backend.domain.rng import rng

SENDER_DOMAIN_MD = "106598051001"  # domain.md §9 (legacy carrier sender, process.md §5 A1)
SENDER_MIIT_12381 = "12381"  # process.md §5: MIIT's current sender [M1]
RESUBMIT_HOURS_PROCESS_MD = 24  # process.md §5 / §9.6: "resubmits after 24 h"
SYNC_HOURS_PROCESS_MD = 6  # process.md §6.1: "Tencent syncs in ~6 h (newer)"

DEFAULTS = {
    "sms_timeout_resubmit_hours": None,  # None: domain.md (the user resubmits); process.md: 24
    "tencent_sync_hours": 0,  # 0: domain.md (Tencent's status at the bureau's decision); process.md: ~6
    "miit_sms_sender": SENDER_MIIT_12381,  # process.md §5 / §9.8 (domain.md: "106598051001-style")
    "call_unreachable_rate": 0,  # 0–1, seeded per order and attempt
    "miit_auto_resend": True,  # process.md §5 [M2]: MIIT re-sends at 12:00 the next day
}
MAX_HOURS = 24 * 30  # both delays: at most 30 days
# the reviewer's numbers (process.md §6.1 [T45, T10]); the first is the one the texts name
REVIEWER_NUMBERS = ("0755-33216425", "010-67441012", "010-67441011")
CALL_RETRY_MINUTES = 60  # "unanswered → retry after ~1 h" (process.md §6.1)


def setting(settings, key):
    value = (settings or {}).get(key)
    return DEFAULTS[key] if value is None else value


def miit_sender(settings) -> str:
    return str(setting(settings, "miit_sms_sender"))


# -- item 17: the provider reviewer's phone call ------------------------------------------------


def called_path(app: dict) -> str:
    """The mobile the reviewer dials: the entity owner's when the order names one, else the first
    website owner's (an order about a filed entity may carry only its websites)."""
    payload = app.get("payload") or {}
    entity = payload.get("entity")
    if isinstance(entity, dict) and isinstance(entity.get("responsible"), dict):
        return "entity.responsible.mobile"
    for i, site in enumerate(payload.get("websites") or []):
        if isinstance(site, dict) and isinstance(site.get("responsible"), dict):
            return f"websites.{i}.responsible.mobile"
    return "entity.responsible.mobile"


def call_unanswered(app: dict, rate: float, seed) -> bool:
    """Whether the reviewer's call (and the retry an hour later) goes unanswered: a draw from
    the seeded RNG per (sandbox seed, order, attempt), so a run replays; never at rate 0."""
    if not rate or rate <= 0:
        return False
    return rng(seed, app.get("id"), "reviewer_call", app.get("attempt", 0)).random() < float(rate)


CALL_UNREACHABLE_ERROR = (
    f"腾讯云审核人员致电负责人核实备案信息，电话无人接听；约 {CALL_RETRY_MINUTES // 60} 小时后再次致电仍无人接听"
)
CALL_UNREACHABLE_SUGGEST = (
    f"请保持负责人手机畅通，留意腾讯云备案审核来电（{'、'.join(REVIEWER_NUMBERS)}），然后重新提交"
)


# -- item 11: the resubmission after an SMS-verification timeout ---------------------------------


def resubmit_hours(settings) -> float | None:
    value = setting(settings, "sms_timeout_resubmit_hours")
    return None if value is None else float(value)


def resubmit_due(app: dict) -> bool:
    """An order returned by an SMS timeout or failure is resubmitted by Tencent only "if nothing
    must change" (process.md §5): it carries the mark set when it came back, and no edit since
    (an edit is a new version of the order)."""
    mark = app.get("sms_resubmit") or {}
    return bool(mark) and mark.get("version") == app.get("version")


def resubmit_notice(app_id: str, hours: float) -> str:
    return (
        f"备案订单 {app_id} 工信部短信核验超时，已退回腾讯云。如备案信息无需修改，腾讯云将于 {hours:g} 小时后"
        f"为您重新提交管局，届时工信部会重新发送核验短信，请及时完成核验；如需修改信息，请修改后重新提交。"
    )


def resubmitted_notice(app_id: str) -> str:
    return f"备案订单 {app_id} 已由腾讯云重新提交管局，工信部将重新发送核验短信，请在收到后及时完成核验。"


# -- MIIT's automatic resend at 12:00 the next day (process.md §5 "Resend" [M2]) ------------------

AUTO_RESEND_HOUR = 12


def auto_resend_at(sent_at: float) -> float:
    """12:00 China time of the day after `sent_at` (an epoch): when MIIT re-sends its codes."""
    day = to_datetime(sent_at).date() + timedelta(days=1)
    return datetime.combine(day, time(AUTO_RESEND_HOUR), tzinfo=CST).timestamp()


def auto_resend_due(app: dict, settings) -> bool:
    """Whether MIIT's automatic resend is armed for an order entering the SMS step: the setting
    is on, codes went out (not a forced loss: no code ever arrives), and the next day's 12:00
    falls before the window ends."""
    sms = app.get("sms") or {}
    people = sms.get("people") or []
    if setting(settings, "miit_auto_resend") is False or sms.get("lost") or not people:
        return False
    first = people[0]
    return auto_resend_at(first["sent_at"]) < min(p["expires_at"] for p in people)


def auto_resend_reason(masked: list[str]) -> str:
    return f"工信部于次日 {AUTO_RESEND_HOUR}:00 自动重发短信核验码（{'、'.join(masked)}）"


# -- item 13: MIIT first, Tencent's status later --------------------------------------------------


def sync_hours(settings) -> float:
    return float(setting(settings, "tencent_sync_hours") or 0)


def miit_result_text(verdict: str, numbers: str, reasons: str) -> str:
    """MIIT's result SMS (process.md §6.3: "MIIT SMS + e-mail first"); exact wording [not found]."""
    if verdict == "approve":
        tail = f"，备案号：{numbers}" if numbers else ""
        return f"【工信部ICP/IP地址/域名信息备案管理系统】您的备案申请已通过管局审核{tail}。详情请登录 https://beian.miit.gov.cn 查询。"
    return (
        f"【工信部ICP/IP地址/域名信息备案管理系统】您的备案申请未通过管局审核：{reasons or '详见接入服务商通知'}。"
        "请联系接入服务商修改后重新提交。"
    )
