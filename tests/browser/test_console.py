"""The trainer console (/console/) and the page's live updates, in real headless Chromium
against gunicorn and a real `rq worker` (issue #14).

A trainer enters the control token, creates a class of 3, a trainee files from their own
page (the class link), the trainer advances the trainee's clock from the console, and both
the console and the trainee's page show the application move — no reload. Screenshots go
to docs/console.png and docs/console-class.png (the README's pictures).
"""

import pytest
import test_miniprogram_page as mp
from playwright.sync_api import expect
from support.people import personal_payload
from support.procs import ROOT, child_env, free_port, start_web, start_worker, stop

pytestmark = pytest.mark.skipif(mp.MISSING is not None, reason=str(mp.MISSING))
CONTROL = mp.CONTROL
DOCS = ROOT / "docs"


@pytest.fixture(scope="module")
def stack(redis_url, tmp_path_factory):
    from backend.services import scheduling
    from backend.store.connection import connect

    scheduling.reset_queue()
    client = connect(redis_url)
    client.flushdb()
    env = child_env(redis_url, CONTROL, ICPSIM_JOB_WAIT="60")
    port = free_port()
    logs = open(tmp_path_factory.mktemp("console-stack") / "processes.log", "w")  # noqa: SIM115 — the stack writes it until teardown closes it
    web = start_web(env, port, logs)
    worker = start_worker(env, logs)
    yield {"origin": f"http://127.0.0.1:{port}", "api": f"http://127.0.0.1:{port}/api/v1"}
    stop(worker)
    stop(web)
    logs.close()
    client.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=mp.CHROMIUM, args=mp.CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


def new_page(browser, problems, **viewport):
    context = browser.new_context(
        viewport=viewport or {"width": 1440, "height": 1000}, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    pg.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    pg.on("console", lambda msg: problems.append(f"console.{msg.type}: {msg.text}") if msg.type == "error" else None)
    return pg


def log_in(pg, origin, token=CONTROL):
    pg.goto(f"{origin}/console/")
    pg.get_by_test_id("control-token").fill(token)
    pg.get_by_test_id("login").click()


def test_console_class_and_live_updates(stack, browser, tmp_path):
    problems = []
    console = new_page(browser, problems)
    log_in(console, stack["origin"])
    console.locator("#view-sandboxes").wait_for()
    assert problems == [], problems
    assert CONTROL not in console.url
    assert console.evaluate("() => sessionStorage.getItem('icpsim.console.token')") == CONTROL

    # a class of 3, paused clocks: only the trainer's advance moves them
    console.locator("[data-tab=class]").click()
    form = console.locator("#class-form")
    form.get_by_test_id("class-size").fill("3")
    form.locator("[name=scale]").fill("0")
    form.locator("[name=names]").fill("李雷\n韩梅梅\n王小明")
    form.locator("[name=name]").fill("周一上午班")
    form.get_by_test_id("class-stages").uncheck()  # the fast path: this test is about the console, not the stages
    form.get_by_test_id("create-class").click()
    cards = console.locator("[data-trainee]")
    cards.nth(2).wait_for()
    assert cards.count() == 3
    console.wait_for_function(
        "() => [...document.querySelectorAll('[data-trainee] img.qr')].every(i => i.complete && i.naturalWidth > 0)"
    )
    assert "李雷" in cards.nth(0).inner_text() and "尚未开始备案" in cards.nth(0).inner_text()

    # trainee 1 opens their link (token in the fragment) and files up to the wait
    link = cards.nth(0).locator("a.trainee-link").get_attribute("href")
    assert "#token=" in link and "?token=" not in link
    sid = cards.nth(0).get_attribute("data-trainee")
    trainee = new_page(browser, problems, width=440, height=840)
    seen_requests = []
    trainee.on("request", lambda req: seen_requests.append(req.url))
    trainee.goto(link)
    trainee.get_by_test_id("chat").wait_for()
    assert "#token" not in trainee.url
    home = f"{stack['api']}/sandboxes/{sid}"
    token = trainee.evaluate(
        f"() => sessionStorage.getItem('icpsim.miniprogram.token.{sid}') "
        f"|| localStorage.getItem('icpsim.miniprogram.token.{sid}')"
    )
    sb = {"id": sid, "token": token}
    mp.walk(trainee, home, sb, tmp_path, until=lambda pg, kind: kind == "none")
    trainee.get_by_test_id("waiting").wait_for()

    # the class view shows it without a reload
    console.locator(f'[data-trainee="{sid}"] [data-state=provider_review]').wait_for()
    console.wait_for_timeout(300)
    console.screenshot(path=str(DOCS / "console-class.png"), full_page=True)

    # the trainer opens the trainee's sandbox and advances the clock until idle
    console.locator(f'[data-trainee="{sid}"] button', has_text="在沙箱页查看").click()
    console.get_by_test_id("diagram").locator("[data-node=provider_review].node_current").wait_for()
    console.get_by_test_id("until-idle").click()
    console.locator(f'#sandbox-list [data-sandbox="{sid}"] [data-state=sms_verification]').wait_for()
    console.get_by_test_id("diagram").locator("[data-node=sms_verification].node_current").wait_for()
    assert "provider_approve" in console.get_by_test_id("timeline").inner_text()
    assert "MIIT" in console.get_by_test_id("outbox").inner_text() or console.get_by_test_id("outbox").count()

    # …and the trainee's page moved on by itself: the SMS prompt
    trainee.wait_for_function(
        "() => document.querySelector('[data-testid=composer]').dataset.accepts !== 'none'", timeout=30_000
    )
    trainee.get_by_test_id("sms-prompt").wait_for()
    console.evaluate("() => { document.getElementById('toast').hidden = true; }")
    console.wait_for_timeout(300)
    console.screenshot(path=str(DOCS / "console.png"), full_page=True)
    mp.save_phone(trainee, tmp_path / "trainee.png")
    assert not [u for u in seen_requests if token in u]  # the token never travelled in a URL
    assert problems == [], problems


def test_wrong_control_token_stays_on_the_login(stack, browser):
    problems = []
    pg = new_page(browser, problems)
    log_in(pg, stack["origin"], "ict_wrong")
    pg.locator("#login-error").filter(has_text="控制令牌无效").wait_for()
    assert pg.locator("#view-sandboxes").is_hidden()
    assert [p for p in problems if "401" not in p] == []


def test_refused_submit_shows_its_notice_in_view(stack, browser, tmp_path):
    """Another order is opened over the API while the page waits on 确认提交: the submit is
    refused (ORDER_IN_PROGRESS). The notice is in view, says what to do next, and the recap
    after it is folded, so the retry button sits right under it."""
    problems = []
    pg = new_page(browser, problems, width=390, height=844)
    sb, home = mp.new_sandbox(stack["api"])
    mp.open_page(pg, stack["origin"], sb)
    mp.walk(
        pg,
        home,
        sb,
        tmp_path,
        until=lambda pg, kind: kind == "choice" and pg.locator("[data-testid=quick-reply][data-value=submit]").count(),
    )
    ip = mp.call("GET", f"{home}/eligibility", sb["token"])["usable_ips"][0]["ip"]
    other = mp.call(
        "POST", f"{home}/applications", sb["token"], json={"kind": "first_filing", "payload": personal_payload(ip)}
    )
    seq = mp.last_seq(pg)
    pg.locator("[data-testid=quick-reply][data-value=submit]").last.click()
    mp.after_reply(pg, seq)
    notice = pg.locator("[data-testid=notice][data-level=error]").last
    notice.wait_for()
    pg.wait_for_timeout(800)  # the smooth scroll
    chat = pg.get_by_test_id("chat").bounding_box()
    box = notice.bounding_box()
    assert chat["y"] - 1 <= box["y"] and box["y"] + 40 <= chat["y"] + chat["height"], (box, chat)
    assert "下一步" in notice.get_by_test_id("notice-next").inner_text()
    assert pg.locator("details.summary_folded").count() >= 1
    # no phone frame on a phone: the page fills the screen
    phone = pg.get_by_test_id("phone").bounding_box()
    assert phone["width"] == 390
    pg.screenshot(path=str(tmp_path / "refused.png"))

    mp.call("POST", f"{home}/applications/{other['id']}/actions/withdraw", sb["token"], json={})
    seq = mp.last_seq(pg)
    pg.locator("[data-testid=quick-reply][data-value=submit]").last.click()
    mp.after_reply(pg, seq)
    pg.get_by_test_id("waiting").wait_for()
    assert problems == [], problems


def test_the_fault_panel_injects_a_face_check_failure_with_its_reason(stack, browser, tmp_path):
    """The fault panel's 真实性核验 row: pick a reason, press the button, and the sandbox has a
    face_fail rule with that reason (the same POST …/faults a scenario makes)."""
    problems = []
    console = new_page(browser, problems)
    sb, home = mp.new_sandbox(stack["api"])
    log_in(console, stack["origin"])
    console.locator(f'#sandbox-list [data-sandbox="{sb["id"]}"]').click()
    reason = console.get_by_test_id("face-fail-reason")
    from backend.domain import faults

    # the panel may draw before the state graph (which lists the reasons) has arrived: its
    # options come with the next render, so wait for them rather than read an empty select
    expect(reason.locator("option")).to_have_count(len(faults.FACE_REASONS))
    options = reason.locator("option").evaluate_all("(os) => os.map((o) => o.value)")

    assert options == list(faults.FACE_REASONS), options
    reason.select_option("another_person")
    console.get_by_test_id("fault-face-fail").click()
    console.locator(".faults .rules li", has_text="face_fail · face · another_person").wait_for()
    rules = mp.call("GET", f"{home}/faults", CONTROL)
    assert [(r["effect"], r["reason"]) for r in rules] == [("face_fail", "another_person")], rules
    console.locator(".faults").scroll_into_view_if_needed()
    console.screenshot(path=str(tmp_path / "console-face-fail.png"), full_page=True)
    console.locator(".faults").screenshot(path=str(ROOT / "test-artifacts" / "console-face-fail.png"))
    assert problems == [], problems


def test_the_order_view_shows_miit_s_result_and_the_fault_panel_offers_the_new_codes(stack, browser, tmp_path):
    """A sandbox where MIIT tells the user first (`tencent_sync_hours`): at the bureau's decision
    the order view shows MIIT's verdict with Tencent's sync pending. The fault panel offers the
    reviewer's unanswered call (a provider code) and a site online during review (a bureau code);
    choosing one sets the stage it belongs to, and the rule is the one a scenario would POST."""
    from datetime import datetime

    problems = []
    sb = mp.call(
        "POST",
        f"{stack['api']}/sandboxes",
        CONTROL,
        json={"seed": 42, "settings": {"pre_submit_checks": False, "tencent_sync_hours": 6}},
    )
    home = f"{stack['api']}/sandboxes/{sb['id']}"
    domain = {"name": "zhangsan-blog.cn", "holder_name": "张三", "holder_certificate_number": mp.ZHANG_SAN_ID}
    mp.call("POST", f"{home}/domains", sb["token"], json=domain)
    ip = mp.call("GET", f"{home}/eligibility", sb["token"])["usable_ips"][0]["ip"]
    body = {"kind": "first_filing", "payload": personal_payload(ip)}
    app = mp.call("POST", f"{home}/applications", sb["token"], json=body)
    mp.call("POST", f"{home}/applications/{app['id']}/actions/submit", sb["token"], json={})
    mp.advance(home)  # to MIIT's SMS check
    code = mp.sms_code(home, sb["token"])
    mp.call("POST", f"{home}/applications/{app['id']}/sms-verification", sb["token"], json={"code": code})
    clock = mp.call("GET", f"{home}/clock", CONTROL)
    due = datetime.fromisoformat(clock["pending_timers"][0]["due_at"]).timestamp()
    mp.call("POST", f"{home}/clock/advance", CONTROL, json={"duration": f"{round(due - clock['epoch'])}s"})
    miit = mp.call("GET", f"{home}/applications/{app['id']}", sb["token"])["miit_result"]

    console = new_page(browser, problems)
    log_in(console, stack["origin"])
    console.locator(f'#sandbox-list [data-sandbox="{sb["id"]}"]').click()
    shown = console.get_by_test_id("console-miit-result")
    shown.wait_for()
    assert shown.get_attribute("data-verdict") == "approve" and shown.get_attribute("data-pending") == "true"
    text = shown.inner_text()
    assert "管局审核通过" in text and "腾讯云待同步" in text
    assert miit["tencent_sync_at"].replace("T", " ")[:16] in text

    reason = console.get_by_test_id("fault-reason")
    stage = console.locator("select[aria-label=阶段]")
    groups = reason.locator("optgroup").evaluate_all("(gs) => gs.map((g) => g.label)")
    assert groups == ["腾讯云初审", "管局"], groups
    assert reason.locator("optgroup[label=腾讯云初审] option[value=CALL_UNREACHABLE]").count() == 1
    assert reason.locator("optgroup[label=管局] option[value=SITE_REACHABLE_DURING_REVIEW]").count() == 1
    reason.select_option("SITE_REACHABLE_DURING_REVIEW")
    assert stage.input_value() == "bureau"
    reason.select_option("CALL_UNREACHABLE")
    assert stage.input_value() == "provider"
    console.get_by_test_id("fault-reject").click()
    console.locator(".faults .rules li", has_text="reject · provider").wait_for()
    rules = mp.call("GET", f"{home}/faults", CONTROL)
    assert [(r["effect"], r["stage"], [a["code"] for a in r["audit_data"]]) for r in rules] == [
        ("reject", "provider", ["CALL_UNREACHABLE"])
    ]
    console.locator(".app-panel").scroll_into_view_if_needed()
    console.screenshot(path=str(tmp_path / "console-miit.png"), full_page=True)
    console.locator(".app-panel").screenshot(path=str(ROOT / "test-artifacts" / "console-miit-result.png"))

    mp.advance(home)  # Tencent syncs: the view says so, live
    console.locator("[data-testid=console-miit-result][data-pending=false]").wait_for()
    assert "已同步" in console.get_by_test_id("console-miit-result").inner_text()
    assert problems == [], problems


def _focused(pg):
    return pg.evaluate(
        "() => { const e = document.activeElement; return [e.tagName, e.dataset.sandbox || e.dataset.testid || ''] }"
    )


def test_the_keyboard_reaches_a_sandbox_and_keeps_its_place_across_redraws(stack, browser):
    """Tab reaches the sandbox list (not only the header's buttons), Enter opens a sandbox, and
    an action, which redraws the panel, leaves the focus on the button pressed instead of
    dropping it to the page's start. An empty 倍率 is refused, not sent as 0 (a pause)."""
    problems = []
    console = new_page(browser, problems)
    sb, home = mp.new_sandbox(stack["api"])
    mp.call("PUT", f"{home}/clock/scale", CONTROL, json={"scale": 5})
    console.goto(f"{stack['origin']}/console/")
    console.get_by_test_id("control-token").press_sequentially(CONTROL)
    console.keyboard.press("Enter")
    console.locator(f'#sandbox-list [data-sandbox="{sb["id"]}"]').wait_for()
    for _ in range(60):  # bounded: the list holds this module's sandboxes
        console.keyboard.press("Tab")
        if _focused(console) == ["LI", sb["id"]]:
            break
    assert _focused(console) == ["LI", sb["id"]]
    console.keyboard.press("Enter")
    console.locator(f'#detail[data-sandbox="{sb["id"]}"]').wait_for()
    assert _focused(console) == ["LI", sb["id"]]  # the list was redrawn around it

    console.get_by_test_id("advance-duration").fill("2h")
    console.get_by_test_id("advance").focus()
    console.keyboard.press("Enter")
    console.locator("#toast", has_text="前进：完成").wait_for()
    assert _focused(console) == ["BUTTON", "advance"]
    console.keyboard.press("Tab")
    assert _focused(console) == ["BUTTON", "until-idle"]

    console.locator("#detail input[aria-label=倍率]").fill("")
    console.get_by_role("button", name="设置倍率").click()
    console.locator("#toast", has_text="请填写倍率").wait_for()
    assert mp.call("GET", f"{home}/clock", CONTROL)["scale"] == 5  # not paused
    assert problems == [], problems


def test_a_server_that_is_not_ready_keeps_the_token_and_the_console_comes_back_by_itself(stack, browser):
    """A reload while the simulator restarts (the page loads, the API answers 503): the console
    says it retries, keeps the token in the tab, and logs in by itself once the API answers —
    the trainer does not paste the control token again. A wrong token still goes to the login."""
    problems = []
    pg = new_page(browser, problems)
    log_in(pg, stack["origin"])
    pg.locator("#view-sandboxes").wait_for()
    down = '{"code": "SERVICE_UNAVAILABLE", "message": "服务暂不可用"}'
    versions = "**/api/v1/console/versions"
    pg.route(versions, lambda route: route.fulfill(status=503, content_type="application/json", body=down))
    pg.reload()
    pg.locator("#login-error", has_text="正在自动重试").wait_for()
    assert "服务暂不可用" in pg.locator("#login-error").inner_text()
    assert pg.evaluate("() => sessionStorage.getItem('icpsim.console.token')") == CONTROL
    pg.unroute(versions)
    pg.locator("#view-sandboxes").wait_for()
    assert pg.locator("#login").is_hidden() and pg.locator("#login-error").inner_text() == ""
    assert [p for p in problems if "503" not in p] == [], problems
