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


def test_what_the_code_asks_of_a_kind_is_read_from_its_spec():
    """Logic that differs by kind asks the spec (its payload's modes), never the kind's name."""
    by = {
        name: {k for k, s in kinds.KINDS.items() if getattr(s, name)}
        for name in ("files_new_entity", "files_new_website", "accesses_records", "acts_on_own_entity")
    }
    assert by["files_new_entity"] == {kinds.FIRST_FILING, kinds.ADD_WEBSITE_EXTERNAL}
    assert by["files_new_website"] == by["files_new_entity"] | {kinds.ADD_WEBSITE}
    assert by["accesses_records"] == {kinds.ACCESS_FILING}
    # the kinds that act on the account's own entity at Tencent: neither a new entity nor one to match
    assert by["acts_on_own_entity"] == kinds.ALL - by["files_new_entity"] - by["accesses_records"]
    # the kinds that file or bring a website onto a 云托管 IP need one (and take materials)
    assert {k for k, s in kinds.KINDS.items() if s.chat.needs_ip} == by["files_new_website"] | by["accesses_records"]
    names = [getattr(kinds, n) for n in kinds.__all__ if n.isupper() and n not in ("ALL", "KINDS")]
    assert set(names) >= set(kinds.KINDS)
