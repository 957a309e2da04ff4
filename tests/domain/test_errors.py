"""Error codes live in one module: every code raised anywhere in backend/ is declared in
errors.CODES with its HTTP status and zh-CN message, and every error is built by the one
factory (`errors.fail`, or a named helper over it), never by hand at the raising site."""

import ast
from pathlib import Path

import pytest

from backend.domain import errors

BACKEND = Path(__file__).resolve().parents[2] / "backend"
HOME = BACKEND / "domain" / "errors.py"
CLASSES = {"DomainError", "NotFound", "Conflict", "Unprocessable", "Unauthorized", "Forbidden", "PreconditionFailed"}
# the calls whose first argument is a code
FACTORIES = {"fail", "blocked", "_precondition"}


def _calls():
    """(file, call node, called name) of every call in backend/."""
    for path in sorted(BACKEND.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
                yield path, node, name


def _where(path, node):
    return f"{path.relative_to(BACKEND.parent)}:{node.lineno}"


def _literal(node):
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def test_no_raising_site_builds_an_error_by_hand():
    by_hand = [_where(path, node) for path, node, name in _calls() if name in CLASSES and path != HOME]
    assert not by_hand, f"build errors with errors.fail(CODE, …): {by_hand}"


def test_every_code_given_to_a_factory_is_declared():
    found = {}
    for path, node, name in _calls():
        if name in FACTORIES and node.args and _literal(node.args[0]):
            found.setdefault(_literal(node.args[0]), _where(path, node))
    assert len(found) > 30
    missing = {code: where for code, where in found.items() if code not in errors.CODES}
    assert not missing, missing


def test_a_site_words_its_own_message_only_when_it_differs():
    redundant = []
    for path, node, name in _calls():
        code = _literal(node.args[0]) if name == "fail" and len(node.args) > 1 else None
        if code in errors.CODES and _literal(node.args[1]) == errors.CODES[code].message:
            redundant.append(_where(path, node))
    assert not redundant, f"the message is the code's own: leave it out ({redundant})"


def test_every_code_has_a_status_and_a_message():
    for code, declared in errors.CODES.items():
        assert code.isupper() and code.replace("_", "").isalpha(), code
        assert 400 <= declared.status < 600, code
        assert declared.message.strip(), code


@pytest.mark.parametrize("code", sorted(errors.CODES))
def test_the_factory_gives_the_declared_status_class_and_message(code):
    exc = errors.fail(code, extra=1)
    declared = errors.CODES[code]
    assert (exc.code, exc.status, exc.message) == (code, declared.status, declared.message)
    assert exc.to_dict() == {"code": code, "message": declared.message, "extra": 1}
    kind = {401: errors.Unauthorized, 403: errors.Forbidden, 404: errors.NotFound, 409: errors.Conflict}
    assert isinstance(exc, kind.get(declared.status, errors.DomainError))


def test_per_field_errors_make_an_unprocessable_and_a_site_may_word_its_message():
    exc = errors.fail("SMS_CODE_WRONG", "还可尝试 2 次", errors={"code": ["核验码错误"]}, person=1)
    assert isinstance(exc, errors.Unprocessable) and exc.status == 422 and exc.errors == {"code": ["核验码错误"]}
    assert exc.to_dict() == {"code": "SMS_CODE_WRONG", "message": "还可尝试 2 次", "errors": exc.errors, "person": 1}
    assert errors.fail("SMS_RESEND_REFUSED", status=409).status == 409
    with pytest.raises(KeyError):
        errors.fail("NOT_A_DECLARED_CODE")


def test_the_named_helpers_give_declared_codes_and_statuses():
    for exc in (
        errors.sandbox_not_found("s1"),
        errors.application_not_found("A0001"),
        errors.order_in_progress("A1"),
        errors.action_not_allowed("待完善", "resubmit", "draft", ["submit"]),
        errors.kind_not_available("first_filing", "首次备案"),
        errors.validation_failed({"payload": ["x"]}),
    ):
        assert errors.CODES[exc.code].status == exc.status, exc.code
    assert errors.sandbox_not_found("s1").to_dict() == {
        "code": "SANDBOX_NOT_FOUND",
        "message": "沙箱不存在",
        "sandbox_id": "s1",
    }
    assert errors.validation_failed({"a": ["m"]}).to_dict() == {
        "code": "VALIDATION_FAILED",
        "message": "提交的信息有误，请按提示修改",
        "errors": {"a": ["m"]},
    }
    assert errors.as_errors([errors.Problem("a", "X", "m1"), ("a", "Y", "m2")]) == {"a": ["m1", "m2"]}


def test_every_precondition_code_has_its_factory():
    exc = errors.entity_already_filed("已有主体", "办理新增网站", entity_number="粤ICP备2026012345号")
    assert (exc.code, exc.status) == ("ENTITY_ALREADY_FILED", 409)
    assert exc.to_dict()["suggest"] == "办理新增网站" and exc.details["entity_number"] == "粤ICP备2026012345号"
    made = [code for code in errors.CODES if getattr(getattr(errors, code.lower(), None), "code", None) == code]
    assert len(made) == 18 and "WEBSITE_NOT_FOUND" in made
    for code in made:
        assert getattr(errors, code.lower())("m", "s").code == code and errors.CODES[code].status == 409
