"""The kind specs' contract: one spec per kind, complete, and every layer finds its part —
a spec that lacks a part fails here or at import, never as a 500 or a wrong text at run time."""

import dataclasses

import pytest

from backend.api import schemas
from backend.chat import forms, texts
from backend.domain import kinds, workflow
from backend.domain.kinds import spec as kind_spec
from backend.services import effects

ANY = kinds.KINDS["first_filing"]


def test_the_registry_is_well_formed():
    assert len(kinds.KINDS) == 9 and kinds.registry_problems() == []
    assert workflow.problems() == []


@pytest.mark.parametrize("code", sorted(kinds.ALL))
def test_every_layer_reads_the_spec(code):
    spec = kinds.get(code)
    assert spec.code == code
    assert spec.approval.effect in effects.APPROVAL_EFFECTS
    assert code in schemas.PAYLOADS and schemas.PAYLOADS[code].__name__.endswith("PayloadSchema")
    assert forms.FLOWS[code].forms == spec.chat.forms and all(f in forms.FORMS for f in spec.chat.forms)
    assert spec.chat.result_text in texts.TEXTS
    assert texts.KIND_EN[code] == spec.chat.en and spec.chat.en and spec.chat.seed_quote
    assert spec.served_early_in <= set(workflow.STATES)


def test_a_spec_without_a_part_cannot_be_built():
    fields = {f.name: getattr(ANY, f.name) for f in dataclasses.fields(kind_spec.KindSpec)}
    del fields["chat"]
    with pytest.raises(TypeError):
        kind_spec.KindSpec(**fields)


def test_a_malformed_spec_is_reported():
    bad = dataclasses.replace(
        ANY,
        payload=dataclasses.replace(ANY.payload, websites="several"),
        served_early_in=frozenset({"nowhere"}),
        sms_to=("cousin",),
    )
    found = "\n".join(kind_spec.problems(bad, frozenset(workflow.STATES)))
    assert "payload.websites" in found and "nowhere" in found and "cousin" in found
    chat = dataclasses.replace(ANY.chat, asked_when=(("not_a_form", "entity"),))
    assert kind_spec.problems(dataclasses.replace(ANY, chat=chat))
