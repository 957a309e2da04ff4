"""Expectation matching: values, operators, the named expectations, failure messages."""

from mock_miniprogram.replay import expect as E


def test_subset_objects_exact_lists():
    assert E.match({"a": 1}, {"a": 1, "b": 2}) == []
    assert E.match([1, 2], [1, 2]) == []
    (m,) = E.match([1, 2], [1, 2, 3], "xs")
    assert m.what == "xs" and "3 items instead of 2" in m.render()
    (m,) = E.match({"a": {"b": "x"}}, {"a": {"b": "y"}}, "v")
    assert m.what == "v.a.b" and m.render() == 'v.a.b: expected "x", got "y"'
    assert E.match({"a": 1}, {}, "v")[0].render() == "v.a: expected 1, got (missing)"
    assert E.match(1, 1.0) == [] and E.match(True, 1) and E.match("6", 6)


def test_operators():
    assert E.match({"$regex": r"粤ICP备\d{10}号"}, "粤ICP备2026012345号") == []
    assert E.match({"$regex": r"\d+"}, "12a")
    assert E.match({"$contains": "MIIT"}, ["SMS", "MIIT"]) == []
    assert E.match({"$contains": {"code": "X"}}, [{"code": "X", "n": 1}]) == []
    assert E.match({"$contains": "核验"}, "短信核验码") == []
    assert E.match({"$len": 2}, [1, 2]) == [] and E.match({"$len": 2}, [1])
    assert E.match({"$in": [1, 2]}, 2) == [] and E.match({"$in": [1, 2]}, 3)
    assert E.match({"x": {"$absent": True}}, {"y": 1}) == []
    assert E.match({"x": {"$absent": True}}, {"x": 1})
    assert E.match({"$not": "a"}, "b") == [] and E.match({"$not": "a"}, "a")
    assert E.match({"x": {"$any": True}}, {}) == []
    assert "unknown operator" in E.match({"$nope": 1}, 1)[0].render()


APP = {
    "id": "A0001",
    "state": "approved",
    "wechat": {"status": 6, "sms_verify_status": None},
    "audit_data": [{"code": "B"}, {"code": "A"}],
    "result": {"entity_number": "粤ICP备2026014959号", "website_numbers": ["粤ICP备2026014959号-1"]},
}


def test_application_expectations():
    assert (
        E.app_mismatches(
            {
                "state": "approved",
                "wechat_status": 6,
                "sms_verify_status": None,
                "audit_codes": ["A", "B"],
                "record_number": r"粤ICP备2026\d{6}号",
                "website_numbers": [r"粤ICP备2026\d{6}号-1"],
            },
            APP,
        )
        == []
    )
    (m,) = E.app_mismatches({"record_number": r"京ICP备\d+号"}, APP, who="app")
    assert m.render() == (
        'app.record_number: expected {"$regex": "京ICP备\\\\d+号"}, got "粤ICP备2026014959号" '
        "(does not match the pattern)"
    )
    (m,) = E.app_mismatches({"audit_codes": ["A"]}, APP)
    assert "audit_data codes differ" in m.render()
    assert E.app_mismatches({"record_number": None}, {"result": {}}) == []
    (m,) = E.app_mismatches({"history": ["create", "submit"]}, APP, history=[{"action": "create"}])
    assert m.actual == ["create"]


def test_outbox_eligibility_records():
    outbox = [
        {"code": "MIIT_SMS_CODE", "channel": "sms", "to": "138", "app_id": "A0001", "text": "核验码为 123456"},
        {"code": "ORDER_SUBMITTED", "channel": "site", "to": "account", "app_id": "A0001", "text": "…"},
    ]
    assert (
        E.outbox_mismatches(
            [{"code": "MIIT_SMS_CODE", "app": "app", "text": {"$regex": ".*123456.*"}}], outbox, lambda ref: "A0001"
        )
        == []
    )
    (m,) = E.outbox_mismatches([{"code": "MIIT_SMS_CODE", "count": 2}], outbox, str)
    assert m.what == "outbox[0].count" and (m.expected, m.actual) == (2, 1)
    (m,) = E.outbox_mismatches([{"code": "BUREAU_APPROVED"}], outbox, str)
    assert "no such message" in m.render()
    result = {
        "eligible": False,
        "rules": [{"code": "NO_RESOURCE_PACK", "passed": False}, {"code": "OK", "passed": True}],
        "usable_ips": [],
    }
    assert E.eligibility_mismatches({"eligible": False, "failed": ["NO_RESOURCE_PACK"], "usable_ips": 0}, result) == []
    assert E.eligibility_mismatches({"failed": []}, result)[0].what == "eligibility.failed"
    recs = [{"number": "1", "status": "active"}, {"number": "2", "status": "cancelled"}]
    assert E.records_mismatches([{"status": "cancelled"}], recs, "websites") == []
    assert E.records_mismatches({"count": 3}, recs, "websites")[0].what == "websites.count"
    assert E.gateway_mismatches({"domain": "a.cn", "served": True}, {"served": False})[0].what == "gateway[a.cn].served"


def test_usable_ips_is_a_count_or_the_ips():
    """Issue 9 item 2: REST lists the usable IPs; a scenario may count them or list them."""
    result = {"usable_ips": [{"ip": "10.0.0.1", "slots_left": 2}, {"ip": "10.0.0.2", "slots_left": 1}]}
    assert E.eligibility_mismatches({"usable_ips": 2}, result) == []
    assert E.eligibility_mismatches({"usable_ips": ["10.0.0.1", "10.0.0.2"]}, result) == []
    assert E.eligibility_mismatches({"usable_ips": 1}, result)
    assert E.eligibility_mismatches({"usable_ips": ["10.0.0.1"]}, result)
