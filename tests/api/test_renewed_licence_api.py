"""A record filed before 三证合一 under the organisation code, verified with the new USCC (notes/audit.md
25; process.md §1.2, §1.3, T36, T58): recognised as the same organisation, with what to do."""

import pytest
from support.people import credit_code

from api.flows import assert_error, ok, register_domain
from api.kinds_flows import ORG_NAME, ORG_USCC, org_domain, seed_org

PATH = "~/filing-type/verify"
OLD = ORG_USCC[8:17]  # MA5FGHJK0, the organisation code the USCC embeds


def verify(sb, domains, certificate_type="uscc", number=ORG_USCC):
    body = {
        "province": "44",
        "entity_type": "enterprise",
        "certificate_type": certificate_type,
        "certificate_number": number,
        "domains": domains,
    }
    return sb.post(PATH, json=body)


@pytest.fixture
def old_record(sandbox):
    seed_org(sandbox, certificate_type="org_code", certificate_number=OLD)  # 粤ICP备19000123号, moumou-tech.cn
    org_domain(sandbox, "moumou-tech.cn")  # held under the new USCC
    org_domain(sandbox, "moumou-shop.cn")
    return sandbox


@pytest.mark.parametrize("domain", ["moumou-tech.cn", "moumou-shop.cn"])
def test_the_new_uscc_is_recognised_as_the_old_record(old_record, domain):
    body = assert_error(verify(old_record, [domain]), 409, "ENTITY_FILED_UNDER_OLD_NUMBER")
    assert body["old_certificate_number"] == OLD and body["entity_number"] == "粤ICP备19000123号"
    assert OLD in body["message"] and "组织机构代码" in body["message"]
    # Guangdong: the old number with the new licence, then a change filing (T36)
    assert body["route"] == "new_licence" and "变更备案" in body["suggest"] and OLD in body["suggest"]


def test_the_old_number_then_verifies_with_domains_held_under_the_new_uscc(old_record):
    assert ok(verify(old_record, ["moumou-tech.cn"], "org_code", OLD))["scenario"] == "access_filing"
    assert ok(verify(old_record, ["moumou-shop.cn"], "org_code", OLD))["scenario"] == "add_website_external"


def test_another_uscc_is_still_a_stranger(old_record):
    other = credit_code("91440300MA5FGHJK1")  # embeds MA5FGHJK1
    register_domain(old_record, "other.cn", holder_name=ORG_NAME, holder_cert=other)
    assert ok(verify(old_record, ["other.cn"], number=other))["scenario"] == "first_filing"
