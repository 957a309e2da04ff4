"""验证备案类型 as the conversation's first step (issue #12): 新增备案 opens the verification form; the
services decide the scenario or answer a blocking code, before any order form, and the scenario's
forms start with what was verified."""

from support.people import ZHANG_SAN_ID, resident_id

from api.chat_flows import Chat, fields, one, to_kind
from api.flows import advance, create_app, new_sandbox, ok, register_domain, usable_ip
from api.kinds_flows import ORG_USCC, first_filed, new_site, org_domain, seed_org

ELSEWHERE = "粤ICP备19000123号"

ME = {
    "province": "44",
    "entity_type": "personal",
    "certificate_type": "resident_id",
    "certificate_number": ZHANG_SAN_ID,
}


def to_verify(chat):
    to_kind(chat)
    menu = one(chat.last, "CHOOSE_KIND")["choices"]
    assert [c["value"] for c in menu] == ["new", "change"]  # 新增备案 / 变更或注销: no kind picked blind
    body = chat.choose("new")
    assert body["step"] == "form.verify" and body["accepts"]["form_id"] == "verify"
    return body


def test_verification_routes_to_a_first_filing_with_the_entity_filled_in(sandbox):
    register_domain(sandbox, "zhangsan-blog.cn")
    chat = Chat(sandbox)
    to_verify(chat)
    body = chat.form(**ME, domain="zhangsan-blog.cn")
    notice = one(body, "VERIFIED", "notice")["notice"]
    assert notice["scenario"] == "first_filing" and "首次备案" in one(body, "VERIFIED")["text"]
    assert body["step"] == "form.entity"
    entity = fields(one(body, "FORM_ENTITY"))
    assert entity["certificate_number"]["value"] == ZHANG_SAN_ID and entity["province"]["value"] == "44"


def test_a_blocking_code_is_said_before_any_form(sandbox):
    chat = Chat(sandbox)
    to_verify(chat)
    body = chat.form(**ME, domain="zhangsan.io")
    notice = one(body, "ACTION_REFUSED", "notice")["notice"]
    assert notice["error_code"] == "TLD_NOT_FILEABLE" and notice["suggest"]
    assert body["step"] == "form.verify" and ok(sandbox.get("~/applications")) == []


def test_bad_inputs_land_on_the_verify_form(sandbox):
    chat = Chat(sandbox)
    to_verify(chat)
    body = chat.form(**dict(ME, certificate_number="123"), domain="zhangsan-blog.cn")
    assert "certificate_number" in one(body, "INVALID_ANSWER")["errors"]
    assert body["step"] == "form.verify"


def test_an_entity_at_tencent_is_routed_to_a_new_website(sandbox):
    first_filed(sandbox)
    register_domain(sandbox, "zhangsan-notes.cn")
    chat = Chat(sandbox)
    to_verify(chat)
    body = chat.form(**ME, domain="zhangsan-notes.cn")
    assert one(body, "VERIFIED", "notice")["notice"]["scenario"] == "add_website"
    assert body["step"] == "form.website"
    assert fields(one(body, "FORM_WEBSITE"))["domain"]["value"] == "zhangsan-notes.cn"
    assert usable_ip(sandbox)


def test_the_verify_form_asks_the_filing_resource_and_prefills_the_website(sandbox):
    register_domain(sandbox, "zhangsan-blog.cn")
    chat = Chat(sandbox)
    body = to_verify(chat)
    ip = usable_ip(sandbox)
    nat = fields(one(body, "FORM_VERIFY"))["nat_ip"]
    assert nat["type"] == "select" and nat["value"] == ip and [o["value"] for o in nat["options"]] == [ip]
    body = chat.form(**ME, domain="zhangsan-blog.cn", nat_ip="10.0.0.9")  # not one of the account's IPs
    assert one(body, "ACTION_REFUSED")["notice"]["error_code"] == "NO_RESOURCE" and body["step"] == "form.verify"
    chat.form(nat_ip=ip)
    chat.form(name="张三", address="广东省深圳市南山区科技园路 1 号")
    body = chat.form(mobile="13800138000", email="zhangsan@example.com")
    site = fields(one(body, "FORM_WEBSITE"))
    assert site["domain"]["value"] == "zhangsan-blog.cn" and site["nat_ip"]["value"] == ip


def test_a_new_filing_of_an_account_with_an_entity_starts_from_its_certificate(sandbox):
    first_filed(sandbox)
    body = to_verify(Chat(sandbox))
    verify = fields(one(body, "FORM_VERIFY"))
    assert verify["certificate_number"]["value"] == ZHANG_SAN_ID and verify["province"]["value"] == "44"
    assert verify["domain"]["value"] is None


def test_access_filing_is_found_by_verification(sandbox):
    seed_org(sandbox, number=ELSEWHERE, account="self")
    org_domain(sandbox, "moumou-tech.cn")
    chat = Chat(sandbox)
    to_verify(chat)
    org = {"province": "44", "entity_type": "enterprise", "certificate_type": "uscc", "certificate_number": ORG_USCC}
    body = chat.form(**org, domain="moumou-tech.cn")
    assert one(body, "VERIFIED", "notice")["notice"]["scenario"] == "access_filing"
    assert body["step"] == "form.access"
    assert fields(one(body, "FORM_ACCESS"))["entity_number"]["value"] == ELSEWHERE
    body = chat.form()
    assert fields(one(body, "FORM_ACCESS_WEBSITE"))["domain"]["value"] == "moumou-tech.cn"


def test_a_new_filing_needs_a_filing_ip_but_a_change_does_not(control):
    sb = new_sandbox(control, preset="eligible", seed=7)
    first_filed(sb)
    advance(sb, duration="300d")  # the resource pack has under 90 days left now
    chat = Chat(sb)
    assert chat.choose("start")["step"] == "not_eligible"
    chat.choose("kinds")
    body = chat.choose("new")
    assert one(body, "NOT_ELIGIBLE", "notice")["notice"]["level"] == "error" and body["step"] == "kind"
    body = chat.choose("change")
    assert body["step"] == "filings" and one(body, "MY_FILINGS")


def test_an_order_in_progress_stops_both_branches_before_any_form(sandbox):
    first_filed(sandbox)
    register_domain(sandbox, "zhangsan-notes.cn")
    create_app(
        sandbox, {"websites": [new_site(usable_ip(sandbox), "zhangsan-notes.cn", "张三的读书笔记")]}, "add_website"
    )
    chat = Chat(sandbox)
    if chat.choose("start")["step"] == "not_eligible":  # both of the IP's two filings are taken
        chat.choose("kinds")
    for value in ("new", "change"):
        body = chat.choose(value)
        notice = one(body, "ACTION_REFUSED", "notice")["notice"]
        assert notice["error_code"] == "ORDER_IN_PROGRESS" and notice["suggest"] and body["step"] == "kind"


def test_the_old_menu_answers_still_work(sandbox):
    """Recorded conversations answered the old menu with a kind or "verify": still accepted."""
    chat = Chat(sandbox)
    to_kind(chat)
    assert chat.choose("verify")["step"] == "form.verify"
    chat.send(command="back")
    assert chat.choose("first_filing")["step"] == "form.entity"
    chat.send(command="back")
    assert chat.send(text="first_filing")["step"] == "form.entity"


def test_back_from_the_first_form_shows_the_verification_as_answered(sandbox):
    """`back` from the scenario's first form returns to 验证备案类型 with what the user typed and
    the services verified, not an empty form to type again; the order payload stays without it."""
    register_domain(sandbox, "zhangsan-blog.cn")
    chat = Chat(sandbox)
    to_verify(chat)
    assert chat.form(**ME, domain="zhangsan-blog.cn")["step"] == "form.entity"
    body = chat.send(command="back")
    assert body["step"] == "form.verify"
    again = fields(one(body, "FORM_VERIFY", "form"))
    assert {name: again[name]["value"] for name in (*ME, "domain")} == {**ME, "domain": "zhangsan-blog.cn"}
    body = chat.form()  # the same answers again: the same scenario, the entity form pre-filled
    assert body["step"] == "form.entity" and one(body, "VERIFIED", "notice")["notice"]["scenario"] == "first_filing"
    assert fields(one(body, "FORM_ENTITY"))["certificate_number"]["value"] == ZHANG_SAN_ID


def test_the_verify_form_asks_the_regions_city_and_district_like_the_rest_verify(sandbox):
    """备案地域 is province/city/district (process.md §1.2): the chat's form asks the two codes
    (optional) and runs the REST verify's checks on them."""
    register_domain(sandbox, "zhangsan-blog.cn")
    chat = Chat(sandbox)
    form = fields(one(to_verify(chat), "FORM_VERIFY"))
    assert form["city"]["required"] is False and form["district"]["required"] is False
    body = chat.form(**ME, city="110100", domain="zhangsan-blog.cn")  # 北京's city in 广东
    assert one(body, "INVALID_ANSWER")["errors"]["city"] == ["所选城市（市辖区）不属于广东省"]
    assert body["step"] == "form.verify"
    body = chat.form(city="440300", district="110105")
    assert "district" in one(body, "INVALID_ANSWER")["errors"] and body["step"] == "form.verify"
    body = chat.form(district="440305")
    assert one(body, "VERIFIED", "notice")["notice"]["scenario"] == "first_filing" and body["step"] == "form.entity"


def test_the_chat_verify_refuses_another_city_than_the_ids_where_non_local_ids_are_refused(sandbox):
    henan_id = resident_id("41010519900101001")  # 郑州市金水区
    register_domain(sandbox, "zhangsan-blog.cn", holder_cert=henan_id)
    chat = Chat(sandbox)
    to_verify(chat)
    body = chat.form(**dict(ME, province="41", certificate_number=henan_id), city="410300", domain="zhangsan-blog.cn")
    assert "郑州市" in one(body, "INVALID_ANSWER")["errors"]["city"][0]
    assert chat.form(city="410100")["step"] == "form.entity"
