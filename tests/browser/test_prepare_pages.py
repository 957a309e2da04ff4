"""The pages of the stages before submission in real headless Chromium against gunicorn + rq:
验证备案类型 (prepare.html), an upload through the page's file input, and the website owner's
face check (face.html). Screenshots land in test-artifacts/ (and the README's docs/ pictures)."""

import pytest
import requests
from browser.test_miniprogram_page import CONTROL, MISSING, browser, page, stack  # noqa: F401  (fixtures)
from support.images import png
from support.people import ZHANG_SAN_ID, personal_payload
from support.procs import ROOT

pytestmark = pytest.mark.skipif(MISSING is not None, reason=str(MISSING))
SHOTS = ROOT / "test-artifacts"


def call(method, url, token, **kw):
    resp = requests.request(method, url, headers={"Authorization": f"Bearer {token}"}, timeout=90, **kw)
    assert resp.status_code < 400, (resp.status_code, resp.text)
    return resp.json()


def sandbox(stack, settings=None):  # noqa: F811 — `stack` is the imported fixture's value
    sb = call(
        "POST",
        f"{stack['api']}/sandboxes",
        CONTROL,
        json={"seed": 42, "preset": "eligible", "settings": settings or {}},
    )
    home = f"{stack['api']}/sandboxes/{sb['id']}"
    call(
        "POST",
        f"{home}/domains",
        sb["token"],
        json={"name": "zhangsan-blog.cn", "holder_name": "张三", "holder_certificate_number": ZHANG_SAN_ID},
    )
    return sb, home


def real_problems(pg):
    """Console errors but Chromium's note on the 4xx answers the tests provoke on purpose."""
    return [p for p in pg.problems if "Failed to load resource" not in p]


def shot(pg, name):
    SHOTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(SHOTS / name), full_page=True)


def open_page(pg, stack, sb, name, query=""):  # noqa: F811 — the fixture's value, passed on
    pg.goto(f"{stack['origin']}/miniprogram/{name}?sandbox={sb['id']}{query}#token={sb['token']}")


def test_verification_step_routes_and_blocks(stack, page):  # noqa: F811
    sb, home = sandbox(stack)
    open_page(page, stack, sb, "prepare.html")
    page.get_by_test_id("certificate-number").fill(ZHANG_SAN_ID)
    page.get_by_test_id("domain").fill("zhangsan-blog.cn")
    page.get_by_test_id("verify").click()
    result = page.get_by_test_id("verify-result")
    result.wait_for(state="visible")
    assert "首次备案" in result.inner_text()
    shot(page, "verify-first-filing.png")
    page.get_by_test_id("domain").fill("zhangsan.io")
    page.get_by_test_id("verify").click()
    page.wait_for_function(
        "document.querySelector('[data-testid=verify-result]').textContent.includes('TLD_NOT_FILEABLE')"
    )
    assert "该域名后缀不支持备案" in result.inner_text()
    shot(page, "verify-blocked.png")
    assert not real_problems(page), page.problems


def test_upload_through_the_page_and_the_face_check_on_the_phone(stack, page, tmp_path):  # noqa: F811
    sb, home = sandbox(stack)  # the server's default: the real stages
    ip = call("GET", f"{home}/eligibility", sb["token"])["usable_ips"][0]["ip"]
    app = call(
        "POST", f"{home}/applications", sb["token"], json={"kind": "first_filing", "payload": personal_payload(ip)}
    )
    # 视频核身 → 上传材料 (process.md §4.1): an upload before the face check is refused, and says why
    open_page(page, stack, sb, "prepare.html", f"&app={app['id']}")
    page.locator("[data-slot=commitment_letter]").wait_for()
    early = tmp_path / "early.png"
    early.write_bytes(png(900, 1200))
    page.get_by_test_id("file-commitment_letter").set_input_files(str(early))
    page.wait_for_function("document.querySelector('[data-testid=upload-result]').classList.contains('err')")
    assert "真实性核验" in page.get_by_test_id("upload-result").inner_text()
    page.get_by_test_id("materials").scroll_into_view_if_needed()
    SHOTS.mkdir(exist_ok=True)
    page.get_by_test_id("materials").screenshot(path=str(SHOTS / "upload-before-face-check.png"))

    [task] = call("POST", f"{home}/applications/{app['id']}/face-checks", sb["token"])
    open_page(page, stack, sb, "face.html", f"&task={task['id']}")
    status = page.get_by_test_id("face-status")
    page.wait_for_function("document.querySelector('[data-testid=face-status]').dataset.status === '0'")
    page.get_by_test_id("face-reason").select_option("occlusion")
    page.get_by_test_id("face-fail").click()
    page.wait_for_function("document.querySelector('[data-testid=face-status]').dataset.status === '2'")
    assert "遮挡" in page.get_by_test_id("face-result").inner_text()
    shot(page, "face-check-failed.png")
    page.get_by_test_id("face-pass").click()
    page.wait_for_function("document.querySelector('[data-testid=face-status]').dataset.status === '3'")
    assert "核验成功" in status.inner_text()
    shot(page, "face-check-passed.png")

    # the face check passed: the page takes uploads, Pillow judges them
    open_page(page, stack, sb, "prepare.html", f"&app={app['id']}")
    slot = page.locator("[data-slot=commitment_letter]")
    slot.wait_for()
    good = tmp_path / "letter.png"
    good.write_bytes(png(900, 1200))
    page.get_by_test_id("file-commitment_letter").set_input_files(str(good))
    page.wait_for_function("document.querySelector('[data-slot=commitment_letter] .state').textContent === '已上传'")
    assert "900×1200 PNG · 清晰度 255/255" in page.get_by_test_id("upload-result").inner_text()
    bad = tmp_path / "scan.png"
    bad.write_bytes(b"%PDF-1.4 not an image")
    page.get_by_test_id("file-entity_owner_id_front").set_input_files(str(bad))
    page.wait_for_function("document.querySelector('[data-testid=upload-result]').classList.contains('err')")
    assert "不是可识别的图片" in page.get_by_test_id("upload-result").inner_text()
    page.get_by_test_id("materials").scroll_into_view_if_needed()
    SHOTS.mkdir(exist_ok=True)
    page.get_by_test_id("materials").screenshot(path=str(SHOTS / "materials-upload.png"))
    uploaded = call("GET", f"{home}/applications/{app['id']}/materials", sb["token"])
    assert [r["slot"] for r in uploaded["slots"] if r["upload"]] == ["commitment_letter"]

    missing = call("GET", f"{home}/applications/{app['id']}/requirements", sb["token"])["missing"]
    assert not any(m["stage"] == "face_check" for m in missing)
    assert not real_problems(page), page.problems


def test_a_face_fail_rule_fails_the_phone_s_passing_attempt(stack, page):  # noqa: F811
    """A trainer's face_fail rule (POST …/faults): the owner taps 通过 on the phone page and is told
    another person was in the picture; the retry passes."""
    sb, home = sandbox(stack)
    call("POST", f"{home}/faults", CONTROL, json={"effect": "face_fail", "reason": "another_person"})
    ip = call("GET", f"{home}/eligibility", sb["token"])["usable_ips"][0]["ip"]
    app = call(
        "POST", f"{home}/applications", sb["token"], json={"kind": "first_filing", "payload": personal_payload(ip)}
    )
    [task] = call("POST", f"{home}/applications/{app['id']}/face-checks", sb["token"])
    open_page(page, stack, sb, "face.html", f"&task={task['id']}")
    page.wait_for_function("document.querySelector('[data-testid=face-status]').dataset.status === '0'")
    page.get_by_test_id("face-pass").click()
    page.wait_for_function("document.querySelector('[data-testid=face-status]').dataset.status === '2'")
    assert "其他人" in page.get_by_test_id("face-result").inner_text()
    shot(page, "face-check-fault-rule.png")
    page.get_by_test_id("face-pass").click()
    page.wait_for_function("document.querySelector('[data-testid=face-status]').dataset.status === '3'")
    assert call("GET", f"{home}/faults", CONTROL)[0]["used"] == 1
    assert not real_problems(page), page.problems


def test_the_agreement_and_the_owner_s_phone_code_on_the_page(stack, page):  # noqa: F811
    """协议与负责人手机验证 (process.md §1.1, §2.1): tick the agreement, get a code, read it on the
    simulated phone (the page shows the outbox SMS), type it back; the order's readiness no longer
    lists the agreement or the phone."""
    import re

    sb, home = sandbox(stack, {"pre_submit_checks": True})
    ip = call("GET", f"{home}/eligibility", sb["token"])["usable_ips"][0]["ip"]
    app = call(
        "POST", f"{home}/applications", sb["token"], json={"kind": "first_filing", "payload": personal_payload(ip)}
    )
    open_page(page, stack, sb, "prepare.html", f"&app={app['id']}")
    page.locator("[data-mobile='13800138000']").wait_for()
    page.get_by_test_id("agree").check()
    page.wait_for_function("document.querySelector('[data-testid=agree]').disabled")
    page.get_by_test_id("otp-send-13800138000").click()
    inbox = page.get_by_test_id("phone-inbox")
    inbox.wait_for(state="visible")
    code = re.search(r"验证码为 (\d{6})", inbox.inner_text()).group(1)
    page.get_by_test_id("otp-code-13800138000").fill(code)
    page.get_by_test_id("otp-check-13800138000").click()
    page.wait_for_function("document.querySelector('[data-mobile=\"13800138000\"] .state').textContent === '已验证'")
    page.get_by_test_id("contacts").screenshot(path=str(SHOTS / "phone-otp.png"))
    missing = call("GET", f"{home}/applications/{app['id']}/requirements", sb["token"])["missing"]
    assert not any(m["stage"] in ("agreement", "phone") for m in missing)
    assert not real_problems(page), page.problems
