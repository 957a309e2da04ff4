"""The face-check task's life (process.md §4.2, W4/W5; audit #21): 0 未开始 once the notice is out,
1 等待中 while the owner records, a resend within 24 h keeps the task, after it starts a new one."""

import pytest

from api.flows import advance, assert_error, new_sandbox, ok, outbox
from api.test_materials_and_face_check import draft


@pytest.fixture
def strict(control, tmp_path, monkeypatch):
    monkeypatch.setenv("ICPSIM_UPLOADS_DIR", str(tmp_path / "uploads"))
    return new_sandbox(control, settings={"pre_submit_checks": True})


def test_not_started_then_waiting_then_the_result(strict):
    app = draft(strict)
    [task] = ok(strict.post(f"~/applications/{app['id']}/face-checks"), 201)
    assert (task["status"], task["status_zh"]) == (0, "未开始")
    assert ok(strict.get(f"~/face-checks/{task['id']}"))["status"] == 0
    began = ok(strict.post(f"~/face-checks/{task['id']}/begin"))
    assert (began["status"], began["status_zh"], began["is_finish"]) == (1, "等待中", False)
    assert ok(strict.get(f"~/applications/{app['id']}/face-checks"))[0]["status"] == 1
    failed = ok(strict.post(f"~/face-checks/{task['id']}/result", json={"passed": False, "reason": "background"}))
    assert failed["status"] == 2 and not failed["is_finish"]
    assert ok(strict.post(f"~/face-checks/{task['id']}/begin"))["status"] == 1  # a retry within the notice
    done = ok(strict.post(f"~/face-checks/{task['id']}/result", json={"passed": True}))
    assert done["status"] == 3 and done["is_finish"]
    assert_error(strict.post(f"~/face-checks/{task['id']}/begin"), 409, "FACE_CHECK_FINISHED")
    assert_error(strict.post("~/face-checks/A0001:99/begin"), 404, "FACE_CHECK_NOT_FOUND")


def test_a_resend_within_24h_keeps_the_task_after_it_starts_a_new_one(strict):
    app = draft(strict)
    [task] = ok(strict.post(f"~/applications/{app['id']}/face-checks"), 201)
    advance(strict, duration="12h")
    same = ok(strict.post(f"~/face-checks/{task['id']}/resend"))
    assert same["id"] == task["id"] and same["notice_expires_at"] > task["notice_expires_at"]
    advance(strict, duration="25h")
    assert_error(strict.post(f"~/face-checks/{task['id']}/begin"), 409, "FACE_CHECK_NOTICE_EXPIRED")
    fresh = ok(strict.post(f"~/face-checks/{task['id']}/resend"))
    assert fresh["id"] != task["id"] and fresh["status"] == 0 and fresh["notice_valid"]
    assert fresh["person"] == task["person"] and fresh["link"].endswith(f"task={fresh['id']}")
    old = ok(strict.get(f"~/face-checks/{task['id']}"))
    assert old["is_finish"] and old["status"] == 2 and old["reason"] == "notice_expired"
    assert old["replaced_by"] == fresh["id"]
    assert_error(strict.post(f"~/face-checks/{task['id']}/resend"), 409, "FACE_CHECK_FINISHED")
    notices = [m for m in outbox(strict) if m["code"] == "FACE_CHECK_NOTICE"]
    assert len(notices) == 3 and fresh["id"] in notices[-1]["text"]
    # the new task is the owner's: it passes and the order no longer waits for a face check
    ok(strict.post(f"~/face-checks/{fresh['id']}/result", json={"passed": True}))
    missing = ok(strict.get(f"~/applications/{app['id']}/requirements"))["missing"]
    assert not [row for row in missing if row["stage"] == "face_check"]
    assert [t["id"] for t in ok(strict.get(f"~/applications/{app['id']}/face-checks"))] == [task["id"], fresh["id"]]
