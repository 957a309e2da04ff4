"""From the `checklist` step (issue #12: the stages before submission in a strict sandbox) there is
always a path to a submit: every requirement `readiness.missing` can name has a reply that deals
with it — each missing form field is asked by the checklist form, and the checklist form's answers
(checked with forms_rules like REST) clear every form requirement — and the step leads on to the
submit (the sync targets) or back to the recap."""

import copy
from datetime import date

from hypothesis import given, settings, strategies as st
from support.people import personal_payload

from backend.chat import forms, steps, steps_checklist
from backend.domain import forms_rules
from backend.services.applications import merge

# one valid answer per field of the checklist form (张三, 深圳南山)
ANSWERS = {
    "certificate_address": "广东省深圳市南山区科技园路 1 号",
    "investor": "张三",
    "emergency_phone": "13900001111",
    "id_valid_from": "2020-01-01",
    "id_valid_until": "长期",
    "province_code": "440000",
    "city_code": "440300",
    "district_code": "440305",
    "street": "科技园路 1 号",
    "languages": "1",
}
FILLED = {
    "entity.certificate_address",
    "entity.mailing_address",
    "entity.responsible.emergency_phone",
    "entity.responsible.id_valid_until",
    "websites.languages",
}


def order(filled, sites):
    payload = personal_payload("1.2.3.4")
    payload["websites"] = [copy.deepcopy(payload["websites"][0]) for _ in range(sites)]
    for i, site in enumerate(payload["websites"]):
        site["domain"] = f"site{i}.cn"
    if "entity.mailing_address" in filled:
        payload["entity"]["mailing_address"] = {
            "province_code": "440000",
            "city_code": "440300",
            "district_code": "440305",
            "street": "x 路 1 号",
        }
    if "entity.certificate_address" in filled:
        payload["entity"]["certificate_address"] = ANSWERS["certificate_address"]
    for name in ("emergency_phone", "id_valid_until"):
        if f"entity.responsible.{name}" in filled:
            payload["entity"]["responsible"][name] = ANSWERS[name]
    if "websites.languages" in filled:
        for site in payload["websites"]:
            site["languages"] = ["1"]
    return {"kind": "first_filing", "payload": payload}


@settings(max_examples=40, deadline=None)
@given(filled=st.sets(st.sampled_from(sorted(FILLED))), sites=st.integers(1, 3))
def test_the_checklist_form_clears_every_missing_form_field(filled, sites):
    app = order(filled, sites)
    missing = [
        {"stage": "form", "path": path}
        for path, _c, _m in forms_rules.missing_fields("first_filing", app["payload"], None)
    ]
    names = steps_checklist._field_names(missing)
    assert bool(names) == bool(missing)
    patched = merge(app["payload"], steps_checklist._patch(app, {n: ANSWERS[n] for n in names}))
    assert forms_rules.missing_fields("first_filing", patched, None) == []
    assert forms_rules.problems("first_filing", patched, date(2026, 6, 1)) == []


def test_every_field_the_checklist_can_ask_is_on_its_form():
    form_fields = {f.name for f in steps.forms.FORMS[steps_checklist.FORM_ID].fields}
    assert set(steps_checklist.FIELDS) == form_fields


def test_the_checklist_leads_to_a_submit_or_back_to_the_recap():
    step = steps.STEPS[steps_checklist.STEP]
    assert set(steps.SYNC_TARGETS) <= set(step.next) and "confirm" in step.next
    assert steps.STEPS[steps_checklist.FORM_STEP].next == (steps_checklist.STEP,)
    assert steps_checklist.STEP in steps.STEPS["confirm"].next


def test_the_chat_checklist_asks_the_remark_where_it_is_missing():
    names = steps_checklist._field_names([{"stage": "form", "path": "entity.remark"}])
    assert names == ["remark"] and forms.FORMS["checklist"].field("remark")
    assert steps_checklist._patch({"payload": {}}, {"remark": " 应急联系人：王某，父亲 "}) == {
        "entity": {"remark": "应急联系人：王某，父亲"}
    }
