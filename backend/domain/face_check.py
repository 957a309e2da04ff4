"""真实性核验 (face / video check, process.md §4): the website owner's check as an asynchronous task.

Statuses as WeChat's `face_status` (W4, W12): 0 not started (the notice is out, the owner has not
begun) · 1 waiting (the owner began recording; the result is awaited) · 2 failed · 3 success;
final only with `is_finish`. The notice the owner taps is valid 24 h; re-sent within it, it is
the same task; after it, a resend starts a new task and closes the old one (W5: "afterwards start
a new task"). A task lives 3 days (W5). Times are virtual (the sandbox clock), and expiry is
computed when the task is read, so a paused clock never expires anything.
"""

from backend.domain.clock import iso, parse_instant

NOT_STARTED, WAITING, FAILED, SUCCESS = 0, 1, 2, 3
STATUS_ZH = {NOT_STARTED: "未开始", WAITING: "等待中", FAILED: "失败", SUCCESS: "成功"}
NOTICE_SECONDS = 24 * 3600
TASK_SECONDS = 3 * 86400
FAILURE_REASONS = {
    "background": "背景不符合要求：请在纯白色背景前核验",
    "occlusion": "面部有遮挡：请勿佩戴帽子、口罩、眼镜，头发不要遮挡面部",
    "another_person": "画面中出现其他人：请确保只有本人在画面中",
    "orientation": "人脸朝向不正确：请正对镜头",
    "permission_denied": "无法访问摄像头或麦克风（黑屏）：请授权后删除并重新打开小程序",
    "face_mismatch": "人脸与证件照片不一致",
    "expired": "核验任务已过期（3 天），请重新发起核验",
}
# the reasons a check's result (or a forced failure) may give: "expired" is the clock's alone
REPORTABLE_REASONS = tuple(sorted(r for r in FAILURE_REASONS if r != "expired"))


def new_task(task_id: str, app_id: str, site_index: int, person: dict, now: float) -> dict:
    return {
        "id": task_id,
        "app_id": app_id,
        "site_index": site_index,
        "person": {k: person.get(k) for k in ("name", "certificate_number", "mobile")},
        "status": NOT_STARTED,
        "is_finish": False,
        "reason": None,
        "reason_zh": None,
        "attempts": 0,
        "created_at": iso(now),
        "notice_sent_at": iso(now),
        "notice_expires_at": iso(now + NOTICE_SECONDS),
        "expires_at": iso(now + TASK_SECONDS),
    }


def at(task: dict, now: float) -> dict:
    """The task as of `now`: a waiting task past its 3 days has failed (expired), for good."""
    if not task["is_finish"] and now >= parse_instant(task["expires_at"]):
        return dict(
            task,
            status=FAILED,
            is_finish=True,
            reason="expired",
            reason_zh=FAILURE_REASONS["expired"],
            notice_valid=False,
            status_zh=STATUS_ZH[FAILED],
        )
    live = not task["is_finish"] and now < parse_instant(task["notice_expires_at"])
    return dict(task, notice_valid=live, status_zh=STATUS_ZH[task["status"]])


class TaskError(ValueError):
    def __init__(self, code, message):
        super().__init__(message)
        self.code, self.message = code, message


def complete(task: dict, passed: bool, reason: str | None, now: float) -> dict:
    """The owner's phone reports a result. A failure may be retried while the notice and task live."""
    task = at(task, now)
    if task["is_finish"]:
        raise TaskError("FACE_CHECK_FINISHED", "核验任务已结束：" + (task.get("reason_zh") or "已核验成功"))
    if not task["notice_valid"]:
        raise TaskError("FACE_CHECK_NOTICE_EXPIRED", "核验通知已超过 24 小时，请重新发送核验通知")
    attempts = task["attempts"] + 1
    if passed:
        return dict(
            task, status=SUCCESS, is_finish=True, reason=None, reason_zh=None, attempts=attempts, finished_at=iso(now)
        )
    if reason not in REPORTABLE_REASONS:
        raise TaskError("FACE_CHECK_REASON_UNKNOWN", "未知的失败原因")
    # a failed attempt leaves the task open: the owner may try again within the notice's 24 h
    return dict(
        task, status=FAILED, is_finish=False, reason=reason, reason_zh=FAILURE_REASONS[reason], attempts=attempts
    )


def resend(task: dict, now: float) -> dict:
    """A new 24 h notice for an unfinished task whose notice still lives (else: needs_new_task)."""
    task = at(task, now)
    if task["is_finish"]:
        raise TaskError("FACE_CHECK_FINISHED", "核验任务已结束，无需重新发送")
    return dict(task, status=NOT_STARTED, notice_sent_at=iso(now), notice_expires_at=iso(now + NOTICE_SECONDS))


def begin(task: dict, now: float) -> dict:
    """The owner opened the notice and began recording: 1 等待中 until the result."""
    task = at(task, now)
    if task["is_finish"]:
        raise TaskError("FACE_CHECK_FINISHED", "核验任务已结束：" + (task.get("reason_zh") or "已核验成功"))
    if not task["notice_valid"]:
        raise TaskError("FACE_CHECK_NOTICE_EXPIRED", "核验通知已超过 24 小时，请重新发送核验通知")
    return dict(task, status=WAITING)


REPLACED_REASON = "notice_expired"
REPLACED_REASON_ZH = "核验通知超过 24 小时未完成核验，已重新发起新的核验任务"


def needs_new_task(task: dict, now: float) -> bool:
    """A resend after the 24 h notice (and before the task's 3 days) starts a new task (W5)."""
    current = at(task, now)
    return not current["is_finish"] and not current["notice_valid"]


def replaced(task: dict, new_id: str, now: float) -> dict:
    """The old task once a resend started `new_id`: failed for good, pointing to its successor."""
    return dict(
        at(task, now),
        status=FAILED,
        is_finish=True,
        reason=REPLACED_REASON,
        reason_zh=REPLACED_REASON_ZH,
        replaced_by=new_id,
        finished_at=iso(now),
    )


def stored(task: dict) -> dict:
    """What is kept: the computed fields dropped."""
    return {k: v for k, v in task.items() if k not in ("notice_valid", "status_zh")}
