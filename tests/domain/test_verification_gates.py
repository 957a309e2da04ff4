"""验证备案类型's checks as pure functions (process.md §1.2, §1.4, §8): the domain real-name sync
wait per registrar, non-local personal IDs and organisations' provinces, and the gate a new
filing meets at create/submit when verify was never called (audit items 1, 8, 9, 10)."""

from datetime import datetime, timedelta, timezone

import pytest
from support.people import ZHANG_SAN_ID, credit_code, resident_id

from backend.domain import filing_province, kinds, new_filing_gate, provinces, validation, verification
from backend.domain.errors import Conflict, Unprocessable
from backend.domain.filings import Records

CST = timezone(timedelta(hours=8))
MONDAY = datetime(2026, 6, 1, 9, 0, tzinfo=CST)  # Mon 2026-06-01
IP = {"ip": "175.10.66.205", "slots_left": 2}
ORG_USCC = credit_code("91440300MA5ABCDE0")  # registered in Shenzhen (44)


def world(now=MONDAY, domains=None, account=None, faults=(), entities=(), settings=None):
    return verification.World(
        records=Records(list(entities), []),
        domains={d["name"]: d for d in (domains or [])},
        account=account or {},
        business={},
        eligibility={"eligible": True, "usable_ips": [IP], "rules": []},
        open_order=None,
        now=now,
        faults=list(faults),
        settings=settings or {},
    )


def domain(name="zhangsan-blog.cn", **over):
    return {
        "name": name,
        "real_name_status": "verified",
        "holder_certificate_number": ZHANG_SAN_ID,
        "holder_name": "张三",
        "registrar": "DNSPod",
        **over,
    }


def ask(**over):
    return {
        "province": "44",
        "entity_type": "personal",
        "certificate_type": "resident_id",
        "certificate_number": ZHANG_SAN_ID,
        "domains": ["zhangsan-blog.cn"],
        **over,
    }


def code_of(req, w):
    try:
        verification.decide(req, w)
    except Conflict as exc:
        return exc.code
    return None


# -- item 10: the domain real-name sync wait ---------------------------------------------------


def test_a_tencent_registered_domain_syncs_in_three_natural_days():
    fresh = domain(real_name_verified_on="2026-05-29")  # Friday
    assert code_of(ask(), world(domains=[fresh])) is None  # Sat, Sun, Mon: 3 days
    assert code_of(ask(), world(domains=[domain(real_name_verified_on="2026-05-30")])) == "DOMAIN_REALNAME_SYNC_PENDING"


@pytest.mark.parametrize("registrar", ["GoDaddy", "阿里云", "西部数码"])
def test_another_registrars_domain_syncs_in_three_working_days(registrar):
    fresh = domain(real_name_verified_on="2026-05-29", registrar=registrar)  # Friday
    with pytest.raises(Conflict) as exc:
        verification.decide(ask(), world(domains=[fresh]))  # Monday: one working day
    assert exc.value.code == "DOMAIN_REALNAME_SYNC_PENDING"
    assert "3 个工作日" in exc.value.message and "3 个工作日" in exc.value.details["suggest"]
    assert code_of(ask(), world(now=MONDAY + timedelta(days=1), domains=[fresh])) == "DOMAIN_REALNAME_SYNC_PENDING"
    assert code_of(ask(), world(now=MONDAY + timedelta(days=2), domains=[fresh])) is None  # Wed: Mon, Tue, Wed


def test_the_working_days_follow_the_official_calendar():
    # 2026-06-19 (Fri) is the Dragon Boat Festival: verified Thu 06-18, synced Wed 06-24, not Tue 06-23
    fresh = domain(real_name_verified_on="2026-06-18", registrar="GoDaddy")
    tuesday = datetime(2026, 6, 23, 9, 0, tzinfo=CST)
    assert code_of(ask(), world(now=tuesday, domains=[fresh])) == "DOMAIN_REALNAME_SYNC_PENDING"
    assert code_of(ask(), world(now=tuesday + timedelta(days=1), domains=[fresh])) is None


# -- items 8 and 9: where an entity may file (§1.2, §8) -----------------------------------------

GD_ID = ZHANG_SAN_ID  # a Guangdong resident ID


def person_in(province, permit=False):
    return {
        "type": "personal",
        "certificate_type": "resident_id",
        "certificate_number": GD_ID,
        "province": province,
        "residence_permit": permit,
    }


def codes(entity, settings=None, need_permit=False):
    province = filing_province.province_of(entity["province"], settings)
    found = filing_province.problems(entity, province, strict=filing_province.strict(settings), need_permit=need_permit)
    return [code for code, _ in found]


@pytest.mark.parametrize("province", ["50", "15", "41", "14", "65"])
def test_provinces_that_refuse_non_local_ids_refuse_them_even_with_a_permit(province):
    assert provinces.get(province).nonlocal_personal_id == "refused"
    assert codes(person_in(province, permit=True)) == ["NONLOCAL_PERSONAL_ID"]
    assert codes(person_in(province, permit=True), {"strict_nonlocal_id": False}) == []


@pytest.mark.parametrize("province", ["31", "32", "42", "11"])
def test_provinces_that_allow_them_want_the_residence_permit_on_the_form(province):
    assert codes(person_in(province)) == []  # before the form (verification, entry)
    assert codes(person_in(province), need_permit=True) == ["NONLOCAL_PERSONAL_ID"]  # the review
    assert codes(person_in(province, permit=True), need_permit=True) == []


def test_province_overrides_apply():
    overrides = {"province_overrides": {"44": {"nonlocal_personal_id": "refused"}}}
    local = person_in("44")
    assert codes(local, overrides) == []  # a local ID is never refused
    shanghai = dict(person_in("31"), certificate_number=resident_id("31010419900101001"))
    assert codes(dict(shanghai, province="44"), overrides) == ["NONLOCAL_PERSONAL_ID"]
    assert (
        codes(dict(person_in("50", True)), {"province_overrides": {"50": {"nonlocal_personal_id": "residence_permit"}}})
        == []
    )


def test_an_organisation_files_in_its_certificates_province():
    org = {"type": "enterprise", "certificate_type": "uscc", "certificate_number": ORG_USCC, "province": "11"}
    found = filing_province.problems(org, provinces.get("11"))
    assert [c for c, _ in found] == ["ORG_PROVINCE_MISMATCH"] and "广东省" in found[0][1]
    assert filing_province.problems(dict(org, province="44"), provinces.get("44")) == []


def test_the_verification_refuses_the_province_per_field():
    register = [domain()]
    with pytest.raises(Unprocessable) as exc:
        verification.decide(ask(province="41"), world(domains=register))  # Henan refuses non-local IDs
    assert list(exc.value.errors) == ["province"] and "河南省" in exc.value.errors["province"][0]
    org = ask(entity_type="enterprise", certificate_type="uscc", certificate_number=ORG_USCC, province="11")
    with pytest.raises(Unprocessable) as exc:
        verification.decide(org, world(domains=[domain(holder_certificate_number=ORG_USCC)]))
    assert "广东省" in exc.value.errors["province"][0]
    # a province that accepts a permit: the verification passes, the form asks for the permit
    assert verification.decide(ask(province="31"), world(domains=register))["scenario"] == "first_filing"


def test_an_entity_on_record_is_verified_in_its_records_province():
    record = {
        "id": "E1",
        "number": "粤ICP备19000123号",
        "status": "active",
        "type": "enterprise",
        "certificate_type": "org_code",
        "certificate_number": "MA5ABCDE-1",
        "province": "44",
        "account": "external",
        "access_providers": ["other"],
    }
    req = ask(entity_type="enterprise", certificate_type="org_code", certificate_number="MA5ABCDE-1", province="11")
    with pytest.raises(Unprocessable) as exc:
        verification.decide(req, world(entities=[record], domains=[domain(holder_certificate_number="MA5ABCDE-1")]))
    assert "粤ICP备19000123号" in exc.value.errors["province"][0]


# -- item 1: an order that files something new meets the verification's checks -----------------

FIRST = kinds.get("first_filing")


def order(name="张三", domain_name="zhangsan-blog.cn", **entity):
    ent = {"type": "personal", "certificate_type": "resident_id", "certificate_number": ZHANG_SAN_ID, "name": name}
    return {"entity": {**ent, **entity}, "websites": [{"domain": domain_name, "name": "张三的个人博客"}]}


def gate_code(payload, w, spec=FIRST, record=None, registry=False):
    try:
        new_filing_gate.check(spec, payload, record, w, registry=registry)
    except Conflict as exc:
        return exc.code
    return None


ORDER_CASES = [
    ({"account": {"flagged": True}}, "ACCOUNT_FLAGGED"),
    ({"account": {"real_name": "张三", "real_name_verified_at": "2026-06-01T08:00:00+08:00"}}, "REALNAME_SYNC_PENDING"),
    ({"account": {"real_name": "李四"}}, "ACCOUNT_REALNAME_MISMATCH"),
    ({"faults": ["CERTIFICATE_LOOKUP_FAILED"]}, "CERTIFICATE_LOOKUP_FAILED"),
    ({"domains": [domain(real_name_verified_on="2026-05-31")]}, "DOMAIN_REALNAME_SYNC_PENDING"),
]


@pytest.mark.parametrize("given,code", ORDER_CASES, ids=[c[1] for c in ORDER_CASES])
def test_a_first_filing_meets_the_blocking_checks_with_the_same_code_and_message(given, code):
    w = world(**{"domains": [domain()], **given})
    assert gate_code(order(), w) == code
    # the same code and message verify answers
    try:
        verification.decide(ask(entity_name="张三"), w)
    except Conflict as exc:
        assert exc.code == code
        with pytest.raises(Conflict) as mine:
            new_filing_gate.check(FIRST, order(), None, w)
        assert mine.value.message == exc.message and mine.value.details["suggest"] == exc.details["suggest"]


def test_a_realname_verified_without_an_offset_is_china_time():
    w = world(account={"real_name": "张三", "real_name_verified_at": "2026-05-31T10:00:00"}, domains=[domain()])
    assert gate_code(order(), w) == "REALNAME_SYNC_PENDING"  # 23 h before 09:00 CST


def test_the_account_name_is_the_orders_entity_or_the_record():
    w = world(account={"real_name": "张三"}, domains=[domain()])
    assert gate_code(order(), w) is None
    assert gate_code(order(name="李四"), w) == "ACCOUNT_REALNAME_MISMATCH"
    record = {"id": "E1", "name": "李四", "type": "personal", "certificate_number": ZHANG_SAN_ID}
    add = {"websites": [{"domain": "zhangsan-blog.cn"}]}
    assert gate_code(add, w, kinds.get("add_website"), record) == "ACCOUNT_REALNAME_MISMATCH"


def test_changes_and_cancellations_do_not_meet_them():
    w = world(account={"flagged": True})
    for code in ("change_filing", "change_website", "cancel_entity", "cancel_website", "cancel_access"):
        assert not kinds.get(code).new_filing
        assert gate_code({"entity": {"name": "张三"}}, w, kinds.get(code)) is None
    assert all(
        kinds.get(k).new_filing for k in ("first_filing", "access_filing", "add_website", "add_website_external")
    )


def test_the_registrys_own_answers_wait_for_the_review_unless_the_stages_are_enforced():
    w = world(domains=[domain(holder_certificate_number=resident_id("44030519850505001"))])
    assert gate_code(order(), w) is None  # the provider's review rejects it (DOMAIN_HOLDER_MISMATCH)
    assert gate_code(order(), w, registry=True) == "DOMAIN_HOLDER_MISMATCH"
    assert gate_code(order(domain_name="nobody.cn"), w, registry=True) == "DOMAIN_NOT_REGISTERED"


def test_verify_without_an_entity_name_checks_what_it_can_and_says_so():
    w = world(account={"real_name": "李四"}, domains=[domain()])  # the domain's holder: 张三, same ID
    assert code_of(ask(), w) == "ACCOUNT_REALNAME_MISMATCH"
    anonymous = world(account={"real_name": "李四"}, domains=[domain(holder_name=None)])
    out = verification.decide(ask(), anonymous)
    assert [n["code"] for n in out["not_checked"]] == ["ACCOUNT_REALNAME_MISMATCH"]
    assert "李四" in out["not_checked"][0]["message"]
    named = world(account={"real_name": "张三"}, domains=[domain()])
    assert "not_checked" not in verification.decide(ask(entity_name="张三"), named)
    assert "not_checked" not in verification.decide(ask(), world(domains=[domain()]))


# -- item 23: the verification's inputs as typed -------------------------------------------------


def test_an_invisible_character_in_a_domain_is_refused_not_dropped():
    with pytest.raises(Unprocessable) as exc:
        verification.decide(ask(domains=["zhang\u200bsan-blog.cn"]), world(domains=[domain()]))
    assert "不可见字符" in exc.value.errors["domains.0"][0]
    assert validation.check_domain("zhang san.cn") and validation.check_domain("zhang\u200bsan-blog.cn")


def test_a_full_width_certificate_number_is_the_same_number():
    full = "".join(chr(ord(c) + 0xFEE0) for c in ZHANG_SAN_ID)  # ４４０３…
    out = verification.decide(ask(certificate_number=full), world(domains=[domain()]))
    assert out["scenario"] == "first_filing"


def test_duplicate_domains_and_several_for_a_person_are_refused():
    org = ask(entity_type="enterprise", certificate_type="uscc", certificate_number=ORG_USCC)
    with pytest.raises(Unprocessable) as exc:
        verification.decide(dict(org, domains=["a-shop.cn", "A-SHOP.CN"]), world())
    assert list(exc.value.errors) == ["domains.1"] and "重复" in exc.value.errors["domains.1"][0]
    with pytest.raises(Unprocessable) as exc:
        verification.decide(ask(domains=["zhangsan-blog.cn", "zhangsan-notes.cn"]), world())
    assert "1 个域名" in exc.value.errors["domains"][0]
