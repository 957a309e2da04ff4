"""Tencent Cloud API 3.0 as a wire format (issue #15): TC3-HMAC-SHA256, the errors, the
parameters and the `ba` / `tcbr` / `vpc` actions, as pure Python over the sandbox's data.
HTTP lives in backend/api/tencentcloud.py, Redis in backend/services/tencentcloud.py."""
