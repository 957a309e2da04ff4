"""GET ~/numbers/validate: reading record numbers (domain.md §6)."""

import pytest

from api.flows import field_errors, is_zh, new_sandbox, ok


def validate(sb, number):
    return ok(sb.get("~/numbers/validate", query_string={"number": number}))


@pytest.mark.parametrize(
    "number,expected",
    [
        (
            "粤ICP备2026012345号",
            {
                "kind": "entity",
                "province_code": "44",
                "province_abbr": "粤",
                "year": 2026,
                "sequence": 12345,
                "site_index": None,
                "entity_number": "粤ICP备2026012345号",
            },
        ),
        (
            "粤ICP备2026012345号-1",
            {
                "kind": "website",
                "province_code": "44",
                "site_index": 1,
                "suffix": None,
                "year": 2026,
                "entity_number": "粤ICP备2026012345号",
                "normalized": "粤ICP备2026012345号-1",
            },
        ),
        (
            "京ICP备11018762号-3",
            {"kind": "website", "province_code": "11", "year": 2011, "sequence": 18762, "site_index": 3},
        ),
        (
            "京ICP备11018762号-3X",
            {
                "kind": "miniprogram",
                "province_code": "11",
                "site_index": 3,
                "suffix": "X",
                "entity_number": "京ICP备11018762号",
            },
        ),
        ("沪ICP备2021001234号-2A", {"kind": "app", "province_code": "31", "site_index": 2, "suffix": "A"}),
        ("蜀ICP备2023004567号-1", {"kind": "website", "province_code": "51", "province_name": "四川省"}),
        ("粤B2-20090059", {"kind": "icp_licence", "province_code": "44", "year": 2009}),
        ("京ICP证030173号", {"kind": "icp_licence_legacy", "province_code": "11"}),
        (
            "京公网安备11010802020287号",
            {"kind": "public_security", "province_code": "11", "serial": "11010802020287", "entity_number": None},
        ),
        ("川公网安备51010702001234号", {"kind": "public_security", "province_code": "51"}),
    ],
)
def test_valid_numbers(sandbox, number, expected):
    body = validate(sandbox, number)
    assert body["valid"] is True, body
    for key, value in expected.items():
        assert body[key] == value, (key, body)
    assert "code" not in body or body["code"] is None


@pytest.mark.parametrize(
    "typed,code",
    [
        (" 粤ICP备2026012345号－1 ", "NUMBER_HAS_SPACES"),
        ("粤ICP备2026012345号－1", "NUMBER_FULL_WIDTH"),
        ("粤icp备2026012345号-1", "NUMBER_LOWERCASE"),
        ("粤ICP备2026012345-1", "NUMBER_MISSING_HAO"),
    ],
)
def test_typed_forms_are_invalid_with_a_suggestion(sandbox, typed, code):
    """Issue 9 item 4: the validator is strict; the corrected form is only a suggestion."""
    body = validate(sandbox, typed)
    assert body["valid"] is False and body["code"] == code, body
    assert body["suggestion"] == "粤ICP备2026012345号-1" and is_zh(body["message"]), body
    assert "normalized" not in body


@pytest.mark.parametrize(
    "number,code",
    [
        ("hello", "NUMBER_UNKNOWN_FORMAT"),
        ("粤ICP备20260123号", "NUMBER_BAD_YEAR"),  # 8 digits but a 2020+ year
        ("粤ICP备202601234号", "NUMBER_BAD_SERIAL_LENGTH"),
        ("粤ICP备2027012345号", "NUMBER_BAD_YEAR"),  # after the virtual date's year
        ("火ICP备2026012345号", "NUMBER_UNKNOWN_PROVINCE"),
        ("ICP备2026012345号", "NUMBER_UNKNOWN_PROVINCE"),
        ("川ICP备2023004567号", "NUMBER_WRONG_ABBR_FOR_KIND"),  # Sichuan is 蜀 in ICP numbers
        ("蜀公网安备51010702001234号", "NUMBER_WRONG_ABBR_FOR_KIND"),
        ("京公网安备44030502001234号", "NUMBER_POLICE_DIVISION_MISMATCH"),
        ("京公网安备1101080202028号", "NUMBER_BAD_SERIAL_LENGTH"),
        ("粤ICP备2026012345号-0", "NUMBER_BAD_SITE_INDEX"),
        ("粤B2-2009005", "NUMBER_BAD_SERIAL_LENGTH"),
    ],
)
def test_invalid_numbers(sandbox, number, code):
    body = validate(sandbox, number)
    assert body["valid"] is False, body
    assert body["code"] == code, body
    assert is_zh(body["message"]), body
    assert body["input"] == number


def test_year_check_follows_the_virtual_date(control):
    sb = new_sandbox(control, seed=1, clock_start="2027-03-01T09:00:00+08:00")
    assert validate(sb, "粤ICP备2027012345号")["valid"] is True


def test_missing_number(sandbox):
    field_errors(sandbox.get("~/numbers/validate"), "number")


def test_empty_number(sandbox):
    resp = sandbox.get("~/numbers/validate", query_string={"number": ""})
    if resp.status_code == 200:
        body = resp.get_json()
        assert body["valid"] is False and body["code"] == "NUMBER_EMPTY" and is_zh(body["message"])
    else:
        field_errors(resp, "number")
