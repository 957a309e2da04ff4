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

    def __init__(self, errors, code="VALIDATION_FAILED", message="提交的信息有误，请按提示修改"):
        super().__init__(code, message, errors=errors)
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


# Every machine `code` an API error carries, with its HTTP status: the one list a client
# reads codes from (tests/domain/test_errors.py finds every code raised in backend/ here).
CODES: dict[str, int] = {
    # 400 / 401 / 403: the request and its token
    "JSON_TOO_DEEP": 400,
    "JSON_NUMBER_TOO_LONG": 400,
    "JSON_INVALID": 400,
    "REQUEST_TIMEOUT": 408,
    "TOKEN_MISSING": 401,
    "TOKEN_INVALID": 401,
    "CONTROL_TOKEN_INVALID": 403,
    # 404: what the path names
    "SANDBOX_NOT_FOUND": 404,
    "APPLICATION_NOT_FOUND": 404,
    "CONVERSATION_NOT_FOUND": 404,
    "DOMAIN_NOT_FOUND": 404,
    "FAULT_NOT_FOUND": 404,
    "CLASS_NOT_FOUND": 404,
    "VERIFICATION_NOT_FOUND": 404,
    "WEBHOOK_NOT_FOUND": 404,
    "DELIVERY_NOT_FOUND": 404,
    # 409: the state of the sandbox does not allow it
    "SANDBOX_EXISTS": 409,
    "DOMAIN_EXISTS": 409,
    "ENTITY_EXISTS": 409,
    "ENTITY_NUMBER_EXISTS": 409,
    "ACTION_NOT_ALLOWED": 409,
    "ACTION_UNKNOWN": 409,
    "TELEPORT_NOT_ALLOWED": 409,
    "KIND_NOT_AVAILABLE": 409,
    "ORDER_IN_PROGRESS": 409,
    "CONVERSATION_BUSY": 409,
    "NUMBER_SEQUENCE_EXHAUSTED": 409,
    "TIMER_FAILED": 409,
    "TIMER_NOT_DELIVERED": 409,
    "ADVANCE_STEP_LIMIT": 409,
    "ADVANCE_IN_PROGRESS": 409,
    "CONVERSATION_LIMIT": 409,
    "CONVERSATION_FULL": 409,
    "ALREADY_VERIFIED": 409,
    "WEBHOOK_LIMIT": 409,
    # 429: MIIT's resend limit (409 when the check is over)
    "SMS_RESEND_REFUSED": 429,
    # 409: a kind's preconditions (domain/preconditions.py, domain/kinds/)
    "ENTITY_ALREADY_FILED": 409,
    "ENTITY_ON_RECORD": 409,
    "ENTITY_NOT_FILED_AT_TENCENT": 409,
    "ENTITY_NOT_ON_RECORD": 409,
    "ENTITY_MISMATCH_WITH_RECORD": 409,
    "ENTITY_FILED_AT_TENCENT": 409,
    "ENTITY_IN_OTHER_ACCOUNT": 409,
    "WEBSITE_NOT_FOUND": 409,
    "WEBSITE_NOT_AT_TENCENT": 409,
    "WEBSITE_ALREADY_AT_TENCENT": 409,
    "RECORD_CHANGE_NOT_ALLOWED": 409,
    "DOMAIN_CONFLICT": 409,
    "DOMAIN_ALREADY_FILED": 409,
    "DOMAIN_CANNOT_BE_ADDED": 409,
    "WEBSITE_NEEDS_A_DOMAIN": 409,
    "CROSS_PROVINCE_CHANGE": 409,
    "ENTITY_IDENTITY_CHANGE_NOT_ALLOWED": 409,
    "LAST_WEBSITE_CANCEL_ENTITY": 409,
    # 409: filing-type verification, before any form (domain/verification.py, process.md §1.4)
    "ACCOUNT_FLAGGED": 409,
    "REALNAME_SYNC_PENDING": 409,
    "ACCOUNT_REALNAME_MISMATCH": 409,
    "BIZ_INFO_SYNC_PENDING": 409,
    "CERTIFICATE_LOOKUP_FAILED": 409,
    "TLD_NOT_FILEABLE": 409,
    "DOMAIN_NOT_REGISTERED": 409,
    "DOMAIN_REALNAME_PENDING": 409,
    "DOMAIN_REALNAME_SYNC_PENDING": 409,
    "DOMAIN_HOLDER_MISMATCH": 409,
    "INFO_CONFLICT": 409,
    "NO_RESOURCE": 409,
    # the stages before submission (materials, face checks, readiness)
    "SUBMIT_NOT_READY": 409,
    "UPLOAD_QUOTA_EXCEEDED": 409,
    "MATERIAL_SLOT_NOT_REQUIRED": 404,
    "MATERIAL_NOT_FOUND": 404,
    "TEMPLATE_NOT_FOUND": 404,
    "FACE_CHECK_NOT_FOUND": 404,
    "FACE_CHECK_NOT_NEEDED": 409,
    "FACE_CHECK_FINISHED": 409,
    "FACE_CHECK_NOTICE_EXPIRED": 409,
    "FACE_CHECK_REASON_UNKNOWN": 422,
    "MATERIAL_TOO_LARGE": 422,
    "MATERIAL_NOT_IMAGE": 422,
    "MATERIAL_FORMAT_UNSUPPORTED": 422,
    "MATERIAL_RESOLUTION_TOO_LOW": 422,
    "MATERIAL_NOT_COLOUR": 422,
    "UPLOAD_FILENAME_INVALID": 422,
    "MATERIAL_UNCHANGED": 422,
    "UPLOAD_FILE_MISSING": 422,
    "REFERENCE_NOT_FOUND": 404,
    # 422: the input
    "VALIDATION_FAILED": 422,
    "SMS_CODE_WRONG": 422,
    "WEBHOOK_URL_REFUSED": 422,
    "NUMBER_SEQUENCE_TOO_HIGH": 422,
    "PROVINCE_UNKNOWN": 422,
    # 503: the workers
    "WORKER_TIMEOUT": 503,
    "ADVANCE_FAILED": 503,
}


# -- one factory per code raised from more than one place --------------------------------


def sandbox_not_found(sid: str | None = None) -> NotFound:
    details = {"sandbox_id": sid} if sid is not None else {}
    return NotFound("SANDBOX_NOT_FOUND", "沙箱不存在", **details)


def application_not_found(app_id: str) -> NotFound:
    return NotFound("APPLICATION_NOT_FOUND", "备案订单不存在", application_id=app_id)


def order_in_progress(app_id: str, message: str = "账号下已有进行中的备案订单，请先完成或撤销该订单") -> Conflict:
    return Conflict("ORDER_IN_PROGRESS", message, application_id=app_id)


def action_not_allowed(state_zh: str, action: str, state: str, allowed: list[str]) -> Conflict:
    return Conflict(
        "ACTION_NOT_ALLOWED",
        f"当前状态「{state_zh}」下不能执行此操作",
        action=action,
        state=state,
        allowed_actions=allowed,
    )


def teleport_not_allowed(message: str, **details: Any) -> Conflict:
    return Conflict("TELEPORT_NOT_ALLOWED", message, **details)


def kind_not_available(kind: str, kind_zh: str) -> Conflict:
    return Conflict("KIND_NOT_AVAILABLE", f"暂不支持「{kind_zh}」订单", kind=kind)


def sms_code_wrong(left: int) -> Unprocessable:
    return Unprocessable({"code": [f"核验码错误，还可尝试 {left} 次"]}, code="SMS_CODE_WRONG", message="短信核验码错误")


def validation_failed(errors: dict[str, list[str]]) -> Unprocessable:
    return Unprocessable(errors)


# -- the preconditions' answers (domain/preconditions.py, domain/kinds/): a 409 with what to do
# instead (`suggest`); the message names the records concerned, so each call site words it


class PreconditionFailed(Conflict):
    """A kind's precondition is not met: the answer says what to do instead."""

    def __init__(self, code: str, message: str, suggest: str, **details: Any) -> None:
        super().__init__(code, message, suggest=suggest, **details)


def _precondition(code: str) -> Callable[..., PreconditionFailed]:
    def factory(message: str, suggest: str, **details: Any) -> PreconditionFailed:
        return PreconditionFailed(code, message, suggest, **details)

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
