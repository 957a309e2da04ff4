"""The scenario table (domain/scenarios.py): one declaration per kind, pure preconditions."""

import pytest

from backend.domain import kinds, scenarios as S
from backend.domain.errors import Conflict, Unprocessable

ENTITY = {
    "id": "E1",
    "number": "粤ICP备19000123号",
    "status": "active",
    "account": "self",
    "type": "enterprise",
    "certificate_type": "uscc",
    "certificate_number": "91440300MA5FGHJK0P",
    "province": "44",
    "access_providers": ["tencent"],
    "responsible": {"name": "王五", "mobile": "13900139000"},
}
SITES = [
    {
        "id": "W1",
        "entity_id": "E1",
        "number": "粤ICP备19000123号-1",
        "domain": "moumou-tech.cn",
        "status": "active",
        "access_providers": ["tencent"],
        "nat_ip": "1.2.3.4",
        "extra_domains": ["moumou-tech.com"],
    },
    {
        "id": "W2",
        "entity_id": "E1",
        "number": "粤ICP备19000123号-2",
        "domain": "moumou-shop.cn",
        "status": "active",
        "access_providers": ["other"],
        "responsible": {"name": "李四", "mobile": "13700137000"},
    },
    {
        "id": "W3",
        "entity_id": "E1",
        "number": "粤ICP备19000123号-3",
        "domain": "moumou-old.cn",
        "status": "cancelled",
        "access_providers": ["tencent"],
    },
]


def records(entity=None, sites=None):
    return S.Records([entity or ENTITY], SITES if sites is None else sites)


def code_of(kind, payload, recs=None):
    with pytest.raises(Conflict) as e:
        S.resolve(kind, recs or records(), payload, kinds.get(kind).sms_to)
    return e.value.code


def test_one_declaration_per_kind():
    assert set(S.SCENARIOS) == kinds.ALL
    assert S.early_serve() == {"access_filing": frozenset({"provider_approved", "sms_verification", "bureau_review"})}
    assert {k for k, s in S.SCENARIOS.items() if s.new_websites} == {
        "first_filing",
        "add_website",
        "add_website_external",
    }


def test_records_find_websites_by_any_reference():
    recs = records()
    assert recs.find_site({"website_id": "W2"})["id"] == "W2"
    assert recs.find_site({"website_number": "粤ICP备19000123号－2"})["id"] == "W2"  # a full-width dash
    assert recs.find_site({"domain": "MOUMOU-TECH.COM."})["id"] == "W1"  # an extra domain
    assert recs.find_site({"domain": "moumou-old.cn"}) is None  # cancelled
    assert recs.site_with_domain("moumou-tech.com")["id"] == "W1"
    assert recs.own()["id"] == "E1" and recs.by_number("粤ICP备19000123号")["id"] == "E1"


def test_cancel_website_resolution_and_contacts():
    res = S.resolve("cancel_website", records(), {"domain": "moumou-tech.cn"}, ("website",))
    assert res.target() == {"entity_id": "E1", "website_ids": ["W1"]}
    assert res.payload == {"website_id": "W1", "website_number": "粤ICP备19000123号-1", "domain": "moumou-tech.cn"}
    assert [c["mobile"] for c in res.contacts] == ["13900139000"]  # no site owner: the entity's
    assert res.province == "44"


def test_cancel_preconditions():
    assert code_of("cancel_website", {"domain": "moumou-shop.cn"}) == "WEBSITE_NOT_AT_TENCENT"
    assert code_of("cancel_access", {"website_id": "W9"}) == "WEBSITE_NOT_FOUND"
    only = records(sites=SITES[:1])
    assert code_of("cancel_website", {"website_id": "W1"}, only) == "LAST_WEBSITE_CANCEL_ENTITY"
    assert code_of("cancel_entity", {}, S.Records([], [])) == "ENTITY_NOT_FILED_AT_TENCENT"


def test_change_normalization():
    entry = {"website_id": "W1", "nat_ip": "1.2.3.4", "remove_domains": ["MOUMOU-TECH.com"]}
    res = S.resolve("change_website", records(), {"websites": [entry]}, ("website",))
    # the same IP is no change (no new slot); removed domains as on record
    assert res.payload["websites"] == [
        {"website_id": "W1", "website_number": "粤ICP备19000123号-1", "remove_domains": ["moumou-tech.com"]}
    ]
    assert S.order_ips({"kind": "change_website", "payload": res.payload}) == []
    assert (
        code_of(
            "change_website",
            {"websites": [{"website_id": "W1", "remove_domains": ["moumou-tech.cn", "moumou-tech.com"]}]},
        )
        == "WEBSITE_NEEDS_A_DOMAIN"
    )
    assert code_of("change_filing", {"entity": {"province": "北京市"}}) == "CROSS_PROVINCE_CHANGE"
    with pytest.raises(Unprocessable):
        S.resolve("change_filing", records(), {"websites": [{"website_id": "W1", "nat_ip": "5.6.7.8"}]}, ())


def test_change_filing_sms_roles():
    res = S.resolve(
        "change_filing",
        records(),
        {"websites": [{"website_id": "W1", "name": "某某科技新官网"}]},
        ("entity", "website"),
    )
    assert [c["role"] for c in res.contacts] == ["website"]
    res = S.resolve(
        "change_filing", records(), {"entity": {"responsible": {"mobile": "13600136000"}}}, ("entity", "website")
    )
    assert [(c["role"], c["mobile"], c["name"]) for c in res.contacts] == [("entity", "13600136000", "王五")]


@pytest.mark.parametrize(
    "kind,payload,paths",
    [
        ("cancel_website", {}, {"website_id"}),
        ("cancel_entity", {"entity_number": "x"}, {"entity_number"}),
        (
            "access_filing",
            {"entity_number": "粤ICP备19000123号", "websites": [{"domain": "a.cn"}]},
            {"websites.0.nat_ip"},
        ),
        (
            "change_website",
            {"websites": [{"website_id": "W1", "name": "x"}, {"website_id": "W2", "name": "y"}]},
            {"websites"},
        ),
        ("change_filing", {}, {"payload"}),
        ("change_filing", {"entity": {"responsible": {"mobile": "1"}}}, {"entity.responsible.mobile"}),
        ("add_website", {"entity": {}, "websites": []}, {"entity", "websites"}),
    ],
)
def test_payload_shapes(kind, payload, paths):
    assert {p for p, _, _ in S.payload_problems(kind, payload)} == paths


def test_ip_requests_and_province():
    payload = {"entity": {"province": "广东省"}, "websites": [{"nat_ip": "1.2.3.4"}, {"nat_ip": "1.2.3.4"}]}
    assert S.order_ips({"kind": "first_filing", "payload": payload}) == ["1.2.3.4", "1.2.3.4"]
    assert S.province_of({"payload": payload}) == "44"
    assert S.province_of({"payload": {}, "province": "11"}) == "11"
    assert S.ip_requests("cancel_entity", {}) == []


def test_on_record_today_means_active_under_an_active_entity():
    """One definition, used by the preconditions, MIIT's query, the gateway and the NAT IP quota."""
    from backend.services import gateway, registry, world  # noqa: F401 (they use it, below)

    cancelled = dict(ENTITY, id="E2", status="cancelled")
    sites = SITES + [dict(SITES[0], id="W4", entity_id="E2"), dict(SITES[0], id="W5", entity_id="E9")]
    entities = {e["id"]: e for e in (ENTITY, cancelled)}
    assert [w["id"] for w in S.active_sites(entities, sites)] == ["W1", "W2"]  # not W3, W4 (entity), W5 (none)
    assert [w["id"] for w in S.Records([ENTITY, cancelled], sites).sites()] == ["W1", "W2"]
    assert registry.domain_key is S.domain_key and registry.number_key is S.number_key
    assert registry.ACTIVE == S.ACTIVE


def test_merge_changes_keeps_what_is_not_changed():
    base = {"name": "王五", "mobile": "13900139000", "extra": {"a": 1, "b": 2}}
    assert S.merge_changes(base, {"mobile": "13700137000", "extra": {"b": 3}}) == {
        "name": "王五",
        "mobile": "13700137000",
        "extra": {"a": 1, "b": 3},
    }
    assert S.merge_changes(None, {"email": None}) == {"email": None}  # None is a value, not a deletion
    assert base["extra"] == {"a": 1, "b": 2}  # the base is not modified
