"""Province material slots over HTTP (notes/audit.md 4, 23; process.md §3.1, §8): the 编办证明 of
government bodies and institutions in Yunnan, Inner Mongolia, Heilongjiang and Jiangxi, and the
网站建设方案书 of an organisation with ≥ 30 websites in Shanghai / > 30 in Guangdong."""

import pytest
from support.people import credit_code

from api.flows import new_sandbox, ok, register_domain, usable_ip
from api.kinds_flows import ORG_USCC, new_site, org_entity, seed_org

PLAN, APPROVAL = "website_construction_plan", "establishment_approval"


def slots(sb, app_id):
    return [row["slot"] for row in ok(sb.get(f"~/applications/{app_id}/materials"))["slots"]]


@pytest.fixture
def strict(control):
    return new_sandbox(control, settings={"pre_submit_checks": True})


@pytest.mark.parametrize(
    "entity_type,prefix,province,address,wanted",
    [
        ("institution", "12150102MA5FGHJK0", "15", "内蒙古自治区呼和浩特市新城区某路 1 号", True),
        ("government", "11530102MA5FGHJK0", "53", "云南省昆明市五华区某路 1 号", True),
        ("enterprise", "91530102MA5FGHJK0", "53", "云南省昆明市五华区某路 1 号", False),
        ("institution", "12440300MA5FGHJK0", "44", "广东省深圳市南山区某路 1 号", False),
    ],
)
def test_government_and_institutions_upload_the_establishment_approval(
    strict, entity_type, prefix, province, address, wanted
):
    uscc = credit_code(prefix)
    name = "某某市某某中心"
    register_domain(strict, "moumou-center.cn", holder_name=name, holder_cert=uscc)
    entity = org_entity(type=entity_type, name=name, certificate_number=uscc, province=province, address=address)
    site = new_site(usable_ip(strict), "moumou-center.cn", "某某中心门户网站", "enterprise_site")
    resp = strict.post(
        "~/applications", json={"kind": "first_filing", "payload": {"entity": entity, "websites": [site]}}
    )
    app = ok(resp, 201)
    assert (APPROVAL in slots(strict, app["id"])) is wanted


@pytest.mark.parametrize(
    "province,uscc,on_record,wanted",
    [
        ("31", credit_code("91310104MA1FL0000"), 29, True),  # Shanghai: the 30th website
        ("31", credit_code("91310104MA1FL0000"), 28, False),
        ("44", ORG_USCC, 30, True),  # Guangdong: the 31st
        ("44", ORG_USCC, 29, False),
        ("32", credit_code("91320102MA5FGHJK0"), 40, False),  # Jiangsu asks no plan
    ],
)
def test_many_websites_bring_the_construction_plan(strict, province, uscc, on_record, wanted):
    sites = [{"name": f"某某科技站点{i:02d}", "domain": f"site{i:02d}.cn"} for i in range(on_record)]
    seed_org(
        strict,
        websites=sites,
        provider="tencent",
        account="self",
        number=None,
        province=province,
        certificate_number=uscc,
    )
    register_domain(strict, "newsite.cn", holder_name=org_entity()["name"], holder_cert=uscc)
    site = new_site(usable_ip(strict), "newsite.cn", "某某科技新站点", "enterprise_site")
    resp = strict.post("~/applications", json={"kind": "add_website", "payload": {"websites": [site]}})
    app = ok(resp, 201)
    assert (PLAN in slots(strict, app["id"])) is wanted
