from datetime import date

import pytest

from backend.domain import numbering, provinces
from backend.domain.errors import DomainError
from backend.domain.numbering import InvalidNumber

# Real numbers quoted in /work/shared/domain-sources.md §3 (and the brief), with
# (kind, province code, year, sequence, site index, suffix).
REAL_NUMBERS = [
    ("京ICP备16020626号", "entity", "11", 2016, 20626, None, None),
    ("京ICP备11018762号", "entity", "11", 2011, 18762, None, None),
    ("京ICP备10046444号", "entity", "11", 2010, 46444, None, None),
    ("吉ICP备07500273号", "entity", "22", 2007, 500273, None, None),
    ("粤ICP备2023007649号", "entity", "44", 2023, 7649, None, None),
    ("蜀ICP备14021561号", "entity", "51", 2014, 21561, None, None),
    ("京ICP备16020626号-8", "website", "11", 2016, 20626, 8, None),
    ("京ICP备16020626号-14", "website", "11", 2016, 20626, 14, None),
    ("京ICP备11018762号-1", "website", "11", 2011, 18762, 1, None),
    ("蜀ICP备2023023736号-3", "website", "51", 2023, 23736, 3, None),
    ("京ICP备08010314号-66", "website", "11", 2008, 10314, 66, None),
    ("湘ICP备05013990号-9", "website", "43", 2005, 13990, 9, None),
    ("蜀ICP备09012292号-2", "website", "51", 2009, 12292, 2, None),
    ("陕ICP备2023001571号-1", "website", "61", 2023, 1571, 1, None),
    ("滇ICP备2023001289号-1", "website", "53", 2023, 1289, 1, None),
    ("陕ICP备2024026116号-1A", "app", "61", 2024, 26116, 1, "A"),
    ("沪ICP备2025152989号-1A", "app", "31", 2025, 152989, 1, "A"),
    ("鄂ICP备2024036893号-1A", "app", "42", 2024, 36893, 1, "A"),
    ("黔ICP备2025044274号-1X", "miniprogram", "52", 2025, 44274, 1, "X"),
    ("京ICP备2026059598号-1X", "miniprogram", "11", 2026, 59598, 1, "X"),
    ("皖ICP备2023023087号-1X", "miniprogram", "34", 2023, 23087, 1, "X"),
    ("粤B2-20090059", "icp_licence", "44", 2009, 59, None, None),
    ("粤B2-20090059-1", "website_on_licence", "44", 2009, 59, 1, None),
    ("粤B2-20090059-1626X", "miniprogram_on_licence", "44", 2009, 59, 1626, "X"),
    ("京ICP证150476号", "icp_licence_legacy", "11", 2015, 476, None, None),
    ("京ICP证110507号", "icp_licence_legacy", "11", 2011, 507, None, None),
    ("京ICP证030173号", "icp_licence_legacy", "11", 2003, 173, None, None),
    ("粤公网安备44030502008569号", "public_security", "44", None, None, None, None),
    ("京公网安备11010802020134号", "public_security", "11", None, None, None, None),
    ("京公网安备11010802020287号", "public_security", "11", None, None, None, None),
    ("川公网安备51010602000097号", "public_security", "51", None, None, None, None),
]


@pytest.mark.parametrize("text, kind, code, year, seq, site, suffix", REAL_NUMBERS)
def test_real_numbers_parse(text, kind, code, year, seq, site, suffix):
    r = numbering.parse(text)
    assert r["kind"] == kind
    assert r["normalized"] == text
    assert r["province_code"] == code
    assert r["province_name"] == provinces.get(code).name
    assert r["province_abbr"] == text[0]
    assert (r["year"], r["sequence"], r["site_index"], r["suffix"]) == (year, seq, site, suffix)
    assert r["serial"].isdigit() and r["serial"] in text
    if kind == "public_security":
        assert r["entity_number"] is None
    else:
        assert text.startswith(r["entity_number"])
        assert numbering.parse(r["entity_number"])["kind"] in ("entity", "icp_licence", "icp_licence_legacy")


@pytest.mark.parametrize("text", [t[0] for t in REAL_NUMBERS])
def test_real_numbers_are_valid_on_the_day_of_writing(text):
    assert numbering.describe(text, today=date(2026, 11, 27))["valid"] is True


@pytest.mark.parametrize(
    "code, year, seq, expected",
    [
        ("44", 2026, 12345, "粤ICP备2026012345号"),
        ("11", 2011, 18762, "京ICP备11018762号"),
        ("44", 2020, 1, "粤ICP备2020000001号"),
        ("11", 2019, 999999, "京ICP备19999999号"),
        ("51", 2024, 7, "蜀ICP备2024000007号"),
    ],
)
def test_entity_number_format(code, year, seq, expected):
    assert numbering.entity_number(code, year, seq) == expected


def test_entity_number_round_trips_for_every_province():
    for p in provinces.all_provinces():
        for year, seq in ((2026, 12345), (2004, 1), (2019, 999999), (2020, 100)):
            r = numbering.parse(numbering.entity_number(p.code, year, seq))
            assert r["kind"] == "entity"
            assert (r["province_code"], r["year"], r["sequence"]) == (p.code, year, seq)
            assert r["province_abbr"] == p.icp_abbr


def test_entity_number_rejects_bad_arguments():
    with pytest.raises(DomainError) as e:
        numbering.entity_number("99", 2026, 1)
    assert e.value.code == "PROVINCE_UNKNOWN"
    for year, seq in ((2026, 0), (2026, 1_000_000), (2003, 1)):
        with pytest.raises(ValueError):
            numbering.entity_number("44", year, seq)


def test_website_number():
    entity = numbering.entity_number("44", 2026, 12345)
    assert numbering.website_number(entity, 3) == "粤ICP备2026012345号-3"
    r = numbering.parse(numbering.website_number(entity, 3))
    assert (r["kind"], r["site_index"], r["entity_number"]) == ("website", 3, entity)
    # What a user typed is normalised first.
    assert numbering.website_number(" 京 ICP 备 11018762号", 14) == "京ICP备11018762号-14"
    with pytest.raises(ValueError):
        numbering.website_number(entity, 0)
    with pytest.raises(ValueError):
        numbering.website_number(entity + "-1", 2)


@pytest.mark.parametrize(
    "typed, normalized",
    [
        ("粤 B2-20090059-1", "粤B2-20090059-1"),
        ("京 ICP 备 11018762号", "京ICP备11018762号"),
        ("京ICP备11018762号-1", "京ICP备11018762号-1"),
        ("  京ICP备11018762号 - 1 ", "京ICP备11018762号-1"),
        ("京ICP备１１０１８７６２号－１", "京ICP备11018762号-1"),  # full-width digits and hyphen
        ("京ＩＣＰ备11018762号", "京ICP备11018762号"),  # full-width letters
        ("京ICP备11018762号‐1", "京ICP备11018762号-1"),  # U+2010 hyphen
        ("京ICP备11018762号–1", "京ICP备11018762号-1"),  # en dash
        ("京ICP备11018762号—1", "京ICP备11018762号-1"),  # em dash
        ("京icp备11018762号", "京ICP备11018762号"),
        ("京ICP备11018762", "京ICP备11018762号"),  # 号 forgotten
        ("京ICP备11018762\u3000号", "京ICP备11018762号"),  # ideographic space
        ("京ICP备\u200b11018762号", "京ICP备11018762号"),  # zero-width space from a web page
        ("陕ICP备2024026116号-1a", "陕ICP备2024026116号-1A"),
        ("粤ｂ２－２００９００５９", "粤B2-20090059"),
        ("京公网安备 11010802020287 号", "京公网安备11010802020287号"),
        ("京ICP证 030173号", "京ICP证030173号"),
        ("滇ICP备09010050-5号", "滇ICP备09010050号-5"),  # an odd legacy form seen in the wild
    ],
)
def test_tolerates_how_people_type(typed, normalized):
    assert numbering.parse(typed)["normalized"] == normalized


def test_sichuan_shu_for_icp_chuan_for_police():
    assert numbering.parse("蜀ICP备2023023736号-3")["province_code"] == "51"
    assert numbering.parse("川公网安备51010602000097号")["province_code"] == "51"
    # Licences for Sichuan are seen as 川B2-… next to 蜀ICP备…; both are read.
    assert numbering.parse("川B2-20140015")["province_code"] == "51"
    assert numbering.parse("蜀B2-20140015")["province_code"] == "51"
    for wrong in ("川ICP备2023023736号-3", "蜀公网安备51010602000097号"):
        r = numbering.describe(wrong)
        assert (r["valid"], r["code"]) == (False, "NUMBER_WRONG_ABBR_FOR_KIND")
    assert "蜀" in numbering.describe("川ICP备2023023736号")["message"]
    assert "川" in numbering.describe("蜀公网安备51010602000097号")["message"]


def test_guizhou_police_numbers_use_gui():
    r = numbering.parse("贵公网安备52052302000396号")
    assert (r["province_code"], r["normalized"]) == ("52", "贵公网安备52052302000396号")
    assert numbering.describe("贵ICP备2025056580号")["code"] == "NUMBER_WRONG_ABBR_FOR_KIND"


@pytest.mark.parametrize(
    "text, code",
    [
        ("", "NUMBER_EMPTY"),
        ("   ", "NUMBER_EMPTY"),
        (None, "NUMBER_EMPTY"),
        ("hello", "NUMBER_UNKNOWN_FORMAT"),
        ("粤ICP备号", "NUMBER_UNKNOWN_FORMAT"),
        ("粤ICP备2026012345号号", "NUMBER_UNKNOWN_FORMAT"),
        ("粤ICP备2026012345号-", "NUMBER_UNKNOWN_FORMAT"),
        ("粤ICP备2026012345号-1B", "NUMBER_UNKNOWN_FORMAT"),
        ("粤ICP备20260123AB号", "NUMBER_UNKNOWN_FORMAT"),
        (12345, "NUMBER_UNKNOWN_FORMAT"),
        ("ICP备2026012345号", "NUMBER_UNKNOWN_PROVINCE"),
        ("港ICP备2026012345号", "NUMBER_UNKNOWN_PROVINCE"),
        ("广东ICP备2026012345号", "NUMBER_UNKNOWN_PROVINCE"),
        ("港公网安备44030502008569号", "NUMBER_UNKNOWN_PROVINCE"),
        ("港B2-20090059", "NUMBER_UNKNOWN_PROVINCE"),
        ("川ICP备2026012345号", "NUMBER_WRONG_ABBR_FOR_KIND"),
        ("蜀公网安备51010602000097号", "NUMBER_WRONG_ABBR_FOR_KIND"),
        ("粤ICP备202601234号", "NUMBER_BAD_SERIAL_LENGTH"),
        ("粤ICP备20260123456号", "NUMBER_BAD_SERIAL_LENGTH"),
        ("粤ICP备1101876号", "NUMBER_BAD_SERIAL_LENGTH"),
        ("粤B2-2009005", "NUMBER_BAD_SERIAL_LENGTH"),
        ("京ICP证30173号", "NUMBER_BAD_SERIAL_LENGTH"),
        ("京公网安备1101080202028号", "NUMBER_BAD_SERIAL_LENGTH"),
        ("粤ICP备2027012345号", "NUMBER_BAD_YEAR"),  # after today
        ("粤ICP备03012345号", "NUMBER_BAD_YEAR"),  # before 2004
        ("粤ICP备99012345号", "NUMBER_BAD_YEAR"),  # 1999
        ("粤ICP备2019012345号", "NUMBER_BAD_YEAR"),  # 4-digit year only from 2020
        ("粤ICP备2003012345号", "NUMBER_BAD_YEAR"),
        ("粤ICP备23012345号", "NUMBER_BAD_YEAR"),  # 2023 must be written with 4 digits
        ("粤B2-20270059", "NUMBER_BAD_YEAR"),
        ("粤B2-19990059", "NUMBER_BAD_YEAR"),
        ("京ICP证990173号", "NUMBER_BAD_YEAR"),
        ("粤ICP备2026012345号-0", "NUMBER_BAD_SITE_INDEX"),
        ("粤ICP备2026012345号-01", "NUMBER_BAD_SITE_INDEX"),
        ("粤ICP备2026012345号-01X", "NUMBER_BAD_SITE_INDEX"),
        ("粤B2-20090059-0", "NUMBER_BAD_SITE_INDEX"),
        ("粤公网安备11010802020287号", "NUMBER_POLICE_DIVISION_MISMATCH"),
        ("川公网安备44030502008569号", "NUMBER_POLICE_DIVISION_MISMATCH"),
    ],
)
def test_invalid_numbers_have_a_stable_reason(text, code):
    with pytest.raises(InvalidNumber) as e:
        numbering.parse(text, today=date(2026, 11, 27))
    assert e.value.code == code
    assert e.value.status == 422
    assert isinstance(e.value, DomainError)
    assert e.value.message  # zh-CN text for the user
    r = numbering.describe(text, today=date(2026, 11, 27))
    assert r == {"valid": False, "code": code, "message": e.value.message, "input": text}


def test_future_year_is_only_checked_against_a_given_today():
    text = "粤ICP备2030000001号"
    assert numbering.parse(text)["year"] == 2030
    assert numbering.describe(text, today=date(2030, 1, 1))["valid"] is True
    assert numbering.describe(text, today=date(2029, 12, 31))["code"] == "NUMBER_BAD_YEAR"


def test_describe_valid_shape():
    r = numbering.describe("粤ICP备2026012345号-3X")
    assert r == {
        "valid": True,
        "kind": "miniprogram",
        "normalized": "粤ICP备2026012345号-3X",
        "province_code": "44",
        "province_abbr": "粤",
        "province_name": "广东省",
        "serial": "2026012345",
        "year": 2026,
        "sequence": 12345,
        "site_index": 3,
        "suffix": "X",
        "entity_number": "粤ICP备2026012345号",
    }


@pytest.mark.parametrize(
    "typed, code, suggestion",
    [
        ("京ICP备11018762", "NUMBER_MISSING_HAO", "京ICP备11018762号"),
        ("京ICP备11018762-1", "NUMBER_MISSING_HAO", "京ICP备11018762号-1"),
        ("京 ICP 备 11018762号", "NUMBER_HAS_SPACES", "京ICP备11018762号"),
        (" 京ICP备11018762号", "NUMBER_HAS_SPACES", "京ICP备11018762号"),
        ("京ICP备11018762\u3000号", "NUMBER_HAS_SPACES", "京ICP备11018762号"),
        ("京icp备11018762号", "NUMBER_LOWERCASE", "京ICP备11018762号"),
        ("陕ICP备2024026116号-1a", "NUMBER_LOWERCASE", "陕ICP备2024026116号-1A"),
        ("京ＩＣＰ备11018762号", "NUMBER_FULL_WIDTH", "京ICP备11018762号"),
        ("京ICP备１１０１８７６２号－１", "NUMBER_FULL_WIDTH", "京ICP备11018762号-1"),
        ("京ICP备11018762号–1", "NUMBER_WRONG_DASH", "京ICP备11018762号-1"),
        ("京ICP备\u200b11018762号", "NUMBER_INVISIBLE_CHARACTERS", "京ICP备11018762号"),
        ("滇ICP备09010050-5号", "NUMBER_HAO_MISPLACED", "滇ICP备09010050号-5"),
    ],
)
def test_the_validator_is_strict_and_suggests(typed, code, suggestion):
    """Issue 9 item 4: parse() reads what people type; the validator says it is not valid."""
    r = numbering.describe(typed)
    assert r["valid"] is False, r
    assert (r["code"], r["suggestion"], r["input"]) == (code, suggestion, typed)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in r["message"])
    assert numbering.describe(suggestion)["valid"] is True


def test_a_future_year_is_refused_against_today():
    r = numbering.describe("粤ICP备2099012345号", today=date(2026, 11, 30))
    assert (r["valid"], r["code"]) == (False, "NUMBER_BAD_YEAR")
