"""One website owner, one entity (process.md §2.3; T39, J2-Chongqing): backend/domain/website_owners.py."""

from backend.domain import website_owners
from backend.domain.filings import Records

BOSS_A = {"name": "王五", "certificate_number": "440305198001010013", "mobile": "13700137000"}
ZHAO = {"name": "赵六", "certificate_number": "44030519850505001x", "mobile": "13600136000"}
SUN = {"name": "孙七", "certificate_number": "440305199003030030", "mobile": "13500135000"}


def on_record(site_owner=ZHAO, status="active", entity_owner=SUN):
    """Another company on record, one website."""
    entity = {
        "id": "E0001",
        "name": "深圳市另一家科技有限公司",
        "type": "enterprise",
        "certificate_number": "91440300MA5OTHER00",
        "province": "44",
        "status": status,
        "responsible": entity_owner,
    }
    site = {"id": "W0001", "entity_id": "E0001", "domain": "other.cn", "status": "active", "responsible": site_owner}
    return Records([entity], [site])


def order(site_owner=None, province="44", boss=BOSS_A):
    return {
        "entity": {
            "type": "enterprise",
            "name": "深圳市某某科技有限公司",
            "certificate_number": "91440300708461136T",
            "province": province,
            "responsible": boss,
        },
        "websites": [{"name": "官网", "domain": "moumou.cn", "responsible": site_owner}],
    }


def codes(payload, records, record=None):
    return [(path, code) for path, code, _ in website_owners.problems(payload, records, record)]


def test_a_website_owner_of_another_company_is_refused():
    assert codes(order(dict(ZHAO, certificate_number=ZHAO["certificate_number"].upper())), on_record()) == [
        ("websites.0.responsible", "WEBSITE_OWNER_OF_OTHER_ENTITY")
    ]
    # the default owner (同主体负责人) is the entity owner: the same rule
    assert codes(order(boss=ZHAO), on_record()) == [("websites.0.responsible", "WEBSITE_OWNER_OF_OTHER_ENTITY")]
    msgs = [m for *_, m in website_owners.problems(order(ZHAO), on_record())]
    assert msgs == ["该网站负责人已是其他主体网站的负责人：同一人不能担任多个主体的网站负责人"]


def test_what_is_not_refused():
    assert codes(order(SUN), on_record()) == []  # another company's 主体负责人, outside Chongqing
    assert codes(order(ZHAO), on_record(status="cancelled")) == []  # no longer on record
    same = on_record()
    same.entities["E0001"]["certificate_number"] = "91440300708461136t"  # the same company's own sites
    assert codes(order(ZHAO), same) == []
    assert codes({"websites": [{"responsible": ZHAO}]}, on_record()) == []  # whose entity: not known yet


def test_chongqing_a_website_owner_in_no_other_entity_at_all():
    assert codes(order(SUN, province="50"), on_record()) == [
        ("websites.0.responsible", "WEBSITE_OWNER_IN_OTHER_ENTITY")
    ]
    no_sites = on_record()
    no_sites.websites[0]["status"] = "cancelled"  # the entity stays on record, its 主体负责人 with it
    assert codes(order(SUN, province="重庆市"), no_sites) == [
        ("websites.0.responsible", "WEBSITE_OWNER_IN_OTHER_ENTITY")
    ]
    assert codes(order(ZHAO, province="50"), no_sites) == []  # a cancelled website's owner: no longer
    assert codes(order(ZHAO, province="50"), on_record()) == [
        ("websites.0.responsible", "WEBSITE_OWNER_OF_OTHER_ENTITY")
    ]
    assert codes(order(BOSS_A, province="50"), on_record()) == []


def test_a_person_filing_as_themself_is_their_sites_owner():
    records = on_record(site_owner=None)
    records.entities["E0001"].update(type="personal", certificate_number=SUN["certificate_number"])
    assert codes(order(SUN), records) == [("websites.0.responsible", "WEBSITE_OWNER_OF_OTHER_ENTITY")]


def test_a_new_website_of_an_entity_on_record():
    """新增网站: no entity form; the record is the entity, its 主体负责人 the default owner."""
    mine = {"id": "E0002", "certificate_number": "91440300708461136T", "province": "44", "responsible": ZHAO}
    records = on_record()
    assert codes({"websites": [{"name": "新站"}]}, records, mine) == [
        ("websites.0.responsible", "WEBSITE_OWNER_OF_OTHER_ENTITY")
    ]
    assert codes({"websites": [{"name": "新站", "responsible": BOSS_A}]}, records, mine) == []
