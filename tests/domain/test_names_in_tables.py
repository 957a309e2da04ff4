"""No kind, state or user-action name is written as a string outside the workflow table
(backend/domain/workflow.py) and the kind specs (backend/domain/kinds/): the rest of the code
uses their constants (workflow.DRAFT, kinds.FIRST_FILING, …) or asks a spec (`files_new_entity`,
`accesses_records`, …), so renaming or adding one is a change in one place."""

import ast
from pathlib import Path

from backend.domain import kinds, workflow

BACKEND = Path(__file__).resolve().parents[2] / "backend"
HOMES = {BACKEND / "domain" / "workflow.py", BACKEND / "domain" / "workflow_diagram.py"}
NAMES = set(kinds.KINDS) | set(workflow.STATES) | {t.action for t in workflow.TRANSITIONS if t.actor == "user"}

# the same words in another vocabulary: (file under backend/, literal) -> what it names there
OTHER_VOCABULARIES = {
    ("chat/forms_change.py", "change_website"): "a chat form id (the kind's spec lists its forms)",
    ("chat/forms_change.py", "cancel_entity"): "a chat form id",
    ("chat/step_kit.py", "expired"): "a conversation step",
    ("chat/steps.py", "expired"): "a conversation step",
    ("chat/texts.py", "resubmit"): "the English hint of an action",
    ("chat/texts.py", "withdraw"): "the English hint of an action",
    ("domain/durations.py", "provider_review"): "a timer's delay key (workflow.TIMERS)",
    ("domain/durations.py", "bureau_review"): "a timer's delay key (workflow.TIMERS)",
    ("domain/faults.py", "provider_review"): "a timer's name (workflow.TIMERS)",
    ("domain/faults.py", "bureau_review"): "a timer's name (workflow.TIMERS)",
    ("domain/face_check.py", "expired"): "a face check's failure reason",
    ("domain/miit.py", "expired"): "an SMS verification's state",
    ("services/recording.py", "verify_sms"): "a step of the scenario format",
}


def _docstrings(tree):
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            yield body[0].value


def test_no_kind_state_or_action_name_outside_the_tables():
    found = {}
    for path in sorted(BACKEND.rglob("*.py")):
        if path in HOMES or "kinds" in path.relative_to(BACKEND).parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docs = {id(d) for d in _docstrings(tree)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and node.value in NAMES and id(node) not in docs:
                key = (path.relative_to(BACKEND).as_posix(), node.value)
                if key not in OTHER_VOCABULARIES:
                    found.setdefault(key, node.lineno)
    assert not found, f"use workflow's or kinds' constants, or ask the kind's spec: {found}"


def test_the_exceptions_are_still_there():
    """An exception that no longer occurs is dropped from the list (it would hide a new use)."""
    for rel, literal in OTHER_VOCABULARIES:
        tree = ast.parse((BACKEND / rel).read_text(encoding="utf-8"))
        assert any(isinstance(n, ast.Constant) and n.value == literal for n in ast.walk(tree)), (rel, literal)
