"""MIIT's SMS verification (短信核验), per responsible person, as pure functions.

After the provider submits an order to the bureau, MIIT texts a 6-digit code to each
responsible person of the order (entity owner, each website owner; one code per distinct
mobile). Each person verifies for themselves on MIIT's site with mobile + the last six
digits of their ID number + the code, within the window (24 h) [A1, T8]. The bureau stage
starts when everybody has verified; if anyone has not when the window ends, the order
goes back to the provider (短信核验超时).

A verification is a plain dict kept in the order (`app["sms"]["people"]`):
{person, roles, name, mobile, id_last6, code, wrong, state, sent_at, expires_at, sends}.
"""

import re

SENDER = "12381"  # MIIT's current sender (process.md §5 [M1], §9.8); 106598051001 is the legacy carrier one [A1]
SITE = "https://beian.miit.gov.cn"
PENDING, VERIFIED, FAILED, EXPIRED = "pending", "verified", "failed", "expired"
RESEND_INTERVAL_S = 60  # MIIT's page: "重新获取" after a 60 s countdown (simulator choice)
MAX_SENDS = 5  # codes per person per window (simulator choice, like MIIT's daily cap)
_DIGITS = re.compile(r"\d{6}")
# MIIT's own words [T8, M1]: the answers of a right entry, and resend's two refusals
DONE_ONE_ZH = "您的短信核验完成，请等待其他核验人进行短信核验"
DONE_ALL_ZH = "您的短信核验已全部完成，该请求将提交管局审核"
NOTHING_PENDING_ZH = "暂无待短信核验的备案申请，无需重发短信"
NO_RECORD_ZH = "该条验证库里找不到记录"


def mask(mobile: str | None) -> str:
    """138****8000, as MIIT shows a mobile."""
    if not mobile or len(mobile) < 7:
        return mobile or ""
    return mobile[:3] + "*" * (len(mobile) - 7) + mobile[-4:]


def last6(certificate_number: str | None) -> str | None:
    if not certificate_number:
        return None
    return str(certificate_number)[-6:].upper()


# process.md §5 "HK/Macau pass holders" [A1, V2]: MIIT asks the last 6 of the permit number, but in
# Zhejiang the last 6 of the HK/Macau identity card number printed on the permit's back, written
# with full-width brackets (A123456(7) → 456（7）)
HK_MACAO_ID_PROVINCES = ("33",)
_HALF_TO_FULL = str.maketrans("()", "（）")


def hk_macao_id(number: object) -> str:
    """An HK/Macau identity card number as MIIT's Zhejiang check compares it: upper case, brackets full-width."""
    return str(number or "").strip().upper().translate(_HALF_TO_FULL)


def id_digits(person: dict, province: str | None = None) -> str | None:
    """The six characters MIIT's page asks of this person (证件号码后六位)."""
    own_id = person.get("hk_macao_id")
    if own_id and str(province or "")[:2] in HK_MACAO_ID_PROVINCES:
        return hk_macao_id(own_id)[-6:]
    return last6(person.get("certificate_number"))


def same_digits(given: object, expected: str) -> bool:
    return str(given).strip().upper() == expected


def people(contacts: list, province: str | None = None) -> list:
    """One verification per distinct mobile, in contact order; the roles it stands for.
    `contacts`: [(role, {name, mobile, certificate_number[, hk_macao_id]})]; `province`: the
    bureau's (2 digits), which decides the ID digits MIIT asks."""
    out: list[dict] = []
    for role, person in contacts:
        mobile = person.get("mobile")
        if not mobile:
            continue
        same = next((p for p in out if p["mobile"] == mobile), None)
        if same is not None:
            if role not in same["roles"]:
                same["roles"].append(role)
            continue
        out.append(
            {
                "person": f"P{len(out) + 1}",
                "roles": [role],
                "name": person.get("name") or "",
                "mobile": mobile,
                "id_last6": id_digits(person, province),
            }
        )
    return out


def code(rand) -> str:
    return f"{rand.randint(0, 999999):06d}"


def sms_text(code_: str, window_zh: str) -> str:
    """MIIT's SMS points to MIIT's own site, not the mini-program."""
    return (
        f"【工信部】您的ICP备案短信核验码为 {code_}，请在 {window_zh}内登录 {SITE} "
        f"（工信部政务服务平台·ICP/IP地址/域名信息备案管理系统）进行短信核验，"
        f"核验时需填写手机号、证件号码后六位及核验码。如非本人操作请忽略。"
    )


def find(
    verifications: list, person: str | None = None, mobile: str | None = None, code_: str | None = None
) -> dict | None:
    """The verification a call names: by person id, else by mobile, else (the mini-program's
    one-box form) by the code it carries among those still pending."""
    if person:
        return next((v for v in verifications if v["person"] == person), None)
    if mobile:
        return next((v for v in verifications if v["mobile"] == mobile), None)
    if code_:
        return next((v for v in verifications if v["state"] == PENDING and v["code"] == code_), None)
    pending = [v for v in verifications if v["state"] == PENDING]
    return pending[0] if len(pending) == 1 else None


def answering(verifications: list, person: str | None, mobile: str | None, code_: str | None) -> dict | None:
    """Whose entry a verification call is. A mobile that is nobody's on the order is a wrong
    entry like a wrong code or wrong ID digits (5 wrong entries of any of them) [T8, H4]: it
    counts against the person whose code it carries, else the first still pending."""
    v = find(verifications, person, mobile, code_)
    if v is None and not person:
        v = find(verifications, code_=code_) if code_ else None
        v = v or next((p for p in verifications if p["state"] == PENDING), None)
    return v


def done_message(verifications: list) -> str:
    """What MIIT answers a right entry: everybody has verified, or others still have to."""
    return DONE_ALL_ZH if all_verified(verifications) else DONE_ONE_ZH


def resend_target(verifications: list, mobile: str | None, id_last6: str | None, person: str | None = None):
    """The verification MIIT's 短信重发 (phone + last six ID digits) names; None when they match
    nobody on the order — a wrong or changed phone, MIIT's NO_RECORD_ZH. Whether it still
    has a code to resend is resend_refusal's (NOT_PENDING: NOTHING_PENDING_ZH)."""
    v = find(verifications, person, mobile)
    if v is not None and id_last6 is not None and v.get("id_last6") and not same_digits(id_last6, v["id_last6"]):
        return None
    return v


def mismatches(v: dict, mobile: str | None, id_last6: str | None, code_: str) -> list:
    """The fields of a verification call that do not match (empty: all right). Mobile and
    ID digits are checked when given (the mini-program's one-box form carries only the code)."""
    out = []
    if mobile is not None and mobile != v["mobile"]:
        out.append("mobile")
    if id_last6 is not None and v.get("id_last6") and not same_digits(id_last6, v["id_last6"]):
        out.append("id_last6")
    if code_ != v["code"]:
        out.append("code")
    return out


def all_verified(verifications: list) -> bool:
    return bool(verifications) and all(v["state"] == VERIFIED for v in verifications)


def resend_refusal(v: dict, now: float) -> str | None:
    """Why MIIT would not send another code now (None: it will)."""
    if v["state"] != PENDING:  # verified: MIIT has nothing pending for this phone
        return "NOT_PENDING"
    if now >= v["expires_at"]:
        return "WINDOW_OVER"
    if now - v["last_sent_at"] < RESEND_INTERVAL_S:
        return "TOO_SOON"
    if v["sends"] >= MAX_SENDS:
        return "TOO_MANY"
    return None


def public(v: dict, iso) -> dict:
    """What the order shows of a verification: never the code, the mobile masked."""
    return {
        "person": v["person"],
        "roles": list(v["roles"]),
        "name": v["name"],
        "mobile_masked": mask(v["mobile"]),
        "state": v["state"],
        "attempts_left": v.get("attempts_left"),
        "sent_at": iso(v["sent_at"]),
        "expires_at": iso(v["expires_at"]),
        "verified_at": iso(v["verified_at"]) if v.get("verified_at") else None,
        "sends": v["sends"],
        # MIIT's automatic resend at 12:00 the next day (process.md §5 [M2]), once it happened
        **({"auto_resent_at": iso(v["auto_resent_at"])} if v.get("auto_resent_at") else {}),
    }


def is_code(text) -> bool:
    return isinstance(text, str) and _DIGITS.fullmatch(text) is not None
