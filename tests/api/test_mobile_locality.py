"""手机号归属地 over REST and in the chat (issue #12 item 6): where the province wants local mobiles
(Jiangsu, Tianjin; Hunan for personal entities), a number the sandbox's `mobile_registry` places
elsewhere is refused at entry with a per-field zh-CN message; unknown numbers count as local."""

from support.people import person, personal_payload, resident_id

from api.chat_flows import Chat, fields, one, to_kind
from api.flows import assert_error, create_app, field_errors, new_sandbox, ok, register_domain, usable_ip

NANJING_ID = resident_id("32010619900101001")  # 南京市鼓楼区
REGISTRY = {"13800138000": "广东省", "13900139000": "江苏省"}


def jiangsu(ip, mobile):
    return personal_payload(
        ip,
        province="32",
        certificate_number=NANJING_ID,
        address="江苏省南京市鼓楼区中山路 1 号",
        responsible=person(cert=NANJING_ID, mobile=mobile),
    )


def test_a_guangdong_mobile_is_refused_for_a_jiangsu_entity(control):
    sb = new_sandbox(control, settings={"mobile_registry": REGISTRY})
    resp = sb.post("~/applications", json={"kind": "first_filing", "payload": jiangsu(usable_ip(sb), "13800138000")})
    (message,) = field_errors(resp, "payload.entity.responsible.mobile")["payload.entity.responsible.mobile"]
    assert "江苏省" in message and "广东省" in message and "13800138000" in message
    assert ok(sb.get("~/applications")) == []


def test_a_local_or_unknown_mobile_is_accepted(control):
    for mobile in ("13900139000", "13500135000"):  # a Jiangsu number; one the registry does not know
        sb = new_sandbox(control, settings={"mobile_registry": REGISTRY})
        assert create_app(sb, jiangsu(usable_ip(sb), mobile))["state"] == "draft"


def test_no_registry_no_refusal(sandbox):
    assert create_app(sandbox, jiangsu(usable_ip(sandbox), "13800138000"))["state"] == "draft"


def test_the_registry_setting_is_checked(control):
    resp = control.post("/api/v1/sandboxes", json={"settings": {"mobile_registry": {"12345": "火星"}}})
    assert_error(resp, 422)


def test_the_chat_form_says_it_on_the_mobile_field(control):
    sb = new_sandbox(control, settings={"mobile_registry": REGISTRY})
    register_domain(sb, "nanjing-blog.cn", holder_cert=NANJING_ID)
    chat = Chat(sb)
    to_kind(chat)
    chat.choose("new")
    verify = {"province": "32", "entity_type": "personal", "certificate_type": "resident_id"}
    assert chat.form(**verify, certificate_number=NANJING_ID, domain="nanjing-blog.cn")["step"] == "form.entity"
    assert chat.form(name="张三", address="江苏省南京市鼓楼区中山路 1 号")["step"] == "form.responsible"
    body = chat.form(mobile="13800138000", email="zhangsan@example.com")
    assert body["step"] == "form.responsible"
    error = fields(one(body, "FORM_RESPONSIBLE"))["mobile"]["error"]
    assert "江苏省" in error and "广东省" in error
    assert chat.form(mobile="13900139000")["step"] == "form.website"


def test_the_registry_can_be_replaced_after_creation_with_the_control_token(control, sandbox):
    from api.flows import CONTROL

    ip = usable_ip(sandbox)
    assert create_app(sandbox, jiangsu(ip, "13800138000"))["state"] == "draft"  # no registry: local
    ok(sandbox.post(f"~/applications/{ok(sandbox.get('~/applications'))[0]['id']}/actions/withdraw"))
    # a sandbox's own token may read it, not change it (settings are the operator's)
    assert ok(sandbox.get("~/mobile-registry")) == {"mobile_registry": {}}
    assert_error(sandbox.put("~/mobile-registry", json={"mobile_registry": REGISTRY}), 401, "CONTROL_TOKEN_INVALID")
    assert_error(sandbox.put("~/mobile-registry", json={"mobile_registry": {"12345": "火星"}}, token=CONTROL), 422)
    got = ok(sandbox.put("~/mobile-registry", json={"mobile_registry": REGISTRY}, token=CONTROL))
    assert got == {"mobile_registry": REGISTRY} and ok(sandbox.get("~/mobile-registry")) == got
    assert ok(sandbox.get(f"/api/v1/sandboxes/{sandbox.sid}"))["settings"]["mobile_registry"] == REGISTRY
    resp = sandbox.post("~/applications", json={"kind": "first_filing", "payload": jiangsu(ip, "13800138000")})
    field_errors(resp, "payload.entity.responsible.mobile")  # the next entry check reads the new registry
    ok(sandbox.put("~/mobile-registry", json={"mobile_registry": {}}, token=CONTROL))  # emptied: all local again
    assert create_app(sandbox, jiangsu(ip, "13800138000"))["state"] == "draft"
