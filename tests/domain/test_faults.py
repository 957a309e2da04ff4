"""Fault rules as data (domain/faults.py): the face_fail effect's shape, validation and matching."""

import pytest

from backend.domain import face_check, faults as F
from backend.domain.errors import Unprocessable

APP = {"id": "A0001", "kind": "first_filing", "attempt": 0}


def test_face_fail_defaults_to_the_face_stage_and_once():
    rule = F.normalize({"effect": "face_fail", "reason": "occlusion"}, "F0001")
    assert rule["stage"] == "face" and rule["times"] == 1 and rule["reason"] == "occlusion"
    assert rule["probability"] is None and "audit_data" not in rule
    always = F.normalize({"effect": "face_fail", "reason": "background", "times": "always", "probability": 0.5}, "F2")
    assert always["times"] is None and always["probability"] == 0.5


def test_every_reason_a_phone_can_report_and_not_the_clock_s():
    assert set(F.FACE_REASONS) == set(face_check.FAILURE_REASONS) - {"expired"}
    for reason in F.FACE_REASONS:
        assert F.normalize({"effect": "face_fail", "reason": reason}, "F1")["reason"] == reason


@pytest.mark.parametrize(
    "data,fields",
    [
        ({"effect": "face_fail"}, {"reason"}),  # required
        ({"effect": "face_fail", "reason": "expired"}, {"reason"}),  # the clock's, not a phone's
        ({"effect": "face_fail", "reason": "sunglasses"}, {"reason"}),
        ({"effect": "face_fail", "reason": "occlusion", "stage": "provider"}, {"stage"}),
        ({"effect": "face_fail", "reason": "occlusion", "probability": 0}, {"probability"}),
        ({"effect": "face_fail", "reason": "occlusion", "codes": ["DOMAIN_NOT_REAL_NAME"]}, {"audit_data"}),
        ({"effect": "face_fail", "reason": "occlusion", "delay": "1d"}, {"delay"}),
        ({"effect": "reject", "reason": "occlusion"}, {"reason"}),  # only face_fail has a reason
        ({"effect": "sms_timeout", "probability": 0.5}, {"probability"}),
    ],
)
def test_face_fail_validation_names_each_field(data, fields):
    with pytest.raises(Unprocessable) as e:
        F.normalize(data, "F0001")
    errors = e.value.errors
    assert set(errors) == fields, errors
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in m) for msgs in errors.values() for m in msgs)  # zh-CN


def test_face_rules_match_only_face_attempts_and_their_filters():
    rules = [
        F.normalize({"effect": "face_fail", "reason": "occlusion", "app_id": "A0002"}, "F1"),
        F.normalize({"effect": "reject", "stage": "any"}, "F2"),
        F.normalize({"effect": "face_fail", "reason": "background", "kind": "first_filing"}, "F3"),
    ]
    assert F.candidates(rules, APP, ("face_fail",), "face") == [2]
    assert F.candidates(rules, APP, ("reject", "approve"), "provider") == [1]
    assert F.candidates(rules, dict(APP, id="A0002"), ("face_fail",), "face") == [0, 2]
    used = F.used(rules, 2)
    assert F.exhausted(used[2]) and F.candidates(used, APP, ("face_fail",), "face") == []


def test_the_scenario_format_knows_the_face_fail_rule():
    from icpsim_scenario import schema_source

    props = schema_source.FAULT["properties"]
    assert set(props["effect"]["enum"]) == set(F.EFFECTS)
    assert props["reason"]["enum"] == list(F.FACE_REASONS)
    assert set(props) - {"id"} >= set(F.FIELDS)
