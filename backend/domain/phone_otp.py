"""Phone OTP while filling the forms (process.md §2.1 "手机号码: OTP-verified on entry", §6.3
"Phone OTP while filling (负责人 mobile; also e-mail codes)" — Tencent's `SendSmsVerificationCode`
/ `CheckSmsVerificationCode`, `SendEmailVerificationCode` [T33, T32] — and §9 item 2 "phones
OTP-verified (6-digit, 5-min code)"), as pure functions.

Every responsible person the order's forms name (主体负责人, each 网站负责人; one check per distinct
mobile) gets a 6-digit code on their mobile (and the same code by e-mail); typed back within 5
virtual minutes, the mobile counts as verified for this order. A change order (变更备案, 变更网站)
asks only for the mobiles its changes set anew (§5 "Changed phone: … the new number may be
verified"; an unchanged mobile was verified when it was filed). Not the emergency phone (§5: it
never receives codes). Limits process.md does not give are the simulator's (README "Simulator
choices"): 5 wrong entries spend a code (a new one must be requested), a new code only after a
60 s countdown, at most 5 codes per mobile and order within 24 h.

A check is a plain dict: {id, app_id, mobile, name, paths, code, state, sent_at, expires_at,
wrong, sends: [epoch…], verified_at}. Times are virtual epochs; expiry is computed when read.
"""

from backend.domain import kinds, materials
from backend.domain.clock import iso

CODE_SECONDS = 5 * 60  # §9 item 2: a 5-minute code
MAX_WRONG = 5  # wrong entries a code takes; the 5th spends it (simulator choice)
RESEND_INTERVAL_S = 60  # 获取验证码 countdown (simulator choice)
MAX_SENDS = 5  # codes per mobile and order in 24 h (simulator choice)
SENDS_WINDOW_S = 24 * 3600
SENT, VERIFIED, VOID = "sent", "verified", "void"  # void: the code expired or was spent
STATE_ZH = {None: "未验证", SENT: "验证码已发送", VERIFIED: "已验证"}


class OtpError(ValueError):
    def __init__(self, code, message, **details):
        super().__init__(message)
        self.code, self.message, self.details = code, message, details


# 变更备案 / 变更网站: the changes name only what changes; a responsible person's mobile they set
# is typed into the form like a new one (§5 "Changed phone: … the new number may be verified")
CHANGE_KINDS = frozenset(k for k, s in kinds.KINDS.items() if "changes" in (s.payload.entity, s.payload.websites))


def people(order: dict, on_record: dict | None = None) -> list[dict]:
    """The mobiles the order's forms carry that must be verified: {mobile, name, email, paths},
    one per distinct mobile, in form order (entity owner first). Orders with full forms (the kinds
    with a face check and materials): every responsible mobile; a personal site's owner is the
    entity's. Change orders: only the mobiles their changes set, and of those only the ones that
    differ from the person's on record — `on_record` ({path: the responsible person on record},
    see `recorded`; None: the record is not at hand, every mobile set counts); the name and e-mail
    missing from a change are the record's."""
    kind = order.get("kind")
    change = kind in CHANGE_KINDS
    if kind not in materials.MATERIAL_KINDS and not change:
        return []
    payload = order.get("payload") or {}
    found: list[tuple[str, dict]] = []
    ent = payload.get("entity")
    if isinstance(ent, dict) and isinstance(ent.get("responsible"), dict):
        found.append(("entity.responsible", ent["responsible"]))
    for i, site in enumerate(payload.get("websites") or []):
        if isinstance(site, dict) and isinstance(site.get("responsible"), dict):
            found.append((f"websites.{i}.responsible", site["responsible"]))
    out: list[dict] = []
    for path, person in found:
        mobile = person.get("mobile")
        if not isinstance(mobile, str) or not mobile:
            continue
        if change:
            before = (on_record or {}).get(path) or {}
            if before.get("mobile") == mobile:
                continue  # unchanged: verified when it was filed
            person = {**before, **{k: v for k, v in person.items() if v not in (None, "")}}
        same = next((p for p in out if p["mobile"] == mobile), None)
        if same is not None:
            same["paths"].append(path)
            continue
        out.append({"mobile": mobile, "name": person.get("name") or "", "email": person.get("email"), "paths": [path]})
    return out


def needs_record(order: dict) -> bool:
    """Whether `people` compares the order with the record (a change order setting a mobile)."""
    return order.get("kind") in CHANGE_KINDS


def recorded(order: dict, entity: dict | None, sites: dict) -> dict:
    """{path: the responsible person on record} for the people a change order's payload names:
    the entity's owner, and each changed website's (its own, else the entity's). `entity` is the
    entity record, `sites` the website records by id (the changes name them by `website_id`)."""
    owner = (entity or {}).get("responsible") or {}
    out = {"entity.responsible": owner} if entity else {}
    for i, entry in enumerate((order.get("payload") or {}).get("websites") or []):
        site = sites.get((entry or {}).get("website_id")) if isinstance(entry, dict) else None
        if site is not None:
            out[f"websites.{i}.responsible"] = site.get("responsible") or owner
    return out


def verified(checks: list, mobile: str) -> bool:
    return any(c["mobile"] == mobile and c["state"] == VERIFIED for c in checks or [])


def code(rand) -> str:
    return f"{rand.randint(0, 999999):06d}"


def sms_text(code_: str) -> str:
    return f"【腾讯云】您的备案信息验证码为 {code_}，5 分钟内有效。如非本人操作，请忽略本短信。"


def email_text(name: str, code_: str) -> tuple[str, str]:
    """(subject, body) of the e-mail copy of a code (`SendEmailVerificationCode`)."""
    body = (
        f"尊敬的{name or '用户'}：\n\n您好！您正在填写腾讯云 ICP 备案信息，验证码为 {code_}，5 分钟内有效。"
        "\n如非本人操作，请忽略本邮件。\n\n腾讯云备案中心\n（此邮件由系统自动发送，请勿回复）"
    )
    return "【腾讯云】备案信息验证码", body


def send(check: dict | None, person: dict, app_id: str, new_code: str, now: float) -> dict:
    """A new code for `person`'s mobile (the previous one, if any, is void). Refused while the
    countdown runs, after MAX_SENDS codes in 24 h, and for a mobile verified already."""
    sends = [t for t in (check or {}).get("sends") or [] if now - t < SENDS_WINDOW_S]
    if check and check["state"] == VERIFIED:
        raise OtpError("PHONE_ALREADY_VERIFIED", "该手机号码已验证，无需再次获取验证码")
    if sends and now - sends[-1] < RESEND_INTERVAL_S:
        wait = int(RESEND_INTERVAL_S - (now - sends[-1])) or 1
        raise OtpError("PHONE_CODE_TOO_SOON", f"验证码发送过于频繁，请 {wait} 秒后再试", retry_after=wait)
    if len(sends) >= MAX_SENDS:
        raise OtpError("PHONE_CODE_TOO_MANY_SENDS", f"该手机号码 24 小时内获取验证码已达 {MAX_SENDS} 次，请稍后再试")
    return {
        "id": f"{app_id}:{person['mobile']}",
        "app_id": app_id,
        "mobile": person["mobile"],
        "name": person.get("name") or "",
        "paths": list(person.get("paths") or []),
        "code": new_code,
        "state": SENT,
        "sent_at": now,
        "expires_at": now + CODE_SECONDS,
        "wrong": 0,
        "sends": [*sends, now],
        "verified_at": None,
    }


def is_spent(check: dict | None) -> bool:
    """A code voided by MAX_WRONG wrong entries (check_code keeps the check, without its code)."""
    if not check:
        return False
    return check["state"] == SENT and check.get("code") is None and check["wrong"] >= MAX_WRONG


def check_code(check: dict | None, entered: str, now: float) -> dict:
    """`CheckSmsVerificationCode`: the right code within 5 minutes verifies the mobile."""
    if is_spent(check):  # every entry after the 5th wrong one, until a new code is sent
        raise OtpError("PHONE_CODE_SPENT", "验证码错误次数过多，已失效，请重新获取")
    if check is None or check["state"] not in (SENT, VERIFIED) or check.get("code") is None:
        raise OtpError("PHONE_CODE_NOT_SENT", "请先获取验证码")
    if check["state"] == VERIFIED:
        return check
    if now >= check["expires_at"]:
        raise OtpError("PHONE_CODE_EXPIRED", "验证码已过期（5 分钟内有效），请重新获取")
    if str(entered).strip() != check["code"]:
        wrong = check["wrong"] + 1
        left = MAX_WRONG - wrong
        if left <= 0:
            spent = dict(check, wrong=wrong, code=None)
            raise OtpError("PHONE_CODE_SPENT", "验证码错误次数过多，已失效，请重新获取", check=spent)
        raise OtpError(
            "PHONE_CODE_WRONG", f"验证码错误，还可输入 {left} 次", attempts_left=left, check=dict(check, wrong=wrong)
        )
    return dict(check, state=VERIFIED, verified_at=now, code=None)


def public(check: dict | None, person: dict, now: float) -> dict:
    """What clients see of one mobile's check: never the code, the mobile masked."""
    got = check or {}
    state = got.get("state")
    live = state == SENT and got.get("code") is not None and now < got["expires_at"]
    shown = VOID if state == SENT and not live else state
    mobile = person["mobile"]
    return {
        "mobile": mobile,
        "mobile_masked": mobile[:3] + "****" + mobile[-4:] if len(mobile) >= 7 else mobile,
        "name": person.get("name") or "",
        "paths": list(person.get("paths") or []),
        "verified": state == VERIFIED,
        "state": shown,
        "state_zh": "验证码已失效" if shown == VOID else STATE_ZH.get(state, "未验证"),
        "attempts_left": MAX_WRONG - got["wrong"] if live else None,
        "code_expires_at": iso(got["expires_at"]) if live else None,
        "verified_at": iso(got["verified_at"]) if state == VERIFIED else None,
    }
