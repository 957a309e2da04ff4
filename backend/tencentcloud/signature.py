"""TC3-HMAC-SHA256, as Tencent Cloud API 3.0 signs and checks a request (signature v3).

canonical request = method \\n uri \\n query \\n canonical headers \\n signed headers \\n sha256(payload)
string to sign    = "TC3-HMAC-SHA256" \\n timestamp \\n date/service/tc3_request \\n sha256(canonical request)
signing key       = HMAC("TC3" + SecretKey, date) -> HMAC(·, service) -> HMAC(·, "tc3_request")

The signing key depends on the date and the service, so the server needs the SecretKey
itself to check a signature (it is kept encrypted, see services/api_credentials.py). Time
is the real time, never a sandbox's virtual clock: the client signs with its own clock.
"""

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime, timezone

from backend.tencentcloud import errors

ALGORITHM = "TC3-HMAC-SHA256"
MAX_SKEW_SECONDS = 300  # ±5 minutes, the real API's window
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
REQUIRED_SIGNED = ("content-type", "host")
SECRET_ID = re.compile(r"^AKID[A-Za-z0-9]{8,60}$")
_AUTH = re.compile(
    r"^TC3-HMAC-SHA256 Credential=([^,/\s]+)/(\d{4}-\d{2}-\d{2})/([a-z0-9-]+)/tc3_request,"
    r"\s*SignedHeaders=([a-z0-9;_-]+),\s*Signature=([0-9a-f]{64})$"
)


@dataclass(frozen=True)
class Authorization:
    secret_id: str
    date: str
    service: str
    signed_headers: tuple
    signature: str


@dataclass(frozen=True)
class SignedRequest:
    """What the signature covers, as it arrived: header names in any case."""

    method: str
    path: str
    query: str
    headers: dict
    body: bytes


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _hmac(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()


def signing_key(secret_key: str, date: str, service: str) -> bytes:
    return _hmac(_hmac(_hmac(("TC3" + secret_key).encode("utf-8"), date), service), "tc3_request")


def utc_date(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, timezone.utc).strftime("%Y-%m-%d")


def _header(headers: dict, name: str):
    lowered = {k.lower(): v for k, v in headers.items()}
    return lowered.get(name.lower())


def payload_hash(req: SignedRequest) -> str:
    if (_header(req.headers, "X-TC-Content-SHA256") or "") == UNSIGNED_PAYLOAD:
        return _sha256(UNSIGNED_PAYLOAD.encode())
    return _sha256(b"" if req.method == "GET" else req.body)


def canonical_request(req: SignedRequest, signed_headers) -> str:
    lines = "".join(f"{name}:{(_header(req.headers, name) or '').strip().lower()}\n" for name in signed_headers)
    query = req.query if req.method == "GET" else ""
    return "\n".join((req.method, req.path or "/", query, lines, ";".join(signed_headers), payload_hash(req)))


def string_to_sign(timestamp: int, date: str, service: str, canonical: str) -> str:
    return f"{ALGORITHM}\n{timestamp}\n{date}/{service}/tc3_request\n{_sha256(canonical.encode('utf-8'))}"


def signature(secret_key: str, req: SignedRequest, timestamp: int, service: str, signed_headers=REQUIRED_SIGNED) -> str:
    date = utc_date(timestamp)
    to_sign = string_to_sign(timestamp, date, service, canonical_request(req, tuple(signed_headers)))
    return hmac.new(signing_key(secret_key, date, service), to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def authorization_header(secret_id: str, secret_key: str, req: SignedRequest, timestamp: int, service: str) -> str:
    """What a client sends (the SDK's format); the tests sign hand-made requests with it."""
    sig = signature(secret_key, req, timestamp, service)
    return (
        f"{ALGORITHM} Credential={secret_id}/{utc_date(timestamp)}/{service}/tc3_request, "
        f"SignedHeaders={';'.join(REQUIRED_SIGNED)}, Signature={sig}"
    )


def parse_authorization(header) -> Authorization:
    if not header:
        raise errors.missing_parameter("Authorization")
    match = _AUTH.match(header.strip())
    if not match:
        raise errors.invalid_authorization(
            "expected `TC3-HMAC-SHA256 Credential=<SecretId>/<date>/<service>/"
            "tc3_request, SignedHeaders=…, Signature=…`"
        )
    secret_id, date, service, signed, sig = match.groups()
    names = tuple(signed.split(";"))
    if any(required not in names for required in REQUIRED_SIGNED):
        raise errors.invalid_authorization("SignedHeaders must include content-type and host")
    return Authorization(secret_id, date, service, names, sig)


def parse_timestamp(value) -> int:
    if value is None or str(value).strip() == "":
        raise errors.missing_parameter("X-TC-Timestamp")
    if not str(value).strip().isdigit() or len(str(value).strip()) > 12:
        raise errors.invalid_parameter(f"X-TC-Timestamp must be a Unix time in seconds, got `{value}`.")
    return int(str(value).strip())


def check_fresh(timestamp: int, now: float) -> None:
    if abs(int(now) - timestamp) > MAX_SKEW_SECONDS:
        raise errors.signature_expire(timestamp, int(now))


def check_secret_id(secret_id: str) -> None:
    if not SECRET_ID.match(secret_id):
        raise errors.invalid_secret_id()


def verify(req: SignedRequest, auth: Authorization, timestamp: int, secret_key: str, service: str) -> None:
    """The signature the request carries is the one its SecretKey gives for `service`, which the
    endpoint decides (the Host's service, or the scope's when the Host is an IP)."""
    if auth.service != service:
        raise errors.signature_failure(f"credential scope service `{auth.service}` is not `{service}`")
    if auth.date != utc_date(timestamp):
        raise errors.signature_failure(f"credential scope date {auth.date} is not the UTC date of X-TC-Timestamp")
    expected = signature(secret_key, req, timestamp, service, auth.signed_headers)
    if not hmac.compare_digest(expected, auth.signature):
        raise errors.signature_failure("signature mismatch")
