"""The conversation's checklist (issue #12) on the mini-program page, in headless Chromium against
gunicorn + rq: in a sandbox that enforces the stages before submission, the page's submit leads to
the checklist; its replies open the upload page, the missing fields are a form, the face check's
answer links the face page; after the uploads (the page's REST endpoint) "check again" submits.
Screenshot: test-artifacts/chat-checklist.png."""

import io
import re

import pytest
import requests
from browser.test_miniprogram_page import (  # noqa: F401
    CONTROL,
    MISSING,
    after_reply,
    browser,
    call,
    last_seq,
    open_page,
    page,
    stack,
    transcript,
    walk,
)
from support.images import png
from support.people import ZHANG_SAN_ID
from support.procs import ROOT

pytestmark = pytest.mark.skipif(MISSING is not None, reason=str(MISSING))
FIELDS = {
    "certificate_address": "广东省深圳市南山区科技园路 1 号",
    "emergency_phone": "13900001111",
    "id_valid_from": "2020-01-01",
    "id_valid_until": "长期",
    "province_code": "440000",
    "city_code": "440300",
    "district_code": "440305",
    "street": "科技园路 1 号",
    "languages": "1",
    "investor": "深圳市示例科技有限公司",
}


def choose(pg, value):
    seq = last_seq(pg)
    pg.locator(f'[data-testid=quick-reply][data-value="{value}"]').last.click()
    after_reply(pg, seq)


def clear_checklist(pg, home, sb, app_id, upload_popup=False):
    """What the checklist asks, done the way a user does it: the missing fields in the chat's
    form, the agreement, each responsible mobile's code (the simulated phone's banner shows the
    SMS), the face check passed on the simulated phone, the materials uploaded (the page's REST
    endpoint), then "check again" — which submits."""
    choose(pg, "fields")
    form = pg.locator("[data-testid=form][data-active=true]").last
    for control in form.locator("[data-field]").all():
        control.fill(FIELDS[control.get_attribute("data-field")])
    seq = last_seq(pg)
    form.get_by_test_id("form-submit").click()
    after_reply(pg, seq)
    after = pg.locator("[data-code=CHECKLIST]").last.inner_text()
    assert "应急联系电话" not in after and "人脸核验" in after, "\n".join(transcript(pg))

    # the agreement, then each owner's mobile: 获取验证码, the phone's banner shows the SMS, type it
    choose(pg, "agree")
    checklist = pg.locator("[data-code=CHECKLIST]").last
    mobiles = [b.get_attribute("data-value") for b in checklist.get_by_test_id("quick-reply").all()]
    for value in [v for v in mobiles if v and v.startswith("otp:")]:
        choose(pg, value)
        banner = pg.locator("#sms-banner")
        banner.wait_for(state="visible")
        code = re.findall(r"验证码为 (\d{6})", banner.inner_text())[-1]
        seq = last_seq(pg)
        pg.get_by_test_id("text-input").fill(code)
        pg.get_by_test_id("text-send").click()
        after_reply(pg, seq)
    after = pg.locator("[data-code=CHECKLIST]").last.inner_text()
    assert "验证码验证" not in after and "信息收集及使用说明" not in after, "\n".join(transcript(pg))

    choose(pg, "face")
    face_link = pg.locator("[data-code=FACE_CHECK_SENT]").last.get_by_test_id("action-link").get_attribute("href")
    task = face_link.split("task=", 1)[1]
    call("POST", f"{home}/face-checks/{task}/result", sb["token"], json={"passed": True})
    choose(pg, "refresh")
    if upload_popup:
        with pg.context.expect_page() as popup:  # an upload reply opens the upload page beside the chat
            choose(pg, "upload:commitment_letter")
        assert "/miniprogram/prepare.html" in popup.value.url
        popup.value.close()
    for slot in ("entity_owner_id_front", "entity_owner_id_back", "commitment_letter"):
        resp = requests.post(
            f"{home}/applications/{app_id}/materials/{slot}",
            timeout=90,
            headers={"Authorization": f"Bearer {sb['token']}"},
            files={"file": ("x.png", io.BytesIO(png()), "image/png")},
        )
        assert resp.status_code == 201, resp.text
    choose(pg, "refresh")


def checklist_app(pg, sb):
    """The order the checklist is about (its upload page's link names it)."""
    link = pg.locator("[data-code=CHECKLIST]").last.get_by_test_id("action-link").get_attribute("href")
    assert link.startswith(f"/miniprogram/prepare.html?sandbox={sb['id']}&app=A"), link
    return link.rsplit("=", 1)[1]


def test_the_checklist_on_the_page_leads_to_a_submit(stack, page, tmp_path):  # noqa: F811
    """A sandbox created with no settings: the real stages are the default."""
    pg = page
    sb = call("POST", f"{stack['api']}/sandboxes", CONTROL, json={"seed": 42, "preset": "eligible"})
    home = f"{stack['api']}/sandboxes/{sb['id']}"
    call(
        "POST",
        f"{home}/domains",
        sb["token"],
        json={"name": "zhangsan-blog.cn", "holder_name": "张三", "holder_certificate_number": ZHANG_SAN_ID},
    )
    open_page(pg, stack["origin"], sb)
    walk(pg, home, sb, tmp_path, until=lambda p, kind: p.locator("[data-code=CHECKLIST]").count() > 0)
    app_id = checklist_app(pg, sb)
    checklist = pg.locator("[data-code=CHECKLIST]").last
    values = [b.get_attribute("data-value") for b in checklist.get_by_test_id("quick-reply").all()]
    # 视频核身 → 上传材料 (process.md §4.1): the upload replies come once the face check passed
    assert "face" in values and "fields" in values and not any(v.startswith("upload:") for v in values), values
    SHOTS = ROOT / "test-artifacts"
    SHOTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(SHOTS / "chat-checklist.png"), full_page=True)

    clear_checklist(pg, home, sb, app_id, upload_popup=True)
    pg.get_by_test_id("waiting").wait_for()
    assert call("GET", f"{home}/applications/{app_id}", sb["token"])["state"] == "provider_review"
