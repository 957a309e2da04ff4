"""Two address rules of the real forms over HTTP (process.md §2.1, §8): an office landline's area
code matches the mailing address, and in Hebei/Henan/Guizhou the mailing address does not cross
cities from the 证件住所. Both answer 422 at create with a per-field zh-CN message."""

from support.people import credit_code, resident_id

from api.flows import field_errors, ok, register_domain, usable_ip
from api.kinds_flows import ORG_BOSS, ORG_NAME, ORG_USCC, new_site, org_entity

SZ = {"province_code": "440000", "city_code": "440300", "district_code": "440305", "street": "科技园路 2 号"}
HA_USCC = credit_code("91410100MA5FGHJK0")
ZHENGZHOU = {"province_code": "410000", "city_code": "410100", "district_code": "410105", "street": "金水路 1 号"}


def create(sb, payload):
    return sb.post("~/applications", json={"kind": "first_filing", "payload": payload})


def org_order(sb, domain, **entity):
    register_domain(sb, domain, holder_name=ORG_NAME, holder_cert=entity.get("certificate_number", ORG_USCC))
    return {
        "entity": org_entity(**entity),
        "websites": [new_site(usable_ip(sb), domain, "示例科技官网", "enterprise_site")],
    }


def test_an_office_landline_from_another_city_is_refused_at_create(sandbox):
    boss = dict(ORG_BOSS, office_phone="020-86013388")  # 广州 for an address in 深圳
    payload = org_order(sandbox, "shili-tech.cn", mailing_address=SZ, responsible=boss)
    errors = field_errors(create(sandbox, payload), "payload.entity.responsible.office_phone")
    assert "020" in errors["payload.entity.responsible.office_phone"][0]
    payload["entity"]["responsible"]["office_phone"] = "0755-86013388"
    ok(create(sandbox, payload), 201)


def test_henan_refuses_a_mailing_address_in_another_city_than_the_certificate(sandbox):
    boss = dict(ORG_BOSS, certificate_number=resident_id("41010519800101456"))
    nanyang = {"province_code": "410000", "city_code": "411300", "district_code": "411302", "street": "人民路 1 号"}
    payload = org_order(
        sandbox,
        "ha-shili.cn",
        certificate_number=HA_USCC,
        province="41",
        address="河南省南阳市卧龙区人民路 1 号",
        certificate_address="河南省郑州市金水区金水路 1 号",
        mailing_address=nanyang,
        responsible=boss,
    )
    errors = field_errors(create(sandbox, payload), "payload.entity.mailing_address.city_code")
    assert "跨市" in errors["payload.entity.mailing_address.city_code"][0]
    payload["entity"]["mailing_address"] = ZHENGZHOU
    ok(create(sandbox, payload), 201)
