"""The national filing registry: seeding records (control token) and MIIT's public query."""

import pytest
from support.people import credit_code, person, personal_payload, resident_id

from api.flows import CONTROL, assert_error, field_errors, file_and_approve, new_sandbox, ok, register_domain, usable_ip

MOUMOU_USCC = credit_code("91440300MA5FGHJK0")
OTHER_USCC = credit_code("91440300MA5FGHJK1")
BEIJING_USCC = credit_code("91110108MA01ABCD0")
LISI_ID = resident_id("44030519850505001")


def company(**over):
    body = {
        "name": "深圳市某某科技有限公司",
        "type": "enterprise",
        "certificate_type": "uscc",
        "certificate_number": MOUMOU_USCC,
        "province": "44",
        "websites": [{"name": "某某科技官网", "domain": "moumou-tech.cn"}],
    }
    body.update(over)
    return body


def seed(sb, body, status=201):
    resp = sb.post("~/registry/entities", json=body, token=CONTROL)
    return ok(resp, status)


def query(sb, token=None, **params):
    return ok(sb.get("~/registry/query", query_string=params, token=token))


def set_status(r, sid, collection, doc_id, status):
    """What a cancellation's approval will do to a record (not built yet)."""
    from backend.store import tx as store

    def fn(tx):
        tx.put(collection, {**tx.get(collection, doc_id), "status": status})

    store.run(r, sid, fn)


# -- seeding ---------------------------------------------------------------------


def test_seed_with_given_numbers(sandbox):
    out = seed(
        sandbox,
        company(
            number="粤ICP备19000123号",
            websites=[
                {"name": "某某科技官网", "domain": "moumou-tech.cn"},
                {"name": "某某商城", "domain": "MouMou.com", "number": "粤ICP备19000123号-3"},
            ],
        ),
    )
    ent, sites = out["entity"], out["websites"]
    assert ent["number"] == "粤ICP备19000123号" and ent["status"] == "active"
    assert ent["account"] == "external" and ent["access_providers"] == ["other"]
    assert ent["province"] == "44" and ent["type"] == "enterprise"
    # explicit numbers first; a website without one continues after the highest
    assert [(w["domain"], w["number"], w["site_index"]) for w in sites] == [
        ("moumou-tech.cn", "粤ICP备19000123号-4", 4),
        ("moumou.com", "粤ICP备19000123号-3", 3),
    ]
    assert ent["max_site_index"] == 4
    assert all(w["access_providers"] == ["other"] and w["entity_id"] == ent["id"] for w in sites)
    # visible through the records API with the sandbox's own token
    assert [e["number"] for e in ok(sandbox.get("~/entities"))] == ["粤ICP备19000123号"]
    assert len(ok(sandbox.get("~/websites"))) == 2


def test_seed_allocates_numbers(sandbox):
    out = seed(
        sandbox,
        company(
            websites=[
                {"name": "某某科技官网", "domain": "moumou-tech.cn"},
                {"name": "某某商城", "domain": "moumou.com"},
            ]
        ),
    )
    number = out["entity"]["number"]
    assert number.startswith("粤ICP备2026") and number.endswith("号") and len(number) == len("粤ICP备2026012345号")
    assert [w["number"] for w in out["websites"]] == [number + "-1", number + "-2"]
    assert out["entity"]["max_site_index"] == 2
    assert out["entity"]["filed_at"] == "2026-06-01T09:00:00+08:00"
    described = ok(sandbox.get("~/numbers/validate", query_string={"number": number + "-2"}))
    assert described["valid"] and described["kind"] == "website"


def test_seed_is_deterministic(control):
    numbers = []
    for _ in range(2):
        sb = new_sandbox(control, seed=99)
        numbers.append(seed(sb, company())["entity"]["number"])
    assert numbers[0] == numbers[1]


def test_seed_at_tencent_self_with_people(sandbox):
    boss = person(name="王五", cert=LISI_ID, mobile="13900139000", email="wangwu@example.com")
    out = seed(
        sandbox,
        company(
            access_provider="tencent",
            account="self",
            responsible=boss,
            filed_at="2024-03-01T10:00:00+08:00",
            websites=[
                {
                    "name": "某某科技官网",
                    "domain": "moumou-tech.cn",
                    "nat_ip": "203.0.113.7",
                    "service_content": "enterprise_site",
                }
            ],
        ),
    )
    ent, site = out["entity"], out["websites"][0]
    assert ent["account"] == "self" and ent["access_providers"] == ["tencent"]
    assert ent["responsible"]["name"] == "王五" and site["responsible"]["name"] == "王五"
    assert site["access_providers"] == ["tencent"] and site["nat_ip"] == "203.0.113.7"
    assert site["service_content"] == "enterprise_site"
    assert ent["filed_at"] == site["filed_at"] == "2024-03-01T10:00:00+08:00"


def test_website_access_providers_override(sandbox):
    out = seed(
        sandbox,
        company(
            websites=[
                {"name": "某某科技官网", "domain": "moumou-tech.cn", "access_providers": ["aliyun", "tencent"]},
                {"name": "某某商城", "domain": "moumou.com"},
            ]
        ),
    )
    assert [w["access_providers"] for w in out["websites"]] == [["aliyun", "tencent"], ["other"]]
    assert out["entity"]["access_providers"] == ["other", "aliyun", "tencent"]


def test_province_by_name_and_personal_entity(sandbox):
    out = seed(
        sandbox,
        {
            "name": "李四",
            "type": "personal",
            "certificate_type": "resident_id",
            "certificate_number": LISI_ID,
            "province": "广东省",
            "websites": [{"name": "李四的个人博客", "domain": "lisi-blog.cn"}],
        },
    )
    assert out["entity"]["province"] == "44" and out["entity"]["number"].startswith("粤ICP备")


def test_seeded_number_is_never_issued_again(sandbox):
    seed(sandbox, company(number="粤ICP备2026900000号"))
    nxt = seed(
        sandbox,
        company(
            certificate_number=OTHER_USCC,
            name="深圳市另一家科技有限公司",
            websites=[{"name": "另一家官网", "domain": "another-tech.cn"}],
        ),
    )
    assert nxt["entity"]["number"] == "粤ICP备2026900001号"


def test_self_entity_blocks_a_first_filing(sandbox):
    seed(sandbox, company(account="self", access_provider="tencent"))
    resp = sandbox.post("~/applications", json={"payload": personal_payload(usable_ip(sandbox))})
    assert_error(resp, 409, "ENTITY_ALREADY_FILED")


# -- validation ---------------------------------------------------------------


def test_schema_errors_are_zh(sandbox):
    resp = sandbox.post(
        "~/registry/entities",
        token=CONTROL,
        json={
            "type": "company",
            "certificate_type": "uscc",
            "province": "44",
            "access_provider": "aliyun",
            "account": "mine",
            "websites": [{"domain": "moumou.com", "nat_ip": "not-an-ip", "extra": 1}],
        },
    )
    field_errors(
        resp,
        "name",
        "type",
        "certificate_number",
        "access_provider",
        "account",
        "websites.0.name",
        "websites.0.nat_ip",
        "websites.0.extra",
    )


def test_no_websites(sandbox):
    field_errors(sandbox.post("~/registry/entities", token=CONTROL, json=company(websites=[])), "websites")


@pytest.mark.parametrize(
    "over, path",
    [
        ({"certificate_number": MOUMOU_USCC[:-1] + ("0" if MOUMOU_USCC[-1] != "0" else "1")}, "certificate_number"),
        ({"certificate_type": "resident_id", "certificate_number": LISI_ID}, "certificate_type"),
        ({"province": "火星"}, "province"),
        ({"number": "京ICP备2019000123号"}, "number"),  # 2019 takes an 8-digit serial
        ({"number": "京ICP备19000123号"}, "number"),  # Beijing's number for a Guangdong entity
        ({"number": "粤ICP备2027000001号"}, "number"),  # later than the virtual date
        ({"number": "粤ICP备19000123号-1"}, "number"),  # a website number as the entity's
        ({"number": "粤B2-20090059"}, "number"),
        ({"websites": [{"name": "某某科技官网", "domain": "moumou.io"}]}, "websites.0.domain"),
        ({"websites": [{"name": "某某科技官网", "domain": "www.moumou.cn"}]}, "websites.0.domain"),
        ({"websites": [{"name": "某某科技官网", "domain": "moumou.cn", "number": "粤ICP备19000123号-1"}]}, "number"),
        ({"responsible": person(mobile="12345")}, "responsible.mobile"),
    ],
)
def test_field_validation(sandbox, over, path):
    errors = field_errors(sandbox.post("~/registry/entities", token=CONTROL, json=company(**over)), path)
    assert ok(sandbox.get("~/entities")) == [] and errors


@pytest.mark.parametrize(
    "site_number", ["粤ICP备19000124号-1", "粤ICP备19000123号", "粤ICP备19000123号-1A", "粤ICP备19000123号-01"]
)
def test_website_number_must_extend_the_entity_number(sandbox, site_number):
    body = company(
        number="粤ICP备19000123号", websites=[{"name": "某某科技官网", "domain": "moumou.cn", "number": site_number}]
    )
    field_errors(sandbox.post("~/registry/entities", token=CONTROL, json=body), "websites.0.number")


def test_duplicates_inside_the_request(sandbox):
    body = company(
        number="粤ICP备19000123号",
        websites=[
            {"name": "某某科技官网", "domain": "moumou.cn", "number": "粤ICP备19000123号-1"},
            {"name": "某某商城", "domain": "MOUMOU.cn.", "number": "粤ICP备19000123号-1"},
        ],
    )
    field_errors(
        sandbox.post("~/registry/entities", token=CONTROL, json=body), "websites.1.domain", "websites.1.number"
    )


# -- conflicts ------------------------------------------------------------------


def test_domain_on_record_conflicts(sandbox):
    seed(sandbox, company())
    other = company(
        name="深圳市另一家科技有限公司",
        certificate_number=OTHER_USCC,
        websites=[
            {"name": "另一家官网", "domain": "another-tech.cn"},
            {"name": "另一家商城", "domain": "MouMou-Tech.cn"},
        ],
    )
    body = assert_error(sandbox.post("~/registry/entities", token=CONTROL, json=other), 409, "DOMAIN_CONFLICT")
    assert body["domain"] == "moumou-tech.cn" and body["field"] == "websites.1.domain"
    # atomic: nothing of the refused entity was written, no id burnt
    assert len(ok(sandbox.get("~/entities"))) == 1 and len(ok(sandbox.get("~/websites"))) == 1
    other["websites"] = other["websites"][:1]
    assert seed(sandbox, other)["entity"]["id"] == "E0002"


def test_domain_of_a_cancelled_website_can_be_seeded_again(sandbox, r):
    first = seed(sandbox, company())
    set_status(r, sandbox.sid, "websites", first["websites"][0]["id"], "cancelled")
    again = seed(sandbox, company(name="深圳市另一家科技有限公司", certificate_number=OTHER_USCC))
    assert again["websites"][0]["domain"] == "moumou-tech.cn"


def test_domain_filed_at_tencent_conflicts(sandbox):
    register_domain(sandbox, "zhangsan-blog.cn")
    file_and_approve(sandbox, personal_payload(usable_ip(sandbox)))
    body = company(websites=[{"name": "某某科技官网", "domain": "zhangsan-blog.cn"}])
    assert_error(sandbox.post("~/registry/entities", token=CONTROL, json=body), 409, "DOMAIN_CONFLICT")


def test_duplicate_entity_number(sandbox):
    seed(sandbox, company(number="粤ICP备19000123号"))
    body = company(
        name="深圳市另一家科技有限公司",
        certificate_number=OTHER_USCC,
        number="粤ICP备19000123号",
        websites=[{"name": "另一家官网", "domain": "another-tech.cn"}],
    )
    assert_error(sandbox.post("~/registry/entities", token=CONTROL, json=body), 409, "ENTITY_NUMBER_EXISTS")


def test_same_certificate_is_one_entity(sandbox):
    seed(sandbox, company())
    body = company(websites=[{"name": "另一家官网", "domain": "another-tech.cn"}])
    assert_error(sandbox.post("~/registry/entities", token=CONTROL, json=body), 409, "ENTITY_EXISTS")


def test_one_self_entity_per_account(sandbox):
    seed(sandbox, company(account="self"))
    body = company(
        name="深圳市另一家科技有限公司",
        certificate_number=OTHER_USCC,
        account="self",
        websites=[{"name": "另一家官网", "domain": "another-tech.cn"}],
    )
    assert_error(sandbox.post("~/registry/entities", token=CONTROL, json=body), 409, "ENTITY_ALREADY_FILED")


# -- auth ---------------------------------------------------------------------------


def test_seeding_needs_the_control_token(sandbox):
    assert_error(sandbox.post("~/registry/entities", json=company()), 401, "CONTROL_TOKEN_INVALID")
    assert_error(sandbox.post("~/registry/entities", json=company(), token=""), 401, "TOKEN_MISSING")
    assert_error(
        sandbox.post("/api/v1/sandboxes/sb_nope/registry/entities", json=company(), token=CONTROL),
        404,
        "SANDBOX_NOT_FOUND",
    )
    assert ok(sandbox.get("~/entities")) == []


def test_query_auth(sandbox, control):
    seed(sandbox, company())
    other = new_sandbox(control, seed=8)
    assert len(query(sandbox, domain="moumou-tech.cn")) == 1
    assert len(query(sandbox, token=CONTROL, domain="moumou-tech.cn")) == 1
    assert_error(
        sandbox.get("~/registry/query", query_string={"domain": "moumou-tech.cn"}, token=""), 401, "TOKEN_MISSING"
    )
    assert_error(
        sandbox.get("~/registry/query", query_string={"domain": "moumou-tech.cn"}, token=other.token),
        404,
        "SANDBOX_NOT_FOUND",
    )
    # each sandbox has its own registry
    assert query(other, domain="moumou-tech.cn") == []


# -- the public query ------------------------------------------------------------------


@pytest.fixture
def registry(sandbox):
    """Two companies filed elsewhere and a personal site filed at Tencent through the flow."""
    seed(
        sandbox,
        company(
            number="粤ICP备19000123号",
            filed_at="2019-03-01T10:00:00+08:00",
            websites=[
                {"name": "某某科技官网", "domain": "moumou-tech.cn"},
                {"name": "某某商城", "domain": "moumou.com"},
            ],
        ),
    )
    seed(
        sandbox,
        {
            "name": "北京某某网络技术有限公司",
            "type": "enterprise",
            "certificate_type": "uscc",
            "certificate_number": BEIJING_USCC,
            "province": "11",
            "number": "京ICP备11018762号",
            "websites": [{"name": "某某网络", "domain": "moumou-net.cn", "number": "京ICP备11018762号-2"}],
        },
    )
    register_domain(sandbox, "zhangsan-blog.cn")
    app = file_and_approve(sandbox, personal_payload(usable_ip(sandbox)))
    return sandbox, app["result"]


def test_query_by_domain(registry):
    sb, _ = registry
    rows = query(sb, domain="MouMou.com")
    assert rows == [
        {
            "entity": {
                "name": "深圳市某某科技有限公司",
                "type": "enterprise",
                "number": "粤ICP备19000123号",
                "province": "44",
            },
            "website": {"name": "某某商城", "domain": "moumou.com", "number": "粤ICP备19000123号-2"},
            "access_providers": ["other"],
            "filed_at": "2019-03-01T10:00:00+08:00",
        }
    ]
    assert query(sb, domain="www.moumou.com") == []  # exact
    assert query(sb, domain="nobody.cn") == []


def test_query_finds_the_tencent_filing(registry):
    sb, result = registry
    rows = query(sb, domain="zhangsan-blog.cn")
    assert [r["website"]["number"] for r in rows] == result["website_numbers"]
    assert rows[0]["entity"] == {
        "name": "张三",
        "type": "personal",
        "number": result["entity_number"],
        "province": "44",
    }
    assert rows[0]["access_providers"] == ["tencent"]


def test_query_by_entity_number_gives_every_website(registry):
    sb, _ = registry
    rows = query(sb, number="粤ICP备19000123号")
    assert [r["website"]["domain"] for r in rows] == ["moumou-tech.cn", "moumou.com"]
    # typed loosely: spaces, a full-width dash
    assert [r["website"]["number"] for r in query(sb, number=" 粤ICP备 19000123号－2 ")] == ["粤ICP备19000123号-2"]


def test_query_by_website_number(registry):
    sb, _ = registry
    rows = query(sb, number="京ICP备11018762号-2")
    assert [(r["entity"]["number"], r["website"]["domain"]) for r in rows] == [("京ICP备11018762号", "moumou-net.cn")]
    assert query(sb, number="京ICP备11018762号-1") == []


def test_query_by_entity_name(registry):
    sb, _ = registry
    rows = query(sb, entity="某某")
    assert [r["website"]["domain"] for r in rows] == ["moumou-net.cn", "moumou-tech.cn", "moumou.com"]
    assert [r["website"]["domain"] for r in query(sb, entity="张三")] == ["zhangsan-blog.cn"]
    assert query(sb, entity="不存在的公司") == []


def test_query_criteria_combine(registry):
    sb, _ = registry
    assert len(query(sb, entity="深圳", domain="moumou.com")) == 1
    assert query(sb, entity="北京", domain="moumou.com") == []


def test_query_needs_a_criterion(registry):
    sb, _ = registry
    field_errors(sb.get("~/registry/query"), "query")
    field_errors(sb.get("~/registry/query", query_string={"domain": ""}), "query")
    field_errors(sb.get("~/registry/query", query_string={"number": "粤ICP备123号"}), "number")
    field_errors(sb.get("~/registry/query", query_string={"number": "粤公网安备44030502000001号"}), "number")
    # a licence holder's records are numbered from its licence (process.md §7): a valid query
    assert ok(sb.get("~/registry/query", query_string={"number": "粤B2-20090059"})) == []


def test_cancelled_records_are_not_shown(registry, r):
    sb, _ = registry
    site = next(w for w in ok(sb.get("~/websites")) if w["domain"] == "moumou.com")
    set_status(r, sb.sid, "websites", site["id"], "cancelled")
    assert query(sb, domain="moumou.com") == []
    assert [x["website"]["domain"] for x in query(sb, number="粤ICP备19000123号")] == ["moumou-tech.cn"]
    entity = next(e for e in ok(sb.get("~/entities")) if e["number"] == "京ICP备11018762号")
    set_status(r, sb.sid, "entities", entity["id"], "cancelled")
    assert query(sb, domain="moumou-net.cn") == [] and query(sb, entity="北京") == []


def test_entity_without_active_websites(registry, r):
    sb, _ = registry
    site = next(w for w in ok(sb.get("~/websites")) if w["domain"] == "moumou-net.cn")
    set_status(r, sb.sid, "websites", site["id"], "cancelled")
    rows = query(sb, number="京ICP备11018762号")
    assert rows == [
        {
            "entity": {
                "name": "北京某某网络技术有限公司",
                "type": "enterprise",
                "number": "京ICP备11018762号",
                "province": "11",
            },
            "website": None,
            "access_providers": ["other"],
            "filed_at": rows[0]["filed_at"],
        }
    ]


def test_openapi_documents_the_registry(control):
    paths = ok(control.get("/openapi.json"))["paths"]
    assert "post" in paths["/api/v1/sandboxes/{sid}/registry/entities"]
    params = {p["name"] for p in paths["/api/v1/sandboxes/{sid}/registry/query"]["get"]["parameters"]}
    assert {"domain", "number", "entity"} <= params
