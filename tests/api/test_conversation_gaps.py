"""What issue #4's conversation had left out, through Flask's test client to the approved order:
a change removing a website's domains (a pick: toggling quick replies + 完成), a change_filing
that chooses what it changes (the entity, its responsible person, a website and its person),
and an organisation filing several websites in one order ("再添加一个网站？")."""

from api.chat_flows import Chat, bot, fields, finish, one, start_kind, submit
from api.flows import eligibility, get_app, usable_ip
from api.kinds_flows import ORG_BOSS, ORG_NAME, ORG_USCC, SITE_OWNER, entities, org_domain, seed_org, two_sites, website

ORG = {
    "type": "enterprise",
    "name": ORG_NAME,
    "certificate_type": "uscc",
    "certificate_number": ORG_USCC,
    "province": "44",
    "address": "广东省深圳市南山区科技园路 2 号",
}
BOSS = {k: ORG_BOSS[k] for k in ("name", "certificate_number", "mobile", "email")}


def approved(chat, sb):
    submit(chat)
    news = finish(chat, sb)
    assert news["step"] == "done", [(m["code"], m["text"][:60]) for m in bot(news)]
    app = get_app(sb, news["application_id"])
    assert app["state"] == "approved"
    return app, chat.transcript()


def picked(body):
    """The pick's quick replies: {value: (label, selected)}."""
    msg = bot(body, "PICK_REMOVE_DOMAINS")[-1]
    return {c["value"]: (c["label"], c.get("selected")) for c in msg["choices"]}


def org_at_tencent(sb, **site):
    """The organisation filed at Tencent (this account) with one website on a CVM, which an older
    filing left with an extra domain."""
    return seed_org(
        sb,
        account="self",
        provider="tencent",
        websites=[
            {
                "name": "某某科技官网",
                "domain": "moumou-tech.cn",
                "extra_domains": ["moumou-tech.com"],
                "responsible": SITE_OWNER,
                **site,
            }
        ],
    )


# --- 1. a change removes domains ------------------------------------------------------------------


def test_change_website_removes_a_domain(sandbox):
    out = org_at_tencent(sandbox)
    site = out["websites"][0]
    chat = Chat(sandbox)
    start_kind(chat, "change_website")
    # nothing changed on the form: not an error yet, the domains come next
    body = chat.send(form={})
    assert body["step"] == "pick.remove_domains" and not bot(body, "INVALID_ANSWER")
    msg = one(body, "PICK_REMOVE_DOMAINS", "quick_replies")
    assert msg["pick"] == {"id": "remove_domains", "title": "要删除的域名", "selected": []}
    assert picked(body) == {
        "moumou-tech.cn": ("☐ moumou-tech.cn", False),
        "moumou-tech.com": ("☐ moumou-tech.com", False),
        "done": ("完成", None),
    }
    assert body["accepts"]["type"] == "choice"

    # done with nothing chosen: the services' "nothing to change", said on the last screen
    body = chat.choose("done")
    assert "请填写要变更的网站信息" in one(body, "INVALID_ANSWER")["errors"]["_form"][0]
    assert body["step"] == "pick.remove_domains"

    # each choice toggles; the website keeps one domain
    body = chat.choose("moumou-tech.com")
    assert picked(body)["moumou-tech.com"] == ("☑ moumou-tech.com", True) and body["step"] == "pick.remove_domains"
    assert one(body, "PICK_REMOVE_DOMAINS")["pick"]["selected"] == ["moumou-tech.com"]
    body = chat.choose("moumou-tech.cn")
    assert "至少要保留一个域名" in one(body, "INVALID_ANSWER")["errors"]["choice"][0]
    assert picked(body)["moumou-tech.cn"][1] is False
    body = chat.send(text="moumou-tech.cn")  # typed: the same choice
    assert one(body, "INVALID_ANSWER") and picked(body)["moumou-tech.com"][1] is True
    body = chat.choose("moumou-tech.com")
    assert picked(body)["moumou-tech.com"][1] is False
    chat.choose("moumou-tech.com")

    # back to the form and forth: the choice is kept
    assert chat.send(command="back")["step"] == "form.change_website"
    body = chat.send(form={})
    assert picked(body)["moumou-tech.com"][1] is True

    body = chat.choose("done")
    assert body["step"] == "confirm"
    recap = one(body, "CONFIRM")
    assert [p["screen"] for p in recap["summary"]] == ["change_website", "remove_domains"]
    assert recap["summary"][1]["items"] == [
        {"field": "remove_domains", "label": "要删除的域名", "value": "moumou-tech.com"}
    ]
    assert "edit:remove_domains" in [c["value"] for c in recap["choices"]]

    app, transcript = approved(chat, sandbox)
    # the payload is the REST API's
    assert app["payload"] == {
        "websites": [
            {"website_id": site["id"], "website_number": site["number"], "remove_domains": ["moumou-tech.com"]}
        ]
    }
    rec = website(sandbox, site["number"])
    assert rec["domain"] == "moumou-tech.cn" and rec["extra_domains"] == [] and rec["number"] == site["number"]
    assert "备案号不变" in one(transcript, "RECORD_NUMBERS")["text"]


def test_a_website_with_one_domain_is_not_asked_which_to_remove(sandbox):
    two_sites(sandbox)
    chat = Chat(sandbox)
    start_kind(chat, "change_website")
    body = chat.send(form={})  # nothing to change, and no domain it could remove: said at once
    assert body["step"] == "form.change_website" and one(body, "INVALID_ANSWER")["errors"]["_form"]
    assert chat.form(name="张三的技术博客")["step"] == "confirm"
    assert [p["screen"] for p in one(chat.last, "CONFIRM")["summary"]] == ["change_website"]


# --- 2. change_filing: choose what changes --------------------------------------------------------


def test_change_filing_chooses_what_it_changes(sandbox):
    first, added = two_sites(sandbox)
    notes = added["result"]["website_numbers"][0]
    chat = Chat(sandbox)
    body = start_kind(chat, "change_filing")
    what = fields(one(body, "FORM_CHANGE_WHAT", "form"))
    assert list(what) == ["entity", "responsible", "website"]
    assert all(f["type"] == "bool" and f["value"] is False for f in what.values())
    body = chat.send(form={})
    assert "请至少选择一项" in one(body, "INVALID_ANSWER")["errors"]["_form"][0] and body["step"] == "form.change_what"

    # the entity's responsible person and a website, not the entity's own data
    assert chat.form(responsible=True, website=True)["step"] == "form.responsible_change"
    assert chat.form(email="zhangsan@new-mail.cn")["step"] == "form.site_change"
    site = fields(one(chat.last, "FORM_SITE_CHANGE"))["website_id"]
    assert len(site["options"]) == 2
    target = next(o["value"] for o in site["options"] if notes in o["label"])
    assert chat.form(website_id=target, name="张三的读书札记")["step"] == "form.site_responsible_change"
    body = chat.form(**{k: SITE_OWNER[k] for k in ("name", "certificate_number", "mobile")})
    assert body["step"] == "confirm"  # one domain: nothing to remove
    recap = one(body, "CONFIRM")
    assert [p["screen"] for p in recap["summary"]] == [
        "change_what",
        "responsible_change",
        "site_change",
        "site_responsible_change",
    ]

    # from the recap: the entity too — its form is asked, then the rest again, in order
    body = chat.choose("edit:change_what")
    assert body["step"] == "form.change_what" and fields(one(body, "FORM_CHANGE_WHAT"))["website"]["value"] is True
    assert chat.form(entity=True)["step"] == "form.entity_change"
    assert chat.form(address="广东省深圳市福田区深南大道 1 号")["step"] == "form.responsible_change"
    for step in ("form.site_change", "form.site_responsible_change", "confirm"):
        assert chat.send(form={})["step"] == step
    assert [p["screen"] for p in one(chat.last, "CONFIRM")["summary"]][:2] == ["change_what", "entity_change"]

    app, transcript = approved(chat, sandbox)
    assert app["payload"]["entity"] == {
        "address": "广东省深圳市福田区深南大道 1 号",
        "responsible": {"email": "zhangsan@new-mail.cn"},
    }
    entry = app["payload"]["websites"][0]
    assert entry["website_number"] == notes and entry["name"] == "张三的读书札记"
    assert entry["responsible"] == {k: SITE_OWNER[k] for k in ("name", "certificate_number", "mobile")}
    entity = entities(sandbox)[0]
    assert (
        entity["address"] == "广东省深圳市福田区深南大道 1 号"
        and entity["responsible"]["email"] == "zhangsan@new-mail.cn"
    )
    assert entity["responsible"]["mobile"] == "13800138000"  # unchanged
    rec = website(sandbox, notes)
    assert rec["name"] == "张三的读书札记" and rec["responsible"]["mobile"] == SITE_OWNER["mobile"]
    assert rec["responsible"]["name"] == "李四" and rec["number"] == notes
    assert website(sandbox, first["result"]["website_numbers"][0])["name"] == "张三的个人博客"
    assert notes in one(transcript, "RECORD_NUMBERS")["text"]


def test_change_filing_removes_a_domain_of_a_website(sandbox):
    out = org_at_tencent(sandbox)
    site = out["websites"][0]
    chat = Chat(sandbox)
    start_kind(chat, "change_filing")
    assert chat.form(website=True)["step"] == "form.site_change"
    assert chat.send(form={})["step"] == "form.site_responsible_change"  # nothing yet: more screens to come
    body = chat.send(form={})
    assert body["step"] == "pick.remove_domains" and not bot(body, "INVALID_ANSWER")
    chat.choose("moumou-tech.cn")  # the old main domain may go too: the other one stays
    assert chat.choose("done")["step"] == "confirm"
    app, _ = approved(chat, sandbox)
    assert app["payload"] == {
        "websites": [{"website_id": site["id"], "website_number": site["number"], "remove_domains": ["moumou-tech.cn"]}]
    }
    rec = website(sandbox, site["number"])
    assert rec["domain"] == "moumou-tech.com" and rec["extra_domains"] == []


# --- 3. several websites in one order ---------------------------------------------------------------


def test_an_organisation_files_several_websites_in_one_order(sandbox):
    for name in ("moumou-tech.cn", "moumou-shop.cn", "moumou-blog.cn"):
        org_domain(sandbox, name)
    ip = usable_ip(sandbox)
    assert [row["slots_left"] for row in eligibility(sandbox)["usable_ips"]] == [2]  # two websites on it
    chat = Chat(sandbox)
    start_kind(chat, "first_filing")
    chat.form(**ORG)
    chat.form(**BOSS)
    body = chat.form(name="某某科技官网", domain="moumou-tech.cn", service_content="enterprise_site")
    assert body["step"] == "more.website"
    more = one(body, "MORE_WEBSITE", "quick_replies")
    assert "再添加一个网站" in more["text"] and "10" in more["text"]
    assert [(c["value"], c["label"]) for c in more["choices"]] == [("add_more", "添加"), ("no_more", "不用了")]

    body = chat.choose("add_more")
    assert body["step"] == "form.website.1" and body["accepts"]["form_id"] == "website"
    second = one(body, "FORM_WEBSITE")
    assert second["form"]["title"] == "网站信息（第 2 个）"
    assert fields(second)["domain"]["value"] is None and fields(second)["nat_ip"]["value"] == ip
    assert chat.send(command="back")["step"] == "more.website"  # back works between the copies
    chat.choose("add_more")
    assert (
        chat.form(name="某某科技商城", domain="moumou-shop.cn", service_content="enterprise_site")["step"]
        == "more.website.1"
    )
    chat.choose("add_more")
    # a third website on the same IP: it has two filing slots, the services say so on this copy
    body = chat.form(name="某某科技博客", domain="moumou-blog.cn", service_content="enterprise_site")
    error = one(body, "INVALID_ANSWER")
    assert body["step"] == "form.website.2" and "只剩 2 次" in error["errors"]["_form"][0]
    assert chat.send(command="back")["step"] == "more.website.1"
    body = chat.choose("no_more")  # the third copy goes
    assert body["step"] == "confirm"
    recap = one(body, "CONFIRM")
    assert [p["screen"] for p in recap["summary"]] == ["entity", "responsible", "website", "website.1"]
    assert [c["value"] for c in recap["choices"]] == [
        "submit",
        "edit:entity",
        "edit:responsible",
        "edit:website",
        "edit:website.1",
    ]
    # edit one website from the recap: straight back to it
    assert chat.choose("edit:website.1")["step"] == "form.website.1"
    assert chat.form(name="某某科技网上商城")["step"] == "confirm"
    assert chat.send(command="back")["step"] == "more.website.1"
    assert chat.choose("no_more")["step"] == "confirm"

    app, transcript = approved(chat, sandbox)
    assert [w["domain"] for w in app["payload"]["websites"]] == ["moumou-tech.cn", "moumou-shop.cn"]
    numbers = app["result"]["website_numbers"]
    entity_number = app["result"]["entity_number"]
    assert numbers == [entity_number + "-1", entity_number + "-2"]
    assert [website(sandbox, n)["name"] for n in numbers] == ["某某科技官网", "某某科技网上商城"]
    assert all(n in one(transcript, "RECORD_NUMBERS")["text"] for n in numbers)


def test_add_website_of_an_organisation_files_two(sandbox):
    out = seed_org(sandbox, account="self", provider="tencent")
    for name in ("moumou-shop.cn", "moumou-blog.cn"):
        org_domain(sandbox, name)
    chat = Chat(sandbox)
    start_kind(chat, "add_website")
    assert (
        chat.form(name="某某科技商城", domain="moumou-shop.cn", service_content="enterprise_site")["step"]
        == "more.website"
    )
    chat.choose("add_more")
    assert (
        chat.form(name="某某科技博客", domain="moumou-blog.cn", service_content="enterprise_site")["step"]
        == "more.website.1"
    )
    assert chat.choose("no_more")["step"] == "confirm"
    app, _ = approved(chat, sandbox)
    number = out["entity"]["number"]
    assert app["result"]["website_numbers"] == [number + "-2", number + "-3"]
    assert website(sandbox, number + "-3")["domain"] == "moumou-blog.cn"


def test_a_person_files_one_website(sandbox):
    """A personal entity is not asked for another website: its order carries one."""
    from api.chat_flows import ENTITY, RESPONSIBLE, WEBSITE
    from api.flows import register_domain

    register_domain(sandbox, "zhangsan-blog.cn")
    chat = Chat(sandbox)
    start_kind(chat, "first_filing")
    chat.form(**ENTITY)
    chat.form(**RESPONSIBLE)
    body = chat.form(**WEBSITE)
    assert body["step"] == "confirm" and not bot(body, "MORE_WEBSITE")


# --- after a rejection: the screen of the rejected field, and the edit sent as a patch ----------------


def test_a_rejected_second_website_is_edited_on_its_own_screen(sandbox):
    org_domain(sandbox, "moumou-tech.cn")
    org_domain(sandbox, "moumou-shop.cn", real_name_status="pending")
    org_domain(sandbox, "moumou-blog.cn")
    chat = Chat(sandbox)
    start_kind(chat, "first_filing")
    chat.form(**ORG)
    chat.form(**BOSS)
    chat.form(name="某某科技官网", domain="moumou-tech.cn", service_content="enterprise_site")
    chat.choose("add_more")
    chat.form(name="某某科技商城", domain="moumou-shop.cn", service_content="enterprise_site")
    chat.choose("no_more")
    app_id = submit(chat)["application_id"]
    news = finish(chat, sandbox)
    assert news["step"] == "rejected"
    audit = get_app(sandbox, app_id)["audit_data"]
    assert [a["field"] for a in audit] == ["websites.1.domain"]
    body = chat.choose("edit")
    assert body["step"] == "form.website.1"
    assert audit[0]["error"] in fields(one(body, "FORM_WEBSITE"))["domain"]["error"]
    assert chat.form(domain="moumou-blog.cn")["step"] == "more.website.1"  # on in order, as from any edit
    assert chat.choose("no_more")["step"] == "confirm"
    body = chat.choose("submit")
    assert one(body, "STATUS_CARD")["card"]["state"] == "provider_review"
    news = finish(chat, sandbox)
    assert news["step"] == "done"
    app = get_app(sandbox, app_id)
    assert [w["domain"] for w in app["payload"]["websites"]] == ["moumou-tech.cn", "moumou-blog.cn"]
    assert [website(sandbox, n)["domain"] for n in app["result"]["website_numbers"]] == [
        "moumou-tech.cn",
        "moumou-blog.cn",
    ]


def test_a_change_no_longer_chosen_leaves_the_order(sandbox):
    """After a rejection, unticking the website in change_what clears its change from the order."""
    from api.flows import CONTROL, ok

    out = org_at_tencent(sandbox)
    ok(
        sandbox.post(
            "~/faults",
            json={
                "effect": "reject",
                "stage": "provider",
                "times": 1,
                "audit_data": [
                    {
                        "code": "CUSTOM",
                        "field": "entity.address",
                        "error": "地址与证件不一致",
                        "suggest": "请填写证件上的地址",
                    }
                ],
            },
            token=CONTROL,
        ),
        201,
    )
    chat = Chat(sandbox)
    start_kind(chat, "change_filing")
    chat.form(entity=True, website=True)
    chat.form(address="广东省深圳市南山区科技园路 3 号")
    chat.form(name="某某科技官方网站")
    chat.send(form={})
    assert chat.choose("done")["step"] == "confirm"
    app_id = submit(chat)["application_id"]
    assert finish(chat, sandbox)["step"] == "rejected"
    assert get_app(sandbox, app_id)["payload"]["websites"][0]["name"] == "某某科技官方网站"

    body = chat.choose("edit")
    assert (
        body["step"] == "form.entity_change"
        and "地址与证件不一致" in fields(one(body, "FORM_ENTITY_CHANGE"))["address"]["error"]
    )
    chat.form(address="广东省深圳市南山区科技园路 2 号")
    for _ in range(3):  # the website's screens, as they were
        chat.send(form={})
    assert chat.choose("done")["step"] == "confirm"
    body = chat.choose("edit:change_what")
    what = fields(one(body, "FORM_CHANGE_WHAT"))  # read off the order's payload
    assert what["entity"]["value"] is True and what["website"]["value"] is True
    assert chat.form(website=False)["step"] == "confirm"
    assert [p["screen"] for p in one(chat.last, "CONFIRM")["summary"]] == ["change_what", "entity_change"]
    body = chat.choose("submit")
    assert not bot(body, "INVALID_ANSWER"), bot(body, "INVALID_ANSWER")
    assert one(body, "STATUS_CARD")["card"]["state"] == "provider_review"
    assert get_app(sandbox, app_id)["payload"] == {"entity": {"address": "广东省深圳市南山区科技园路 2 号"}}
    assert finish(chat, sandbox)["step"] == "done"
    assert entities(sandbox)[0]["address"] == "广东省深圳市南山区科技园路 2 号"
    assert website(sandbox, out["websites"][0]["number"])["name"] == "某某科技官网"


def test_in_english(sandbox):
    org_at_tencent(sandbox)
    org_domain(sandbox, "moumou-shop.cn")
    chat = Chat(sandbox, body={"locale": "en"})
    start_kind(chat, "add_website")
    body = chat.form(name="某某科技商城", domain="moumou-shop.cn", service_content="enterprise_site")
    more = one(body, "MORE_WEBSITE")
    assert more["text"].startswith("1 website(s) so far") and "Add another website?" in more["text"]
    assert [c["label"] for c in more["choices"]] == ["Add one", "No, that's all"]
    assert one(chat.choose("add_more"), "FORM_WEBSITE")["form"]["title"] == "Website #2"

    chat.send(command="restart")
    start_kind(chat, "change_website")
    body = chat.send(form={})
    msg = one(body, "PICK_REMOVE_DOMAINS")
    assert msg["text"].startswith("Domains to remove: tap to choose") and msg["text"].endswith("Chosen: —")
    assert msg["choices"][-1] == {"value": "done", "label": "Done"}
    body = chat.choose("moumou-tech.com")
    assert one(body, "PICK_REMOVE_DOMAINS")["text"].endswith("Chosen: moumou-tech.com")
    assert "keeps at least one domain" in one(chat.choose("moumou-tech.cn"), "INVALID_ANSWER")["errors"]["choice"][0]
