"""Error codes live in one module: every code raised anywhere in backend/ is declared in
errors.CODES with its HTTP status, and the shared ones come from one factory each."""

import re
from pathlib import Path

from backend.domain import errors

BACKEND = Path(__file__).resolve().parents[2] / "backend"
RAISED = re.compile(
    r"(?:NotFound|Conflict|DomainError|Forbidden|Unauthorized|_precondition|Unprocessable)\(\s*\"([A-Z][A-Z_]+)\""
    r"|code=\"([A-Z][A-Z_]+)\""
)


def raised_codes():
    found = {}
    for path in BACKEND.rglob("*.py"):
        for m in RAISED.finditer(path.read_text(encoding="utf-8")):
            found.setdefault(m[1] or m[2], path.relative_to(BACKEND.parent))
    return found


def test_every_raised_code_is_declared():
    found = raised_codes()
    assert len(found) > 30
    missing = {code: str(where) for code, where in found.items() if code not in errors.CODES}
    assert not missing, missing


def test_the_factories_give_declared_codes_and_statuses():
    for exc in (
        errors.sandbox_not_found("s1"),
        errors.application_not_found("A0001"),
        errors.order_in_progress("A1"),
        errors.action_not_allowed("待完善", "resubmit", "draft", ["submit"]),
        errors.sms_code_wrong(2),
        errors.kind_not_available("first_filing", "首次备案"),
        errors.teleport_not_allowed("x"),
        errors.validation_failed({"payload": ["x"]}),
    ):
        assert errors.CODES[exc.code] == exc.status, exc.code
    assert errors.sandbox_not_found("s1").to_dict() == {
        "code": "SANDBOX_NOT_FOUND",
        "message": "沙箱不存在",
        "sandbox_id": "s1",
    }
    assert errors.as_errors([errors.Problem("a", "X", "m1"), ("a", "Y", "m2")]) == {"a": ["m1", "m2"]}


def test_every_precondition_code_has_its_factory():
    exc = errors.entity_already_filed("已有主体", "办理新增网站", entity_number="粤ICP备2026012345号")
    assert (exc.code, exc.status) == ("ENTITY_ALREADY_FILED", 409)
    assert exc.to_dict()["suggest"] == "办理新增网站" and exc.details["entity_number"] == "粤ICP备2026012345号"
    made = [code for code in errors.CODES if getattr(getattr(errors, code.lower(), None), "code", None) == code]
    assert len(made) == 18 and "WEBSITE_NOT_FOUND" in made
    for code in made:
        assert getattr(errors, code.lower())("m", "s").code == code and errors.CODES[code] == 409
