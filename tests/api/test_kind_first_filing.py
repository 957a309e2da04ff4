"""首次备案 first_filing: the preconditions #3 adds (entity and domains never filed); the rest of
the first filing is in test_applications.py."""

from support.people import ZHANG_SAN_ID, personal_payload

from api.flows import assert_error, create_app, register_domain, usable_ip
from api.kinds_flows import approve, gateway, seed_org, slots


def test_domain_on_record_for_another_entity(sandbox):
    seed_org(sandbox, websites=[{"name": "某某博客", "domain": "zhangsan-blog.cn"}])
    body = assert_error(
        sandbox.post("~/applications", json={"payload": personal_payload(usable_ip(sandbox))}), 409, "DOMAIN_CONFLICT"
    )
    assert body["field"] == "payload.websites.0.domain" and body["number"] == "粤ICP备19000123号-1"


def test_entity_on_record_elsewhere(sandbox):
    from api.flows import CONTROL, ok

    ok(
        sandbox.post(
            "~/registry/entities",
            token=CONTROL,
            json={
                "name": "张三",
                "type": "personal",
                "certificate_type": "resident_id",
                "certificate_number": ZHANG_SAN_ID,
                "province": "44",
                "number": "粤ICP备19000777号",
                "websites": [{"name": "张三的旧博客", "domain": "zhangsan.cn"}],
            },
        ),
        201,
    )
    body = assert_error(
        sandbox.post("~/applications", json={"payload": personal_payload(usable_ip(sandbox))}), 409, "ENTITY_ON_RECORD"
    )
    assert body["entity_number"] == "粤ICP备19000777号" and "接入备案" in body["suggest"]


def test_province_by_name(sandbox):
    """A province typed as its name is filed under its code."""
    register_domain(sandbox, "zhangsan-blog.cn")
    app = approve(sandbox, "first_filing", personal_payload(usable_ip(sandbox), province="广东省"))
    assert app["result"]["entity_number"].startswith("粤ICP备2026")
    assert gateway(sandbox, "zhangsan-blog.cn") == (200, "SERVED")
    assert list(slots(sandbox).values()) == [(1, 1)]


def test_draft_holds_the_slot_and_shows_no_target(sandbox):
    register_domain(sandbox, "zhangsan-blog.cn")
    ip = usable_ip(sandbox)
    app = create_app(sandbox, personal_payload(ip))
    assert app["target"] == {"entity_id": None, "website_ids": []} and "entity_id" not in app
    assert slots(sandbox)[ip] == (1, 1)
