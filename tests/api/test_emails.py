"""E-mail in the outbox (issue #13, domain.md §9): Tencent's progress and result notices go to
the responsible people's addresses too, with a zh-CN subject and body; MIIT's code does not."""

from support.people import personal_payload

from api.flows import (
    ORG_USCC,
    act,
    create_app,
    ok,
    org_payload,
    outbox,
    register_domain,
    until_idle,
    usable_ip,
    verify_all,
)
from api.kinds_flows import ORG_BOSS, SITE_OWNER


def test_filing_emails(sandbox):
    register_domain(sandbox, "zhangsan-blog.cn")
    app = create_app(sandbox, personal_payload(usable_ip(sandbox)))
    act(sandbox, app["id"], "submit")
    until_idle(sandbox)
    verify_all(sandbox, app["id"])
    until_idle(sandbox)
    mails = outbox(sandbox, channel="email")
    assert [m["code"] for m in mails] == [
        "ORDER_SUBMITTED",
        "PROVIDER_APPROVED",
        "SUBMITTED_TO_BUREAU",
        "BUREAU_APPROVED",
        "PUBLIC_SECURITY_REMINDER",
    ]
    assert {m["to"] for m in mails} == {"zhangsan@example.com"}  # the same person twice: one e-mail each
    approved = mails[3]
    assert approved["subject"] == f"【腾讯云】备案订单 {app['id']} 管局审核通过"
    assert approved["text"].startswith("尊敬的张三：") and "粤ICP备" in approved["text"]
    assert approved["sender"].startswith("腾讯云备案")
    assert not [m for m in mails if m["code"] == "MIIT_SMS_CODE"]
    assert outbox(sandbox, channel="email", to="zhangsan@example.com") == mails


def test_rejection_email_says_what_to_fix_to_each_person(sandbox):
    register_domain(sandbox, "moumou-tech.cn", holder_name="别人", holder_cert=ORG_USCC)
    payload = org_payload([usable_ip(sandbox)], [("moumou-tech.cn", "某某科技官网")])
    payload["entity"]["responsible"] = ORG_BOSS
    payload["websites"][0]["responsible"] = SITE_OWNER
    app = create_app(sandbox, payload)
    act(sandbox, app["id"], "submit")
    until_idle(sandbox)
    rejected = [m for m in outbox(sandbox, channel="email") if m["code"] == "PROVIDER_REJECTED"]
    assert sorted(m["to"] for m in rejected) == sorted([ORG_BOSS["email"], SITE_OWNER["email"]])
    assert all("驳回原因及修改建议" in m["text"] and "建议：" in m["text"] for m in rejected)
    assert {m["text"].splitlines()[0] for m in rejected} == {"尊敬的王五：", "尊敬的李四："}
    assert ok(sandbox.get("~/outbox", query_string={"channel": "email", "app_id": app["id"]})) == outbox(
        sandbox, channel="email"
    )


def test_email_copies_are_stored_packed_and_read_and_exported_whole(sandbox, control, r):
    import json

    from backend.store import keys, tx as store

    register_domain(sandbox, "zhangsan-blog.cn")
    app = create_app(sandbox, personal_payload(usable_ip(sandbox)))
    act(sandbox, app["id"], "submit")
    until_idle(sandbox)
    stored = [store.decode(m) for m in r.lrange(keys.outbox(sandbox.sid), 0, -1)]
    assert [m for m in stored if m["channel"] == "email"] and all(
        "mail" in m and "text" not in m for m in stored if m["channel"] == "email"
    )
    mails = outbox(sandbox, channel="email")
    assert mails[0]["text"].startswith("尊敬的张三：") and mails[0]["sender"].startswith("腾讯云备案")
    exported = ok(control.get(f"/api/v1/sandboxes/{sandbox.sid}/snapshot"))
    sent = [json.loads(m) for m in exported["keys"][":outbox"]["value"]]
    assert [m for m in sent if m["channel"] == "email"] == mails


def test_the_account_s_messages_reach_it_by_site_wechat_and_wecom(sandbox):
    """process.md §6.3 [T57]: 站内信, 腾讯云助手 (WeChat) and WeCom carry the account's messages;
    SMS and e-mail go to the responsible people. The stored outbox keeps each message once."""
    register_domain(sandbox, "zhangsan-blog.cn")
    app = create_app(sandbox, personal_payload(usable_ip(sandbox)))
    act(sandbox, app["id"], "submit")
    until_idle(sandbox)
    site = outbox(sandbox, channel="site")
    assert site and {m["to"] for m in site} == {"account"}
    for channel in ("wechat", "wecom"):
        copies = outbox(sandbox, channel=channel)
        assert [(m["id"], m["code"], m["text"]) for m in copies] == [(m["id"], m["code"], m["text"]) for m in site]
        assert {m["channel"] for m in copies} == {channel}
    assert {m["channel"] for m in outbox(sandbox)} == {"site", "sms", "email"}  # stored once
    assert sandbox.get("~/outbox?channel=fax").status_code == 422
