"""WeChat's getIcpEntranceInfo view of an application and of the account (issue #13)."""

from support.people import personal_payload

from api.flows import CONTROL, act, assert_error, create_app, ok, register_domain, usable_ip
from api.kinds_flows import first_filed, run

INFO_KEYS = ["status", "is_canceling", "audit_data", "available", "sms_verify_status"]


def entrance(sb):
    body = ok(sb.get("~/wechat/entrance-info"))
    assert body["errcode"] == 0 and body["errmsg"] == "ok" and sorted(body["info"]) == sorted(INFO_KEYS)
    return body


def test_account_before_anything(sandbox):
    body = entrance(sandbox)
    assert body["info"] == {
        "status": 1025,
        "is_canceling": 0,
        "audit_data": [],
        "available": 1,
        "sms_verify_status": None,
    }
    assert body["status_zh"].startswith("未备案") and body["icpsim"]["eligible"] is True


def test_account_not_eligible_is_uncertified_and_closed(control):
    from api.flows import new_sandbox

    info = entrance(new_sandbox(control, preset="empty"))["info"]
    assert info["status"] == 1029 and info["available"] == 0  # info not filled + not certified


def test_application_through_its_life(sandbox):
    register_domain(sandbox, "zhangsan-blog.cn")
    app = create_app(sandbox, personal_payload(usable_ip(sandbox)))
    view = ok(sandbox.get(f"~/applications/{app['id']}/wechat"))
    assert view["info"]["status"] == 1024 and view["icpsim"]["state"] == "draft"
    act(sandbox, app["id"], "submit")
    assert ok(sandbox.get(f"~/applications/{app['id']}/wechat"))["info"]["status"] == 2
    assert entrance(sandbox)["info"]["status"] == 2
    app = run(sandbox, app["id"], submit=False)
    assert app["state"] == "approved"
    info = ok(sandbox.get(f"~/applications/{app['id']}/wechat"))["info"]
    assert info == {"status": 6, "is_canceling": 0, "audit_data": [], "available": 1, "sms_verify_status": None}
    assert entrance(sandbox)["info"]["status"] == 6


def test_cancellation_in_flight_and_done_is_never_6(sandbox):
    first_filed(sandbox)
    app = create_app(sandbox, {"reason": "不再运营"}, kind="cancel_entity")
    act(sandbox, app["id"], "submit")
    info = ok(sandbox.get(f"~/applications/{app['id']}/wechat"))["info"]
    assert info["status"] == 2 and info["is_canceling"] == 1
    assert entrance(sandbox)["info"]["is_canceling"] == 1
    app = run(sandbox, app["id"], submit=False)
    assert app["state"] == "approved"
    info = ok(sandbox.get(f"~/applications/{app['id']}/wechat"))["info"]
    assert info["status"] == 1024 and info["is_canceling"] == 0
    account = entrance(sandbox)["info"]
    assert account["status"] != 6 and account["is_canceling"] == 0


def test_rejection_carries_audit_data(sandbox):
    register_domain(sandbox, "zhangsan-blog.cn", real_name_status="pending")
    app = run(sandbox, create_app(sandbox, personal_payload(usable_ip(sandbox)))["id"])
    assert app["state"] == "provider_rejected"
    info = ok(sandbox.get(f"~/applications/{app['id']}/wechat"))["info"]
    assert info["status"] == 3 and info["audit_data"]
    assert all(set(a) == {"key_name", "error", "suggest"} for a in info["audit_data"])
    assert entrance(sandbox)["info"]["audit_data"] == info["audit_data"]


def test_auth_and_404(sandbox):
    assert_error(sandbox.get("~/wechat/entrance-info", token="nope"), 401)
    assert_error(sandbox.get("~/applications/A0099/wechat"), 404, "APPLICATION_NOT_FOUND")
    assert sandbox.get("~/wechat/entrance-info", token=CONTROL).status_code == 200
