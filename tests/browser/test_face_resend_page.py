"""The owner's phone after the 24 h notice (W5; audit #21), in real headless Chromium against
gunicorn + rq: the page offers 重新发送, which starts a new task, and the page moves to it."""

import pytest
from browser.test_miniprogram_page import CONTROL, MISSING, browser, page, stack  # noqa: F401  (fixtures)
from browser.test_prepare_pages import call, open_page, real_problems, sandbox, shot
from support.people import personal_payload

pytestmark = pytest.mark.skipif(MISSING is not None, reason=str(MISSING))


def test_a_resend_after_the_notice_moves_the_phone_to_a_new_task(stack, page):  # noqa: F811
    sb, home = sandbox(stack)  # the server's default: the real stages
    ip = call("GET", f"{home}/eligibility", sb["token"])["usable_ips"][0]["ip"]
    app = call(
        "POST", f"{home}/applications", sb["token"], json={"kind": "first_filing", "payload": personal_payload(ip)}
    )
    [task] = call("POST", f"{home}/applications/{app['id']}/face-checks", sb["token"])
    call("POST", f"{home}/clock/advance", CONTROL, json={"duration": "25h"})
    open_page(page, stack, sb, "face.html", f"&task={task['id']}")
    page.wait_for_function("document.querySelector('[data-testid=face-status]').dataset.status === '0'")
    assert page.get_by_test_id("face-pass").is_disabled()
    page.get_by_test_id("face-resend").click()
    page.wait_for_url(f"**task={app['id']}:2**")
    page.wait_for_function("document.querySelector('[data-testid=face-status]').dataset.status === '0'")
    assert "已过期" not in page.locator("#expiry").inner_text()
    page.get_by_test_id("face-pass").click()
    page.wait_for_function("document.querySelector('[data-testid=face-status]').dataset.status === '3'")
    shot(page, "face-check-new-task.png")
    tasks = call("GET", f"{home}/applications/{app['id']}/face-checks", sb["token"])
    assert [(t["status"], t["reason"]) for t in tasks] == [(2, "notice_expired"), (3, None)]
    assert not real_problems(page), page.problems
