"""Reading scenario files: versions, one action per step, the JSON Schema, folders."""

import json

import pytest

from mock_miniprogram.replay import parser, schema_source
from mock_miniprogram.replay.parser import ScenarioError

GOOD = """
version: 1
name: minimal
seed: 7
world: {preset: eligible, provinces: {"44": {bureau_wd_max: 5}}}
steps:
  - advance: 2d
  - advance: until_idle
  - advance: {until_idle: true, include_deadlines: true}
  - submit:
  - verify_sms: {app: app, code: wrong, times: 5}
  - expect: {clock: "2026-06-03T09:00:00+08:00", outbox: [{code: MIIT_SMS_CODE, count: 0}]}
"""


def problems(text):
    with pytest.raises(ScenarioError) as info:
        parser.loads(text, "x.yaml")
    return info.value.problems


def test_a_good_file():
    sc = parser.loads(GOOD, "good.yaml")
    assert sc.name == "minimal" and sc.seed == 7 and len(sc.steps) == 6
    assert sc.world["provinces"] == {"44": {"bureau_wd_max": 5}}


def test_seed_defaults_to_1():
    assert parser.loads("version: 1\nname: n\nsteps: [{advance: 1d}]").seed == 1


@pytest.mark.parametrize("version", [2, "1", 0, True, None])
def test_an_unknown_version_fails_loudly(version):
    text = f"version: {json.dumps(version)}\nname: n\nsteps: [{{advance: 1d}}]"
    (message,) = problems(text)
    assert "unsupported scenario format version" in message and "reads version 1" in message


def test_no_version():
    (message,) = problems("name: n\nsteps: [{advance: 1d}]")
    assert "no `version:` key" in message


def test_one_action_per_step_and_known_keys():
    found = problems("version: 1\nname: n\nsteps: [{advance: 1d, submit: a}, {frobnicate: 1}, {name: only a name}]")
    assert found[0] == "steps[0]: one action per step, found advance, submit"
    assert found[1].startswith("steps[1]: unknown key(s) frobnicate")
    assert found[2] == "steps[2]: no action (and no expect)"


def test_schema_errors_name_the_place():
    found = problems("version: 1\nname: n\nsteps:\n  - advance: {duration: soon}\n  - expect: {state: 5}")
    assert any(p.startswith("steps[0].advance") for p in found), found
    assert any(p.startswith("steps[1].expect.state") for p in found), found
    assert problems("version: 1\nname: n\nworld: {preset: huge}\nsteps: [{advance: 1d}]")[0].startswith("world.preset")
    assert problems("version: 1\nname: n\nsteps: []")[0].startswith("steps")
    assert "not valid YAML" in problems("version: 1\nname: [unclosed\n")[0]
    assert "mapping" in problems("- just\n- a list\n")[0]


def test_faults_in_files_are_checked():
    bad = "version: 1\nname: n\nworld: {faults: [{effect: explode}]}\nsteps: [{advance: 1d}]"
    assert problems(bad)[0].startswith("world.faults[0].effect")
    ok = (
        "version: 1\nname: n\nworld: {faults: [{effect: reject, stage: bureau, times: once, codes: [DOMAIN_CONFLICT]}]}\n"
        "steps: [{fault: {effect: delay, stage: handover, delay: 36h}}, {clear_faults: true}]"
    )
    parser.loads(ok)


def test_collect_folders_and_missing_paths(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "two.yml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "one.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a scenario")
    files = parser.collect([tmp_path, tmp_path / "one.yaml"])
    assert [f.name for f in files] == ["two.yml", "one.yaml"] or [f.name for f in files] == ["one.yaml", "two.yml"]
    assert len(files) == 2
    with pytest.raises(ScenarioError, match="no such file"):
        parser.collect([tmp_path / "missing.yaml"])


def test_the_published_schema_is_the_generated_one():
    assert parser.SCHEMA_PATH.read_text(encoding="utf-8") == schema_source.render()
    import jsonschema

    jsonschema.Draft202012Validator.check_schema(parser.schema())


def test_every_builtin_scenario_is_valid():
    files = parser.collect([parser.builtin_library()])
    assert len(files) >= 30
    names = [parser.load(f).name for f in files]
    assert len(set(names)) == len(names)  # names tell them apart in reports
