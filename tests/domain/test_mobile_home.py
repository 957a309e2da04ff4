"""手机号归属地 (process.md §2.7, §8): where province_rules.csv says `local_mobile` (Jiangsu and
Tianjin: every 负责人; Hunan: personal entities), a mobile the sandbox's number registry places in
another province is refused at entry; a number the registry does not know counts as local."""

import pytest

from backend.domain import mobile_home, province_rules

KNOWN = mobile_home.registry({"13800138000": "广东省", "13900139000": "32", "+86 137-0013-7000": "天津市"})


def order(province, entity_type="personal", mobile="13800138000", site_mobile=None):
    payload = {"entity": {"type": entity_type, "province": province, "responsible": {"mobile": mobile}}}
    if site_mobile:
        payload["websites"] = [{"name": "站", "responsible": {"mobile": site_mobile}}]
    return payload


def paths(payload, record=None, known=KNOWN):
    return [(path, code) for path, code, _ in mobile_home.problems(payload, record, known)]


def test_the_registry_reads_numbers_and_provinces_as_people_write_them():
    assert KNOWN == {"13800138000": "44", "13900139000": "32", "13700137000": "12"}
    assert mobile_home.registry({"12345": "江苏", "13600136000": "火星"}) == {}
    assert mobile_home.home("138 0013 8000", KNOWN) == "44" and mobile_home.home("13500135000", KNOWN) is None


def test_the_provinces_with_the_rule_are_the_csv_s():
    assert {c: r.local_mobile for c, r in province_rules.RULES.items() if r.local_mobile} == {
        "12": "all",
        "32": "all",
        "43": "personal",
    }


@pytest.mark.parametrize(
    "province,entity_type,refused",
    [
        ("32", "personal", True),  # Jiangsu: every owner
        ("32", "enterprise", True),
        ("12", "enterprise", True),  # Tianjin
        ("43", "personal", True),  # Hunan: personal entities only
        ("43", "enterprise", False),
        ("44", "personal", False),  # Guangdong: no rule
    ],
)
def test_a_mobile_from_elsewhere_is_refused_where_the_rule_applies(province, entity_type, refused):
    found = paths(order(province, entity_type))
    assert (found == [("entity.responsible.mobile", "MOBILE_NOT_LOCAL")]) is refused
    assert found or not refused


def test_the_message_names_both_provinces():
    (_, _, message), *_ = mobile_home.problems(order("32"), None, KNOWN)
    assert "江苏省" in message and "广东省" in message and "13800138000" in message


def test_a_local_or_unknown_number_passes():
    assert paths(order("32", mobile="13900139000")) == []  # a Jiangsu number
    assert paths(order("32", mobile="13500135000")) == []  # not in the registry: counts as local
    assert paths(order("32"), known={}) == []  # no registry at all


def test_the_website_owner_s_mobile_too():
    found = paths(order("32", mobile="13900139000", site_mobile="13800138000"))
    assert found == [("websites.0.responsible.mobile", "MOBILE_NOT_LOCAL")]


def test_a_change_or_a_new_website_is_judged_by_the_entity_on_record():
    record = {"type": "personal", "province": "32"}
    change = {"entity": {"responsible": {"mobile": "13800138000"}}}
    assert paths(change, record) == [("entity.responsible.mobile", "MOBILE_NOT_LOCAL")]
    new_site = {"websites": [{"responsible": {"mobile": "13800138000"}}]}
    assert paths(new_site, record) == [("websites.0.responsible.mobile", "MOBILE_NOT_LOCAL")]
    assert paths(new_site, dict(record, province="44")) == []
