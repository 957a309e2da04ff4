"""The one domain error type: a stable machine code, a zh-CN message and the HTTP status.

The API turns it into JSON in a single handler; domain code raises it and never
knows about HTTP beyond the number.
"""

from collections.abc import Callable, Iterable
from typing import Any, NamedTuple


class DomainError(Exception):
    status = 409

    def __init__(self, code, message, status=None, **details):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        if status is not None:
            self.status = status
        self.details = details

    def to_dict(self):
        body = {"code": self.code, "message": self.message}
        body.update(self.details)
        return body


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    status = 409


class Unprocessable(DomainError):
    """Per-field validation failures found by the domain (not by marshmallow)."""

    status = 422

    def __init__(self, errors, code, message, **details):
        super().__init__(code, message, errors=errors, **details)
        self.errors = errors


class Unauthorized(DomainError):
    status = 401


class Forbidden(DomainError):
    status = 403


class Problem(NamedTuple):
    """One thing wrong with an input, found by the domain: where (a dotted path under the
    payload), a stable code and a zh-CN message. Entry validation returns a list of them;
    `as_errors` turns them into the per-field errors of a 422 (the same shape marshmallow's
    errors take at the wire), and audit_data entries are problems found by a review."""

    path: str
    code: str
    message: str


def as_errors(problems: Iterable[tuple[str, str, str]]) -> dict[str, list[str]]:
    """{path: [message, …]} of problems, in order."""
    errors: dict[str, list[str]] = {}
    for path, _code, message in problems:
        errors.setdefault(path, []).append(message)
    return errors


class Code(NamedTuple):
    """A declared error code: its HTTP status and its zh-CN message (the default; a raising
    site words its own only where the message carries a value, e.g. a count or a name)."""

    status: int
    message: str


# Every machine `code` an API error carries, with its HTTP status and message: the one list a
# client reads codes from; `fail(code, …)` builds every error from it (tests/domain/test_errors.py
# checks no raising site in backend/ names a code outside this table or builds an error by hand).
CODES: dict[str, Code] = {
    # 400 / 401 / 403: the request and its token
    "JSON_TOO_DEEP": Code(400, "请求格式不正确：JSON 嵌套层级过深"),
    "JSON_NUMBER_TOO_LONG": Code(400, "请求格式不正确：JSON 中的数字位数过多"),
    "JSON_INVALID": Code(400, "请求格式不正确：请求体不是合法的 JSON"),
    "BODY_MALFORMED": Code(400, "请求格式不正确：请求体的分块传输编码无效"),
    "HOST_INVALID": Code(400, "请求格式不正确：Host 请求头不是合法的主机名"),
    "RANGE_NOT_SATISFIABLE": Code(416, "请求的字节范围（Range）超出了文件大小"),
    "REQUEST_TIMEOUT": Code(408, "请求体发送超时，请重试"),
    "TOKEN_MISSING": Code(401, "缺少访问令牌：请在 Authorization: Bearer 中提供沙箱令牌"),
    "TOKEN_INVALID": Code(401, "访问令牌无效或已失效"),
    "CONTROL_TOKEN_INVALID": Code(401, "控制令牌无效"),
    # 404: what the path names
    "SANDBOX_NOT_FOUND": Code(404, "沙箱不存在"),
    "APPLICATION_NOT_FOUND": Code(404, "备案订单不存在"),
    "CONVERSATION_NOT_FOUND": Code(404, "对话不存在"),
    "DOMAIN_NOT_FOUND": Code(404, "域名不在注册信息中"),
    "FAULT_NOT_FOUND": Code(404, "故障规则不存在"),
    "CLASS_NOT_FOUND": Code(404, "培训班不存在"),
    "VERIFICATION_NOT_FOUND": Code(404, "该条验证库里找不到记录"),
    "WEBHOOK_NOT_FOUND": Code(404, "回调地址不存在"),
    "DELIVERY_NOT_FOUND": Code(404, "投递记录不存在"),
    "ACTION_UNKNOWN": Code(404, "未知的操作"),
    # 409: the state of the sandbox does not allow it
    "SANDBOX_EXISTS": Code(409, "沙箱已存在"),
    "DOMAIN_EXISTS": Code(409, "域名已在注册信息中"),
    "ENTITY_EXISTS": Code(409, "该证件已有备案主体，一个主体只能有一个主体备案号"),
    "ENTITY_NUMBER_EXISTS": Code(409, "主体备案号已存在，备案号不可重复使用"),
    "ACTION_NOT_ALLOWED": Code(409, "当前状态下不能执行此操作"),
    "TELEPORT_NOT_ALLOWED": Code(409, "不能跳转到该状态"),
    "RESET_IN_PROGRESS": Code(409, "模拟器正在被另一个请求重置，请稍后重试"),
    "KIND_NOT_AVAILABLE": Code(409, "暂不支持该类型的订单"),
    "ORDER_IN_PROGRESS": Code(409, "账号下已有进行中的备案订单，请先完成或撤销该订单"),
    "CONVERSATION_BUSY": Code(503, "对话正在处理上一条消息，请稍后重试"),
    "NUMBER_SEQUENCE_EXHAUSTED": Code(409, "该省份的备案号顺序号已用完，无法分配新的主体备案号"),
    "TIMER_FAILED": Code(409, "定时任务执行失败，已标记为失败，之后推进时钟时会跳过它；请查看 worker 日志"),
    "TIMER_NOT_DELIVERED": Code(409, "定时任务未送达"),
    "ADVANCE_STEP_LIMIT": Code(409, "推进时钟时触发的定时器过多，已停止"),
    "ADVANCE_IN_PROGRESS": Code(409, "该沙箱的时钟正在被另一个请求推进；请稍后重试"),
    "CONVERSATION_LIMIT": Code(409, "沙箱的对话数已达上限，请重置沙箱或新建沙箱"),
    "CONVERSATION_FULL": Code(409, "对话消息已达上限，请开始新的对话"),
    "ALREADY_VERIFIED": Code(409, "该手机号已完成短信核验"),
    "WEBHOOK_LIMIT": Code(409, "回调地址数已达上限"),
    # 429: MIIT's resend limit (409 when the check is over: the raising site says which)
    "SMS_RESEND_REFUSED": Code(429, "暂不能重新发送核验短信"),
    # 409: a kind's preconditions (domain/preconditions.py, domain/kinds/); each site names the
    # records concerned in its own message
    "ENTITY_ALREADY_FILED": Code(409, "该账号已有备案主体：一个账号只能备案一个主体"),
    "ENTITY_ON_RECORD": Code(409, "该主体已有备案记录"),
    "ENTITY_NOT_FILED_AT_TENCENT": Code(409, "该主体未在腾讯云备案"),
    "ENTITY_NOT_ON_RECORD": Code(409, "该主体没有备案记录"),
    "ENTITY_MISMATCH_WITH_RECORD": Code(409, "主体信息与备案记录不一致"),
    "ENTITY_FILED_AT_TENCENT": Code(409, "该主体已在腾讯云备案"),
    "ENTITY_IN_OTHER_ACCOUNT": Code(409, "主体证件号码已在其他腾讯云账号下备案"),
    "WEBSITE_NOT_FOUND": Code(409, "备案记录中没有该网站"),
    "WEBSITE_NOT_AT_TENCENT": Code(409, "该网站未接入腾讯云"),
    "WEBSITE_ALREADY_AT_TENCENT": Code(409, "该网站已接入腾讯云"),
    "RECORD_CHANGE_NOT_ALLOWED": Code(409, "该订单不能修改备案内容"),
    "DOMAIN_CONFLICT": Code(409, "域名已在备案信息中，不能重复备案"),
    "DOMAIN_ALREADY_FILED": Code(409, "域名已备案"),
    "DOMAIN_CANNOT_BE_ADDED": Code(409, "该域名不能加入此网站"),
    "WEBSITE_NEEDS_A_DOMAIN": Code(409, "网站至少须保留一个域名"),
    "CROSS_PROVINCE_CHANGE": Code(409, "不能跨省变更备案"),
    "ENTITY_IDENTITY_CHANGE_NOT_ALLOWED": Code(409, "不能变更主体的证件信息"),
    "LAST_WEBSITE_CANCEL_ENTITY": Code(409, "这是主体下最后一个网站，请注销主体"),
    # 409: filing-type verification, before any form (domain/verification.py, process.md §1.4)
    "ACCOUNT_FLAGGED": Code(409, "异常账号备案：该账号存在风险，暂不能办理新增或变更备案"),
    "REALNAME_SYNC_PENDING": Code(409, "账号完成实名认证不足48小时，实名信息尚未同步到备案系统"),
    "ACCOUNT_REALNAME_MISMATCH": Code(409, "实名认证账号与备案主体不符"),
    "BIZ_INFO_SYNC_PENDING": Code(409, "工商信息不匹配：营业执照登记或变更不足 7 个工作日，信息尚未同步"),
    "CERTIFICATE_LOOKUP_FAILED": Code(409, "证件号码未能获取信息"),
    "TLD_NOT_FILEABLE": Code(409, "该域名后缀不支持备案"),
    "DOMAIN_NOT_REGISTERED": Code(409, "域名不在注册信息中"),
    "DOMAIN_REALNAME_PENDING": Code(409, "域名未实名认证"),
    "DOMAIN_REALNAME_SYNC_PENDING": Code(409, "域名未实名认证：域名实名信息尚未同步到工信部（需 3 天）"),
    "DOMAIN_HOLDER_MISMATCH": Code(409, "域名持有者与备案主体不一致"),
    "ENTITY_FILED_UNDER_OLD_NUMBER": Code(409, "该单位已以三证合一前的组织机构代码备案"),
    "ENTITY_ORDER_ELSEWHERE": Code(409, "此证件存在进行中的订单：该主体在其他接入商有未完成的备案订单"),
    "INFO_CONFLICT": Code(409, "信息冲突：证件号码与已有备案记录的主办者性质或证件类型不一致"),
    "NO_RESOURCE": Code(409, "暂无可用资源：账号下没有满足备案要求的云托管资源"),
    # the stages before submission (materials, face checks, readiness)
    "SUBMIT_NOT_READY": Code(409, "提交前还有未完成的步骤"),
    "UPLOAD_QUOTA_EXCEEDED": Code(409, "沙箱内的文件已达上限"),
    "MATERIAL_SLOT_NOT_REQUIRED": Code(404, "该订单不需要上传该材料"),
    "FACE_CHECK_FIRST": Code(409, "请先完成网站负责人的真实性核验（人脸核验），再上传材料"),
    "MATERIAL_NOT_FOUND": Code(404, "该材料尚未上传"),
    "TEMPLATE_NOT_FOUND": Code(404, "模板不存在"),
    "FACE_CHECK_NOT_FOUND": Code(404, "核验任务不存在"),
    "FACE_CHECK_NOT_NEEDED": Code(409, "该类订单无需真实性核验"),
    "FACE_CHECK_FINISHED": Code(409, "核验任务已结束"),
    "FACE_CHECK_NOTICE_EXPIRED": Code(409, "核验通知已超过 24 小时，请重新发送核验通知"),
    "FACE_CHECK_REASON_UNKNOWN": Code(409, "未知的失败原因"),
    "PHONE_NOT_IN_ORDER": Code(404, "订单中没有使用该手机号码的负责人"),
    "PHONE_ALREADY_VERIFIED": Code(409, "该手机号码已验证，无需再次获取验证码"),
    "PHONE_CODE_TOO_SOON": Code(429, "验证码发送过于频繁，请稍后再试"),
    "PHONE_CODE_TOO_MANY_SENDS": Code(429, "该手机号码获取验证码次数过多，请稍后再试"),
    "PHONE_CODE_NOT_SENT": Code(409, "请先获取验证码"),
    "PHONE_CODE_EXPIRED": Code(409, "验证码已过期（5 分钟内有效），请重新获取"),
    "PHONE_CODE_SPENT": Code(409, "验证码错误次数过多，已失效，请重新获取"),
    "MATERIAL_TOO_LARGE": Code(422, "文件过大"),
    "MATERIAL_NOT_IMAGE": Code(422, "文件不是可识别的图片（仅支持 JPG、PNG），请上传原件的彩色照片或扫描件"),
    "MATERIAL_FORMAT_UNSUPPORTED": Code(422, "不支持的图片格式：仅支持 JPG、PNG"),
    "MATERIAL_RESOLUTION_TOO_LOW": Code(422, "图片分辨率过低"),
    "MATERIAL_RESOLUTION_TOO_HIGH": Code(422, "图片尺寸过大（像素过多），请缩小后上传"),
    "MATERIAL_NOT_COLOUR": Code(422, "图片为黑白或灰度图，请上传彩色照片或扫描件"),
    "UPLOAD_FILENAME_INVALID": Code(422, "文件名无法识别"),
    "UPLOAD_INCOMPLETE": Code(422, "上传的内容不完整，请重新上传"),
    "MATERIAL_UNCHANGED": Code(422, "重新上传的文件与被驳回的文件相同"),
    "UPLOAD_FILE_MISSING": Code(422, "没有收到文件"),
    "REFERENCE_NOT_FOUND": Code(404, "没有该选项表"),
    # 422: the input
    "VALIDATION_FAILED": Code(422, "提交的信息有误，请按提示修改"),
    "SMS_CODE_WRONG": Code(422, "短信核验码错误"),
    "PHONE_CODE_WRONG": Code(422, "验证码错误"),
    "WEBHOOK_URL_REFUSED": Code(422, "回调地址不允许"),
    "NUMBER_SEQUENCE_TOO_HIGH": Code(422, "备案号的顺序号过大"),
    "PROVINCE_UNKNOWN": Code(422, "无法识别的省份：请填写省份名称、简称或 2 位/6 位行政区划代码"),
    # 503: the workers
    "WORKER_TIMEOUT": Code(503, "等待 worker 处理时钟推进超时：请确认 worker 进程在运行"),
    "ADVANCE_FAILED": Code(503, "推进时钟的任务执行失败，请查看 worker 日志"),
    # 503: the store (answered by the API's error handler, with Retry-After)
    "REDIS_UNAVAILABLE": Code(503, "模拟器的存储（Redis）暂时不可用，请稍后重试"),
}

_CLASS: dict[int, type[DomainError]] = {401: Unauthorized, 403: Forbidden, 404: NotFound, 409: Conflict}


def fail(code: str, message: str | None = None, /, *, status: int | None = None, **details: Any) -> DomainError:
    """The error of a declared `code`: its class, status and message from CODES. `message`
    only where the site's words carry a value (a count, a name); `status` only for the one code
    whose status depends on the case (SMS_RESEND_REFUSED); `errors` (field path → messages)
    makes it an Unprocessable, the 422 the API and the chat read field by field."""
    declared = CODES[code]
    text = declared.message if message is None else message
    if "errors" in details:
        return Unprocessable(details.pop("errors"), code, text, **details)
    status = declared.status if status is None else status
    return _CLASS.get(status, DomainError)(code, text, status, **details)


# -- named factories where the details take shaping -------------------------------------


def sandbox_not_found(sid: str | None = None) -> DomainError:
    details: dict[str, Any] = {"sandbox_id": sid} if sid is not None else {}
    return fail("SANDBOX_NOT_FOUND", **details)


def application_not_found(app_id: str) -> DomainError:
    return fail("APPLICATION_NOT_FOUND", application_id=app_id)


def order_in_progress(app_id: str, message: str | None = None) -> DomainError:
    return fail("ORDER_IN_PROGRESS", message, application_id=app_id)


def action_not_allowed(state_zh: str, action: str, state: str, allowed: list[str]) -> DomainError:
    return fail(
        "ACTION_NOT_ALLOWED",
        f"当前状态「{state_zh}」下不能执行此操作",
        action=action,
        state=state,
        allowed_actions=allowed,
    )


def kind_not_available(kind: str, kind_zh: str) -> DomainError:
    return fail("KIND_NOT_AVAILABLE", f"暂不支持「{kind_zh}」订单", kind=kind)


def validation_failed(errors: dict[str, list[str]]) -> Unprocessable:
    """The 422 of per-field problems the domain found (VALIDATION_FAILED)."""
    return Unprocessable(errors, "VALIDATION_FAILED", CODES["VALIDATION_FAILED"].message)


# -- the preconditions' answers (domain/preconditions.py, domain/kinds/): a 409 with what to do
# instead (`suggest`); the message names the records concerned, so each call site words it


class PreconditionFailed(Conflict):
    """A kind's precondition is not met: the answer says what to do instead."""

    def __init__(self, code: str, message: str, suggest: str, **details: Any) -> None:
        super().__init__(code, message, suggest=suggest, **details)


def _precondition(code: str) -> Callable[..., PreconditionFailed]:
    def factory(message: str | None, suggest: str, **details: Any) -> PreconditionFailed:
        return PreconditionFailed(code, CODES[code].message if message is None else message, suggest, **details)

    factory.__name__ = code.lower()
    factory.code = code  # type: ignore[attr-defined]
    return factory


cross_province_change = _precondition("CROSS_PROVINCE_CHANGE")
domain_already_filed = _precondition("DOMAIN_ALREADY_FILED")
domain_cannot_be_added = _precondition("DOMAIN_CANNOT_BE_ADDED")
domain_conflict = _precondition("DOMAIN_CONFLICT")
entity_already_filed = _precondition("ENTITY_ALREADY_FILED")
entity_filed_at_tencent = _precondition("ENTITY_FILED_AT_TENCENT")
entity_identity_change_not_allowed = _precondition("ENTITY_IDENTITY_CHANGE_NOT_ALLOWED")
entity_in_other_account = _precondition("ENTITY_IN_OTHER_ACCOUNT")
entity_mismatch_with_record = _precondition("ENTITY_MISMATCH_WITH_RECORD")
entity_not_filed_at_tencent = _precondition("ENTITY_NOT_FILED_AT_TENCENT")
entity_not_on_record = _precondition("ENTITY_NOT_ON_RECORD")
entity_on_record = _precondition("ENTITY_ON_RECORD")
last_website_cancel_entity = _precondition("LAST_WEBSITE_CANCEL_ENTITY")
record_change_not_allowed = _precondition("RECORD_CHANGE_NOT_ALLOWED")
website_already_at_tencent = _precondition("WEBSITE_ALREADY_AT_TENCENT")
website_needs_a_domain = _precondition("WEBSITE_NEEDS_A_DOMAIN")
website_not_at_tencent = _precondition("WEBSITE_NOT_AT_TENCENT")
website_not_found = _precondition("WEBSITE_NOT_FOUND")
