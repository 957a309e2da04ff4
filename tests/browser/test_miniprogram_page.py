"""The mock mini-program page (/miniprogram/) in real headless Chromium, against gunicorn and a
real `rq worker`: a first filing from the first quick reply to the record number, the clock
advanced through the control API at the waiting points, the SMS code read from the outbox.

Debian's chromium is driven through Playwright's `executable_path`: no browser download.
Without /usr/bin/chromium (or without Python Playwright) these tests skip and say why.
The final screenshot also goes to docs/miniprogram.png, the README's picture.
The capsule menu's 导出录制 downloads the session as a scenario file (GET …/recording).
"""

import os
import re
from pathlib import Path

import pytest
import requests
import yaml
from support.people import ZHANG_SAN_ID
from support.procs import ROOT, child_env, free_port, start_web, start_worker, stop

CHROMIUM = os.environ.get("ICPSIM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
CONTROL = "browser-control"
WEBSITE_NUMBER = re.compile(r"粤ICP备\d{10}号-1")
README_SHOT = ROOT / "docs" / "miniprogram.png"


def _missing():
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        return (
            f"browser tests need {CHROMIUM} (Debian's chromium + fonts-noto-cjk; `.ci/run` "
            f"installs them with apt-get, or set ICPSIM_CHROMIUM)"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "browser tests need Python Playwright: pip install -e '.[test]' (no `playwright install`)"
    return None


MISSING = _missing()
pytestmark = pytest.mark.skipif(MISSING is not None, reason=str(MISSING))

# What the user types, by field name; a form's own prefilled value wins, a select with no
# entry here keeps its value or takes the first option.
ANSWERS = {
    "type": "personal",
    "entity_type": "personal",
    "name": "张三",
    "entity_name": "张三",
    "responsible_name": "张三",
    "holder_name": "张三",
    "certificate_type": "resident_id",
    "certificate_number": ZHANG_SAN_ID,
    "responsible_certificate_number": ZHANG_SAN_ID,
    "province": "44",
    "address": "广东省深圳市南山区科技园路 1 号",
    "mobile": "13800138000",
    "responsible_mobile": "13800138000",
    "email": "zhangsan@example.com",
    "responsible_email": "zhangsan@example.com",
    "domain": "zhangsan-blog.cn",
    "site_name": "张三的个人博客",
    "website_name": "张三的个人博客",
    "service_content": "blog",
}
BY_FORM = {"website": {"name": "张三的个人博客"}}
# Quick replies, most wanted first: start, 新增备案 (verification first), submit.
CHOICES = ("start", "new", "submit")


@pytest.fixture(scope="module")
def stack(redis_url, tmp_path_factory):
    """gunicorn + `rq worker` for the module's tests (each test makes its own sandbox)."""
    from backend.services import scheduling
    from backend.store.connection import connect

    scheduling.reset_queue()
    client = connect(redis_url)
    client.flushdb()
    env = child_env(redis_url, CONTROL, ICPSIM_JOB_WAIT="60")
    port = free_port()
    logs = open(tmp_path_factory.mktemp("browser-stack") / "processes.log", "w")  # noqa: SIM115 — the stack writes it until teardown closes it
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
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, tmp_path):
    """A fresh profile (own localStorage) per test; console errors and page errors collected."""
    problems = []
    context = browser.new_context(
        viewport={"width": 440, "height": 840}, device_scale_factor=2, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    pg.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    pg.on("console", lambda msg: problems.append(f"console.{msg.type}: {msg.text}") if msg.type == "error" else None)
    pg.problems = problems
    try:
        yield pg
    finally:
        try:
            pg.screenshot(path=str(tmp_path / "last.png"))  # what the page showed at the end
        except Exception:
            pass
        context.close()


def call(method, url, token, **kw):
    resp = requests.request(method, url, headers={"Authorization": f"Bearer {token}"}, timeout=90, **kw)
    assert resp.status_code < 400, (resp.status_code, resp.text)
    return resp.json()


def new_sandbox(api, settings=None):
    """A sandbox with 张三's domain. `settings` None: the fast path (pre_submit_checks false) —
    these tests are about the page after the submit; test_checklist_page and test_chat_journey
    walk the real stages (the server's default)."""
    settings = {"pre_submit_checks": False} if settings is None else settings
    sb = call("POST", f"{api}/sandboxes", CONTROL, json={"seed": 42, "preset": "eligible", "settings": settings})
    home = f"{api}/sandboxes/{sb['id']}"
    call(
        "POST",
        f"{home}/domains",
        sb["token"],
        json={"name": "zhangsan-blog.cn", "holder_name": "张三", "holder_certificate_number": ZHANG_SAN_ID},
    )
    return sb, home


def composer(pg):
    return pg.get_by_test_id("composer")


def accepts(pg):
    data = composer(pg).evaluate("n => ({...n.dataset})")
    return data.get("accepts", ""), data


def after_reply(pg, seq_before):
    """Wait until the page has the bot's answer to what was just sent."""
    pg.wait_for_function(
        """seq => { const d = document.querySelector('[data-testid=composer]').dataset;
                    return d.busy === 'false' && Number(d.lastSeq) > seq; }""",
        arg=seq_before,
    )


def last_seq(pg):
    return int(composer(pg).get_attribute("data-last-seq") or 0)


def transcript(pg):
    return pg.evaluate("""() => [...document.querySelectorAll('[data-testid=message]')].map(m =>
        `${m.dataset.seq} ${m.dataset.from} ${m.dataset.kind} ${m.dataset.code}: ${m.innerText.replace(/\\s+/g, ' ').slice(0, 160)}`)""")


def answer_choice(pg, choices=CHOICES):
    buttons = pg.locator("[data-testid=quick-reply]:not([disabled])")
    values = [b.get_attribute("data-value") for b in buttons.all()]
    wanted = next((v for v in choices if v in values), None)
    assert wanted, f"no quick reply to take among {values}:\n" + "\n".join(transcript(pg))
    seq = last_seq(pg)
    buttons.and_(pg.locator(f'[data-value="{wanted}"]')).first.click()
    after_reply(pg, seq)
    return wanted


def fill_form(pg, form_id):
    form = pg.locator("[data-testid=form][data-active=true]").last
    answers = {**ANSWERS, **BY_FORM.get(form_id, {})}
    for control in form.locator("[data-field]").all():
        name = control.get_attribute("data-field")
        tag = control.evaluate("n => n.tagName.toLowerCase()")
        kind = control.get_attribute("type")
        wanted = answers.get(name, answers.get(name.rsplit(".", 1)[-1]))
        if tag == "select":
            options = [o for o in control.locator("option").evaluate_all("os => os.map(o => o.value)") if o]
            if wanted in options:
                control.select_option(wanted)
            elif not control.input_value() and options:
                control.select_option(options[0])
        elif kind == "checkbox":
            continue  # bools stay as offered (a residence permit, a commercial site: no)
        elif not control.input_value() and wanted is not None:
            control.fill(str(wanted))
    seq = last_seq(pg)
    form.get_by_test_id("form-submit").click()
    after_reply(pg, seq)


def sms_code(home, token):
    for msg in reversed(call("GET", f"{home}/outbox", token, params={"channel": "sms"})):
        if msg.get("code") == "MIIT_SMS_CODE":
            return re.search(r"\d{6}", msg["text"]).group(0)
    raise AssertionError("no MIIT_SMS_CODE in the outbox")


def advance(home):
    return call("POST", f"{home}/clock/advance", CONTROL, json={"until_idle": True})


def save_phone(pg, *paths):
    box = pg.get_by_test_id("phone").bounding_box()
    clip = {"x": box["x"] - 14, "y": box["y"] - 14, "width": box["width"] + 28, "height": box["height"] + 28}
    for path in paths:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        pg.screenshot(path=str(path), clip=clip)


def open_page(pg, origin, sb):
    pg.goto(f"{origin}/miniprogram/?sandbox={sb['id']}&token={sb['token']}")
    pg.get_by_test_id("chat").wait_for()
    pg.wait_for_function("() => document.querySelector('[data-testid=composer]').dataset.busy === 'false'")


def walk(pg, home, sb, tmp_path, choices=CHOICES, until=None):
    """Answer what the page asks, the way a user would, until `until(pg, kind)` is true or a
    record number shows. Returns the steps seen ("choice:start", "form:entity", "none", …)."""
    seen = []
    for _ in range(40):
        kind, data = accepts(pg)
        if pg.get_by_test_id("record-number").count() or (until and until(pg, kind)):
            return seen
        seen.append(kind + (":" + (data.get("formId") or data.get("input") or "") if kind in ("form", "text") else ""))
        if kind == "choice":
            seen[-1] += ":" + answer_choice(pg, choices)
        elif kind == "form":
            fill_form(pg, data.get("formId"))
        elif kind == "text" and data.get("input") == "sms_code":
            assert pg.get_by_test_id("sms-prompt").is_visible()
            pg.screenshot(path=str(tmp_path / "sms-prompt.png"))
            seq = last_seq(pg)
            pg.get_by_test_id("sms-input").fill(sms_code(home, sb["token"]))
            pg.get_by_test_id("sms-submit").click()
            after_reply(pg, seq)
        elif kind == "none":
            pg.get_by_test_id("waiting").wait_for()
            advance(home)  # the provider, the hand-over, the bureau: at once
            pg.wait_for_function(  # the page polls messages?after=N and shows what happened
                "() => document.querySelector('[data-testid=composer]').dataset.accepts !== 'none'"
                " || document.querySelector('[data-testid=record-number]')",
                timeout=30_000,
            )
        else:
            raise AssertionError(f"the page waits for {kind!r} {data}:\n" + "\n".join(transcript(pg)))
    raise AssertionError(f"still going after {seen}:\n" + "\n".join(transcript(pg)))


def test_first_filing_from_the_page(stack, page, tmp_path):
    pg = page
    sb, home = new_sandbox(stack["api"])
    open_page(pg, stack["origin"], sb)
    seen = walk(pg, home, sb, tmp_path)

    # the conversation's way: start, 新增备案, 验证备案类型, the forms, submit, wait, the SMS code, wait
    assert seen[:3] == ["choice:start", "choice:new", "form:verify"], seen
    for step in ("form:entity", "form:website", "choice:submit", "text:sms_code"):
        assert step in seen, seen
    assert seen.count("none") >= 2, seen
    number = pg.get_by_test_id("record-number").last
    assert WEBSITE_NUMBER.fullmatch(number.inner_text().strip()), number.inner_text()
    card = pg.locator("[data-testid=status-card][data-state=approved]").last
    assert card.get_by_test_id("status-state").inner_text().startswith("已完成")
    assert card.get_by_test_id("wechat-status").inner_text().endswith("6")

    # the page shows what the API says
    apps = call("GET", f"{home}/applications", sb["token"])
    app = next(a for a in apps if a["state"] == "approved")
    assert number.inner_text().strip() in app["result"]["website_numbers"]
    assert pg.problems == []

    # the README's picture: the approved status card at the top of the screen
    card.evaluate("n => n.closest('[data-testid=message]').scrollIntoView({block: 'start'})")
    pg.evaluate("() => document.querySelector('[data-testid=chat]').scrollBy(0, -8)")
    pg.wait_for_timeout(400)
    save_phone(pg, tmp_path / "miniprogram.png", README_SHOT)


def test_rejection_shows_audit_data_then_resubmit(stack, page, tmp_path):
    """The domain's real-name check lapses after verification: the provider rejects it. The card
    shows audit_data; the domain is verified again, the user resubmits from the page; it goes through."""
    pg = page
    sb, home = new_sandbox(stack["api"])
    open_page(pg, stack["origin"], sb)
    walk(pg, home, sb, tmp_path, until=lambda pg, kind: pg.locator("[data-code=CONFIRM]").count() > 0)
    call("PATCH", f"{home}/domains/zhangsan-blog.cn", sb["token"], json={"real_name_status": "pending"})
    walk(
        pg,
        home,
        sb,
        tmp_path,
        until=lambda pg, kind: (
            kind == "choice" and pg.locator("[data-testid=status-card][data-state=provider_rejected]").count()
        ),
    )

    card = pg.locator("[data-testid=status-card][data-state=provider_rejected]").last
    assert card.get_by_test_id("status-state").inner_text() == "初审驳回"
    assert card.get_by_test_id("wechat-status").inner_text().endswith("3")
    audit = card.get_by_test_id("audit-data")
    assert "网站域名" in audit.inner_text()
    assert audit.locator('[data-field^="websites"]').count() >= 1
    pg.screenshot(path=str(tmp_path / "rejected.png"))

    call("PATCH", f"{home}/domains/zhangsan-blog.cn", sb["token"], json={"real_name_status": "verified"})
    seen = walk(pg, home, sb, tmp_path, choices=("resubmit",) + CHOICES)
    assert seen[0] == "choice:resubmit", seen
    assert WEBSITE_NUMBER.fullmatch(pg.get_by_test_id("record-number").last.inner_text().strip())
    assert pg.problems == []


def test_export_recording_downloads_the_session_as_a_scenario(stack, page, tmp_path):
    """The capsule menu's 导出录制: GET …/recording with the sandbox token, saved through a Blob
    as icpsim-<sandbox>-recording.yaml — the scenario the API exports, with the page's steps."""
    pg = page
    sb, home = new_sandbox(stack["api"])
    open_page(pg, stack["origin"], sb)
    seen = walk(
        pg, home, sb, tmp_path, until=lambda pg, kind: kind == "form" and accepts(pg)[1].get("formId") == "responsible"
    )
    assert seen == ["choice:start", "choice:new", "form:verify", "form:entity"], seen
    cid = pg.evaluate(f"() => localStorage.getItem('icpsim.miniprogram.conversation.{sb['id']}')")

    pg.get_by_test_id("menu-button").click()
    button = pg.get_by_test_id("actionsheet").get_by_test_id("export-recording")
    button.wait_for()
    assert button.inner_text().startswith("导出录制")
    save_phone(pg, tmp_path / "export-recording-menu.png")
    with pg.expect_download() as info:
        button.click()
    download = info.value
    assert download.suggested_filename == f"icpsim-{sb['id']}-recording.yaml"
    assert download.failure() is None
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    pg.get_by_test_id("toast").filter(has_text="录制已导出").wait_for()
    assert pg.get_by_test_id("actionsheet").is_hidden()

    text = saved.read_text(encoding="utf-8")
    assert re.search(r"^version: 1$", text, re.M), text[:400]
    scenario = yaml.safe_load(text)
    assert scenario["version"] == 1 and scenario["seed"] == 42
    assert scenario["world"]["preset"] == "eligible"
    steps = scenario["steps"]
    # the domain registered over the API, then the page's conversation, reply by reply
    assert any(st.get("call", {}).get("path") == "/domains" for st in steps), steps
    assert {"chat_start": {"locale": "zh-CN"}} in steps, steps
    chats = [st["chat"] for st in steps if "chat" in st]
    assert {c["conversation"] for c in chats} == {cid}, chats
    replies = [c["reply"] for c in chats]
    assert replies[:2] == [{"choice": "start"}, {"choice": "new"}], replies
    assert len(replies) == 4 and replies[2]["form"]["certificate_number"] == ZHANG_SAN_ID, replies
    assert replies[2]["form"]["domain"] == "zhangsan-blog.cn", replies  # the verification form
    assert all("client_message_id" not in r for r in replies)
    # the file is what the API serves (same session: the page only polled since)
    assert scenario == call("GET", f"{home}/recording", sb["token"], params={"format": "json"})
    assert pg.problems == []


def test_setup_screen_asks_for_the_sandbox_and_rejects_a_wrong_token(stack, page):
    pg = page
    sb, _ = new_sandbox(stack["api"])
    pg.goto(f"{stack['origin']}/miniprogram/")
    pg.evaluate("() => localStorage.clear()")
    pg.reload()
    assert pg.get_by_test_id("setup").is_visible()
    pg.get_by_test_id("setup-sandbox").fill(sb["id"])
    pg.get_by_test_id("setup-token").fill("not-the-token")
    pg.get_by_test_id("setup-start").click()
    pg.get_by_test_id("setup-error").filter(has_text="401").wait_for()

    pg.get_by_test_id("setup-token").fill(sb["token"])
    pg.get_by_test_id("setup-start").click()
    pg.get_by_test_id("chat").wait_for()
    first = pg.get_by_test_id("message").first
    first.wait_for()
    cid = pg.evaluate(f"() => localStorage.getItem('icpsim.miniprogram.conversation.{sb['id']}')")
    assert cid

    # a reload resumes the same conversation (id kept in localStorage)
    pg.reload()
    pg.get_by_test_id("message").first.wait_for()
    assert pg.evaluate(f"() => localStorage.getItem('icpsim.miniprogram.conversation.{sb['id']}')") == cid
    assert cid in pg.get_by_test_id("caption").inner_text()
    assert [p for p in pg.problems if "401" not in p] == []  # the wrong token's 401 is expected


def test_the_token_leaves_the_address_bar(stack, page):
    """`?token=` is read once, then dropped from the URL (history.replaceState): it stays out
    of the history, of bookmarks and of the access log on reload; the sandbox and the other
    parameters stay, and a reload still finds the token."""
    pg = page
    sb, _ = new_sandbox(stack["api"])
    pg.goto(f"{stack['origin']}/miniprogram/?sandbox={sb['id']}&token={sb['token']}&locale=zh-CN#top")
    pg.get_by_test_id("chat").wait_for()
    pg.get_by_test_id("message").first.wait_for()
    assert (
        pg.evaluate("() => location.pathname + location.search + location.hash")
        == f"/miniprogram/?sandbox={sb['id']}&locale=zh-CN#top"
    )
    assert sb["token"] not in pg.url
    cid = pg.evaluate(f"() => localStorage.getItem('icpsim.miniprogram.conversation.{sb['id']}')")

    requests_seen = []
    pg.on("request", lambda req: requests_seen.append(req.url))
    pg.reload()
    pg.get_by_test_id("message").first.wait_for()
    assert cid in pg.get_by_test_id("caption").inner_text()  # the same conversation, same token
    assert not [u for u in requests_seen if sb["token"] in u], requests_seen
    assert pg.problems == []


def test_the_website_form_asks_service_content_as_a_multi_select(stack, page, tmp_path):
    """网站服务内容 is a multi-select (process.md §2.3): the page shows a <select multiple>, sends the
    chosen codes as a list, and the recap names them all; 网站首页地址 is asked beside the domain."""
    pg = page
    sb, home = new_sandbox(stack["api"])
    open_page(pg, stack["origin"], sb)
    walk(pg, home, sb, tmp_path, until=lambda p, kind: kind == "form" and accepts(p)[1].get("formId") == "website")
    form = pg.locator("[data-testid=form][data-active=true]").last
    contents = form.locator("[data-field=service_content]")
    assert contents.evaluate("n => n.multiple") and contents.evaluate(
        "n => [...n.selectedOptions].map(o => o.value)"
    ) == ["blog"]
    contents.select_option(["blog", "other"])
    form.locator("[data-field=name]").fill("张三的个人博客")
    form.locator("[data-field=homepage_url]").fill("https://www.zhangsan-blog.cn/")
    form.scroll_into_view_if_needed()
    form.screenshot(path=str(tmp_path / "website-form.png"))
    (ROOT / "test-artifacts").mkdir(exist_ok=True)
    form.screenshot(path=str(ROOT / "test-artifacts" / "website-form-multi.png"))
    seq = last_seq(pg)
    form.get_by_test_id("form-submit").click()
    after_reply(pg, seq)
    [conv] = call("GET", f"{home}/conversations", sb["token"])
    texts = [m.get("text") or "" for m in call("GET", f"{home}/conversations/{conv['id']}", sb["token"])["transcript"]]
    assert any("网站服务内容 博客/个人空间、其他" in t for t in texts), texts[-3:]


def test_the_page_asks_the_certificate_address_investor_and_remarks_and_they_reach_the_record(stack, page, tmp_path):
    """证件住所, 投资人或主管单位 and 主体备注 on the entity form, 网站备注 on the website form
    (process.md §2.1, §2.3): typed on the page, filed, and kept on the record."""
    pg = page
    sb, home = new_sandbox(stack["api"])
    open_page(pg, stack["origin"], sb)
    walk(pg, home, sb, tmp_path, until=lambda p, kind: kind == "form" and accepts(p)[1].get("formId") == "entity")
    form = pg.locator("[data-testid=form][data-active=true]").last
    for name in ("certificate_address", "investor", "remark"):
        assert form.locator(f"[data-field={name}]").count() == 1, name
    form.locator("[data-field=certificate_address]").fill("广东省深圳市南山区科技园路 1 号")
    form.locator("[data-field=remark]").fill("已是最详细地址")
    form.scroll_into_view_if_needed()
    (ROOT / "test-artifacts").mkdir(exist_ok=True)
    form.screenshot(path=str(ROOT / "test-artifacts" / "entity-form-extras.png"))
    fill_form(pg, "entity")
    walk(pg, home, sb, tmp_path, until=lambda p, kind: kind == "form" and accepts(p)[1].get("formId") == "website")
    pg.locator("[data-testid=form][data-active=true]").last.locator("[data-field=remark]").fill("张三的个人技术博客")
    fill_form(pg, "website")
    walk(pg, home, sb, tmp_path)
    [entity] = call("GET", f"{home}/entities", sb["token"])
    assert entity["certificate_address"] == "广东省深圳市南山区科技园路 1 号" and entity["remark"] == "已是最详细地址"
    assert "investor" not in entity  # a person's investor is themselves: left empty on the page
    [site] = call("GET", f"{home}/websites", sb["token"])
    assert site["remark"] == "张三的个人技术博客"


def test_a_sandbox_reset_while_the_page_is_open_goes_on_with_a_new_conversation(stack, page):
    """The trainer resets a trainee's sandbox (same id and token, its conversations gone): the
    open page notices on its next poll and starts a new conversation, as a reload would, instead
    of leaving the trainee on the setup screen with CONVERSATION_NOT_FOUND."""
    pg = page
    sb, home = new_sandbox(stack["api"])
    open_page(pg, stack["origin"], sb)
    answer_choice(pg, ["start"])
    before = pg.get_by_test_id("caption").inner_text()
    call("POST", f"{home}/reset", CONTROL, json={})
    pg.locator("#toast", has_text="沙箱已重置").wait_for()
    assert pg.get_by_test_id("setup").is_hidden() and pg.get_by_test_id("chat").is_visible()
    pg.wait_for_function("() => document.querySelector('[data-testid=composer]').dataset.accepts === 'choice'")
    assert pg.locator("[data-testid=message][data-code=WELCOME]").count() == 1  # the new conversation only
    assert pg.get_by_test_id("caption").inner_text() == before  # C0001 again: the reset sandbox numbers anew
    answer_choice(pg, ["start"])  # and it answers
    assert [p for p in pg.problems if "404" not in p] == []
