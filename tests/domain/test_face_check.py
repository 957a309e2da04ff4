"""The face-check task through every status and its expiry, in virtual time."""

import pytest

from backend.domain import face_check as fc, readiness

T0 = 1_780_000_000.0
OWNER = {"name": "张三", "certificate_number": "440305199001010018", "mobile": "13800138000"}


def test_statuses_and_is_finish():
    task = fc.new_task("A0001:1", "A0001", 0, OWNER, T0)
    assert task["status"] == fc.NOT_STARTED and not task["is_finish"]
    assert fc.begin(task, T0 + 30)["status"] == fc.WAITING
    failed = fc.complete(task, False, "background", T0 + 60)
    assert failed["status"] == fc.FAILED and not failed["is_finish"] and failed["attempts"] == 1
    done = fc.complete(fc.stored(failed), True, None, T0 + 120)
    assert done["status"] == fc.SUCCESS and done["is_finish"]
    with pytest.raises(fc.TaskError) as e:
        fc.complete(fc.stored(done), True, None, T0 + 180)
    assert e.value.code == "FACE_CHECK_FINISHED"
    assert fc.STATUS_ZH[fc.NOT_STARTED] == "未开始"


def test_notice_24h_then_resend_then_task_3_days():
    task = fc.new_task("A0001:1", "A0001", 0, OWNER, T0)
    with pytest.raises(fc.TaskError) as e:
        fc.complete(task, True, None, T0 + fc.NOTICE_SECONDS + 1)
    assert e.value.code == "FACE_CHECK_NOTICE_EXPIRED"
    assert fc.needs_new_task(task, T0 + fc.NOTICE_SECONDS + 1)  # W5: afterwards a new task
    again = fc.resend(task, T0 + fc.NOTICE_SECONDS - 1)  # within the 24 h: the same task
    assert fc.at(again, T0 + fc.NOTICE_SECONDS + 2)["notice_valid"]
    expired = fc.at(again, T0 + fc.TASK_SECONDS)
    assert expired["status"] == fc.FAILED and expired["is_finish"] and expired["reason"] == "expired"
    with pytest.raises(fc.TaskError):
        fc.resend(again, T0 + fc.TASK_SECONDS)


def test_unknown_reason_is_refused():
    with pytest.raises(fc.TaskError):
        fc.complete(fc.new_task("t", "a", 0, OWNER, T0), False, "bad-hair-day", T0)


def test_readiness_lists_the_owner_until_passed():
    order = {
        "kind": "first_filing",
        "province": "44",
        "payload": {
            "entity": {
                "type": "personal",
                "province": "44",
                "responsible": OWNER,
                "certificate_type": "resident_id",
                "certificate_number": OWNER["certificate_number"],
            },
            "websites": [{"name": "x"}],
        },
    }
    before = [m.code for m in readiness.missing(order, now=T0)]
    assert "FACE_CHECK_PENDING" in before
    done = fc.stored(fc.complete(fc.new_task("t", "a", 0, OWNER, T0), True, None, T0))
    after = [m.code for m in readiness.missing(order, face_tasks=[done], now=T0)]
    assert "FACE_CHECK_PENDING" not in after and "MATERIAL_MISSING" in after
    assert readiness.missing({"kind": "cancel_entity", "payload": {}}, now=T0) == []


def test_a_resend_after_the_notice_replaces_the_task():
    task = fc.new_task("A0001:1", "A0001", 0, OWNER, T0)
    late = T0 + fc.NOTICE_SECONDS + 1
    assert not fc.needs_new_task(task, T0 + 60) and fc.needs_new_task(task, late)
    old = fc.replaced(task, "A0001:2", late)
    assert (old["status"], old["is_finish"], old["reason"], old["replaced_by"]) == (
        fc.FAILED,
        True,
        "notice_expired",
        "A0001:2",
    )
    assert not fc.needs_new_task(fc.stored(old), late)
    with pytest.raises(fc.TaskError) as e:
        fc.begin(task, late)
    assert e.value.code == "FACE_CHECK_NOTICE_EXPIRED"
    assert fc.at(task, T0 + fc.TASK_SECONDS)["reason"] == "expired"  # a task never begun expires too
