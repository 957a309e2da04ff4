"""The mini-program page after submission when the sandbox follows process.md's timeline
(`tencent_sync_hours`): MIIT's result shows on the order's card before Tencent's status syncs,
in real headless Chromium against gunicorn and a real `rq worker`. The screenshot
(test-artifacts/miit-first.png) is the card with MIIT's verdict, the numbers and the sync time.
"""

from datetime import datetime

import pytest
import test_miniprogram_page as mp
from support.people import ZHANG_SAN_ID
from support.procs import ROOT
from test_miniprogram_page import browser, page, stack  # noqa: F401 — the module's fixtures

pytestmark = pytest.mark.skipif(mp.MISSING is not None, reason=str(mp.MISSING))
SHOT = ROOT / "test-artifacts" / "miit-first.png"


def sandbox(api, **settings):
    sb = mp.call(
        "POST",
        f"{api}/sandboxes",
        mp.CONTROL,
        json={"seed": 42, "preset": "eligible", "settings": {"pre_submit_checks": False, **settings}},
    )
    home = f"{api}/sandboxes/{sb['id']}"
    domain = {"name": "zhangsan-blog.cn", "holder_name": "张三", "holder_certificate_number": ZHANG_SAN_ID}
    mp.call("POST", f"{home}/domains", sb["token"], json=domain)
    return sb, home


def to_bureau_decision(home):
    """Advance the clock to the bureau timer's due time: MIIT decides, Tencent has not synced."""
    clock = mp.call("GET", f"{home}/clock", mp.CONTROL)
    due = datetime.fromisoformat(clock["pending_timers"][0]["due_at"]).timestamp()
    mp.call("POST", f"{home}/clock/advance", mp.CONTROL, json={"duration": f"{round(due - clock['epoch'])}s"})


def test_the_card_shows_miit_s_result_before_tencent_syncs(stack, page, tmp_path):  # noqa: F811
    pg = page
    sb, home = sandbox(stack["api"], tencent_sync_hours=6)
    mp.open_page(pg, stack["origin"], sb)
    at_bureau = "[data-testid=status-card][data-state=bureau_review]"
    mp.walk(pg, home, sb, tmp_path, until=lambda pg, kind: kind == "none" and pg.locator(at_bureau).count() > 0)

    to_bureau_decision(home)
    miit = pg.locator("[data-testid=miit-result]").last
    miit.wait_for(timeout=30_000)  # the page's poll brings the new card
    app = next(a for a in mp.call("GET", f"{home}/applications", sb["token"]) if a["state"] == "bureau_review")
    assert app["miit_result"]["verdict"] == "approve"
    card = pg.locator(at_bureau).last
    assert card.get_by_test_id("status-state").inner_text() == "管局审核中"  # Tencent's status, not synced
    assert miit.get_attribute("data-verdict") == "approve"
    assert "工信部通知：管局审核通过" in miit.inner_text()
    shown = [n.inner_text().strip() for n in miit.get_by_test_id("miit-number").all()]
    assert shown == [app["result"]["entity_number"], *app["result"]["website_numbers"]]
    sync_at = app["miit_result"]["tencent_sync_at"]  # 2026-06-10T15:00:00+08:00 -> 06-10 15:00
    assert f"{sync_at[5:10]} {sync_at[11:16]}" in miit.get_by_test_id("miit-sync").inner_text()
    assert card.get_by_test_id("record-number").count() == 0  # no 备案成功 block before the sync
    assert card.get_by_test_id("next-step").count() == 0
    assert pg.locator("[data-testid=timeline] li[data-action=miit_decided]").last.inner_text().find("工信部") >= 0

    card.evaluate("n => n.closest('[data-testid=message]').scrollIntoView({block: 'start'})")
    pg.wait_for_timeout(300)
    mp.save_phone(pg, tmp_path / "miit-first.png", SHOT)

    mp.advance(home)  # Tencent syncs 6 h later: the order is approved, the numbers the same
    pg.locator("[data-testid=status-card][data-state=approved]").last.wait_for(timeout=30_000)
    number = pg.get_by_test_id("record-number").last.inner_text().strip()
    assert number in app["result"]["website_numbers"]
    assert pg.problems == []


def test_the_card_shows_a_pending_resubmission_after_an_sms_timeout(stack, page, tmp_path):  # noqa: F811
    """`sms_timeout_resubmit_hours`: MIIT's code is never typed; 24 h later the order is 初审驳回
    and the card says when Tencent resubmits it, and that an edit cancels that."""
    pg = page
    sb, home = sandbox(stack["api"], sms_timeout_resubmit_hours=24)
    mp.open_page(pg, stack["origin"], sb)
    mp.walk(pg, home, sb, tmp_path, until=lambda pg, kind: kind == "text")  # MIIT's SMS prompt
    mp.call("POST", f"{home}/clock/advance", mp.CONTROL, json={"duration": "25h"})
    note = pg.locator("[data-testid=status-card][data-state=provider_rejected] [data-testid=sms-resubmit]").last
    note.wait_for(timeout=30_000)
    app = mp.call("GET", f"{home}/applications", sb["token"])[0]
    assert app["state"] == "provider_rejected" and app["sms_resubmit"]
    due = note.get_attribute("data-due")
    assert f"{due[5:10]} {due[11:16]}" in note.inner_text() and "不再自动重新提交" in note.inner_text()
    rejected = pg.locator("[data-testid=message][data-code=REJECTED]").last
    assert "腾讯云将于" in rejected.inner_text()
    note.evaluate("n => n.closest('[data-testid=message]').scrollIntoView({block: 'start'})")
    pg.wait_for_timeout(300)
    mp.save_phone(pg, tmp_path / "sms-resubmit.png", ROOT / "test-artifacts" / "sms-resubmit.png")
    assert pg.problems == []
