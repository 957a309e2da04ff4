"""The conversation's step table: each step as data — what it asks, what it accepts,
how an answer is checked and acted on, and which steps it may lead to.

A step's `enter(ctx)` sends its prompt (and, for an `auto` step, returns the step to
go on to); `handle(ctx, value)` takes an accepted answer and returns the next step id,
SAME (ask this step again: the error was said) or None (stay, say nothing more).
`next` lists every step `enter`/`handle` can return; the engine refuses any other, and
the tests check that the table is closed and every step reachable.

Every rule lives in the services: the chat calls `cloud`, `applications.check/create/
edit/act/verify_sms/get` and maps their answers (422 errors onto form fields).
"""

from backend.chat import forms, steps_checklist, steps_filings, steps_verify
from backend.chat.step_kit import (  # noqa: F401
    AUTO,
    CHOICE,
    FORM,
    NONE,
    SAME,
    SYNC_TARGETS,
    TEXT,
    Step,
    available,
    screen_step,
    state_step,
    sync,
    why_notice,
)
from backend.chat.steps_after import (
    done_enter,
    expired_enter,
    expired_handle,
    rejected_enter,
    rejected_handle,
    restart_handle,
    sms_enter,
    sms_handle,
    tracking_enter,
)
from backend.chat.steps_filling import (
    confirm_enter,
    confirm_handle,
    form_enter,
    form_handle,
    more_enter,
    more_handle,
    pick_enter,
    pick_handle,
)
from backend.chat.steps_start import (
    LEGACY_CHOICES,
    eligibility_enter,
    kind_enter,
    kind_handle,
    not_eligible_enter,
    not_eligible_handle,
    welcome_enter,
    welcome_handle,
)

# -- the table ----------------------------------------------------------------------------------


def _steps_of(form_id):
    """The steps of a form's screens (one per copy a flow may ask)."""
    return [screen_step(forms.screen_id(form_id, i)) for i in range(forms.max_copies(form_id))]


def _later_steps(form_id):
    """The steps that may follow a form's screens: any later form of a flow, or the confirmation."""
    later = {"confirm"}
    for fl in forms.FLOWS.values():
        if form_id in fl.forms:
            for other in fl.forms[fl.forms.index(form_id) + 1 :]:
                later.update(_steps_of(other))
    return later


def _screen(form_id, form, screen, nxt):
    """One screen's step: a pick among choices, or a form to fill."""
    if form.ask == forms.PICK:
        return Step(screen_step(screen), CHOICE, pick_enter(screen), pick_handle(screen), next=nxt)
    return Step(screen_step(screen), FORM, form_enter(screen), form_handle(screen), next=nxt, form_id=form_id)


def _screen_steps():
    """A step per screen (a form, a copy, a pick), and the "another one?" between copies. Any
    later form of a flow may follow a screen: a condition on the answers may skip the next."""
    out = []
    for form_id, form in forms.FORMS.items():
        later = _later_steps(form_id)
        n = forms.max_copies(form_id)
        for i in range(n):
            screen = forms.screen_id(form_id, i)
            more = {f"more.{screen}"} if i + 1 < n else set()
            out.append(_screen(form_id, form, screen, tuple(sorted(later | more))))
            if more:
                out.append(
                    Step(
                        f"more.{screen}",
                        CHOICE,
                        more_enter(screen),
                        more_handle(screen),
                        next=tuple(sorted(later | {screen_step(forms.screen_id(form_id, i + 1))})),
                    )
                )
    return out


FORM_STEPS = tuple(s for f in forms.FORMS for s in _steps_of(f))
FIRST_FORMS = tuple(sorted({screen_step(fl.forms[0]) for fl in forms.FLOWS.values()}))

STEPS = {
    s.id: s
    for s in (
        Step(
            "welcome",
            CHOICE,
            welcome_enter,
            welcome_handle,
            anchor=True,
            next=("eligibility", "confirm") + SYNC_TARGETS,
        ),
        Step("eligibility", AUTO, eligibility_enter, next=("kind", "not_eligible")),
        Step("not_eligible", CHOICE, not_eligible_enter, not_eligible_handle, next=("eligibility", "kind")),
        Step(
            "kind",
            CHOICE,
            kind_enter,
            kind_handle,
            next=FIRST_FORMS + (steps_verify.STEP, steps_filings.STEP),
            also=LEGACY_CHOICES,
        ),
        # 我的备案: the changes and cancellations that apply to the account's filings (issue #12)
        Step(
            steps_filings.STEP,
            CHOICE,
            steps_filings.filings_enter,
            steps_filings.filings_handle,
            next=FIRST_FORMS + ("kind",),
        ),
        *_screen_steps(),
        # replaces the generic screen step of the verify form: the services decide the kind (issue #12)
        Step(
            steps_verify.STEP,
            FORM,
            steps_verify.verify_enter,
            steps_verify.verify_handle,
            next=FIRST_FORMS,
            form_id=steps_verify.FORM_ID,
        ),
        Step(
            "confirm", CHOICE, confirm_enter, confirm_handle, next=FORM_STEPS + SYNC_TARGETS + (steps_checklist.STEP,)
        ),
        # the stages before submission (pre_submit_checks, on by default; issue #12)
        Step(
            steps_checklist.STEP,
            CHOICE,
            steps_checklist.checklist_enter,
            steps_checklist.checklist_handle,
            next=("confirm", steps_checklist.FORM_STEP, steps_checklist.OTP_STEP) + SYNC_TARGETS,
        ),
        Step(
            steps_checklist.OTP_STEP,
            TEXT,
            steps_checklist.otp_enter,
            steps_checklist.otp_handle,
            next=(steps_checklist.STEP,),
        ),
        Step(
            steps_checklist.FORM_STEP,
            FORM,
            steps_checklist.fields_enter,
            steps_checklist.fields_handle,
            next=(steps_checklist.STEP,),
            form_id=steps_checklist.FORM_ID,
        ),
        Step("tracking", NONE, tracking_enter, anchor=True),
        Step("sms", TEXT, sms_enter, sms_handle, anchor=True, next=SYNC_TARGETS),
        Step("rejected", CHOICE, rejected_enter, rejected_handle, anchor=True, next=FORM_STEPS + SYNC_TARGETS),
        Step("done", CHOICE, done_enter, restart_handle, anchor=True, next=("restart",)),
        Step(
            "expired",
            CHOICE,
            expired_enter,
            lambda ctx, value: restart_handle(ctx, value) if value == "restart" else expired_handle(ctx, value),
            anchor=True,
            next=("confirm", "restart") + SYNC_TARGETS,
        ),
    )
}
START = "welcome"
RESTART = "restart"  # not a step: the engine starts the conversation over at START
