"""撤销备案 then edit (process.md §6.1 "Edit rights" [T9]): while Tencent's review has no result the
user may recall the order to a draft, edit it and submit again; once the review passed only
放弃备案 (withdraw) is left, and at the bureau nothing."""

from support.people import personal_payload

from api.flows import (
    act,
    advance,
    assert_error,
    create_app,
    get_app,
    history,
    ok,
    register_domain,
    until_idle,
    usable_ip,
)


def submitted(sb):
    register_domain(sb, "zhangsan-blog.cn")
    app = create_app(sb, personal_payload(usable_ip(sb)))
    return act(sb, app["id"], "submit")


def test_recall_during_review_gives_back_an_editable_draft(sandbox):
    app = submitted(sandbox)
    assert app["state"] == "provider_review" and "recall" in app["allowed_actions"]
    app = act(sandbox, app["id"], "recall")
    assert app["state"] == "draft"
    assert set(app["allowed_actions"]) == {"edit", "submit", "withdraw"}
    assert history(sandbox, app["id"])[-1]["reason"] == "撤销备案，退回修改"
    until_idle(sandbox)  # the review's timer was for the submitted order: it does nothing now
    assert get_app(sandbox, app["id"])["state"] == "draft"
    edited = ok(
        sandbox.patch(
            f"~/applications/{app['id']}",
            json={"payload": {"entity": {"address": "广东省深圳市福田区深南大道 100 号"}}},
        )
    )
    assert edited["payload"]["entity"]["address"] == "广东省深圳市福田区深南大道 100 号"
    assert act(sandbox, app["id"], "submit")["state"] == "provider_review"


def test_no_recall_after_the_review_passed(sandbox):
    app = submitted(sandbox)
    advance(sandbox, duration="30h")  # the review takes 1 working day; the bureau is 1–3 further
    assert get_app(sandbox, app["id"])["state"] == "provider_approved"
    assert_error(sandbox.post(f"~/applications/{app['id']}/actions/recall"), 409, "ACTION_NOT_ALLOWED")
    assert get_app(sandbox, app["id"])["allowed_actions"] == ["withdraw"]  # 放弃备案 only
