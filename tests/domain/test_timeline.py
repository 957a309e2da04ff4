"""After submission, as process.md tells it (the audit's items 11, 12, 13, 17, 24): the pure rules
of backend/domain/timeline.py, the reviewer's call as a review rule, the resubmission timer in the
workflow table and its delay."""

from datetime import datetime, timedelta

from domain.test_review import app, ctx, enterprise, failing, site

from backend.domain import durations, kinds as K, timeline as TL, workflow as W
from backend.domain.clock import CST

# -- defaults: domain.md's model unless a sandbox says otherwise --------------------------------


def test_defaults_keep_domain_md_and_settings_override_them():
    assert TL.DEFAULTS == {
        "sms_timeout_resubmit_hours": None,
        "tencent_sync_hours": 0,
        "miit_sms_sender": "12381",
        "call_unreachable_rate": 0,
        "miit_auto_resend": True,
    }
    assert TL.miit_sender({}) == "12381" == TL.miit_sender(None)
    assert TL.miit_sender({"miit_sms_sender": "106598051001"}) == "106598051001"
    assert TL.resubmit_hours({}) is None and TL.resubmit_hours({"sms_timeout_resubmit_hours": 24}) == 24.0
    assert TL.sync_hours({}) == 0.0 and TL.sync_hours({"tencent_sync_hours": 6}) == 6.0


# -- item 17: the reviewer's phone call ------------------------------------------------------------


def test_the_call_is_never_unanswered_at_rate_0_and_always_at_rate_1():
    order = dict(app(), attempt=1)
    assert not TL.call_unanswered(order, 0, 42)
    assert TL.call_unanswered(order, 1, 42)


def test_the_call_draw_is_seeded_per_order_and_attempt():
    draws = [TL.call_unanswered({"id": f"A{i:04d}", "attempt": 1}, 0.5, 42) for i in range(200)]
    assert draws == [TL.call_unanswered({"id": f"A{i:04d}", "attempt": 1}, 0.5, 42) for i in range(200)]
    assert 60 < sum(draws) < 140  # about half, and not all the same
    again = [TL.call_unanswered({"id": f"A{i:04d}", "attempt": 2}, 0.5, 42) for i in range(200)]
    assert again != draws  # a resubmission is another call


def test_the_reviewer_calls_the_entity_owner_else_the_first_website_owner():
    assert TL.called_path(app()) == "entity.responsible.mobile"
    owner = {"name": "李四", "mobile": "13700137000"}
    only_sites = {"id": "A1", "payload": {"websites": [site(), site(responsible=owner)]}}
    assert TL.called_path(only_sites) == "websites.1.responsible.mobile"
    assert TL.called_path({"id": "A1", "payload": {}}) == "entity.responsible.mobile"


def test_call_unreachable_is_a_provider_review_rule_driven_by_the_rate():
    order = dict(app(enterprise()), attempt=1)
    assert ("CALL_UNREACHABLE", "entity.responsible.mobile") in failing(
        "provider", order, ctx(settings={"call_unreachable_rate": 1})
    )
    assert all(code != "CALL_UNREACHABLE" for code, _ in failing("provider", order, ctx()))
    assert all(
        code != "CALL_UNREACHABLE" for code, _ in failing("bureau", order, ctx(settings={"call_unreachable_rate": 1}))
    )


def test_call_unreachable_texts_name_the_retry_and_the_numbers():
    assert "无人接听" in TL.CALL_UNREACHABLE_ERROR and "1 小时后再次致电" in TL.CALL_UNREACHABLE_ERROR
    assert "0755-33216425" in TL.CALL_UNREACHABLE_SUGGEST


# -- item 11: the resubmission after an SMS timeout ---------------------------------------------------


def test_the_resubmission_row_and_its_guarded_timer_are_in_the_table():
    for kind in K.WITH_SMS:
        row = W.find(W.PROVIDER_REJECTED, W.AUTO_RESUBMIT, kind)
        assert (row.target, row.actor) == (W.SMS_VERIFICATION, "clock")
    assert W.find(W.PROVIDER_REJECTED, W.AUTO_RESUBMIT, K.CANCEL_ACCESS) is None
    tm = W.timer(W.PROVIDER_REJECTED, W.AUTO_RESUBMIT)
    assert (tm.guard, tm.mode, tm.delay, tm.actions) == ("sms_resubmit", "progress", "sms_resubmit", ("auto_resubmit",))
    assert W.AUTO_RESUBMIT not in W.user_actions(W.PROVIDER_REJECTED, K.FIRST_FILING)  # not the user's


def test_the_resubmission_is_due_only_while_the_order_is_unchanged():
    mark = {"returned_at": "2026-06-05T09:00:00+08:00", "version": 7, "hours": 24}
    assert TL.resubmit_due({"version": 7, "sms_resubmit": mark})
    assert not TL.resubmit_due({"version": 8, "sms_resubmit": mark})  # edited since
    assert not TL.resubmit_due({"version": 7})
    assert not TL.resubmit_due({"version": 7, "sms_resubmit": None})  # resubmitted already


def test_the_resubmission_delay_is_24_hours_or_the_setting():
    start = datetime(2026, 6, 5, 9, tzinfo=CST).timestamp()

    def due(settings):
        return durations.due("sms_resubmit", start, province=None, kind="first_filing", settings=settings, rand=None)

    assert due({"sms_timeout_resubmit_hours": 24}) - start == timedelta(hours=24).total_seconds()
    assert due({"sms_timeout_resubmit_hours": 3}) - start == 3 * 3600


def test_resubmission_notices_say_when_and_what_follows():
    assert "24 小时后" in TL.resubmit_notice("A0001", 24.0) and "A0001" in TL.resubmit_notice("A0001", 24.0)
    assert "重新发送核验短信" in TL.resubmitted_notice("A0001")


# -- item 13: MIIT's result SMS --------------------------------------------------------------------


def test_miit_result_texts():
    ok = TL.miit_result_text("approve", "粤ICP备2026000001号、粤ICP备2026000001号-1", "")
    assert "已通过管局审核" in ok and "粤ICP备2026000001号-1" in ok and "beian.miit.gov.cn" in ok
    no = TL.miit_result_text("reject", "", "该域名已由其他主体备案（域名冲突）")
    assert "未通过管局审核" in no and "域名冲突" in no
    row = W.miit_decided_row(K.FIRST_FILING, "approve")
    assert (row.source, row.target, row.activity, row.action) == (
        W.BUREAU_REVIEW,
        W.BUREAU_REVIEW,
        False,
        W.MIIT_DECIDED,
    )


# -- MIIT's automatic resend at 12:00 the next day (process.md §5 "Resend" [M2]) -----------------


def _at(*args):
    return datetime(*args, tzinfo=CST).timestamp()


def _sms_order(sent_at, window_h=24, lost=False, pending=True):
    person = {
        "sent_at": sent_at,
        "expires_at": sent_at + window_h * 3600,
        "state": "pending" if pending else "verified",
    }
    return {"sms": {"people": [person], **({"lost": True} if lost else {})}}


def test_miit_resends_at_noon_the_next_day_china_time():
    assert TL.auto_resend_at(_at(2026, 6, 3, 15, 30)) == _at(2026, 6, 4, 12)
    assert TL.auto_resend_at(_at(2026, 6, 3, 0, 5)) == _at(2026, 6, 4, 12)
    assert TL.auto_resend_at(_at(2026, 6, 30, 23, 59)) == _at(2026, 7, 1, 12)  # across a month
    start = _at(2026, 6, 3, 15, 30)
    assert durations.due("sms_next_noon", start, province=None, kind="first_filing", settings={}, rand=None) == _at(
        2026, 6, 4, 12
    )


def test_the_resend_is_armed_only_inside_the_window_and_when_on():
    assert TL.auto_resend_due(_sms_order(_at(2026, 6, 3, 15)), {})  # noon next day < 15:00 next day
    assert not TL.auto_resend_due(_sms_order(_at(2026, 6, 3, 9)), {})  # the window ends at 09:00, before noon
    assert not TL.auto_resend_due(_sms_order(_at(2026, 6, 3, 12)), {})  # ends exactly at noon: nothing left
    assert TL.auto_resend_due(_sms_order(_at(2026, 6, 3, 9), window_h=48), {})  # older 48 h window
    assert not TL.auto_resend_due(_sms_order(_at(2026, 6, 3, 15)), {"miit_auto_resend": False})
    assert not TL.auto_resend_due(_sms_order(_at(2026, 6, 3, 15), lost=True), {})  # no code ever arrives
    assert not TL.auto_resend_due({"sms": {}}, {})


def test_the_workflow_table_has_the_resend_timer_without_a_move():
    spec = W.timer("sms_verification", W.SMS_AUTO_RESEND)
    assert (spec.delay, spec.mode, spec.outcomes, spec.guard) == ("sms_next_noon", "deadline", {}, "sms_auto_resend")
    row = W.sms_step_row("first_filing", W.AUTO_RESEND_SMS)
    assert (row.source, row.target, row.actor, row.activity) == ("sms_verification", "sms_verification", "clock", False)
