"""The nine application kinds of the seed's scenario table (domain.md §3), as data.

The workflow table uses `needs_sms` to choose the path after provider review; the
services use the rest. What each kind's payload carries, its preconditions and when
the gateway serves its domains are declared in `scenarios.py`.
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    code: str
    zh: str
    sms_to: tuple  # whose phones get the MIIT code: "entity" and/or "website"
    bureau_duration: str  # key into the durations: "filing" | "change" | "cancel"
    approved_zh: str  # what 已完成 means for this kind

    @property
    def needs_sms(self):
        return bool(self.sms_to)


KINDS = {k.code: k for k in (
    Kind("first_filing", "首次备案", ("entity", "website"), "filing", "已备案"),
    Kind("access_filing", "接入备案", ("website",), "filing", "已备案"),
    Kind("add_website", "新增网站（原备案在腾讯云）", ("website",), "filing", "已备案"),
    Kind("add_website_external", "新增网站（原备案不在腾讯云）", ("website",), "filing", "已备案"),
    Kind("change_filing", "变更备案", ("entity", "website"), "change", "已变更"),
    Kind("change_website", "变更网站", ("website",), "change", "已变更"),
    Kind("cancel_entity", "注销主体", ("entity",), "cancel", "已注销"),
    Kind("cancel_website", "注销网站", ("website",), "cancel", "已注销"),
    Kind("cancel_access", "取消接入", (), "cancel", "已取消接入"),
)}

ALL = frozenset(KINDS)
WITH_SMS = frozenset(k for k, v in KINDS.items() if v.needs_sms)
WITHOUT_SMS = ALL - WITH_SMS
# Kinds whose full flow (preconditions, payload, effects) is implemented: all nine
# (their payloads and preconditions are declared in scenarios.py, effects in services/effects.py).
IMPLEMENTED = ALL


def get(code):
    return KINDS.get(code)
