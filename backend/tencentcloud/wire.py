"""Which requests are Tencent Cloud API calls, and the envelope of every answer."""

import re

API_DOMAIN = "tencentcloudapi.com"
_HOST = re.compile(r"^([a-z0-9-]+)\.tencentcloudapi\.com\.?(:\d+)?$")
DEFAULT_REGION = "ap-shanghai"
MAX_BODY_BYTES = 1024 * 1024


def service_of_host(host) -> str | None:
    """`vpc.tencentcloudapi.com` → "vpc" (the SDK with `proxy=` or a hosts-file entry);
    any other Host → None."""
    match = _HOST.match((host or "").strip().lower())
    return match.group(1) if match else None


def is_api_call(host, path: str, headers) -> bool:
    """A call: any request to `<service>.tencentcloudapi.com`, or one to `/` carrying
    `X-TC-Action` (the SDK pointed at the simulator with `HttpProfile(endpoint=…)`)."""
    return service_of_host(host) is not None or (path == "/" and "X-TC-Action" in headers)


def is_v1_call(path: str, params) -> bool:
    """Signature v1, the SDK's `signMethod="HmacSHA256"`/`"HmacSHA1"`: Action and Signature ride
    in the query (GET) or the form body (POST) and no `X-TC-Action` header is sent. icpsim checks
    TC3 only, but such a call still gets the API's envelope: the SDK reads an error from it
    instead of reporting a REST 404 as a network error."""
    return path == "/" and "Action" in params and "Signature" in params


def success(fields: dict, request_id: str) -> dict:
    return {"Response": {**fields, "RequestId": request_id}}


def failure(code: str, message: str, request_id: str) -> dict:
    return {"Response": {"Error": {"Code": code, "Message": message}, "RequestId": request_id}}
