"""The national division table (process.md §2.1/§2.2): every province, its cities and districts,
6-digit codes nested as the address pickers serve them; municipalities through their 市辖区."""

import pytest

from backend.domain import divisions, forms_rules, provinces
from backend.domain.errors import DomainError

# cities and districts per province in the 2023 statistical table, development zones left out
COUNTS = {
    "110000": (1, 16),
    "120000": (1, 16),
    "310000": (1, 16),
    "500000": (2, 38),
    "440000": (21, 124),
    "420000": (14, 103),
    "460000": (5, 27),
    "540000": (7, 74),
    "650000": (15, 108),
}


def test_all_31_provinces_with_cities_and_districts():
    provs = divisions.children(None)
    assert len(provs) == 31
    assert [p["code"][:2] for p in provs] == [p.code for p in provinces.all_provinces()]
    for p in provs:
        assert p["name"] == provinces.get(p["code"][:2]).name
        cities = divisions.children(p["code"])
        assert cities, p
        for city in cities:
            assert city["code"][:2] == p["code"][:2] and city["code"].endswith("00")
            assert divisions.children(city["code"]), city
    assert 3100 < divisions.size() < 3400


@pytest.mark.parametrize("code", sorted(COUNTS))
def test_counts_per_province(code):
    cities = divisions.children(code)
    districts = [d for c in cities for d in divisions.children(c["code"])]
    assert (len(cities), len(districts)) == COUNTS[code]
    assert all(d["code"][:2] == code[:2] and len(d["code"]) == 6 and d["code"].isdigit() for d in districts)


@pytest.mark.parametrize(
    ("p", "c", "d", "name"),
    [
        ("500000", "500100", "500101", "万州区"),  # Chongqing: 市辖区
        ("500000", "500200", "500229", "城口县"),  # Chongqing: 县
        ("310000", "310100", "310101", "黄浦区"),
        ("110000", "110100", "110105", "朝阳区"),
        ("120000", "120100", "120116", "滨海新区"),
        ("420000", "420100", "420102", "江岸区"),
        ("440000", "440300", "440305", "南山区"),
        ("420000", "429000", "429004", "仙桃市"),  # 省直辖县级行政区划
        ("650000", "659000", "659001", "石河子市"),
        ("440000", "441900", "441900", "东莞市"),  # no districts: the city is its own
        ("530000", "530100", "530102", "五华区"),
        ("150000", "150100", "150102", "新城区"),
    ],
)
def test_known_codes_nest(p, c, d, name):
    assert divisions.is_province(p) and divisions.contains(p, c) and divisions.contains(c, d)
    assert divisions.name(d) == name
    address = {"province_code": p, "city_code": c, "district_code": d, "street": "某路 1 号"}
    assert forms_rules.address_problems(address, p[:2], "a") == []


def test_wrong_nesting_and_statistical_zones_are_refused():
    assert not divisions.contains("440300", "440106")  # 天河区 is in 广州
    assert not divisions.contains("500000", "310100")
    assert not divisions.is_province("440300")
    assert divisions.name("320576") is None  # 苏州工业园区: a statistical zone, no division
    address = {"province_code": "500000", "city_code": "500100", "district_code": "500229", "street": "x"}
    assert [code for _, code, _ in forms_rules.address_problems(address, "50", "a")] == ["DIVISION_NOT_IN_PARENT"]


def test_unknown_parent_has_no_children_and_rows_are_copies():
    assert divisions.children("999999") == []
    divisions.children(None)[0]["name"] = "x"
    assert divisions.children(None)[0]["name"] == "北京市"


def test_every_province_code_normalises():
    for p in divisions.children(None):
        assert provinces.normalize(p["code"]) == p["code"][:2]
    with pytest.raises(DomainError):
        provinces.normalize("990000")
