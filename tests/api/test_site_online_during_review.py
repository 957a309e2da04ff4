"""A first filing whose site is reachable while the bureau reviews it is rejected (process.md §6.1
"site must stay offline (pause DNS) for first filing / new site", §9 item 7). The fact is the
domain registry's `site_online` (default off: nothing changes for existing scenarios)."""

from support.people import personal_payload

from api.flows import act, create_app, get_app, ok, register_domain, to_sms, until_idle, usable_ip, verify_all


def submit_to_bureau(sb):
    app = create_app(sb, personal_payload(usable_ip(sb)))
    act(sb, app["id"], "submit")
    to_sms(sb, app["id"])
    verify_all(sb, app["id"])
    until_idle(sb)
    return get_app(sb, app["id"])


def test_a_reachable_site_is_rejected_by_the_bureau_and_passes_once_offline(sandbox):
    register_domain(sandbox, "zhangsan-blog.cn")
    assert ok(sandbox.patch("~/domains/zhangsan-blog.cn", json={"site_online": True}))["site_online"] is True
    app = submit_to_bureau(sandbox)
    assert app["state"] == "bureau_rejected"
    assert [(e["code"], e["field"]) for e in app["audit_data"]] == [
        ("SITE_REACHABLE_DURING_REVIEW", "websites.0.domain")
    ]
    assert "暂停域名解析" in app["audit_data"][0]["suggest"]
    ok(sandbox.patch("~/domains/zhangsan-blog.cn", json={"site_online": False}))  # the user pauses DNS
    act(sandbox, app["id"], "resubmit")
    to_sms(sandbox, app["id"])
    verify_all(sandbox, app["id"])
    until_idle(sandbox)
    assert get_app(sandbox, app["id"])["state"] == "approved"


def test_by_default_the_site_is_offline(sandbox):
    register_domain(sandbox, "zhangsan-blog.cn")
    assert "site_online" not in ok(sandbox.get("~/domains/zhangsan-blog.cn"))
    assert submit_to_bureau(sandbox)["state"] == "approved"


def test_a_trainer_s_fault_rule_can_name_the_code(sandbox):
    from api.flows import CONTROL

    register_domain(sandbox, "zhangsan-blog.cn")
    rule = {"effect": "reject", "stage": "bureau", "times": 1, "codes": ["SITE_REACHABLE_DURING_REVIEW"]}
    ok(sandbox.post("~/faults", token=CONTROL, json=rule), 201)
    app = submit_to_bureau(sandbox)
    assert app["state"] == "bureau_rejected"
    assert [e["code"] for e in app["audit_data"]] == ["SITE_REACHABLE_DURING_REVIEW"]
