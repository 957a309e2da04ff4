"""The one domain error type: a stable machine code, a zh-CN message and the HTTP status.

The API turns it into JSON in a single handler; domain code raises it and never
knows about HTTP beyond the number.
"""


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
