"""Pre-三证合一 records (process.md §1.2, §1.3, T36): a USCC embeds the 9-character organisation code at
positions 9–17; verification recognises the old record and says what this province wants."""

import pytest
from support.people import credit_code

from backend.domain import errors, province_rules, verification
from backend.domain.filings import Records, org_code_of, same_organisation

USCC = credit_code("91440300MA5FGHJK0")


def test_the_embedded_org_code():
    assert org_code_of(USCC) == "MA5FGHJK0" and org_code_of("ma5fghjk-0") == "MA5FGHJK0"
    assert same_organisation(USCC, "MA5FGHJK0") and same_organisation("MA5FGHJK-0", USCC)
    assert same_organisation(USCC, USCC.lower())
    assert not same_organisation(USCC, "MA5FGHJK1") and not same_organisation("", None)


def _records(province, sites=()):
    entity = {
        "id": "E1",
        "status": "active",
        "type": "enterprise",
        "certificate_type": "org_code",
        "certificate_number": "MA5FGHJK0",
        "province": province,
        "number": "苏ICP备19000123号",
    }
    websites = [
        {"id": f"W{i}", "entity_id": "E1", "status": "active", "domain": d, "number": f"苏ICP备19000123号-{i}"}
        for i, d in enumerate(sites, 1)
    ]
    return Records([entity], websites)


def _route(province, domains, sites=()):
    req = {"certificate_type": "uscc", "certificate_number": USCC, "domains": domains}
    world = verification.World(_records(province, sites), {}, {}, {}, {}, None, None)
    with pytest.raises(errors.DomainError) as caught:
        verification.renewed_licence_check(req, world)
    return caught.value


@pytest.mark.parametrize("province,route", [("44", "new_licence"), ("51", "old_document"), ("11", "new_licence")])
def test_the_province_decides_the_route(province, route):
    assert province_rules.get(province).renewed_licence == route
    err = _route(province, ["new.cn"])
    assert err.code == "ENTITY_FILED_UNDER_OLD_NUMBER" and err.details["route"] == route


def test_jiangsu_access_uses_the_new_licence_a_new_site_the_old_document():
    assert _route("32", ["old.cn"], sites=["old.cn"]).details["route"] == "new_licence"
    assert _route("32", ["new.cn"], sites=["old.cn"]).details["route"] == "old_document"


def test_no_old_record_no_answer():
    req = {"certificate_type": "uscc", "certificate_number": credit_code("91440300MA5FGHJK1"), "domains": []}
    world = verification.World(_records("44"), {}, {}, {}, {}, None, None)
    assert verification.renewed_licence_check(req, world) is None
