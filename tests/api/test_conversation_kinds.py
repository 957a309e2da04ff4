"""The other eight scenarios through the conversation: each kind's forms (data in
backend/chat/forms.py) and the same services as the REST API, to the approved order."""

import pytest

from api.chat_flows import Chat, bot, fields, finish, one, start_kind, submit
from api.flows import get_app, ok, register_domain
from api.kinds_flows import (
    ORG_BOSS,
    ORG_NAME,
    ORG_USCC,
    SITE_OWNER,
    entities,
    first_filed,
    org_domain,
    seed_org,
    two_sites,
    website,
    websites,
)

ELSEWHERE = "粤ICP备19000123号"


def approved(chat, sb):
    """Submit from the recap and see the order through; returns (the app, the transcript)."""
    submit(chat)
    news = finish(chat, sb)
    assert news["step"] == "done", [(m["code"], m["text"][:60]) for m in bot(news)]
    transcript = chat.transcript()
    app = get_app(sb, news["application_id"])
    assert app["state"] == "approved"
    assert bot(transcript, "STATUS_CARD")[-1]["card"]["state"] == "approved"
    return app, transcript


def test_add_website(sandbox):
    first_filed(sandbox)
    register_domain(sandbox, "zhangsan-notes.cn")
    chat = Chat(sandbox)
    body = start_kind(chat, "add_website")
    assert body["step"] == "form.website" and one(body, "FORM_WEBSITE")
    assert chat.form(name="张三的读书笔记", domain="zhangsan-notes.cn")["step"] == "confirm"
    recap = one(chat.last, "CONFIRM")
    assert [p["form"] for p in recap["summary"]] == ["website"]
    app, transcript = approved(chat, sandbox)
    number = app["result"]["website_numbers"][0]
    assert number.endswith("-2") and number in one(transcript, "RECORD_NUMBERS")["text"]


def test_add_website_refused_without_an_entity_at_tencent(sandbox):
    """The account rules are said at the kind choice, before any form (issue #12: no path through
    the forms to a submit they refuse); the words and suggestion are the services'."""
    register_domain(sandbox, "zhangsan-notes.cn")
    chat = Chat(sandbox)
    if chat.choose("start")["step"] == "not_eligible":
        chat.choose("kinds")
    body = chat.choose("add_website")
    notice = one(body, "ACTION_REFUSED", "notice")["notice"]
    assert notice["error_code"] == "ENTITY_NOT_FILED_AT_TENCENT" and "首次备案" in notice["suggest"]
    assert body["step"] == "kind" and ok(sandbox.get("~/applications")) == []


def test_access_filing(sandbox):
    seed_org(
        sandbox,
        number=ELSEWHERE,
        websites=[{"name": "某某科技官网", "domain": "moumou-tech.cn", "responsible": SITE_OWNER}],
    )
    org_domain(sandbox, "moumou-tech.cn")
    chat = Chat(sandbox)
    body = start_kind(chat, "access_filing")
    assert body["step"] == "form.access"
    body = chat.form(entity_number=ELSEWHERE + "-1")  # a website number: the services' validator says so
    assert "entity_number" in one(body, "INVALID_ANSWER")["errors"]
    assert chat.form(entity_number=ELSEWHERE)["step"] == "form.access_website"
    ip = fields(one(chat.last, "FORM_ACCESS_WEBSITE"))["nat_ip"]["value"]
    assert ip and chat.form(domain="moumou-tech.cn")["step"] == "confirm"
    app, transcript = approved(chat, sandbox)
    assert app["result"] == {"entity_number": ELSEWHERE, "website_numbers": [ELSEWHERE + "-1"]}
    assert website(sandbox, ELSEWHERE + "-1")["access_providers"] == ["other", "tencent"]
    assert ELSEWHERE + "-1" in one(transcript, "RECORD_NUMBERS")["text"]


def test_access_filing_of_an_unknown_number_lands_on_its_field(sandbox):
    chat = Chat(sandbox)
    start_kind(chat, "access_filing")
    chat.form(entity_number="粤ICP备19000999号")
    chat.form(domain="moumou-tech.cn")
    body = chat.choose("submit")
    assert one(body, "ACTION_REFUSED")["notice"]["error_code"] == "ENTITY_NOT_ON_RECORD"
    assert body["step"] == "form.access"
    assert "19000999" in fields(one(body, "FORM_ACCESS"))["entity_number"]["error"]


def test_add_website_external(sandbox):
    seed_org(sandbox, number=ELSEWHERE)
    org_domain(sandbox, "moumou-blog.cn")
    chat = Chat(sandbox)
    start_kind(chat, "add_website_external")
    entity = {
        "type": "enterprise",
        "name": ORG_NAME,
        "certificate_type": "uscc",
        "certificate_number": ORG_USCC,
        "province": "44",
        "address": "广东省深圳市南山区科技园路 2 号",
    }
    assert chat.form(**entity)["step"] == "form.responsible"
    responsible = fields(one(chat.last, "FORM_RESPONSIBLE"))
    assert responsible["name"]["value"] is None  # an organisation's name is not its person's
    chat.form(**{k: ORG_BOSS[k] for k in ("name", "certificate_number", "mobile", "email")})
    # an organisation may file more websites in the order: asked after each (gaps: test_conversation_gaps.py)
    assert (
        chat.form(name="某某科技博客", domain="moumou-blog.cn", service_content="enterprise_site")["step"]
        == "more.website"
    )
    assert chat.choose("no_more")["step"] == "confirm"
    app, _ = approved(chat, sandbox)
    assert app["result"]["entity_number"] == ELSEWHERE and app["result"]["website_numbers"] == [ELSEWHERE + "-2"]


def test_change_website(sandbox):
    first = first_filed(sandbox)
    number = first["result"]["website_numbers"][0]
    chat = Chat(sandbox)
    body = start_kind(chat, "change_website")
    choice = fields(one(body, "FORM_CHANGE_WEBSITE"))["website_id"]
    assert number in choice["options"][0]["label"] and choice["value"] == choice["options"][0]["value"]
    body = chat.send(form={})  # nothing to change: the services say so
    assert one(body, "INVALID_ANSWER")["errors"]["_form"]
    assert chat.form(name="张三的技术博客")["step"] == "confirm"
    app, transcript = approved(chat, sandbox)
    assert website(sandbox, number)["name"] == "张三的技术博客"
    assert "备案号不变" in one(transcript, "RECORD_NUMBERS")["text"]


def test_change_filing(sandbox):
    first_filed(sandbox)
    chat = Chat(sandbox)
    body = start_kind(chat, "change_filing")
    assert body["step"] == "form.change_what"  # what changes: only those forms are asked
    assert chat.form(entity=True)["step"] == "form.entity_change"
    assert chat.form(address="广东省深圳市福田区深南大道 1 号")["step"] == "confirm"  # the responsible person stays
    app, _ = approved(chat, sandbox)
    assert app["payload"]["entity"] == {"address": "广东省深圳市福田区深南大道 1 号"}


@pytest.mark.parametrize("kind", ["cancel_website", "cancel_access"])
def test_cancel_a_website(sandbox, kind):
    first, added = two_sites(sandbox)
    number = added["result"]["website_numbers"][0]
    chat = Chat(sandbox)
    body = start_kind(chat, kind)
    options = fields(one(body, "FORM_CANCEL_SITE"))["website_id"]["options"]
    assert len(options) == 2
    target = next(o["value"] for o in options if number in o["label"])
    assert chat.form(website_id=target, reason="不再使用")["step"] == "confirm"
    app, transcript = approved(chat, sandbox)
    text = one(transcript, "RECORD_NUMBERS")["text"]
    if kind == "cancel_website":
        assert website(sandbox, number)["status"] != "active" and "注销" in text
    else:
        assert "tencent" not in website(sandbox, number)["access_providers"] and "取消接入" in text


def test_cancel_the_entity_even_when_no_longer_eligible(control):
    """Cancelling needs no filing IP: offered to an account that no longer meets the rules."""
    from api.flows import advance, new_sandbox

    sb = new_sandbox(control, preset="eligible", seed=7)
    first = first_filed(sb)
    advance(sb, duration="300d")  # the resource pack has under 90 days left now
    chat = Chat(sb)
    assert chat.choose("start")["step"] == "not_eligible"
    chat.choose("kinds")
    body = chat.choose("cancel_entity")
    own = fields(one(body, "FORM_CANCEL_ENTITY"))["entity_number"]
    assert own["value"] == first["result"]["entity_number"]
    assert chat.send(form={})["step"] == "confirm"
    app, transcript = approved(chat, sb)
    assert first["result"]["entity_number"] in app["result"]["revoked_numbers"]
    assert [e["status"] for e in entities(sb)] != ["active"]
    assert first["result"]["entity_number"] in one(transcript, "RECORD_NUMBERS")["text"]
    assert all(w["status"] != "active" for w in websites(sb))
