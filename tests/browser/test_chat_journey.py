"""The conversation's real journey on the mini-program page (issue #12), in headless Chromium against
gunicorn + rq: 新增备案 opens 验证备案类型, a blocking code is shown before any form, the verified
inputs find the first filing and its form starts pre-filled; after approval 变更或注销 shows 我的备案
and only the orders that apply, the website change starting from the record.
Screenshots: test-artifacts/chat-verify-blocked.png, chat-verified.png, chat-my-filings.png,
chat-change-prefilled.png."""

import pytest
from browser.test_checklist_page import checklist_app, clear_checklist
from browser.test_miniprogram_page import (  # noqa: F401
    MISSING,
    WEBSITE_NUMBER,
    after_reply,
    browser,
    last_seq,
    new_sandbox,
    open_page,
    page,
    stack,
    transcript,
    walk,
)
from support.people import ZHANG_SAN_ID
from support.procs import ROOT

pytestmark = pytest.mark.skipif(MISSING is not None, reason=str(MISSING))
SHOTS = ROOT / "test-artifacts"


def choose(pg, value):
    seq = last_seq(pg)
    pg.locator(f'[data-testid=quick-reply][data-value="{value}"]:not([disabled])').last.click()
    after_reply(pg, seq)


def active_form(pg):
    return pg.locator("[data-testid=form][data-active=true]").last


def submit_verify(pg, domain):
    form = active_form(pg)
    form.locator('[data-field="province"]').select_option("44")
    form.locator('[data-field="certificate_number"]').fill(ZHANG_SAN_ID)
    form.locator('[data-field="domain"]').fill(domain)
    seq = last_seq(pg)
    form.get_by_test_id("form-submit").click()
    after_reply(pg, seq)


def shot(pg, name):
    SHOTS.mkdir(exist_ok=True)
    pg.wait_for_timeout(300)
    pg.screenshot(path=str(SHOTS / name))


def test_verification_then_my_filings_on_the_page(stack, page, tmp_path):  # noqa: F811
    pg = page
    sb, home = new_sandbox(stack["api"], settings={})  # the server's default: the real stages
    open_page(pg, stack["origin"], sb)
    choose(pg, "start")
    menu = [
        b.get_attribute("data-value") for b in pg.locator("[data-code=CHOOSE_KIND] [data-testid=quick-reply]").all()
    ]
    assert menu == ["new", "change"], menu
    choose(pg, "new")
    assert pg.locator("[data-code=FORM_VERIFY]").count() == 1

    # a domain suffix MIIT does not accept: the blocking code and what to do, before any form
    submit_verify(pg, "zhangsan.io")
    refused = pg.locator("[data-code=ACTION_REFUSED]").last
    refused.wait_for()
    assert "该域名后缀不支持备案" in refused.inner_text(), "\n".join(transcript(pg))
    assert pg.locator("[data-code=FORM_ENTITY]").count() == 0
    shot(pg, "chat-verify-blocked.png")

    # the registered domain: verified as a first filing, the entity form starts with the certificate
    submit_verify(pg, "zhangsan-blog.cn")
    verified = pg.locator("[data-code=VERIFIED]").last
    assert "首次备案" in verified.inner_text()
    entity = active_form(pg)
    assert entity.locator('[data-field="certificate_number"]').input_value() == ZHANG_SAN_ID
    assert entity.locator('[data-field="province"]').input_value() == "44"
    verified.evaluate("n => n.closest('[data-testid=message]').scrollIntoView({block: 'start'})")
    shot(pg, "chat-verified.png")

    # through to approval, the way a user answers: the real stages (the server's default) first
    walk(pg, home, sb, tmp_path, until=lambda p, kind: p.locator("[data-code=CHECKLIST]").count() > 0)
    clear_checklist(pg, home, sb, checklist_app(pg, sb))
    walk(pg, home, sb, tmp_path)
    number = pg.get_by_test_id("record-number").last.inner_text().strip()
    assert WEBSITE_NUMBER.fullmatch(number), number

    # a new filing session: 变更或注销 lists my filings and offers only what applies
    choose(pg, "restart")
    choose(pg, "start")
    choose(pg, "change")
    listing = pg.locator("[data-code=MY_FILINGS]").last
    assert number in listing.inner_text()
    offers = [
        b.get_attribute("data-value")
        for b in pg.locator("[data-code=CHOOSE_FILING_ORDER]").last.get_by_test_id("quick-reply").all()
    ]
    assert offers == ["change_filing", "cancel_entity", f"change_website:{number}", f"cancel_access:{number}", "menu"]
    listing.evaluate("n => n.closest('[data-testid=message]').scrollIntoView({block: 'start'})")
    shot(pg, "chat-my-filings.png")

    choose(pg, f"change_website:{number}")
    change = active_form(pg)
    assert change.locator('[data-field="name"]').input_value() == "张三的个人博客"
    shot(pg, "chat-change-prefilled.png")
    assert pg.problems == []
