"""验证备案类型 as the conversation's first step (issue #12): the kind menu offers it first; the
services decide the scenario or answer a blocking code, before any order form."""

from support.people import ZHANG_SAN_ID

from api.chat_flows import Chat, fields, one, to_kind
from api.flows import ok, register_domain, usable_ip
from api.kinds_flows import first_filed

ME = {
    "province": "44",
    "entity_type": "personal",
    "certificate_type": "resident_id",
    "certificate_number": ZHANG_SAN_ID,
}


def to_verify(chat):
    to_kind(chat)
    choices = one(chat.last, "CHOOSE_KIND")["choices"]
    assert choices[-1]["value"] == "verify"
    body = chat.choose("verify")
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
