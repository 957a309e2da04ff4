"""The records' one constructor each: a website is the same whether an approval or a seed
of the national registry puts it on record."""

from backend.domain import records


def test_a_website_has_one_shape_whoever_files_it():
    site = {"name": "张三的个人博客", "domain": "zhangsan-blog.cn", "nat_ip": "162.14.10.20", "service_content": "blog"}
    doc = records.new_website(
        "W0001",
        site,
        entity_id="E0001",
        number="粤ICP备2026012345号-1",
        site_index=1,
        access_providers=["tencent"],
        filed_at="2026-06-01T09:00:00+08:00",
        responsible=None,
    )
    assert doc["filing_type"] == "cloudbase_run" and doc["status"] == "active" and "seeded" not in doc
    other = records.new_website(
        "W0002",
        dict(site, nat_ip=None, extra_domains=["old.cn"]),
        entity_id="E0001",
        number="粤ICP备2026012345号-2",
        site_index=2,
        access_providers=["other"],
        filed_at="2026-06-01T09:00:00+08:00",
        responsible=None,
        seeded=True,
    )
    assert other["filing_type"] == "cvm" and other["extra_domains"] == ["old.cn"] and other["seeded"] is True
    assert set(doc) <= set(records.Website.__annotations__) and set(other) <= set(records.Website.__annotations__)


def test_every_constructor_stays_within_its_declared_keys():
    app = records.new_application("A0001", "first_filing", "2026-06-01T09:00:00+08:00", {})
    assert set(app) <= set(records.Application.__annotations__) and app["attempt"] == 0
    app = dict(app, state="draft", version=1)
    timer = records.new_timer("T000001", app, "expire", 1.0, "2026-07-16T09:00:00+08:00", "deadline")
    assert (timer["state"], timer["version"]) == ("draft", 1) and set(timer) <= set(records.Timer.__annotations__)
    entity = records.new_entity(
        "E0001",
        {
            "name": "张三",
            "type": "personal",
            "certificate_type": "resident_id",
            "certificate_number": "440305199001010018",
        },
        number="粤ICP备2026012345号",
        province="44",
        account="self",
        access_providers=["tencent"],
        filed_at="2026-06-01T09:00:00+08:00",
    )
    assert set(entity) <= set(records.Entity.__annotations__) and "address" not in entity
    conv = records.new_conversation("en")
    assert set(conv) <= set(records.Conversation.__annotations__) and conv["accepts"] == {"type": "none"}
