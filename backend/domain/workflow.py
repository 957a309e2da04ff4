"""The workflow table: the single source of truth for an application's states and moves.

The API's allowed actions, the workers' timers, the chat's status cards and the
README's state diagram are all derived from STATES, TRANSITIONS and TIMERS below.
Nothing else in the code base names a transition by hand.
"""

import sys
from dataclasses import dataclass, field

from backend.domain import kinds as K, workflow_checks, workflow_diagram


@dataclass(frozen=True)
class State:
    name: str
    zh: str
    wechat_status: int
    sms_verify_status: int | None = None  # WeChat's field, meaningful only with status 4
    terminal: bool = False
    waits_on: str = "user"  # who must act next: user | provider | bureau | clock | nobody
    en: str = ""  # the English label (the chat's status card)


@dataclass(frozen=True)
class Transition:
    """One row. `via` says how the user fires it through the API: "action" (POST
    …/actions/<action>), "edit" (PATCH the order), "sms" (POST …/sms-verification), or
    None: not a choice offered to the user (rows of other actors, and `sms_failed`, the
    consequence of one wrong code too many)."""

    action: str
    source: str | None  # None: the pseudo-row `create` (from nothing)
    target: str
    actor: str  # user | provider | bureau | clock | system
    zh: str
    kinds: frozenset = K.ALL
    via: str | None = None
    # False for a move that is no activity of the user's (a wrong SMS code): the timers
    # keep their due times (only their version follows) and `updated_at` stays
    activity: bool = True


@dataclass(frozen=True)
class Timer:
    """A timer armed on entering `state`; when due it fires the action its outcome maps to.

    `outcomes` maps what happened to the action of the table that records it: for a
    review (`review` = "provider" or "bureau") the reviewer's verdict, {"approve": …,
    "reject": …}; for a plain deadline or hand-over {"due": …}; for a reminder {} (an
    outbox message, no move).

    `mode` "progress" timers move the application on (reviews, hand-over);
    "deadline" timers only fire when the user lets time run out (SMS window,
    idle reminders and expiry). "Advance until idle" stops before deadlines
    unless asked, so a QA run can reach the SMS prompt and answer it.
    """

    state: str
    name: str
    delay: str  # key of domain.durations
    mode: str  # progress | deadline
    outcomes: dict = field(default_factory=dict, hash=False)
    review: str | None = None  # provider | bureau: who decides the outcome
    # armed only when this condition of the order and the settings holds (engine.GUARDS);
    # None: always armed on entering `state`
    guard: str | None = None

    @property
    def actions(self):
        """The actions this timer can fire, in the order of its outcomes."""
        return tuple(self.outcomes.values())

    def action_for(self, outcome="due"):
        return self.outcomes[outcome]


STATES = {
    s.name: s
    for s in (
        State("draft", "待完善", 1024, en="draft"),
        State("provider_review", "腾讯云审核中", 2, waits_on="provider", en="under provider review"),
        State("provider_rejected", "初审驳回", 3, en="rejected by the provider"),
        State("provider_approved", "待提交管局", 2, waits_on="clock", en="waiting to go to the bureau"),
        State("sms_verification", "管局审核中·待短信核验", 4, sms_verify_status=1, en="waiting for SMS verification"),
        State("bureau_review", "管局审核中", 4, sms_verify_status=2, waits_on="bureau", en="under bureau review"),
        State("bureau_rejected", "管局驳回", 5, en="rejected by the bureau"),
        State("approved", "已完成", 6, terminal=True, waits_on="nobody", en="approved"),
        State("withdrawn", "已撤销", 1024, terminal=True, waits_on="nobody", en="withdrawn"),
        State("expired", "已过期", 1024, en="expired"),
    )
}

T = Transition
TRANSITIONS = (
    T("edit", "draft", "draft", "user", "修改信息", via="edit"),
    T("submit", "draft", "provider_review", "user", "提交备案", via="action"),
    T("withdraw", "draft", "withdrawn", "user", "放弃订单", via="action"),
    T("provider_approve", "provider_review", "provider_approved", "provider", "初审通过"),
    T("provider_reject", "provider_review", "provider_rejected", "provider", "初审驳回"),
    T("withdraw", "provider_review", "withdrawn", "user", "撤销备案", via="action"),
    # process.md §6.1 "Edit rights" [T9]: before the review's result the user may 撤销备案 and edit
    # (the order goes back to a draft, its data kept); after the pass only 放弃备案 (withdraw) is left
    T("recall", "provider_review", "draft", "user", "撤销备案，退回修改", via="action"),
    T("edit", "provider_rejected", "provider_rejected", "user", "按驳回意见修改", via="edit"),
    T("resubmit", "provider_rejected", "provider_review", "user", "重新提交", via="action"),
    T("withdraw", "provider_rejected", "withdrawn", "user", "放弃订单", via="action"),
    T("expire", "provider_rejected", "expired", "clock", "订单超时未处理"),
    # process.md §5 "Timeout / failure" [T40, T8], §9.6: returned by the SMS check and nothing to
    # change → Tencent submits it to the bureau again after 24 h (setting sms_timeout_resubmit_hours)
    T(
        "auto_resubmit",
        "provider_rejected",
        "sms_verification",
        "clock",
        "腾讯云重新提交管局（短信核验超时后）",
        K.WITH_SMS,
    ),
    T("send_to_bureau", "provider_approved", "sms_verification", "clock", "提交管局，发送核验短信", K.WITH_SMS),
    T("send_to_bureau", "provider_approved", "bureau_review", "clock", "提交管局", K.WITHOUT_SMS),
    T("withdraw", "provider_approved", "withdrawn", "user", "放弃备案", via="action"),
    T("verify_sms", "sms_verification", "bureau_review", "user", "短信核验通过", K.WITH_SMS, via="sms"),
    T("sms_failed", "sms_verification", "provider_rejected", "user", "短信核验错误次数过多", K.WITH_SMS),
    T("sms_timeout", "sms_verification", "provider_rejected", "clock", "短信核验超时", K.WITH_SMS),
    T("bureau_approve", "bureau_review", "approved", "bureau", "管局审核通过"),
    T("bureau_reject", "bureau_review", "bureau_rejected", "bureau", "管局驳回"),
    T("edit", "bureau_rejected", "bureau_rejected", "user", "按驳回意见修改", via="edit"),
    T("resubmit", "bureau_rejected", "provider_review", "user", "重新提交", via="action"),
    T("withdraw", "bureau_rejected", "withdrawn", "user", "放弃订单", via="action"),
    T("expire", "bureau_rejected", "expired", "clock", "订单超时未处理"),
    T("expire", "draft", "expired", "clock", "订单超时未处理"),
    T("reopen", "expired", "draft", "user", "重新打开订单", via="action"),
)

_IDLE = (
    ("remind_7d", "idle_7d"),
    ("remind_15d", "idle_15d"),
    ("remind_30d", "idle_30d"),
)
TIMERS = (
    Timer(
        "provider_review",
        "provider_review",
        "provider_review",
        "progress",
        {"approve": "provider_approve", "reject": "provider_reject"},
        review="provider",
    ),
    Timer("provider_approved", "send_to_bureau", "to_bureau", "progress", {"due": "send_to_bureau"}),
    Timer("sms_verification", "sms_timeout", "sms_window", "deadline", {"due": "sms_timeout"}),
    # process.md §5 "Resend" [M2]: MIIT texts the pending codes again at 12:00 the next day (no move)
    Timer("sms_verification", "sms_auto_resend", "sms_next_noon", "deadline", guard="sms_auto_resend"),
    Timer(
        "provider_rejected",
        "auto_resubmit",
        "sms_resubmit",
        "progress",
        {"due": "auto_resubmit"},
        guard="sms_resubmit",
    ),
    Timer(
        "bureau_review",
        "bureau_review",
        "bureau_review",
        "progress",
        {"approve": "bureau_approve", "reject": "bureau_reject"},
        review="bureau",
    ),
    *(
        Timer(state, name, delay, "deadline")
        for state in ("draft", "provider_rejected", "bureau_rejected")
        for name, delay in _IDLE
    ),
    *(
        Timer(state, "expire", "idle_45d", "deadline", {"due": "expire"})
        for state in ("draft", "provider_rejected", "bureau_rejected")
    ),
)

# -- names the rest of the code uses instead of strings ---------------------------
# (problems() checks each one names a state or an action of the table)
DRAFT, PROVIDER_REVIEW, PROVIDER_REJECTED = "draft", "provider_review", "provider_rejected"
PROVIDER_APPROVED, SMS_VERIFICATION, BUREAU_REVIEW = "provider_approved", "sms_verification", "bureau_review"
BUREAU_REJECTED, APPROVED, WITHDRAWN, EXPIRED = "bureau_rejected", "approved", "withdrawn", "expired"
REJECTED_STATES = (PROVIDER_REJECTED, BUREAU_REJECTED)

EDIT, SUBMIT, RESUBMIT, WITHDRAW, REOPEN = "edit", "submit", "resubmit", "withdraw", "reopen"
RECALL = "recall"
VERIFY_SMS, SMS_FAILED, SMS_TIMEOUT = "verify_sms", "sms_failed", "sms_timeout"
AUTO_RESUBMIT = "auto_resubmit"
# the user actions that start a review, or reopen an order: the world is checked again first
RECHECKING_ACTIONS = (SUBMIT, RESUBMIT, REOPEN)

ACTORS = ("user", "provider", "bureau", "clock", "system")
VIAS = ("action", "edit", "sms")  # how a user row is offered: see Transition
REVIEWERS = ("provider", "bureau")
GUARDS = ("sms_resubmit", "sms_auto_resend")  # conditions a timer may be armed under (engine.GUARDS implements them)
VERDICTS = ("approve", "reject")


def state(name):
    return STATES[name]


def is_open(name):
    """An open order (one in progress): neither final nor expired. One per account."""
    return not STATES[name].terminal and name != EXPIRED


def find(source, action, kind):
    """The one row for (state, action, kind), or None when the move is not allowed."""
    for t in TRANSITIONS:
        if t.source == source and t.action == action and kind in t.kinds:
            return t
    return None


def moves_from(source, kind, actor=None):
    return [t for t in TRANSITIONS if t.source == source and kind in t.kinds and (actor is None or t.actor == actor)]


def user_actions(source, kind):
    """What the user may do now: the rows offered through the API (`via`); `sms_failed`
    has none, it is the consequence of verify_sms, not a choice."""
    seen = []
    for t in moves_from(source, kind, "user"):
        if t.via is not None and t.action not in seen:
            seen.append(t.action)
    return seen


def actions_via(via):
    """The actions the user fires through one kind of endpoint (see Transition.via),
    e.g. "action": submit, resubmit, withdraw, recall, reopen."""
    return sorted({t.action for t in TRANSITIONS if t.via == via})


def timers_for(source):
    return [t for t in TIMERS if t.state == source]


def timer(source, name):
    for t in TIMERS:
        if t.state == source and t.name == name:
            return t
    return None


def reachable(kind, start="draft"):
    seen, todo = {start}, [start]
    while todo:
        for t in moves_from(todo.pop(), kind):
            if t.target not in seen:
                seen.add(t.target)
                todo.append(t.target)
    return seen


def used_states(kind):
    return {end for t in TRANSITIONS if kind in t.kinds for end in (t.source, t.target)}


def problems():
    """Why the table is not well formed (empty when it is); checked by the tests (workflow_checks.py)."""
    return workflow_checks.problems(sys.modules[__name__])


def mermaid():
    """The state diagram, generated for the README (`icpsim diagram`); drawn in workflow_diagram."""
    return workflow_diagram.mermaid(TRANSITIONS, STATES)


# -- moves that are not rows of TRANSITIONS ---------------------------------------
# Every change of an application goes through services.engine.apply_transition with a
# row; besides the table's rows there are these pseudo-rows, recorded in the history
# under their own action names:
#   create            a new draft (from nothing)
#   verify_sms_wrong  a wrong SMS code, counted (not the last allowed one: that is sms_failed)
#   reset             the control API puts an order back to a draft
#   teleport          fault injection: an operator's jump to a state the table can reach;
#                     entering the target runs that state's effects
CREATE, WRONG_CODE, RESET, TELEPORT = "create", "verify_sms_wrong", "reset", "teleport"


def create_row(kind):
    return Transition(CREATE, None, DRAFT, "user", "创建订单", frozenset({kind}))


VERIFIED_ONE, RESEND_SMS = "verify_sms_person", "resend_sms"  # MIIT's per-person steps (services/verification.py)
AUTO_RESEND_SMS = "auto_resend_sms"  # MIIT's own resend at 12:00 the next day (the timer sms_auto_resend)
SMS_AUTO_RESEND = "sms_auto_resend"
# MIIT has decided and told the user; Tencent's status follows `tencent_sync_hours` later
# (process.md §6.1 "Bureau → Tencent sync", services/miit_sync.py)
MIIT_DECIDED = "miit_decided"


def miit_decided_row(kind, verdict):
    zh = "工信部通知：管局审核通过（腾讯云待同步）" if verdict == "approve" else "工信部通知：管局驳回（腾讯云待同步）"
    return Transition(MIIT_DECIDED, BUREAU_REVIEW, BUREAU_REVIEW, "bureau", zh, frozenset({kind}), activity=False)


_SMS_STEPS = {
    WRONG_CODE: "短信核验码错误",
    VERIFIED_ONE: "一人短信核验通过",
    RESEND_SMS: "重新发送短信核验码",
    AUTO_RESEND_SMS: "工信部自动重发短信核验码",
}


def sms_step_row(kind, action=WRONG_CODE):
    """A step of MIIT's check that is no move and no activity: a wrong entry, one person
    verified while others are pending, a code sent again (by the user, or by MIIT's clock).
    Timers keep their due times."""
    actor = "clock" if action == AUTO_RESEND_SMS else "user"
    return Transition(
        action, SMS_VERIFICATION, SMS_VERIFICATION, actor, _SMS_STEPS[action], frozenset({kind}), activity=False
    )


def wrong_code_row(kind):
    return sms_step_row(kind, WRONG_CODE)


def reset_row(source, kind):
    return Transition(RESET, source, DRAFT, "system", "控制 API：订单重置为草稿", frozenset({kind}))


def teleport_targets(source, kind):
    """States a teleport from `source` may land in: those the table reaches from it."""
    return sorted(s for s in reachable(kind, source) - {source} if s in used_states(kind))


def teleport_row(source, target, kind):
    """The pseudo-transition a teleport fires (for the entry effects), or None if not allowed."""
    if target not in teleport_targets(source, kind):
        return None
    return Transition(TELEPORT, source, target, "system", "故障注入：跳转状态（teleport）", frozenset({kind}))
