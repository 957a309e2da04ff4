"""Gates the real flow puts before any form or at entry (process.md §1.2, §1.4, §2.7, §8): they hold
whether or not the client called 验证备案类型 first (audit items 1, 6, 8, 9, 10)."""

from support.people import ZHANG_SAN_ID, personal_payload

from api.flows import assert_error, create_app, field_errors, register_domain, usable_ip

VERIFY = "~/filing-type/verify"


def create(sb, payload, kind="first_filing"):
    return sb.post("~/applications", json={"kind": kind, "payload": payload})


# -- item 6: virtual-operator mobile ranges (§1.4 不支持该手机号段, §2.7) ------------------------------


def test_a_virtual_operator_mobile_is_refused_at_entry_per_field(sandbox):
    register_domain(sandbox, "zhangsan-blog.cn")
    for mobile in ("17012345678", "16512345678"):
        payload = personal_payload(usable_ip(sandbox))
        payload["entity"]["responsible"]["mobile"] = mobile
        errors = field_errors(create(sandbox, payload), "payload.entity.responsible.mobile")
        assert any("不支持该手机号段" in m for m in errors["payload.entity.responsible.mobile"])
    payload = personal_payload(usable_ip(sandbox))
    payload["websites"][0]["responsible"] = dict(payload["entity"]["responsible"], mobile="17112345678")
    field_errors(create(sandbox, payload), "payload.websites.0.responsible.mobile")
    assert create_app(sandbox, personal_payload(usable_ip(sandbox)))["state"] == "draft"
