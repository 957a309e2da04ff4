"""The conversation's step table and forms are well formed (no Redis, no HTTP)."""

import re
import string

import pytest
from support.people import ZHANG_SAN_ID

from backend.chat import forms, steps, texts
from backend.chat.engine import ANSWER_KEYS, COMMANDS
from backend.domain import kinds, payloads, validation, workflow

CJK = re.compile(r"[\u4e00-\u9fff]")


def edges(step):
    return [steps.START if n == steps.RESTART else n for n in step.next]


def test_every_next_step_exists():
    for step in steps.STEPS.values():
        for nxt in step.next:
            assert nxt in steps.STEPS or nxt == steps.RESTART, (step.id, nxt)
    assert steps.START in steps.STEPS
    assert set(steps.SYNC_TARGETS) <= set(steps.STEPS)


def test_every_step_is_reachable_from_the_start():
    seen, todo = {steps.START}, [steps.START]
    while todo:
        for nxt in edges(steps.STEPS[todo.pop()]):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    assert seen == set(steps.STEPS), set(steps.STEPS) - seen


def test_every_step_can_get_back_to_the_start():
    """No trap: from every step a path leads to the start again without the restart command.
    Besides the table's own edges, the application's moves (sync) lead to SYNC_TARGETS."""
    for start in steps.STEPS:
        seen, todo = {start}, [start]
        while todo:
            for nxt in edges(steps.STEPS[todo.pop()]) + list(steps.SYNC_TARGETS):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        assert steps.START in seen, start


def test_steps_are_well_typed():
    for step in steps.STEPS.values():
        assert step.accepts in (steps.CHOICE, steps.FORM, steps.TEXT, steps.NONE, steps.AUTO), step.id
        assert callable(step.enter), step.id
        if step.accepts in (steps.CHOICE, steps.FORM, steps.TEXT):
            assert callable(step.handle), step.id
        else:
            assert step.handle is None, step.id
        if step.accepts == steps.AUTO:
            assert step.next and not step.anchor, step.id  # an automatic step always moves on
        assert (step.accepts == steps.FORM) == (step.form_id is not None), step.id
        if step.form_id:  # form.<form id>, or form.<form id>.<i> for copy i of a repeatable form
            assert re.fullmatch(rf"form\.{step.form_id}(\.[1-9]\d*)?", step.id) and step.form_id in forms.FORMS
            assert step.id == "form." + forms.screen_id(step.form_id, forms.parse_screen(step.id[5:])[1])


def test_after_submission_there_is_no_way_back():
    """Steps that follow the application's state clear the way back; the others do not."""
    for name in steps.SYNC_TARGETS:
        assert steps.STEPS[name].anchor, name
    assert {s.id for s in steps.STEPS.values() if s.anchor} == set(steps.SYNC_TARGETS) | {steps.START}


@pytest.mark.parametrize("kind", sorted(kinds.ALL))
def test_every_state_of_the_table_has_a_step(kind):
    """The state decides the step (derived from the workflow table): every state the kind
    uses maps to a step the engine can enter, or to None for a draft (still being filled in)."""
    for state in workflow.used_states(kind) | {"draft"}:
        app = {"state": state, "kind": kind, "allowed_actions": workflow.user_actions(state, kind)}
        target = steps.state_step(app)
        if state == "draft":
            assert target is None
        else:
            assert target in steps.SYNC_TARGETS, (kind, state, target)
    terminal = [s for s in workflow.STATES.values() if s.terminal]
    assert all(steps.state_step({"state": s.name, "kind": kind, "allowed_actions": []}) == "done" for s in terminal)


def test_the_kind_choice_covers_every_kind_and_the_flows_are_known_kinds():
    assert set(forms.FLOWS) <= set(kinds.KINDS)
    assert set(texts.KIND_EN) == set(kinds.KINDS) == set(texts.SEED_SCENARIOS)
    for flow in forms.FLOWS.values():
        assert flow.forms and all(f in forms.FORMS for f in flow.forms), flow
        assert len(set(flow.forms)) == len(flow.forms)
    assert "first_filing" in forms.FLOWS and steps.available("first_filing")
    for kind in kinds.KINDS:
        assert steps.available(kind) == (kind in kinds.IMPLEMENTED and kind in forms.FLOWS)


def test_form_fields_are_well_formed():
    for form in forms.FORMS.values():
        names = [f.name for f in form.fields]
        assert len(set(names)) == len(names), form.id
        assert "_form" not in names  # the key of errors about the form as a whole
        assert all(texts.pick(loc, form.title) for loc in texts.LOCALES)
        for f in form.fields:
            assert f.type in forms.FIELD_TYPES, (form.id, f.name)
            assert f.label[0] and f.label[1] and CJK.search(f.label[0]), (form.id, f.name)
            if f.type == forms.SELECT:
                assert f.options, (form.id, f.name)
                if isinstance(f.options, str):
                    assert f.options in forms.OPTION_SOURCES
                elif f.default is not None:
                    assert f.default in [v for v, _ in f.options], (form.id, f.name)
            if f.default_from:
                assert f.when is None or len(f.when) == 2


def test_select_options_cover_the_domain_codes():
    assert set(forms.ENTITY_TYPE_LABELS) == set(validation.ENTITY_TYPES)
    assert set(forms.CERT_TYPE_LABELS) == set(validation.CERT_TYPES)
    assert set(forms.SERVICE_CONTENT_LABELS) == set(validation.SERVICE_CONTENTS)
    entity = forms.FORMS["entity"]
    assert [v for v, _ in entity.field("type").options] == list(validation.ENTITY_TYPES)
    responsible = forms.FORMS["responsible"]
    assert [v for v, _ in responsible.field("certificate_type").options] == list(validation.PERSON_CERT_TYPES)


class FakeCtx:
    locale = "zh-CN"

    def eligibility(self):
        return {"usable_ips": [{"ip": "162.10.20.30", "slots_left": 2}]}


def test_a_first_filing_answered_with_the_defaults_is_a_valid_payload():
    """Filling the forms (defaults where allowed) yields a payload the domain validation accepts."""
    ctx, flow, answers = FakeCtx(), forms.FLOWS["first_filing"], {}
    typed = {
        "entity": {
            "name": "张三",
            "certificate_number": ZHANG_SAN_ID,
            "province": "44",
            "address": "广东省深圳市南山区科技园路 1 号",
        },
        "responsible": {"mobile": "13800138000", "email": "zhangsan@example.com"},
        "website": {"name": "张三的个人博客", "domain": "zhangsan-blog.cn"},
    }
    for form_id in flow.forms:
        answers = forms.absorb(ctx, forms.FORMS[form_id], answers, typed[form_id])
    payload = forms.payload(flow, answers)
    assert payloads.validate_payload("first_filing", payload) == {}
    assert payload["entity"]["responsible"]["certificate_number"] == ZHANG_SAN_ID  # from the entity
    assert payload["websites"][0]["nat_ip"] == "162.10.20.30"
    assert payload["websites"][0]["filing_type"] == "cloudbase_run"
    # answering the entity again keeps the responsible person stored inside it
    answers = forms.absorb(ctx, forms.FORMS["entity"], answers, {"address": "广东省广州市天河区 1 号"})
    assert forms.payload(flow, answers)["entity"]["responsible"]["mobile"] == "13800138000"


def test_service_errors_land_on_their_forms():
    flow = forms.FLOWS["first_filing"]
    errors = {
        "payload.entity.name": ["a"],
        "payload.entity.responsible.mobile": ["b"],
        "payload.websites.0.nat_ip": ["c"],
        "payload.websites": ["d"],
        "payload.kind": ["e"],
    }
    assert forms.errors_by_form(flow, errors) == {
        "entity": {"name": ["a"], "_form": ["e"]},
        "responsible": {"mobile": ["b"]},
        "website": {"nat_ip": ["c"], "_form": ["d"]},
    }
    assert forms.errors_by_form(flow, {"sms": ["x"]}, keep_unplaced=False) == {}


def test_a_patch_clears_what_was_removed():
    flow = forms.FLOWS["first_filing"]
    previous = {
        "entity": {"name": "张三", "id_valid_until": "2030-01-01", "responsible": {"mobile": "1"}},
        "websites": [{"name": "x"}],
    }
    answers = {"entity": {"name": "张三", "responsible": {"mobile": "2"}}, "websites": [{"name": "y"}]}
    patch = forms.patch(flow, answers, previous)
    assert patch["entity"]["id_valid_until"] is None and patch["entity"]["responsible"] == {"mobile": "2"}
    assert patch["websites"] == [{"name": "y"}]


def _fields(template):
    """Placeholders; a zh/en pair may differ only by the language suffix (kind_zh / kind_en)."""
    return {re.sub(r"_(zh|en)$", "", name) for _, name, _, _ in string.Formatter().parse(template) if name}


def test_texts_exist_in_both_locales_with_the_same_placeholders():
    for code, (zh, en) in texts.TEXTS.items():
        assert zh and en, code
        assert CJK.search(zh), code
        assert _fields(zh) == _fields(en), code
    for table in (texts.CHOICE_LABELS, texts.ACTION_HINTS, texts.COMMAND_LABELS, texts.NEXT_STEPS):
        for key, (zh, en) in table.items():
            assert CJK.search(zh) and en and _fields(zh) == _fields(en), key
    assert set(texts.NEXT_STEPS) >= {s.waits_on for s in workflow.STATES.values()}
    user_actions = {t.action for t in workflow.TRANSITIONS if t.actor == "user"} - {"sms_failed"}
    assert user_actions <= set(texts.ACTION_HINTS)
    assert set(texts.STATE_EN) == set(workflow.STATES)
    assert set(COMMANDS) == set(texts.COMMAND_LABELS)
    assert ANSWER_KEYS == ("choice", "form", "text", "command")


def test_the_seed_is_quoted_verbatim():
    assert "未获取许可或者未履行备案手续的，不得从事互联网信息服务，否则属于违法行为。" in texts.SEED_WHY
    assert "备案成功并获取通信管理局下发的 ICP 备案号后才能开通域名访问" in texts.SEED_WHY
    assert "任意一个资源包的剩余有效期大于等于90天" in texts.SEED_REQUIREMENTS
    assert "每个 IP 地址可进行两次备案" in texts.SEED_REQUIREMENTS
    assert texts.normalize_locale("en-US,en;q=0.9") == "en" and texts.normalize_locale(None) == "zh-CN"
    assert texts.normalize_locale("zh-CN,zh;q=0.9,en;q=0.8") == "zh-CN"


def test_the_next_step_of_a_draft_does_not_speak_of_a_rejection():
    """A draft's card (the checklist's sends move it) asks to edit the order, not to edit it
    "as the rejection says": only a rejected order has 驳回意见."""
    from backend.chat import cards

    actions = [workflow.EDIT, workflow.SUBMIT, workflow.WITHDRAW]
    draft = cards.next_step("zh-CN", {"state": workflow.DRAFT, "kind": "first_filing", "allowed_actions": actions})
    assert "驳回" not in draft and "修改" in draft and "提交订单" in draft
    for state in workflow.REJECTED_STATES:
        rejected = {"state": state, "kind": "first_filing", "allowed_actions": [workflow.EDIT, workflow.RESUBMIT]}
        assert "按驳回意见修改" in cards.next_step("zh-CN", rejected)
