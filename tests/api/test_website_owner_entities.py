"""One website owner, one entity (notes/audit.md 16; process.md §2.3, T39, J2-Chongqing) over HTTP:
赵六 is already website owner of another company's site in the registry; an order naming him as
website owner is refused at entry, per field, in zh-CN. Chongqing: a website owner may not
appear in another entity at all."""

from support.people import credit_code, person, resident_id

from api.flows import field_errors, ok, register_domain, usable_ip
from api.kinds_flows import ORG_BOSS, ORG_NAME, new_site, org_domain, org_entity, seed_org

ZHAO = person(name="赵六", cert=resident_id("44030519850505001"), mobile="13600136000", email="zl@example.com")
SUN = person(name="孙七", cert=resident_id("44030519900303003"), mobile="13500135000", email="sq@example.com")
ZHOU = person(name="周八", cert=resident_id("44030519920202002"), mobile="13300133000", email="zb@example.com")
OTHER_USCC = credit_code("91440300MA5QTHER0")
FIELD = "payload.websites.0.responsible"


def seed_other_company(sb, site_owner=ZHAO):
    """Another company on record (another account, another provider): 孙七 its 主体负责人."""
    site = {"name": "另一家公司官网", "domain": "other-co.cn", "responsible": site_owner}
    seed_org(sb, [site], name="深圳市另一家科技有限公司", certificate_number=OTHER_USCC, responsible=SUN)


def create(sb, payload, kind="first_filing"):
    return sb.post("~/applications", json={"kind": kind, "payload": payload})


def org_order(sb, entity=None, **site):
    return {
        "entity": org_entity(**(entity or {})),
        "websites": [new_site(usable_ip(sb), "shili-tech.cn", "示例科技官网", "enterprise_site", **site)],
    }


def test_a_website_owner_of_another_company_is_refused_at_entry(sandbox):
    seed_other_company(sandbox)
    org_domain(sandbox, "shili-tech.cn")
    errors = field_errors(create(sandbox, org_order(sandbox, responsible=ZHAO)), FIELD)
    assert errors[FIELD] == ["该网站负责人已是其他主体网站的负责人：同一人不能担任多个主体的网站负责人"]
    # "同主体负责人": the entity owner is the website owner, and the same rule applies
    field_errors(create(sandbox, org_order(sandbox, entity={"responsible": dict(ORG_BOSS, **_as(ZHAO))})), FIELD)
    # the other's 主体负责人: allowed outside 重庆 — with a mobile of his that the other entity does not
    # use (one mobile, one entity: domain.md §7, refused at entry otherwise)
    field_errors(create(sandbox, org_order(sandbox, responsible=SUN)), f"{FIELD}.mobile")
    ok(create(sandbox, org_order(sandbox, responsible=dict(SUN, mobile="13500135009"))), 201)


def _as(who):
    return {"name": who["name"], "certificate_number": who["certificate_number"]}


def test_a_new_website_of_the_accounts_entity_is_checked_too(sandbox):
    seed_other_company(sandbox)
    seed_org(sandbox, provider="tencent", account="self", number=None)
    org_domain(sandbox, "new-site.cn")
    site = new_site(usable_ip(sandbox), "new-site.cn", "示例科技新站", "enterprise_site", responsible=ZHAO)
    field_errors(create(sandbox, {"websites": [site]}, "add_website"), FIELD)
    site["responsible"] = ZHOU
    ok(create(sandbox, {"websites": [site]}, "add_website"), 201)


CQ_USCC = credit_code("91500103MA5UCQ000")


def cq_order(sb, site_owner):
    entity = org_entity(certificate_number=CQ_USCC, province="50", address="重庆市渝中区解放碑 1 号")
    site = new_site(usable_ip(sb), "cq-shili.cn", "示例科技官网", "enterprise_site", responsible=site_owner)
    return {"entity": entity, "websites": [site]}


def test_chongqing_a_website_owner_in_another_entity_at_all_is_refused(sandbox):
    seed_other_company(sandbox)
    register_domain(sandbox, "cq-shili.cn", holder_name=ORG_NAME, holder_cert=CQ_USCC)
    errors = field_errors(create(sandbox, cq_order(sandbox, SUN)), FIELD)  # the other's 主体负责人
    assert errors[FIELD] == ["重庆：网站负责人不能出现在其他备案主体中（已是其他主体的主体负责人或网站负责人）"]
    assert "多个主体的网站负责人" in field_errors(create(sandbox, cq_order(sandbox, ZHAO)), FIELD)[FIELD][0]
    ok(create(sandbox, cq_order(sandbox, ZHOU)), 201)  # nobody's elsewhere
