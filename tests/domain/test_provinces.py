import pytest

from backend.domain import provinces
from backend.domain.errors import DomainError


def test_all_31_provinces_load_with_unique_codes_and_abbreviations():
    rows = provinces.all_provinces()
    assert len(rows) == 31
    assert [p.code for p in rows] == sorted(p.code for p in rows)
    assert len({p.code for p in rows}) == 31
    assert len({p.icp_abbr for p in rows}) == 31
    assert len({p.police_abbr for p in rows}) == 31
    assert len({p.name for p in rows}) == 31


def test_fields_are_typed():
    gd = provinces.get("44")
    assert gd.name == "广东省" and gd.icp_abbr == "粤" and gd.police_abbr == "粤"
    assert (gd.bureau_wd_min, gd.bureau_wd_typical, gd.bureau_wd_max) == (3, 7, 20)
    assert gd.nonlocal_personal_id == "residence_permit"
    assert gd.temporary_id_refused is False
    assert provinces.get("15").temporary_id_refused is True
    assert provinces.get("33").bureau_wd_max == 30
    assert provinces.get("22").notes == ""
    for p in provinces.all_provinces():
        assert p.nonlocal_personal_id in ("refused", "residence_permit")
        assert p.bureau_wd_min <= p.bureau_wd_typical <= p.bureau_wd_max


def test_province_is_frozen():
    with pytest.raises(AttributeError):
        provinces.get("44").name = "x"


@pytest.mark.parametrize("code", ["99", "4", "440000", "", None, 44])
def test_get_rejects_anything_but_a_known_two_digit_code(code):
    with pytest.raises(DomainError) as e:
        provinces.get(code)
    assert e.value.code == "PROVINCE_UNKNOWN"
    assert e.value.status == 422
    assert e.value.message


@pytest.mark.parametrize(
    "value, code",
    [
        ("44", "44"),
        ("440000", "44"),
        ("440305", "44"),  # a district code: Shenzhen Nanshan
        ("110108", "11"),
        ("广东省", "44"),
        ("广东", "44"),
        ("北京市", "11"),
        ("北京", "11"),
        ("内蒙古自治区", "15"),
        ("内蒙古", "15"),
        ("广西壮族自治区", "45"),
        ("广西", "45"),
        ("西藏", "54"),
        ("宁夏", "64"),
        ("新疆", "65"),
        ("黑龙江", "23"),
        ("粤", "44"),
        ("蜀", "51"),
        ("川", "51"),
        ("四川", "51"),
        (" 广东 ", "44"),
        ("４４", "44"),  # full-width digits
        (44, "44"),
    ],
)
def test_normalize_accepts_each_form(value, code):
    assert provinces.normalize(value) == code


@pytest.mark.parametrize("value", ["", "99", "990000", "4", "44000", "广东市", "台湾", "港", None])
def test_normalize_rejects_unknown(value):
    with pytest.raises(DomainError) as e:
        provinces.normalize(value)
    assert e.value.code == "PROVINCE_UNKNOWN"
    assert e.value.status == 422


def test_normalize_round_trips_every_province():
    for p in provinces.all_provinces():
        for form in (p.code, p.code + "0000", p.name, p.short_name, p.icp_abbr, p.police_abbr):
            assert provinces.normalize(form) == p.code


def test_sichuan_uses_shu_for_icp_and_chuan_for_police():
    assert provinces.by_icp_abbr("蜀").code == "51"
    assert provinces.by_icp_abbr("川") is None
    assert provinces.by_police_abbr("川").code == "51"
    assert provinces.by_police_abbr("蜀") is None


def test_abbreviation_lookups():
    assert provinces.by_icp_abbr("粤").name == "广东省"
    assert provinces.by_police_abbr("京").code == "11"
    assert provinces.by_icp_abbr("X") is None
    # Guizhou's police numbers are seen with 贵 (贵公网安备5205…), ICP ones with 黔.
    assert provinces.by_police_abbr("贵").code == "52"
    assert provinces.by_icp_abbr("黔").code == "52"
