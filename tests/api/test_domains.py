"""The sandbox's domain registry: create, list, get, patch."""

import pytest
from support.people import ZHANG_SAN_ID

from api.flows import assert_error, field_errors, ok, register_domain


def test_create_with_defaults(sandbox):
    resp = sandbox.post(
        "~/domains", json={"name": "zhangsan-blog.cn", "holder_name": "张三", "holder_certificate_number": ZHANG_SAN_ID}
    )
    d = ok(resp, 201)
    assert d["name"] == "zhangsan-blog.cn" and d["id"] == "zhangsan-blog.cn"
    assert d["holder_name"] == "张三" and d["holder_certificate_number"] == ZHANG_SAN_ID
    assert d["registrar"] == "DNSPod" and d["registrar_approved"] is True
    assert d["real_name_status"] == "verified"
    assert d["registered_on"] == "2026-05-02" and d["expires_on"] == "2027-06-01"


def test_create_with_every_field(sandbox):
    d = register_domain(
        sandbox,
        "example.com",
        registrar="GoDaddy",
        registrar_approved=False,
        real_name_status="pending",
        registered_on="2020-01-01",
        expires_on="2026-08-01",
    )
    assert (d["registrar"], d["registrar_approved"], d["real_name_status"]) == ("GoDaddy", False, "pending")
    assert (d["registered_on"], d["expires_on"]) == ("2020-01-01", "2026-08-01")


def test_name_is_normalised(sandbox):
    d = register_domain(sandbox, "  Example.COM. ")
    assert d["name"] == "example.com"
    assert ok(sandbox.get("~/domains/EXAMPLE.com"))["name"] == "example.com"


def test_any_tld_can_be_registered(sandbox):
    # the registry holds .io too; the TLD list is checked when filing
    assert register_domain(sandbox, "zhangsan.io")["name"] == "zhangsan.io"


def test_chinese_domain(sandbox):
    assert register_domain(sandbox, "张三.中国")["name"] == "张三.中国"


def test_list_and_get(sandbox):
    assert ok(sandbox.get("~/domains")) == []
    register_domain(sandbox, "b-site.cn")
    register_domain(sandbox, "a-site.com")
    names = [d["name"] for d in ok(sandbox.get("~/domains"))]
    assert sorted(names) == ["a-site.com", "b-site.cn"]
    d = ok(sandbox.get("~/domains/a-site.com"))
    assert d["name"] == "a-site.com" and d["holder_name"] == "张三"


def test_patch(sandbox):
    register_domain(sandbox, "zhangsan-blog.cn", real_name_status="pending", expires_on="2026-07-01")
    d = ok(
        sandbox.patch("~/domains/zhangsan-blog.cn", json={"real_name_status": "verified", "expires_on": "2028-01-01"})
    )
    assert d["real_name_status"] == "verified" and d["expires_on"] == "2028-01-01"
    assert d["holder_name"] == "张三" and d["registrar"] == "DNSPod"  # untouched fields kept
    again = ok(sandbox.get("~/domains/zhangsan-blog.cn"))
    assert again == d


def test_patch_holder(sandbox):
    register_domain(sandbox, "zhangsan-blog.cn")
    d = ok(sandbox.patch("~/domains/zhangsan-blog.cn", json={"holder_name": "李四"}))
    assert d["holder_name"] == "李四" and d["holder_certificate_number"] == ZHANG_SAN_ID


def test_patch_cannot_rename(sandbox):
    register_domain(sandbox, "zhangsan-blog.cn")
    resp = sandbox.patch("~/domains/zhangsan-blog.cn", json={"name": "other.cn"})
    assert resp.status_code in (200, 422)
    assert ok(sandbox.get("~/domains/zhangsan-blog.cn"))["name"] == "zhangsan-blog.cn"
    assert_error(sandbox.get("~/domains/other.cn"), 404, "DOMAIN_NOT_FOUND")


@pytest.mark.parametrize(
    "body,field",
    [
        ({"real_name_status": "maybe"}, "real_name_status"),
        ({"expires_on": "next year"}, "expires_on"),
        ({"registrar_approved": "sure"}, "registrar_approved"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_patch_bad_fields(sandbox, body, field):
    register_domain(sandbox, "zhangsan-blog.cn")
    field_errors(sandbox.patch("~/domains/zhangsan-blog.cn", json=body), field)


@pytest.mark.parametrize(
    "name", ["not a domain", "http://example.com/path", "example", "-bad-.cn", "exa_mple.com", "example.123"]
)
def test_bad_syntax(sandbox, name):
    resp = sandbox.post(
        "~/domains", json={"name": name, "holder_name": "张三", "holder_certificate_number": ZHANG_SAN_ID}
    )
    field_errors(resp, "name")
    assert ok(sandbox.get("~/domains")) == []


def test_missing_fields(sandbox):
    field_errors(sandbox.post("~/domains", json={}), "name", "holder_name", "holder_certificate_number")


def test_duplicate(sandbox):
    register_domain(sandbox, "zhangsan-blog.cn")
    resp = sandbox.post(
        "~/domains", json={"name": "ZhangSan-Blog.cn", "holder_name": "李四", "holder_certificate_number": ZHANG_SAN_ID}
    )
    body = assert_error(resp, 409, "DOMAIN_EXISTS")
    assert body["domain"] == "zhangsan-blog.cn"
    assert ok(sandbox.get("~/domains/zhangsan-blog.cn"))["holder_name"] == "张三"  # unchanged


def test_unknown(sandbox):
    assert_error(sandbox.get("~/domains/nobody.cn"), 404, "DOMAIN_NOT_FOUND")
    assert_error(sandbox.patch("~/domains/nobody.cn", json={"real_name_status": "verified"}), 404, "DOMAIN_NOT_FOUND")
    assert ok(sandbox.get("~/domains")) == []
