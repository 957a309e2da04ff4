"""The national division table over HTTP (process.md §2.1): the reference endpoint walks it level
by level, and mailing addresses in provinces the old 11-province table lacked are accepted."""

import pytest
from support.people import person, personal_payload, resident_id

from api.flows import create_app, field_errors, ok, register_domain, usable_ip

REFERENCE = "/api/v1/reference/divisions"


def test_the_reference_walks_every_province(control):
    provs = ok(control.client.get(REFERENCE))
    assert len(provs) == 31 and {"code": "500000", "name": "重庆市"} in provs
    assert [c["code"] for c in ok(control.client.get(f"{REFERENCE}?parent=500000"))] == ["500100", "500200"]
    assert {"code": "500101", "name": "万州区"} in ok(control.client.get(f"{REFERENCE}?parent=500100"))
    assert {"code": "310101", "name": "黄浦区"} in ok(control.client.get(f"{REFERENCE}?parent=310100"))
    assert {"code": "420102", "name": "江岸区"} in ok(control.client.get(f"{REFERENCE}?parent=420100"))
    assert ok(control.client.get(f"{REFERENCE}?parent=999999")) == []


def local_payload(ip, province, address, id_prefix17, domain):
    """A personal first filing in `province` by a local resident, with a full mailing address."""
    me = person(name="陈一", cert=resident_id(id_prefix17))
    me.update(emergency_phone="13900001111", id_valid_until="长期")
    payload = personal_payload(
        ip, domain=domain, province=province, certificate_number=me["certificate_number"], name="陈一", responsible=me
    )
    payload["entity"]["name"] = "陈一"  # a person files as themself (process.md §2.1)
    payload["websites"][0]["name"] = "陈一的个人博客"
    payload["websites"][0]["languages"] = ["1"]
    p, c, d = address
    payload["entity"]["mailing_address"] = {
        "province_code": p,
        "city_code": c,
        "district_code": d,
        "street": "某路 1 号",
    }
    payload["entity"]["address"] = "某省某市某路 1 号"
    return payload, me


@pytest.mark.parametrize(
    ("province", "address", "id_prefix17"),
    [
        ("50", ("500000", "500100", "500101"), "50010119900101001"),  # 重庆 万州区
        ("31", ("310000", "310100", "310101"), "31010119900101001"),  # 上海 黄浦区
        ("42", ("420000", "420100", "420102"), "42010219900101001"),  # 湖北 武汉 江岸区
        ("53", ("530000", "530100", "530102"), "53010219900101001"),  # 云南 昆明 五华区
        ("15", ("150000", "150100", "150102"), "15010219900101001"),  # 内蒙古 呼和浩特 新城区
        ("61", ("610000", "610100", "610113"), "61011319900101001"),  # 陕西 西安 雁塔区
    ],
)
def test_addresses_in_provinces_the_old_table_lacked(sandbox, province, address, id_prefix17):
    domain = f"chenyi-{province}.cn"
    payload, me = local_payload(usable_ip(sandbox), province, address, id_prefix17, domain)
    register_domain(sandbox, domain, holder_name="陈一", holder_cert=me["certificate_number"])
    app = create_app(sandbox, payload)
    missing = ok(sandbox.get(f"~/applications/{app['id']}/requirements"))["missing"]
    assert not [row for row in missing if "mailing_address" in str(row)], missing


def test_an_address_across_cities_is_still_refused(sandbox):
    payload, me = local_payload(usable_ip(sandbox), "50", ("500000", "500200", "500101"), "50010119900101001", "c.cn")
    register_domain(sandbox, "c.cn", holder_name="陈一", holder_cert=me["certificate_number"])
    resp = sandbox.post("~/applications", json={"kind": "first_filing", "payload": payload})
    field_errors(resp, "payload.entity.mailing_address.district_code")
