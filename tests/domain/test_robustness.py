"""Domain checks never crash on odd input: Unicode digits, clock bounds."""

import pytest

from backend.domain import clock, numbering, validation as V

ZHANG_SAN_ID = "440305199001010018"
# "²" passes str.isdigit() and int() refuses it; "٣" (Arabic-Indic) and "４" (full-width) are
# decimal digits that \d and int() accept.
ODD_DIGITS = ("²", "٣", "４", "𝟗", "½")


@pytest.mark.parametrize("odd", ["²", "٣", "½"])
def test_a_resident_id_with_a_non_ascii_digit_is_a_format_problem(odd):
    for i in range(18):
        number = ZHANG_SAN_ID[:i] + odd + ZHANG_SAN_ID[i + 1 :]
        assert V.check_resident_id(number) == [
            ("ID_FORMAT_INVALID", "居民身份证号码应为 18 位，前 17 位为数字，最后一位为数字或 X")
        ], number


@pytest.mark.parametrize("odd", ODD_DIGITS)
def test_no_odd_digit_crashes_a_certificate_check(odd):
    """stdnum folds full-width and mathematical digits itself (ric.compact): checked as such."""
    for cert_type in V.CERT_TYPES:
        for i in range(18):
            V.check_certificate(cert_type, ZHANG_SAN_ID[:i] + odd + ZHANG_SAN_ID[i + 1 :])


@pytest.mark.parametrize(
    "cert_type,number",
    [
        ("taiwan_permit", "1234567٨"),
        ("hk_macao_permit", "H1234567٨"),
        ("foreign_permanent_id", "ABC12345678901٢"),
        ("org_code", "1234567٨-9"),
        ("uscc", "91440300MA5F²XXXX0"),
    ],
)
def test_other_certificates_refuse_non_ascii_digits(cert_type, number):
    assert V.check_certificate(cert_type, number)


def test_a_mobile_with_arabic_indic_digits_is_not_a_mobile():
    assert V.normalize_mobile("1٣800138000") is None and V.check_mobile("1٣800138000")
    assert V.normalize_mobile("13800138000") == "13800138000"


@pytest.mark.parametrize(
    "text", ["粤ICP备٢٠٢٦٠١٢٣٤٥号", "粤ICP备2026012345号-١", "京公网安备١١٠١٠٨٠٢٠٢٠٢٨٧号", "粤B2-٢٠٠٩٠٠٥٩"]
)
def test_arabic_indic_digits_are_not_a_record_number(text):
    with pytest.raises(numbering.InvalidNumber) as e:
        numbering.parse(text)
    assert e.value.code == "NUMBER_UNKNOWN_FORMAT"


def test_full_width_digits_are_still_folded_in_record_numbers():
    assert numbering.parse("粤ICP备２０２６０１２３４５号－１")["normalized"] == "粤ICP备2026012345号-1"


@pytest.mark.parametrize(
    "text,ok",
    [
        ("2026-06-01T09:00:00+08:00", True),
        ("2000-01-01", True),
        ("2100-01-01", True),
        ("1999-12-31T23:59:59+08:00", False),
        ("2100-01-01T00:00:01+08:00", False),
        ("9999-12-31T23:00:00+08:00", False),
        ("0001-01-01", False),
        ("soon", False),
        (None, False),
        (5, False),
    ],
)
def test_clock_start_problems(text, ok):
    problems = clock.start_problems(text)
    assert (problems == []) is ok
    assert all(isinstance(m, str) and m for m in problems)
