"""我的备案 in the conversation (issue #12): 变更或注销 shows the account's filings and offers only the
orders that apply to them, each starting from the record; the orders go through to approval."""

from api.chat_flows import Chat, bot, fields, finish, one, submit, to_kind
from api.flows import get_app, ok
from api.kinds_flows import first_filed, seed_org, two_sites, website, websites

ELSEWHERE_NUMBER = "粤ICP备19000123号"


def to_filings(chat):
    if chat.choose("start")["step"] == "not_eligible":
        chat.choose("kinds")
    assert chat.step == "kind", chat.last
    body = chat.choose("change")
    assert body["step"] == "filings", [(m["code"], m["text"]) for m in bot(body)]
    return body


def offered(body):
    return [c["value"] for c in body["accepts"]["choices"]]


def approved(chat, sb):
    submit(chat)
    news = finish(chat, sb)
    assert news["step"] == "done", [(m["code"], m["text"][:60]) for m in bot(news)]
    return get_app(sb, news["application_id"])


def test_one_website_offers_what_applies_and_no_cancel_of_the_last_website(sandbox):
    first = first_filed(sandbox)
    number = first["result"]["website_numbers"][0]
    body = to_filings(Chat(sandbox))
    listing = one(body, "MY_FILINGS", "notice")
    assert first["result"]["entity_number"] in listing["text"] and number in listing["text"]
    assert listing["notice"]["websites"][0]["number"] == number
    # the last website is cancelled with the entity; new websites go through 新增备案 (verification)
    assert offered(body) == [
        "change_filing",
        "cancel_entity",
        f"change_website:{number}",
        f"cancel_access:{number}",
        "menu",
    ]
    assert chat_back_to_menu(sandbox)


def chat_back_to_menu(sb):
    chat = Chat(sb)
    to_filings(chat)
    return chat.choose("menu")["step"] == "kind"


def test_two_websites_each_offer_their_own_cancellation(sandbox):
    first, added = two_sites(sandbox)
    numbers = first["result"]["website_numbers"] + added["result"]["website_numbers"]
    body = to_filings(Chat(sandbox))
    assert all(f"cancel_website:{n}" in offered(body) for n in numbers)


def test_a_website_change_starts_from_the_record(sandbox):
    first_filed(sandbox)
    first_site = websites(sandbox)[0]
    chat = Chat(sandbox)
    to_filings(chat)
    body = chat.choose(f"change_website:{first_site['number']}")
    form = fields(one(body, "FORM_CHANGE_WEBSITE"))
    assert form["website_id"]["value"] == first_site["id"]
    assert form["name"]["value"] == first_site["name"] and form["service_content"]["value"] == "blog"
    assert chat.form(name="张三的技术博客")["step"] == "confirm"
    app = approved(chat, sandbox)
    assert app["kind"] == "change_website"
    assert website(sandbox, first_site["number"])["name"] == "张三的技术博客"


def test_an_entity_change_shows_the_values_on_record(sandbox):
    first_filed(sandbox)
    chat = Chat(sandbox)
    to_filings(chat)
    assert chat.choose("change_filing")["step"] == "form.change_what"
    body = chat.form(responsible=True)
    form = fields(one(body, "FORM_RESPONSIBLE_CHANGE"))
    assert form["mobile"]["value"] == "13800138000" and form["email"]["value"] == "zhangsan@example.com"
    assert chat.form(email="zhangsan@example.org")["step"] == "confirm"
    assert approved(chat, sandbox)["kind"] == "change_filing"


def test_cancel_access_names_the_chosen_website(sandbox):
    first, added = two_sites(sandbox)
    second = added["result"]["website_numbers"][0]
    chat = Chat(sandbox)
    to_filings(chat)
    body = chat.choose(f"cancel_website:{second}")
    chosen = fields(one(body, "FORM_CANCEL_SITE"))["website_id"]
    assert second in next(o["label"] for o in chosen["options"] if o["value"] == chosen["value"])
    assert chat.form(reason="不再使用")["step"] == "confirm"
    app = approved(chat, sandbox)
    assert app["kind"] == "cancel_website" and second in app["result"]["revoked_numbers"]


def test_no_filing_no_offer_and_the_services_say_why(sandbox):
    body = to_filings(Chat(sandbox))
    assert one(body, "MY_FILINGS")["notice"]["entity"] is None
    assert one(body, "ACTION_REFUSED")["notice"]["error_code"] == "ENTITY_NOT_FILED_AT_TENCENT"
    assert offered(body) == ["menu"] and one(body, "NO_FILING_ORDER")


def test_an_entity_filed_elsewhere_is_listed_and_sent_to_a_new_filing(sandbox):
    seed_org(sandbox, number=ELSEWHERE_NUMBER, account="self")
    body = to_filings(Chat(sandbox))
    listing = one(body, "MY_FILINGS")
    assert ELSEWHERE_NUMBER in listing["text"] and listing["notice"]["entity"]["access"] == "other"
    assert offered(body) == ["menu"] and ok(sandbox.get("~/applications")) == []


def test_the_menu_is_two_choices(sandbox):
    chat = to_kind(Chat(sandbox))
    menu = one(chat.last, "CHOOSE_KIND")
    assert [c["value"] for c in menu["choices"]] == ["new", "change"] and all(c["description"] for c in menu["choices"])
