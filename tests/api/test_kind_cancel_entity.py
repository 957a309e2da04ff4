"""注销主体 cancel_entity: the entity and all its website numbers revoked; domains blocked; slots freed."""

import re
from datetime import datetime, timedelta

import pytest
from support.people import personal_payload

from api.flows import act, assert_error, create_app, field_errors, history, outbox, to_sms, usable_ip
from api.kinds_flows import (
    approve,
    entities,
    first_filed,
    gateway,
    query,
    run,
    seed_org,
    slots,
    sms_to,
    two_sites,
    websites,
)

KIND = "cancel_entity"


@pytest.fixture
def two(sandbox):
    first, added = two_sites(sandbox)
    return sandbox, first, added


def test_happy_path(two):
    sb, first, added = two
    entity_number = first["result"]["entity_number"]
    ((ip, used),) = slots(sb).items()
    assert used == (2, 0)
    app = create_app(sb, {"reason": "不再运营"}, kind=KIND)
    assert app["payload"]["entity_number"] == entity_number
    assert sorted(app["target"]["website_ids"]) == sorted(w["id"] for w in websites(sb))
    act(sb, app["id"], "submit")
    to_sms(sb, app["id"])
    assert sms_to(sb, app["id"]) == ["13800138000"]  # the entity owner
    assert_error(sb.post(f"~/applications/{app['id']}/actions/withdraw"), 409, "ACTION_NOT_ALLOWED")
    app = run(sb, app["id"], submit=False)
    assert app["state"] == "approved" and app["state_zh"] == "已完成（已注销）"
    numbers = [entity_number, entity_number + "-1", entity_number + "-2"]
    assert app["result"]["revoked_numbers"] == numbers

    ent = entities(sb)[0]
    assert ent["status"] == "cancelled" and ent["revoked_at"] == app["updated_at"]
    assert [w["status"] for w in websites(sb)] == ["cancelled", "cancelled"]
    assert all(w["revoked_at"] == app["updated_at"] for w in websites(sb))
    for host in ("zhangsan-blog.cn", "zhangsan-notes.cn", "www.zhangsan-notes.cn"):
        assert gateway(sb, host) == (302, "CANCELLED"), host
    assert query(sb, number=entity_number) == [] and query(sb, entity="张三") == []
    assert slots(sb)[ip] == (0, 2)
    assert "CANCELLATION_DONE" in [m["code"] for m in outbox(sb, app_id=app["id"])]

    # the person may file again: a new entity number, never an old one
    again = approve(sb, "first_filing", personal_payload(ip))
    new_number = again["result"]["entity_number"]
    assert re.fullmatch(r"粤ICP备2026\d{6}号", new_number) and new_number != entity_number
    assert again["result"]["website_numbers"] == [new_number + "-1"]
    assert gateway(sb, "zhangsan-blog.cn") == (200, "SERVED")
    assert sorted(e["status"] for e in entities(sb)) == ["active", "cancelled"]


def test_withdraw_from_provider_review(two):
    sb, _, _ = two
    app = create_app(sb, {}, kind=KIND)
    act(sb, app["id"], "submit")
    assert act(sb, app["id"], "withdraw")["state"] == "withdrawn"
    assert entities(sb)[0]["status"] == "active" and gateway(sb, "zhangsan-blog.cn") == (200, "SERVED")


def test_history_of_a_cancellation(sandbox):
    first_filed(sandbox)
    app = approve(sandbox, KIND, {})
    assert [e["action"] for e in history(sandbox, app["id"])] == [
        "create",
        "submit",
        "provider_approve",
        "send_to_bureau",
        "verify_sms",
        "bureau_approve",
    ]
    events = history(sandbox, app["id"])
    # cancellations: 1–5 working days at the bureau (cancel_wd), not the filing's 3–20
    at_bureau, decided = (datetime.fromisoformat(e["at"]) for e in events[-2:])
    assert timedelta(days=1) <= decided - at_bureau <= timedelta(days=9)


# --- preconditions ---------------------------------------------------------------


def test_no_entity(sandbox):
    body = assert_error(
        sandbox.post("~/applications", json={"kind": KIND, "payload": {}}), 409, "ENTITY_NOT_FILED_AT_TENCENT"
    )
    assert "首次备案" in body["suggest"]


def test_entity_not_accessed_at_tencent(sandbox):
    """A shell entity at Tencent (filed elsewhere) cannot be cancelled through Tencent."""
    seed_org(sandbox, account="self")
    assert_error(sandbox.post("~/applications", json={"kind": KIND, "payload": {}}), 409, "ENTITY_NOT_FILED_AT_TENCENT")


def test_another_entity_number(sandbox):
    first_filed(sandbox)
    body = assert_error(
        sandbox.post("~/applications", json={"kind": KIND, "payload": {"entity_number": "粤ICP备19000123号"}}),
        409,
        "ENTITY_NOT_FILED_AT_TENCENT",
    )
    assert body["field"] == "payload.entity_number"


@pytest.mark.parametrize(
    "payload,path",
    [
        ({"entity_number": "粤ICP备2026012345号-1"}, "payload.entity_number"),
        ({"websites": []}, "payload.websites"),
        ({"entity": {"name": "张三"}}, "payload.entity"),
    ],
)
def test_bad_payload(sandbox, payload, path):
    first_filed(sandbox)
    field_errors(sandbox.post("~/applications", json={"kind": KIND, "payload": payload}), path)


def test_one_order_in_progress(sandbox):
    first_filed(sandbox)
    app = create_app(sandbox, {}, kind=KIND)
    body = assert_error(sandbox.post("~/applications", json={"kind": KIND, "payload": {}}), 409, "ORDER_IN_PROGRESS")
    assert body["application_id"] == app["id"]
    assert usable_ip(sandbox)  # a cancellation holds no new IP slot
