"""Hebei: a foreign legal representative authorises a Chinese citizen as 主体负责人 (process.md §3.3,
§8 [T38, H2]) — over HTTP, refused at create with a per-field zh-CN message until the order says so."""

from support.people import credit_code, person, resident_id

from api.flows import field_errors, ok, register_domain, usable_ip
from api.kinds_flows import ORG_NAME, new_site, org_entity

HE_USCC = credit_code("91130102MA0ABCDE0")
JOHN = dict(person(name="John Smith", cert="E12345678", mobile="13900139000", email="js@example.com"))
JOHN["certificate_type"] = "passport"
WANG = person(name="王五", cert=resident_id("13010219800101456"), mobile="13900139000", email="ww@example.com")


def hebei_order(sb, responsible, **entity):
    ent = org_entity(
        certificate_number=HE_USCC, province="13", address="河北省石家庄市长安区中山路 1 号", responsible=responsible
    )
    ent.update(entity)
    return {"entity": ent, "websites": [new_site(usable_ip(sb), "he-shili.cn", "示例科技官网", "enterprise_site")]}


def create(sb, payload):
    return sb.post("~/applications", json={"kind": "first_filing", "payload": payload})


def test_hebei_a_foreign_legal_rep_authorises_a_chinese_owner(sandbox):
    register_domain(sandbox, "he-shili.cn", holder_name=ORG_NAME, holder_cert=HE_USCC)
    payload = hebei_order(sandbox, JOHN)
    errors = field_errors(create(sandbox, payload), "payload.entity.responsible")
    assert "授权" in errors["payload.entity.responsible"][0]
    rep = {"name": "John Smith", "certificate_number": "E12345678", "certificate_type": "passport"}
    payload = hebei_order(sandbox, WANG, legal_representative=rep)
    app = ok(create(sandbox, payload), 201)
    slots = [row["slot"] for row in ok(sandbox.get(f"~/applications/{app['id']}/materials"))["slots"]]
    assert "authorization_letter" in slots


def test_the_legal_reps_certificate_type_is_one_of_a_persons(sandbox):
    register_domain(sandbox, "he-shili.cn", holder_name=ORG_NAME, holder_cert=HE_USCC)
    rep = {"name": "John Smith", "certificate_number": "E12345678", "certificate_type": "uscc"}
    field_errors(
        create(sandbox, hebei_order(sandbox, WANG, legal_representative=rep)),
        "payload.entity.legal_representative.certificate_type",
    )
