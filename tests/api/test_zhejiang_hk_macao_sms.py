"""Zhejiang's SMS check for an HK/Macau permit holder over HTTP (process.md §5 [A1, V2]): MIIT's
page takes the last 6 of the HK/Macau identity card number, with full-width brackets — not the
permit's last 6."""

from support.people import credit_code, person

from api.flows import act, create_app, field_errors, latest_codes, ok, org_payload, register_domain, to_sms, usable_ip

ZJ_USCC = credit_code("91330106MA2GHJK00")
ZJ_NAME = "杭州某某科技有限公司"
HOLDER = dict(
    person(name="陈大文", cert="H12345678", mobile="13600136000", email="cdw@example.com"),
    certificate_type="hk_macao_permit",
    hk_macao_id="A123456(7)",
)


def zhejiang_order(sb, owner):
    register_domain(sb, "zj-shili.cn", holder_name=ZJ_NAME, holder_cert=ZJ_USCC)
    payload = org_payload([usable_ip(sb)], [("zj-shili.cn", "某某科技官网")], name=ZJ_NAME, uscc=ZJ_USCC, province="33")
    payload["entity"]["address"] = "浙江省杭州市西湖区文三路 1 号"
    payload["websites"][0]["responsible"] = owner
    return payload


def test_zhejiang_wants_the_hk_id_digits_of_a_permit_holder(sandbox):
    app = create_app(sandbox, zhejiang_order(sandbox, HOLDER))
    act(sandbox, app["id"], "submit")
    to_sms(sandbox, app["id"])
    code = latest_codes(sandbox, app["id"])[HOLDER["mobile"]]
    url = f"~/applications/{app['id']}/sms-verification"
    body = {"code": code, "mobile": HOLDER["mobile"]}
    wrong = sandbox.post(url, json=dict(body, id_last6="345678"))  # the permit's last 6
    assert wrong.status_code == 422 and wrong.get_json()["code"] == "SMS_CODE_WRONG", wrong.get_json()
    answer = ok(sandbox.post(url, json=dict(body, id_last6="456（7）")))
    assert answer["state"] == "sms_verification"  # the 主体负责人 has yet to verify


def test_the_card_number_only_goes_with_the_permit(sandbox):
    owner = dict(person(name="李四", mobile="13600136000", email="ls@example.com"), hk_macao_id="A123456(7)")
    resp = sandbox.post("~/applications", json={"kind": "first_filing", "payload": zhejiang_order(sandbox, owner)})
    field_errors(resp, "payload.websites.0.responsible.hk_macao_id")
