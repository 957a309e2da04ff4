"""Entry rules across the people and websites of one order over HTTP (notes/audit.md 2, 13, 14, 15):
each test is the audit's probe, now refused at entry with a per-field zh-CN 422."""

from support.people import ZHANG_SAN_ID, credit_code, person, personal_payload, resident_id

from api.flows import CONTROL, create_app, field_errors, ok, register_domain, system_ip, usable_ip
from api.kinds_flows import ORG_BOSS, SITE_OWNER, new_site, org_domain, org_entity, run

LI_SI = person(name="李四", cert=resident_id("11010119900307777"), mobile="13800138000", email="a@b.cn")


def create(sb, payload, kind="first_filing"):
    return sb.post("~/applications", json={"kind": kind, "payload": payload})


# -- 2: a personal entity's 主体负责人 is the person themself -----------------------------------


def test_a_personal_filing_with_another_responsible_is_refused_at_create_and_edit(sandbox):
    register_domain(sandbox, "zhangsan-blog.cn")
    ip = usable_ip(sandbox)
    errors = field_errors(
        create(sandbox, personal_payload(ip, responsible=LI_SI)),
        "payload.entity.responsible.name",
        "payload.entity.responsible.certificate_number",
    )
    assert "本人" in errors["payload.entity.responsible.name"][0]
    assert ok(sandbox.get("~/applications")) == []
    # the person themself passes; an edit to another responsible is refused and changes nothing
    app = create_app(sandbox, personal_payload(ip))
    resp = sandbox.patch(f"~/applications/{app['id']}", json={"payload": {"entity": {"responsible": LI_SI}}})
    field_errors(resp, "payload.entity.responsible.certificate_number")
    kept = ok(sandbox.get(f"~/applications/{app['id']}"))
    assert kept["payload"]["entity"]["responsible"]["certificate_number"] == ZHANG_SAN_ID


# -- 13: different people, different e-mails ------------------------------------------------------


def test_a_website_owner_may_not_share_the_entity_owners_e_mail(sandbox):
    org_domain(sandbox, "shili-tech.cn")
    site = new_site(usable_ip(sandbox), "shili-tech.cn", "某某科技官网", "enterprise_site")
    shared = dict(SITE_OWNER, email=ORG_BOSS["email"])
    resp = create(sandbox, {"entity": org_entity(), "websites": [dict(site, responsible=shared)]})
    errors = field_errors(resp, "payload.websites.0.responsible.email")
    assert "电子邮箱" in errors["payload.websites.0.responsible.email"][0]
    assert create_app(sandbox, {"entity": org_entity(), "websites": [dict(site, responsible=SITE_OWNER)]})


# -- 14: Jiangsu / Anhui, a non-LR 主体负责人 owns the websites -----------------------------------

JS_USCC = credit_code("91320102MA5FGHJK0")
JS_NAME = "南京某某科技有限公司"


def test_jiangsu_non_lr_entity_owner_must_own_the_website(sandbox):
    register_domain(sandbox, "nj-moumou.cn", holder_name=JS_NAME, holder_cert=JS_USCC)
    rep = {"name": "赵六", "certificate_number": resident_id("44030519700101123")}
    entity = org_entity(
        name=JS_NAME,
        certificate_number=JS_USCC,
        province="32",
        address="江苏省南京市玄武区中山路 1 号",
        legal_representative=rep,
        responsible=dict(ORG_BOSS, office_phone="025-12345678"),
    )
    site = new_site(usable_ip(sandbox), "nj-moumou.cn", "某某科技官网", "enterprise_site")
    owner = dict(LI_SI, mobile="13700137000", office_phone="025-87654321")
    resp = create(sandbox, {"entity": entity, "websites": [dict(site, responsible=owner)]})
    errors = field_errors(resp, "payload.websites.0.responsible")
    assert "法定代表人" in errors["payload.websites.0.responsible"][0]
    # the 主体负责人 owning the website is accepted
    assert create_app(sandbox, {"entity": entity, "websites": [site]})["state"] == "draft"


# -- 15: Shanxi, at most 3 new domains per order ---------------------------------------------------

SX_USCC = credit_code("91140105MA5FGHJK0")
SX_NAME = "太原某某科技有限公司"


def test_shanxi_refuses_a_fourth_new_domain_in_one_order(sandbox):
    ips = [usable_ip(sandbox), system_ip(sandbox)["ip"]]
    domains = [f"ty-moumou{i}.cn" for i in range(4)]
    for d in domains:
        register_domain(sandbox, d, holder_name=SX_NAME, holder_cert=SX_USCC)
    boss = dict(ORG_BOSS, certificate_number=resident_id("14010519800101456"))
    entity = org_entity(
        name=SX_NAME, certificate_number=SX_USCC, province="14", address="山西省太原市小店区某路 1 号", responsible=boss
    )
    sites = [new_site(ips[i // 2], d, f"某某科技站点{'一二三四'[i]}", "enterprise_site") for i, d in enumerate(domains)]
    errors = field_errors(create(sandbox, {"entity": entity, "websites": sites}), "payload.websites")
    assert any("最多新增 3 个域名" in m for m in errors["payload.websites"])
    assert create_app(sandbox, {"entity": entity, "websites": sites[:3]})["state"] == "draft"


# -- 10: a mobile of another entity on record, refused at entry -------------------------------------


def test_a_mobile_of_another_entity_on_record_is_refused_at_entry(sandbox):
    lisi = {
        "name": "李四",
        "type": "personal",
        "certificate_type": "resident_id",
        "certificate_number": LI_SI["certificate_number"],
        "province": "11",
        "responsible": LI_SI,
        "websites": [{"name": "李四的博客", "domain": "lisi-blog.cn"}],
    }
    ok(sandbox.post("~/registry/entities", json=lisi, token=CONTROL), 201)
    register_domain(sandbox, "zhangsan-blog.cn")
    payload = personal_payload(usable_ip(sandbox))
    payload["entity"]["responsible"]["mobile"] = LI_SI["mobile"]
    errors = field_errors(create(sandbox, payload), "payload.entity.responsible.mobile")
    assert "其他备案主体" in errors["payload.entity.responsible.mobile"][0]
    payload["entity"]["responsible"]["mobile"] = "13800138009"
    assert create_app(sandbox, payload)["state"] == "draft"


# -- 18: 网络教育 needs a 教育 pre-approval -------------------------------------------------------


def test_education_is_refused_for_a_person_and_needs_the_pre_approval_of_an_organisation(sandbox):
    register_domain(sandbox, "zhangsan-blog.cn")
    ip = usable_ip(sandbox)
    payload = personal_payload(ip)
    payload["websites"][0]["service_content"] = "education"
    errors = field_errors(create(sandbox, payload), "payload.websites.0.service_content")
    assert "教育" in errors["payload.websites.0.service_content"][0]
    org_domain(sandbox, "shili-edu.cn")
    site = new_site(ip, "shili-edu.cn", "某某科技在线课堂", "education")
    app = run(sandbox, create_app(sandbox, {"entity": org_entity(), "websites": [site]})["id"])
    assert app["state"] == "provider_rejected"
    assert [(e["code"], e["field"]) for e in app["audit_data"]] == [
        ("PRE_APPROVAL_NUMBER_MISSING", "websites.0.pre_approval_number")
    ]


# -- 9: a licence holder is not told to apply for a licence --------------------------------------


def test_a_licence_holder_gets_no_licence_notice(sandbox):
    org_domain(sandbox, "shili-shop.cn")
    site = new_site(usable_ip(sandbox), "shili-shop.cn", "某某科技商城", "ecommerce", commercial=True)
    holder = create_app(sandbox, {"entity": org_entity(icp_licence_number="粤B2-20090059"), "websites": [site]})
    assert ok(sandbox.get(f"~/applications/{holder['id']}/requirements"))["notices"] == []
    ok(sandbox.post(f"~/applications/{holder['id']}/actions/withdraw", json={}))
    plain = create_app(sandbox, {"entity": org_entity(), "websites": [site]})
    notices = ok(sandbox.get(f"~/applications/{plain['id']}/requirements"))["notices"]
    assert len(notices) == 1 and "经营许可证" in notices[0]
