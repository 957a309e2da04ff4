"""The workflow table (domain.md §4): well formed, kind-aware, and its derived views."""

import pytest

from backend.domain import kinds as K, workflow as W

T = W.Transition


def test_the_real_table_has_no_problems():
    assert W.problems() == []


# --- problems() can fail --------------------------------------------------------------


def test_problems_reports_a_timer_action_without_a_row(monkeypatch):
    broken = tuple(t for t in W.TRANSITIONS if t.action != "bureau_approve")
    assert len(broken) == len(W.TRANSITIONS) - 1
    monkeypatch.setattr(W, "TRANSITIONS", broken)
    found = W.problems()
    assert "timer bureau_review: no row bureau_review --bureau_approve-->" in found


def test_problems_reports_a_non_terminal_state_without_a_way_out(monkeypatch):
    broken = tuple(t for t in W.TRANSITIONS if t.action != "reopen")
    monkeypatch.setattr(W, "TRANSITIONS", broken)
    found = W.problems()
    assert "first_filing: non-terminal state expired has no way out" in found
    assert "first_filing: no terminal state reachable from expired" in found


def test_problems_reports_an_unreachable_state(monkeypatch):
    # Without submit nothing past draft can be reached.
    broken = tuple(t for t in W.TRANSITIONS if t.action != "submit")
    monkeypatch.setattr(W, "TRANSITIONS", broken)
    found = W.problems()
    assert "first_filing: state provider_review unreachable" in found
    assert "first_filing: state approved unreachable" in found


def test_problems_reports_unknown_actor_and_unknown_kind(monkeypatch):
    extra = (
        T("poke", "draft", "draft", "robot", "x"),
        T("nudge", "draft", "draft", "user", "x", frozenset({"no_such_kind"})),
    )
    monkeypatch.setattr(W, "TRANSITIONS", W.TRANSITIONS + extra)
    found = W.problems()
    assert "poke: unknown actor robot" in found
    assert "nudge: unknown kinds {'no_such_kind'}" in found


def test_problems_reports_a_row_to_an_unknown_state(monkeypatch):
    # BUG (backend/domain/workflow.py problems()): the "no terminal state reachable"
    # loop indexes STATES[s] for every reachable s, so a row whose target is not in
    # STATES makes problems() raise KeyError('limbo') instead of reporting it.
    monkeypatch.setattr(W, "TRANSITIONS", W.TRANSITIONS + (T("jump", "draft", "limbo", "user", "x"),))
    found = W.problems()
    assert "jump: unknown state limbo" in found


# --- shape of the graph ---------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(K.ALL))
def test_every_used_state_is_reachable_from_draft(kind):
    assert W.used_states(kind) <= W.reachable(kind)


def test_every_state_is_reachable_from_draft_for_first_filing():
    assert W.reachable("first_filing") == set(W.STATES)


def test_cancel_access_never_sees_sms_verification():
    assert "sms_verification" not in W.reachable("cancel_access")
    assert "sms_verification" not in W.used_states("cancel_access")
    assert W.reachable("cancel_access") == set(W.STATES) - {"sms_verification"}


@pytest.mark.parametrize("kind", sorted(K.ALL))
def test_every_non_terminal_state_has_a_way_out(kind):
    for name in W.used_states(kind):
        if not W.STATES[name].terminal:
            assert W.moves_from(name, kind), (kind, name)


def test_terminal_states_have_no_outgoing_rows():
    terminals = {n for n, s in W.STATES.items() if s.terminal}
    assert terminals == {"approved", "withdrawn"}
    assert [t for t in W.TRANSITIONS if t.source in terminals] == []
    assert not [t for t in W.TIMERS if t.state in terminals]


def test_expired_is_not_terminal_and_can_be_reopened():
    assert W.STATES["expired"].terminal is False
    assert W.find("expired", "reopen", "first_filing").target == "draft"


# --- find() and kinds -----------------------------------------------------------------


def test_send_to_bureau_depends_on_the_kind():
    assert W.find("provider_approved", "send_to_bureau", "first_filing").target == "sms_verification"
    assert W.find("provider_approved", "send_to_bureau", "cancel_access").target == "bureau_review"
    for kind in K.WITH_SMS:
        assert W.find("provider_approved", "send_to_bureau", kind).target == "sms_verification"
    for kind in K.WITHOUT_SMS:
        assert W.find("provider_approved", "send_to_bureau", kind).target == "bureau_review"


def test_only_cancel_access_skips_the_sms():
    assert {"cancel_access"} == K.WITHOUT_SMS
    assert K.ALL - {"cancel_access"} == K.WITH_SMS


def test_verify_sms_does_not_exist_for_cancel_access():
    assert W.find("sms_verification", "verify_sms", "cancel_access") is None
    assert W.find("sms_verification", "verify_sms", "first_filing").target == "bureau_review"


def test_find_returns_none_for_moves_not_in_the_table():
    assert W.find("bureau_review", "withdraw", "first_filing") is None
    assert W.find("sms_verification", "withdraw", "first_filing") is None
    assert W.find("approved", "edit", "first_filing") is None
    assert W.find("draft", "no_such_action", "first_filing") is None
    assert W.find("draft", "submit", "no_such_kind") is None


def test_find_returns_exactly_one_row_per_state_action_kind():
    for kind in K.ALL:
        for t in W.TRANSITIONS:
            rows = [r for r in W.TRANSITIONS if r.source == t.source and r.action == t.action and kind in r.kinds]
            assert len(rows) <= 1, (kind, t.source, t.action)


def test_sms_failures_and_timeout_go_back_to_provider_rejected():
    assert W.find("sms_verification", "sms_failed", "first_filing").target == "provider_rejected"
    assert W.find("sms_verification", "sms_timeout", "first_filing").target == "provider_rejected"
    assert W.find("sms_verification", "sms_timeout", "first_filing").actor == "clock"


def test_resubmission_goes_back_to_provider_review():
    assert W.find("provider_rejected", "resubmit", "first_filing").target == "provider_review"
    assert W.find("bureau_rejected", "resubmit", "first_filing").target == "provider_review"


# --- user_actions() -------------------------------------------------------------------


@pytest.mark.parametrize(
    "state, expected",
    [
        ("draft", {"edit", "submit", "withdraw"}),
        ("provider_review", {"recall", "withdraw"}),
        ("provider_rejected", {"edit", "resubmit", "withdraw"}),
        ("provider_approved", {"withdraw"}),
        ("sms_verification", {"verify_sms"}),
        ("bureau_review", set()),
        ("bureau_rejected", {"edit", "resubmit", "withdraw"}),
        ("approved", set()),
        ("withdrawn", set()),
        ("expired", {"reopen"}),
    ],
)
def test_user_actions_for_first_filing(state, expected):
    actions = W.user_actions(state, "first_filing")
    assert set(actions) == expected
    assert len(actions) == len(set(actions))  # no duplicates


def test_recall_goes_back_to_a_draft_only_before_the_reviews_result():
    # process.md §6.1 [T9]: 撤销备案 then edit before the result; after the pass only 放弃备案
    for kind in K.ALL:
        assert W.find("provider_review", "recall", kind).target == "draft"
        assert W.user_actions("provider_approved", kind) == ["withdraw"]
        for state in ("provider_rejected", "sms_verification", "bureau_review", "bureau_rejected"):
            assert W.find(state, "recall", kind) is None


def test_no_withdraw_once_at_the_bureau():
    for kind in K.ALL:
        assert "withdraw" not in W.user_actions("sms_verification", kind)
        assert "withdraw" not in W.user_actions("bureau_review", kind)


def test_sms_failed_is_not_offered_as_a_choice():
    assert "sms_failed" not in W.user_actions("sms_verification", "first_filing")
    assert [t.action for t in W.moves_from("sms_verification", "first_filing", "user")] == ["verify_sms", "sms_failed"]


def test_cancel_access_has_no_user_action_in_sms_verification():
    assert W.user_actions("sms_verification", "cancel_access") == []


def test_moves_from_filters_by_actor():
    assert {t.action for t in W.moves_from("provider_review", "first_filing", "provider")} == {
        "provider_approve",
        "provider_reject",
    }
    assert {t.action for t in W.moves_from("bureau_review", "first_filing", "bureau")} == {
        "bureau_approve",
        "bureau_reject",
    }
    assert W.moves_from("bureau_review", "first_filing", "user") == []


# --- WeChat status codes (domain.md §4) -----------------------------------------------


@pytest.mark.parametrize(
    "name, zh, status, sms",
    [
        ("draft", "待完善", 1024, None),
        ("provider_review", "腾讯云审核中", 2, None),
        ("provider_rejected", "初审驳回", 3, None),
        ("provider_approved", "待提交管局", 2, None),
        ("sms_verification", "管局审核中·待短信核验", 4, 1),
        ("bureau_review", "管局审核中", 4, 2),
        ("bureau_rejected", "管局驳回", 5, None),
        ("approved", "已完成", 6, None),
        ("withdrawn", "已撤销", 1024, None),
        ("expired", "已过期", 1024, None),
    ],
)
def test_wechat_codes_match_domain_md(name, zh, status, sms):
    st = W.state(name)
    assert st.name == name
    assert st.zh == zh
    assert st.wechat_status == status
    assert st.sms_verify_status == sms


def test_exactly_the_ten_states_of_domain_md():
    assert set(W.STATES) == {
        "draft",
        "provider_review",
        "provider_rejected",
        "provider_approved",
        "sms_verification",
        "bureau_review",
        "bureau_rejected",
        "approved",
        "withdrawn",
        "expired",
    }


def test_unknown_state_raises_key_error():
    with pytest.raises(KeyError):
        W.state("limbo")


# --- timers ---------------------------------------------------------------------------


def test_every_timer_action_exists_as_a_row_for_every_kind_that_reaches_its_state():
    for kind in K.ALL:
        used = W.used_states(kind)
        for tm in W.TIMERS:
            if tm.state not in used:
                continue
            for action in tm.actions:
                row = W.find(tm.state, action, kind)
                if tm.guard == "sms_resubmit" and kind not in K.WITH_SMS:
                    assert row is None  # no SMS, no SMS timeout: never armed (engine.arm)
                    continue
                assert row is not None, (kind, tm.state, action)
                assert row.actor in ("clock", "provider", "bureau"), (kind, tm.state, action)


def test_timer_states_delays_and_modes():
    for tm in W.TIMERS:
        assert tm.state in W.STATES
        assert tm.mode in ("progress", "deadline")
    assert W.timer("provider_review", "provider_review").delay == "provider_review"
    assert W.timer("provider_approved", "send_to_bureau").delay == "to_bureau"
    assert W.timer("sms_verification", "sms_timeout").delay == "sms_window"
    assert W.timer("sms_verification", "sms_timeout").mode == "deadline"
    assert W.timer("bureau_review", "bureau_review").delay == "bureau_review"
    assert W.timer("approved", "anything") is None


def test_idle_reminders_and_expiry_on_the_states_waiting_on_the_user():
    for state in ("draft", "provider_rejected", "bureau_rejected"):
        timers = {t.name: t for t in W.timers_for(state) if t.guard is None}
        assert {n: t.delay for n, t in timers.items()} == {
            "remind_7d": "idle_7d",
            "remind_15d": "idle_15d",
            "remind_30d": "idle_30d",
            "expire": "idle_45d",
        }
        for name in ("remind_7d", "remind_15d", "remind_30d"):
            assert timers[name].actions == ()  # a reminder moves nothing
        assert timers["expire"].actions == ("expire",)
        assert W.find(state, "expire", "first_filing").target == "expired"


def test_states_waiting_on_a_reviewer_have_a_progress_timer():
    for name, st in W.STATES.items():
        if st.waits_on in ("provider", "bureau", "clock"):
            assert any(t.mode == "progress" for t in W.timers_for(name)), name


# --- mermaid() ------------------------------------------------------------------------


def test_mermaid_contains_every_transition_and_every_state():
    text = W.mermaid()
    lines = text.splitlines()
    assert lines[0] == "stateDiagram-v2"
    assert "    [*] --> draft" in lines
    for t in W.TRANSITIONS:
        prefix = f"    {t.source} --> {t.target}: {t.action}"
        matching = [line for line in lines if line.startswith(prefix)]
        if t.source == t.target:
            assert not matching, t
        else:
            assert matching, t
            assert any(line.endswith(f"[{t.actor}]") for line in matching), t
    for name, st in W.STATES.items():
        assert f"    {name}: {name} {st.zh} ({st.wechat_status})" in lines
        assert (f"    {name} --> [*]" in lines) == st.terminal


def test_mermaid_labels_kind_specific_rows():
    text = W.mermaid()
    assert "provider_approved --> bureau_review: send_to_bureau (cancel_access) [clock]" in text
    assert "provider_approved --> sms_verification: send_to_bureau (kinds with SMS) [clock]" in text
    non_self = [t for t in W.TRANSITIONS if t.source != t.target]
    assert sum(1 for line in text.splitlines() if " --> " in line and "[*]" not in line) == len(non_self)


# --- outcomes of timers and user endpoints (`via`) -------------------------------------


def test_review_timers_map_each_verdict_to_a_row_of_their_reviewer():
    for stage in ("provider", "bureau"):
        tm = W.timer(f"{stage}_review", f"{stage}_review")
        assert tm.review == stage
        assert tm.outcomes == {"approve": f"{stage}_approve", "reject": f"{stage}_reject"}
        for verdict in ("approve", "reject"):
            assert W.find(tm.state, tm.action_for(verdict), "first_filing").actor == stage
    assert W.timer("provider_approved", "send_to_bureau").outcomes == {"due": "send_to_bureau"}
    assert W.timer("sms_verification", "sms_timeout").review is None


def test_user_actions_and_the_action_endpoint_come_from_via():
    assert W.actions_via("action") == ["recall", "reopen", "resubmit", "submit", "withdraw"]
    assert W.actions_via("edit") == ["edit"] and W.actions_via("sms") == ["verify_sms"]
    for t in W.TRANSITIONS:
        assert (t.via is not None) == (t.actor == "user" and t.action != "sms_failed"), t
    # a user row with no endpoint is not offered, whatever its name
    hidden = W.Transition("nudge", "draft", "draft", "user", "x")
    assert "nudge" not in W.user_actions("draft", "first_filing")
    assert hidden.via is None


def test_problems_reports_a_via_on_a_row_that_is_not_the_users(monkeypatch):
    extra = (
        T("shortcut", "provider_review", "approved", "provider", "x", via="action"),
        T("poke", "draft", "draft", "user", "x", via="telepathy"),
    )
    monkeypatch.setattr(W, "TRANSITIONS", W.TRANSITIONS + extra)
    found = W.problems()
    assert "shortcut: via action but actor provider (only user rows are offered)" in found
    assert "poke: unknown via telepathy" in found


def test_problems_reports_an_action_offered_two_ways(monkeypatch):
    monkeypatch.setattr(W, "TRANSITIONS", W.TRANSITIONS + (T("edit", "expired", "expired", "user", "x", via="action"),))
    assert "edit: offered via ['action', 'edit'] (one way per action)" in W.problems()


def test_problems_reports_timer_outcomes_that_do_not_fit(monkeypatch):
    review = W.timer("provider_review", "provider_review")
    broken = tuple(
        W.Timer(t.state, t.name, t.delay, t.mode, {"approve": "provider_approve"}, review="provider")
        if t is review
        else t
        for t in W.TIMERS
    )
    broken += (
        W.Timer("provider_approved", "hurry", "to_bureau", "progress", {"due": "withdraw"}),
        W.Timer("draft", "nag", "idle_7d", "progress"),
        W.Timer(
            "bureau_review",
            "judge",
            "bureau_review",
            "progress",
            {"approve": "bureau_approve", "reject": "bureau_reject"},
            review="court",
        ),
    )
    monkeypatch.setattr(W, "TIMERS", broken)
    found = W.problems()
    assert "timer provider_review: outcomes ['approve'], expected ['approve', 'reject']" in found
    assert "provider_reject: no timer of provider_review fires it" in found
    assert "timer hurry: withdraw is fired by user, not clock" in found
    assert "timer nag: a reminder (no outcome) must be a deadline" in found
    assert "timer judge: unknown reviewer court" in found
