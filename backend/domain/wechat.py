"""WeChat's view of a filing: the `info` object of `getIcpEntranceInfo` [W1], as a pure mapping.

WeChat knows one `status` per filing subject: 2 platform review, 3 platform rejected,
4 bureau review (with `sms_verify_status` 1 waiting / 2 done / 3 timed out), 5 bureau
rejected, 6 filed, 1024 not filed, and 1025–1031 "not filed, something is still missing"
(1024 plus a bit set: +1 info not filled, +2 category not filled, +4 not certified).

Our states are richer; this module maps (state, kind, what happened) onto those codes:
- a cancellation order never reports 6: in flight it reports the stage it is in with
  `is_canceling` 1; once done the thing it cancelled is no longer filed at Tencent, so 1024;
- `sms_verify_status` is WeChat's only while `status` is 4 [W1, process.md §5 "3 timed out (only
  while status 4)"]: 3 (核验超时) in a status-4 state whose order's SMS check failed, and null in
  every other status. An SMS check that timed out (or failed) returns the order to the provider
  (process.md §5): 初审驳回, status 3, with `sms_verify_status` null — the reason is in
  `audit_data` (SMS_TIMEOUT / SMS_CODE_FAILED), like any other 初审驳回;
- before submission the 1025–1031 bits say what is missing (see `not_filed_code`).
"""

from backend.domain import kinds, workflow

FILED, NOT_FILED = 6, 1024
BUREAU_REVIEW = 4  # the only status with a sms_verify_status [W1]
INFO_MISSING, CATEGORY_MISSING, UNCERTIFIED = 1, 2, 4  # the bits over 1024 [W1, SDK tables]
SMS_WAITING, SMS_DONE, SMS_TIMED_OUT = 1, 2, 3
SMS_FAILURE_CODES = frozenset({"SMS_TIMEOUT", "SMS_CODE_FAILED"})
# states where no order is on its way and the record (if any) is what counts
PRE_SUBMISSION = frozenset({workflow.DRAFT, workflow.EXPIRED, workflow.WITHDRAWN})

STATUS_ZH = {
    2: "平台审核中",
    3: "平台审核驳回",
    4: "管局审核中",
    5: "管局审核驳回",
    6: "已备案",
    1024: "未备案",
    1025: "未备案（小程序信息未填）",
    1026: "未备案（类目未填）",
    1027: "未备案（小程序信息和类目未填）",
    1028: "未备案（未认证）",
    1029: "未备案（小程序信息未填且未认证）",
    1030: "未备案（类目未填且未认证）",
    1031: "未备案（小程序信息、类目未填且未认证）",
}


def is_cancellation(kind: str) -> bool:
    return kind.startswith("cancel_")


def not_filed_code(info_missing: bool = False, category_missing: bool = False, uncertified: bool = False) -> int:
    """1024, or 1025–1031 when something needed before submission is missing."""
    return (
        NOT_FILED
        + (INFO_MISSING if info_missing else 0)
        + (CATEGORY_MISSING if category_missing else 0)
        + (UNCERTIFIED if uncertified else 0)
    )


def codes(state: str, kind: str, audit_codes=(), missing=None) -> dict:
    """{status, sms_verify_status, is_canceling} of one order in `state`.

    `audit_codes`: the codes of its current audit_data (an SMS failure shows as
    sms_verify_status 3); `missing`: for a draft, the not-filed bits
    ({"info", "category", "uncertified"}), see `not_filed_code`.
    """
    st = workflow.state(state)
    canceling = is_cancellation(kind) and not st.terminal and state not in PRE_SUBMISSION  # submitted
    status, sms = st.wechat_status, st.sms_verify_status
    if state == workflow.APPROVED and is_cancellation(kind):
        status = NOT_FILED  # the entity / website / access is gone: never 6
    elif state == workflow.DRAFT:
        m = missing or ()
        status = not_filed_code("info" in m, "category" in m, "uncertified" in m)
    if status == BUREAU_REVIEW and SMS_FAILURE_CODES & set(audit_codes):
        sms = SMS_TIMED_OUT
    if status != BUREAU_REVIEW:
        sms = None  # meaningful only while status 4 [W1]
    return {"status": status, "sms_verify_status": sms, "is_canceling": 1 if canceling else 0}


def brief(app: dict) -> dict:
    """{status, sms_verify_status}: what the application view carries beside our state."""
    out = codes(app["state"], app["kind"], [a.get("code") for a in app.get("audit_data") or []])
    return {"status": out["status"], "sms_verify_status": out["sms_verify_status"]}


def audit_data(entries) -> list:
    """Our audit_data ({code, field, key_name, error, suggest}) in WeChat's shape."""
    return [
        {
            "key_name": e.get("key_name") or e.get("field") or "",
            "error": e.get("error", ""),
            "suggest": e.get("suggest", ""),
        }
        for e in entries or []
    ]


def info(app: dict, available: bool = True, missing=None) -> dict:
    """The `info` object of getIcpEntranceInfo for one order."""
    audit = app.get("audit_data") or []
    out = codes(app["state"], app["kind"], [a.get("code") for a in audit], missing)
    status = out["status"]
    return {
        "status": status,
        "is_canceling": out["is_canceling"],
        "audit_data": audit_data(audit) if status in (3, 5) else [],
        "available": 1 if available else 0,
        "sms_verify_status": out["sms_verify_status"],
    }


def account_info(apps: list, filed: bool, eligible: bool, missing_of=None) -> dict:
    """The `info` of the account: its order in progress if any, else its draft, else 6 when
    something is filed at Tencent, else 1024(+bits).

    `apps` in id order; `filed`: an active entity with a website accessed at Tencent;
    `eligible`: the 云托管 filing type is offered (else not certified, entry closed);
    `missing_of(app)`: the not-filed bits of a draft.
    """
    open_ = [a for a in apps if not workflow.state(a["state"]).terminal and a["state"] not in PRE_SUBMISSION]
    drafts = [a for a in apps if a["state"] == workflow.DRAFT]
    available = eligible or bool(open_ or drafts)
    if open_:
        return info(open_[-1], available)
    if drafts:
        return info(drafts[-1], available, (missing_of or (lambda a: None))(drafts[-1]))
    if filed:
        return {
            "status": FILED,
            "is_canceling": 0,
            "audit_data": [],
            "available": 1 if available else 0,
            "sms_verify_status": None,
        }
    status = not_filed_code(info_missing=True, uncertified=not eligible)
    return {
        "status": status,
        "is_canceling": 0,
        "audit_data": [],
        "available": 1 if available else 0,
        "sms_verify_status": None,
    }


def draft_missing(app: dict, eligible: bool) -> set:
    """What a draft still lacks, as WeChat's bits: websites without content (category),
    no website at all (info), and the account not eligible for 云托管 (not certified)."""
    out = set()
    sites = (app.get("payload") or {}).get("websites")
    if kinds.get(app["kind"]) and sites is not None:
        if not sites:
            out.add("info")
        elif any(isinstance(w, dict) and "name" in w and not w.get("service_content") for w in sites):
            out.add("category")
    if not eligible:
        out.add("uncertified")
    return out
