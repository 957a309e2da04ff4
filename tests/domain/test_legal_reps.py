"""A legal representative who is not a mainland citizen (process.md §3.3, §8 [T38, H2]): Hebei's
foreign legal representative authorises a Chinese citizen as 主体负责人 and a foreigner cannot file
as a person; Shanxi's foreign or HK/Macau/Taiwan one authorises a mainland-ID holder."""

from datetime import date

from support.people import person, resident_id

from backend.domain import forms_rules, legal_reps, materials, province_rules

TODAY = date(2026, 6, 1)
DELEGATE = person(name="王五", cert=resident_id("13010219800101456"), mobile="13900139000")
FOREIGN_REP = {"name": "John Smith", "certificate_number": "E12345678", "certificate_type": "passport"}
HK_REP = {"name": "陈大文", "certificate_number": "H12345678", "certificate_type": "hk_macao_permit"}


def org(province, responsible, rep=None):
    ent = {"type": "enterprise", "province": province, "responsible": responsible}
    if rep:
        ent["legal_representative"] = rep
    return ent


def found(ent):
    return [(p, c) for p, c, _ in forms_rules.problems("first_filing", {"entity": ent, "websites": []}, TODAY)]


def test_the_two_provinces_carry_the_rule():
    assert {c: r.foreign_lr_delegates for c, r in province_rules.RULES.items() if r.foreign_lr_delegates} == {
        "13": "foreign",
        "14": "non_mainland",
    }


def test_hebei_a_foreign_legal_rep_as_owner_is_refused():
    boss = dict(person(name="John Smith", cert="E12345678"), certificate_type="passport")
    assert found(org("13", boss)) == [("entity.responsible", "OWNER_NEEDS_DELEGATE")]


def test_hebei_a_chinese_owner_authorised_by_a_foreign_legal_rep_passes_and_uploads_the_letter():
    ent = org("13", DELEGATE, FOREIGN_REP)
    assert found(ent) == []  # Hebei's "owner must be the legal rep" gives way here
    slots = [s.key for s in materials.required("first_filing", ent, [], "13")]
    assert "authorization_letter" in slots


def test_hebei_still_wants_the_legal_rep_when_the_legal_rep_is_chinese():
    chinese_rep = {"name": "赵六", "certificate_number": resident_id("13010219700101001")}
    assert found(org("13", DELEGATE, chinese_rep)) == [("entity.responsible", "OWNER_MUST_BE_LEGAL_REP")]


def test_hebei_accepts_an_hk_legal_rep_as_owner_but_shanxi_does_not():
    boss = dict(person(name="陈大文", cert="H12345678"), certificate_type="hk_macao_permit")
    assert found(org("13", boss)) == []
    assert found(org("14", boss)) == [("entity.responsible", "OWNER_NEEDS_DELEGATE")]


def test_shanxi_the_delegate_holds_a_mainland_id():
    assert found(org("14", DELEGATE, HK_REP)) == []
    taiwanese = dict(person(name="林小明", cert="12345678"), certificate_type="taiwan_permit")
    assert found(org("14", taiwanese, HK_REP)) == [("entity.responsible.certificate_type", "OWNER_NEEDS_DELEGATE")]


def test_hebei_refuses_a_foreigner_filing_as_a_person():
    ent = {"type": "personal", "province": "13", "certificate_type": "passport", "certificate_number": "E12345678"}
    assert ("entity.certificate_type", "FOREIGN_PERSONAL_REFUSED") in [
        (p, c) for p, c, _ in legal_reps.problems(ent, province_rules.get("13"))
    ]


def test_elsewhere_nothing_changes():
    assert not legal_reps.delegates(org("44", DELEGATE, FOREIGN_REP), province_rules.get("44"))
