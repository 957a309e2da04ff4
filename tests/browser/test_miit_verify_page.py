"""MIIT's verification page (/miit/verify) in real headless Chromium against gunicorn and a
real `rq worker`: two responsible people with their own mobiles; the first verifies on the
page (still waiting), a wrong ID digit is refused, the second verifies (bureau review).
The screenshot goes to docs/miit-verify.png (the README's picture)."""

import re

import pytest
import requests
from browser.test_miniprogram_page import CHROMIUM, CHROMIUM_ARGS, MISSING
from support.people import credit_code, person, resident_id
from support.procs import ROOT, running_stack

pytestmark = pytest.mark.skipif(MISSING is not None, reason=str(MISSING))
CONTROL = "miit-page-control"
USCC = credit_code("91440300MA5ABCDE0")
BOSS = person(name="王五", cert=resident_id("44030519800101456"), mobile="13900139000", email="w@example.com")
SITE = person(name="李四", cert=resident_id("44030519850505001"), mobile="13700137000", email="l@example.com")
SHOT = ROOT / "docs" / "miit-verify.png"


def call(method, url, token, **kw):
    resp = requests.request(method, url, headers={"Authorization": f"Bearer {token}"}, timeout=90, **kw)
    assert resp.status_code < 400, (resp.status_code, resp.text)
    return resp.json()


@pytest.fixture
def at_sms(redis_url, tmp_path):
    from backend.store.connection import connect

    connect(redis_url).flushdb()
    with running_stack(redis_url, CONTROL, tmp_path / "stack.log") as stack:
        sb = call(
            "POST",
            f"{stack.base}/sandboxes",
            CONTROL,
            json={"seed": 42, "preset": "eligible", "settings": {"pre_submit_checks": False}},
        )
        home, token = f"{stack.base}/sandboxes/{sb['id']}", sb["token"]
        call(
            "POST",
            f"{home}/domains",
            token,
            json={"name": "moumou-tech.cn", "holder_name": "深圳市示例科技有限公司", "holder_certificate_number": USCC},
        )
        ip = call("GET", f"{home}/eligibility", token)["usable_ips"][0]["ip"]
        payload = {
            "entity": {
                "type": "enterprise",
                "name": "深圳市示例科技有限公司",
                "certificate_type": "uscc",
                "certificate_number": USCC,
                "province": "44",
                "address": "广东省深圳市南山区科技园路 2 号",
                "responsible": BOSS,
            },
            "websites": [
                {
                    "name": "某某科技官网",
                    "domain": "moumou-tech.cn",
                    "service_content": "enterprise_site",
                    "filing_type": "cloudbase_run",
                    "nat_ip": ip,
                    "responsible": SITE,
                }
            ],
        }
        app = call("POST", f"{home}/applications", token, json={"kind": "first_filing", "payload": payload})
        call("POST", f"{home}/applications/{app['id']}/actions/submit", token, json={})
        call("POST", f"{home}/clock/advance", CONTROL, json={"until_idle": True})
        assert call("GET", f"{home}/applications/{app['id']}", token)["state"] == "sms_verification"
        yield stack, sb, home, app["id"]


def code_for(home, token, mobile):
    msgs = call("GET", f"{home}/outbox", token, params={"channel": "sms", "to": mobile})
    return re.search(r"(?<!\d)\d{6}(?!\d)", [m for m in msgs if m["code"] == "MIIT_SMS_CODE"][-1]["text"]).group(0)


def test_two_people_verify_on_miits_page(at_sms):
    from playwright.sync_api import sync_playwright

    stack, sb, home, app_id = at_sms
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            pg = browser.new_page(viewport={"width": 820, "height": 1100}, locale="zh-CN")
            pg.set_default_timeout(20_000)
            problems = []
            pg.on("pageerror", lambda exc: problems.append(str(exc)))
            pg.goto(f"{stack.origin}/miit/verify?sandbox={sb['id']}&app={app_id}")
            assert "token" not in pg.url
            pg.get_by_test_id("token").fill(sb["token"])
            pg.get_by_test_id("token").dispatch_event("change")
            pg.get_by_test_id("mobile").fill(BOSS["mobile"])
            pg.get_by_test_id("mobile").dispatch_event("change")
            pg.wait_for_selector("[data-testid=person-P2]")
            pg.wait_for_selector("[data-testid=inbox] li")
            assert "beian.miit.gov.cn" in pg.get_by_test_id("inbox").inner_text()

            # wrong ID digits: refused, attempts left shown
            pg.get_by_test_id("id-last6").fill("000000")
            pg.get_by_test_id("code").fill(code_for(home, sb["token"], BOSS["mobile"]))
            pg.get_by_test_id("submit").click()
            pg.wait_for_selector("[data-testid=result].bad")
            assert "证件号码后六位" in pg.get_by_test_id("result").inner_text()

            pg.get_by_test_id("id-last6").fill(BOSS["certificate_number"][-6:])
            pg.get_by_test_id("submit").click()
            pg.wait_for_selector("[data-testid=result].ok")
            assert "请等待其他核验人进行短信核验" in pg.get_by_test_id("result").inner_text()  # MIIT's words
            pg.wait_for_function("document.querySelector('[data-testid=person-P1]').innerText.includes('已核验')")
            assert call("GET", f"{home}/applications/{app_id}", sb["token"])["state"] == "sms_verification"

            pg.get_by_test_id("mobile").fill(SITE["mobile"])
            pg.get_by_test_id("id-last6").fill(SITE["certificate_number"][-6:])
            pg.get_by_test_id("code").fill(code_for(home, sb["token"], SITE["mobile"]))
            pg.get_by_test_id("submit").click()
            pg.wait_for_function("document.querySelector('[data-testid=result]').innerText.includes('已全部完成')")
            pg.wait_for_function("document.querySelector('[data-testid=person-P2]').innerText.includes('已核验')")
            assert call("GET", f"{home}/applications/{app_id}", sb["token"])["state"] == "bureau_review"
            SHOT.parent.mkdir(exist_ok=True)
            pg.screenshot(path=str(SHOT), full_page=True)
            assert not problems, problems

            # the mini-program page: its SMS prompt links here; its mail app shows Tencent's e-mails
            phone = browser.new_page(viewport={"width": 440, "height": 840}, locale="zh-CN")
            phone.set_default_timeout(20_000)
            phone.on("pageerror", lambda exc: problems.append(str(exc)))
            phone.goto(f"{stack.origin}/miniprogram/?sandbox={sb['id']}&token={sb['token']}")
            phone.wait_for_selector("[data-testid=composer]", state="visible")  # the conversation started
            phone.get_by_test_id("menu-button").click()
            phone.get_by_test_id("open-mail").click()
            phone.wait_for_selector("[data-testid=mail-item]")
            items = phone.get_by_test_id("mail-item")
            assert "已提交管局审核" in items.first.inner_text()
            items.first.click()
            assert "尊敬的" in items.first.inner_text()
            phone.screenshot(path=str(SHOT.with_name("miniprogram-mail.png")))
            assert not problems, problems
        finally:
            browser.close()
