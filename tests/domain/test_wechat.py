"""WeChat's getIcpEntranceInfo codes for every state of the workflow table and every kind."""

import pytest

from backend.domain import kinds, wechat, workflow

# what WeChat reports for a filing order in each of our states [W1]
FILING = {
    "draft": (1024, None),
    "provider_review": (2, None),
    "provider_rejected": (3, None),
    "provider_approved": (2, None),
    "sms_verification": (4, 1),
    "bureau_review": (4, 2),
    "bureau_rejected": (5, None),
    "approved": (6, None),
    "withdrawn": (1024, None),
    "expired": (1024, None),
}
# a cancellation in flight reports its stage with is_canceling 1; done, the record is gone: 1024
CANCEL_DONE = 1024
ALL_CASES = [(kind, state) for kind in sorted(kinds.ALL) for state in sorted(workflow.used_states(kind))]


def test_every_state_of_every_kind_is_covered():
    assert set(FILING) == set(workflow.STATES)
    assert len(ALL_CASES) > 60


@pytest.mark.parametrize("kind,state", ALL_CASES)
def test_codes(kind, state):
    got = wechat.codes(state, kind)
    status, sms = FILING[state]
    canceling = kind.startswith("cancel_")
    if canceling and state == "approved":
        status = CANCEL_DONE
    assert got["status"] == status and got["sms_verify_status"] == sms
    assert got["is_canceling"] == (1 if canceling and state not in ("draft", "approved", "withdrawn", "expired") else 0)
    if canceling:
        assert got["status"] != wechat.FILED
    assert got["status"] in wechat.STATUS_ZH


@pytest.mark.parametrize("code", ["SMS_TIMEOUT", "SMS_CODE_FAILED"])
def test_sms_failure_returns_the_order_with_status_3_and_no_sms_verify_status(code):
    """process.md §5 [W1]: sms_verify_status 1 / 2 / 3 only while status 4; a timed-out or failed
    check returns the order to the provider (初审驳回, status 3), the reason in audit_data."""
    got = wechat.codes("provider_rejected", "first_filing", [code])
    assert got == {"status": 3, "sms_verify_status": None, "is_canceling": 0}
    assert wechat.codes("provider_rejected", "first_filing", ["DOMAIN_NOT_REAL_NAME"])["sms_verify_status"] is None


@pytest.mark.parametrize("kind,state", ALL_CASES)
def test_sms_verify_status_only_while_status_4(kind, state):
    for audit in ((), ("SMS_TIMEOUT",), ("SMS_CODE_FAILED",)):
        got = wechat.codes(state, kind, audit)
        assert (got["sms_verify_status"] is not None) == (got["status"] == 4), (state, audit, got)


@pytest.mark.parametrize(
    "missing,status",
    [
        ((), 1024),
        ({"info"}, 1025),
        ({"category"}, 1026),
        ({"info", "category"}, 1027),
        ({"uncertified"}, 1028),
        ({"info", "uncertified"}, 1029),
        ({"category", "uncertified"}, 1030),
        ({"info", "category", "uncertified"}, 1031),
    ],
)
def test_not_filed_bits(missing, status):
    assert wechat.codes("draft", "first_filing", missing=missing)["status"] == status
    assert wechat.STATUS_ZH[status].startswith("未备案")


def test_info_shape_and_audit_data():
    app = {
        "state": "bureau_rejected",
        "kind": "first_filing",
        "audit_data": [
            {"code": "X", "field": "websites.0.name", "key_name": "网站名称", "error": "不符", "suggest": "改"}
        ],
    }
    info = wechat.info(app)
    assert list(info) == ["status", "is_canceling", "audit_data", "available", "sms_verify_status"]
    assert info["audit_data"] == [{"key_name": "网站名称", "error": "不符", "suggest": "改"}]
    assert info["status"] == 5 and info["available"] == 1
    assert wechat.info(dict(app, state="bureau_review"))["audit_data"] == []


def test_account_info():
    assert wechat.account_info([], filed=False, eligible=True)["status"] == 1025
    closed = wechat.account_info([], filed=False, eligible=False)
    assert closed["status"] == 1029 and closed["available"] == 0
    assert wechat.account_info([], filed=True, eligible=True)["status"] == 6
    done = {"state": "approved", "kind": "first_filing"}
    cancelling = {"state": "bureau_review", "kind": "cancel_entity"}
    info = wechat.account_info([done, cancelling], filed=True, eligible=True)
    assert info["status"] == 4 and info["is_canceling"] == 1
    gone = wechat.account_info([done, dict(cancelling, state="approved")], filed=False, eligible=True)
    assert gone["status"] != 6 and gone["is_canceling"] == 0
