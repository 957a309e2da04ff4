"""The API's error codes, each one named thing (the common codes of Tencent Cloud API 3.0).

A failed call is still HTTP 200 with `{"Response": {"Error": {"Code", "Message"}, "RequestId"}}`:
the official SDK raises `TencentCloudSDKException(code, message, request_id)` from that body,
and treats any other HTTP status as a network error.
"""


class ApiError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code, self.message = code, message


def signature_failure(why: str) -> ApiError:
    return ApiError(
        "AuthFailure.SignatureFailure",
        f"The provided credentials could not be validated. Please check your signature is correct. ({why})",
    )


def signature_v1_unsupported(method: str) -> ApiError:
    return ApiError(
        "AuthFailure.SignatureFailure",
        f"Signature v1 (SignatureMethod {method or 'HmacSHA1'}) is not supported by icpsim: sign with "
        "TC3-HMAC-SHA256, the SDK's default signMethod.",
    )


def signature_expire(timestamp: int, now: int) -> ApiError:
    return ApiError(
        "AuthFailure.SignatureExpire",
        f"Signature expired. Timestamp {timestamp} and server time {now} differ by more than "
        "five minutes. Please ensure your current local time matches the standard time.",
    )


def invalid_authorization(why: str) -> ApiError:
    return ApiError("AuthFailure.InvalidAuthorization", f"Authorization in the request header is invalid: {why}")


def secret_id_not_found() -> ApiError:
    return ApiError(
        "AuthFailure.SecretIdNotFound", "The SecretId is not found, please ensure that your SecretId is correct."
    )


def invalid_secret_id() -> ApiError:
    return ApiError("AuthFailure.InvalidSecretId", "Invalid key (not a TencentCloud API key type).")


def missing_parameter(name: str) -> ApiError:
    return ApiError("MissingParameter", f"The request is missing a required parameter `{name}`.")


def invalid_action(action: str, service: str) -> ApiError:
    return ApiError("InvalidAction", f"The action `{action}` is not found in service `{service}` (接口不存在).")


def no_such_version(version: str, service: str) -> ApiError:
    return ApiError("NoSuchVersion", f"The version `{version}` of service `{service}` does not exist.")


def unsupported_protocol(method: str) -> ApiError:
    return ApiError("UnsupportedProtocol", f"HTTP method {method} is not supported: use GET or POST.")


def unknown_parameter(name: str) -> ApiError:
    return ApiError("UnknownParameter", f"The parameter `{name}` is not recognized.")


def invalid_parameter(message: str) -> ApiError:
    return ApiError("InvalidParameter", message)


def invalid_parameter_value(message: str) -> ApiError:
    return ApiError("InvalidParameterValue", message)


def resource_not_found(message: str, code: str = "ResourceNotFound") -> ApiError:
    return ApiError(code, message)


def resource_unavailable(message: str) -> ApiError:
    return ApiError("ResourceUnavailable", message)


def request_too_large(limit: int) -> ApiError:
    return ApiError("RequestSizeLimitExceeded", f"The request body exceeds {limit} bytes.")


def internal_error() -> ApiError:
    return ApiError("InternalError", "An internal error occurred.")
