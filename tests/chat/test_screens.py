"""Screens of the conversation's flows (backend/chat/forms.py): copies of a repeatable form,
picks, forms asked on a condition — placed errors, pruned answers, patches (no Redis, no HTTP)."""

import copy

from backend.chat import forms
from backend.domain import scenarios

SITE = {
    "id": "W1",
    "entity_id": "E1",
    "status": "active",
    "name": "某某科技官网",
    "domain": "moumou-tech.cn",
    "extra_domains": ["moumou-tech.com"],
    "number": "粤ICP备19000123号-1",
    "access_providers": ["tencent"],
}
ORG = {
    "id": "E1",
    "status": "active",
    "account": "self",
    "type": "enterprise",
    "number": "粤ICP备19000123号",
    "name": "深圳市某某科技有限公司",
    "access_providers": ["tencent"],
}


class FakeCtx:
    locale = "zh-CN"

    def __init__(self, entity=ORG, sites=(SITE,)):
        self._records = scenarios.Records([entity] if entity else [], list(sites))

    def eligibility(self):
        return {"usable_ips": [{"ip": "162.10.20.30", "slots_left": 2}]}

    def records(self):
        return self._records


def test_copies_of_a_repeatable_form_are_screens_of_their_own():
    flow = forms.FLOWS["first_filing"]
    assert forms.locate(flow, "payload.websites.2.domain") == ("website.2", "domain")
    assert forms.locate(flow, "payload.websites.0.domain") == ("website", "domain")
    assert forms.locate(flow, "payload.websites") == ("website", "_form")
    assert list(
        forms.errors_by_form(
            flow, {"payload.websites.1.name": ["b"], "payload.entity.name": ["a"], "payload.websites.0.name": ["c"]}
        )
    ) == ["entity", "website", "website.1"]
    assert forms.screen_form("website.1").path == "websites.1"
    assert forms.screen_form("website.1").title == ("网站信息（第 2 个）", "Website #2")
    assert forms.max_copies("website") == 10 and forms.max_copies("entity") == 1


def test_an_organisation_may_file_ten_websites_a_person_one():
    ctx, flow, form = FakeCtx(), forms.FLOWS["first_filing"], forms.FORMS["website"]
    org = {"entity": {"type": "enterprise"}, "websites": [{"name": "a"}, {"name": "b"}]}
    assert forms.copies_allowed(ctx, flow, form, org) == 10
    assert forms.screens(ctx, flow, org) == ["entity", "responsible", "website", "website.1"]
    person = {"entity": {"type": "personal"}, "websites": [{"name": "a"}, {"name": "b"}]}
    assert forms.copies_allowed(ctx, flow, form, person) == 1
    assert forms.prune(ctx, flow, person)["websites"] == [{"name": "a"}]
    # add_website: the account's own entity decides
    add = forms.FLOWS["add_website"]
    assert forms.copies_allowed(ctx, add, form, {}) == 10
    assert forms.copies_allowed(FakeCtx(entity=None, sites=()), add, form, {}) == 1


def test_the_domains_to_remove_are_the_named_websites():
    ctx, flow = FakeCtx(), forms.FLOWS["change_website"]
    answers = {"websites": [{"website_id": "W1"}]}
    assert forms.screens(ctx, flow, answers) == ["change_website", "remove_domains"]
    assert forms.locate(flow, "payload.websites.0.remove_domains") == ("remove_domains", "remove_domains")
    assert forms.locate(flow, "payload.websites.0") == ("change_website", "_form")
    one_domain = FakeCtx(sites=(dict(SITE, extra_domains=[]),))
    answers["websites"][0]["remove_domains"] = ["moumou-tech.com", "gone.cn"]
    assert forms.screens(one_domain, flow, answers) == ["change_website"]  # nothing it could remove
    assert forms.prune(ctx, flow, answers)["websites"][0]["remove_domains"] == ["moumou-tech.com"]
    assert forms.payload(flow, answers) == {"websites": [{"website_id": "W1", "remove_domains": ["moumou-tech.com"]}]}


def test_change_filing_asks_what_was_chosen_and_patches_the_rest_away():
    ctx, flow = FakeCtx(), forms.FLOWS["change_filing"]
    previous = {
        "entity": {"address": "x", "responsible": {"mobile": "13900139000"}},
        "websites": [{"website_id": "W1", "website_number": SITE["number"], "name": "新名字"}],
    }
    answers = copy.deepcopy(previous)
    # read off the order's payload
    assert forms.current(ctx, forms.FORMS["change_what"], answers) == {
        "entity": True,
        "responsible": True,
        "website": True,
    }
    assert forms.screens(ctx, flow, answers) == [
        "change_what",
        "entity_change",
        "responsible_change",
        "site_change",
        "site_responsible_change",
        "remove_domains",
    ]
    forms.set_path(answers, "_chat.change", {"entity": True, "responsible": False, "website": False})
    forms.prune(ctx, flow, answers)
    assert forms.payload(flow, answers) == {"entity": {"address": "x"}}
    assert forms.patch(flow, answers, previous) == {"entity": {"address": "x", "responsible": None}, "websites": None}
