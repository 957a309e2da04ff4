"""The CloudBase Run gateway (domain.md §8): customer Hosts are served or sent to the block page."""

from urllib.parse import parse_qs, urlsplit

import pytest
from support.people import credit_code, personal_payload

from api.flows import CONTROL, file_and_approve, ok, register_domain, usable_ip

MIIT = "https://beian.miit.gov.cn/"
IMPACT_1 = "如果网站域名未办理备案就解析到腾讯云云托管上，将被腾讯云阻断并跳转到固定页面，提醒您尽快完成备案。"
IMPACT_2 = "如果网站域名已存在备案号，但之前不是在腾讯云备案，需在腾讯云办理接入备案。"
OTHER_USCC = credit_code("91440300MA5FGHJK0")
TENCENT_USCC = credit_code("91440300MA5FGHJK1")


@pytest.fixture(autouse=True)
def default_hosts(monkeypatch):
    for name in ("ICPSIM_HOSTS", "ICPSIM_PUBLIC_HOST", "PORT"):
        monkeypatch.delenv(name, raising=False)


def visit(sb, host, path="/", sandbox=True, **kw):
    headers = {"Host": host}
    if sandbox:
        headers["X-Icpsim-Sandbox"] = sandbox if isinstance(sandbox, str) else sb.sid
    return sb.client.get(path, headers=headers, **kw)


def follow(sb, resp):
    """Open the block page a 302 points to, as a browser would (no custom headers)."""
    assert resp.status_code == 302, (resp.status_code, resp.get_data(as_text=True)[:300])
    url = urlsplit(resp.headers["Location"])
    page = sb.client.get(url.path, query_string=url.query, headers={"Host": url.netloc})
    assert page.status_code == 200 and page.mimetype == "text/html"
    return page.get_data(as_text=True)


def blocked_to(resp):
    url = urlsplit(resp.headers["Location"])
    return url, parse_qs(url.query)


def seed(sb, domain, provider="other", number=None, cert=OTHER_USCC, name="深圳市某某科技有限公司"):
    body = {
        "name": name,
        "type": "enterprise",
        "certificate_type": "uscc",
        "certificate_number": cert,
        "province": "44",
        "access_provider": provider,
        "websites": [{"name": "某某科技官网", "domain": domain}],
    }
    if number:
        body["number"] = number
    return ok(sb.post("~/registry/entities", json=body, token=CONTROL), 201)


def set_status(r, sid, collection, doc_id, status):
    from backend.store import tx as store

    def fn(tx):
        tx.put(collection, {**tx.get(collection, doc_id), "status": status})

    store.run(r, sid, fn)


# -- blocked -----------------------------------------------------------------------


def test_unfiled_domain_is_redirected_to_the_block_page(sandbox):
    resp = visit(sandbox, "zhangsan-blog.cn")
    assert resp.status_code == 302
    url, query = blocked_to(resp)
    assert (url.scheme, url.netloc, url.path) == ("http", "127.0.0.1:5000", "/webblock")
    assert query == {"d": ["zhangsan-blog.cn"], "sandbox": [sandbox.sid]}
    assert resp.headers["X-Icpsim-Gateway"] == "NOT_FILED"
    assert resp.headers["Cache-Control"] == "no-store"
    page = follow(sandbox, resp)
    assert "域名未备案" in page and "NOT_FILED" in page and "zhangsan-blog.cn" in page
    assert IMPACT_1 in page and IMPACT_2 in page and "不备案的影响" in page
    assert "https://beian.miit.gov.cn/#/Integrated/recordQuery" in page
    assert '<html lang="zh-CN">' in page


def test_every_path_and_method_of_a_customer_domain_goes_through_the_gateway(sandbox):
    for path in ("/index.html", f"/api/v1/sandboxes/{sandbox.sid}/entities", "/openapi.json"):
        resp = visit(sandbox, "zhangsan-blog.cn", path)
        assert resp.status_code == 302 and resp.mimetype == "text/html", path
    resp = sandbox.client.post(
        "/api/v1/sandboxes",
        json={},
        headers={"Host": "zhangsan-blog.cn", "X-Icpsim-Sandbox": sandbox.sid, "Authorization": f"Bearer {CONTROL}"},
    )
    assert resp.status_code == 302 and "/webblock?d=zhangsan-blog.cn" in resp.headers["Location"]
    assert ok(sandbox.get("~/entities")) == []


def test_redirect_keeps_the_scheme_and_uses_the_public_host(sandbox, monkeypatch):
    monkeypatch.setenv("ICPSIM_PUBLIC_HOST", "icpsim.example.net:8443")
    resp = visit(sandbox, "zhangsan-blog.cn", base_url="https://zhangsan-blog.cn")
    url, query = blocked_to(resp)
    assert (url.scheme, url.netloc, url.path) == ("https", "icpsim.example.net:8443", "/webblock")
    # the public host is the simulator's own: the API answers there
    assert sandbox.client.get("/openapi.json", headers={"Host": "icpsim.example.net:8443"}).status_code == 200


def test_port_follows_PORT(sandbox, monkeypatch):
    monkeypatch.setenv("PORT", "8123")
    assert blocked_to(visit(sandbox, "zhangsan-blog.cn"))[0].netloc == "127.0.0.1:8123"


def test_filed_elsewhere_only(sandbox):
    seed(sandbox, "moumou-tech.cn", number="粤ICP备19000123号")
    resp = visit(sandbox, "moumou-tech.cn")
    assert resp.status_code == 302 and resp.headers["X-Icpsim-Gateway"] == "NOT_ACCESSED_AT_TENCENT"
    page = follow(sandbox, resp)
    assert "NOT_ACCESSED_AT_TENCENT" in page and "接入备案" in page
    assert "粤ICP备19000123号-1" in page and IMPACT_2 in page


def test_cancelled_website_and_entity_are_blocked(sandbox, r):
    out = seed(sandbox, "moumou-tech.cn", provider="tencent")
    assert visit(sandbox, "moumou-tech.cn").status_code == 200
    set_status(r, sandbox.sid, "websites", out["websites"][0]["id"], "cancelled")
    resp = visit(sandbox, "moumou-tech.cn")
    assert resp.status_code == 302 and resp.headers["X-Icpsim-Gateway"] == "CANCELLED"
    page = follow(sandbox, resp)
    assert "CANCELLED" in page and "已注销" in page and out["websites"][0]["number"] in page

    set_status(r, sandbox.sid, "websites", out["websites"][0]["id"], "active")
    set_status(r, sandbox.sid, "entities", out["entity"]["id"], "cancelled")
    assert visit(sandbox, "moumou-tech.cn").headers["X-Icpsim-Gateway"] == "CANCELLED"


def test_refiled_domain_after_cancellation_is_served(sandbox, r):
    old = seed(sandbox, "moumou-tech.cn", provider="tencent")
    set_status(r, sandbox.sid, "websites", old["websites"][0]["id"], "cancelled")
    new = seed(sandbox, "moumou-tech.cn", provider="tencent", cert=TENCENT_USCC, name="深圳市另一家科技有限公司")
    resp = visit(sandbox, "moumou-tech.cn")
    assert resp.status_code == 200 and new["websites"][0]["number"] in resp.get_data(as_text=True)


def test_subdomains_belong_to_the_filed_domain(sandbox):
    out = seed(sandbox, "moumou-tech.cn", provider="tencent")
    # the gateway walks up to the filed domain: any subdomain is served
    for host in ("blog.moumou-tech.cn", "a.b.moumou-tech.cn:8080", "WWW.MOUMOU-TECH.CN"):
        resp = visit(sandbox, host)
        assert resp.status_code == 200, host
        assert out["websites"][0]["number"] in resp.get_data(as_text=True)
    # another domain that merely looks alike is not
    assert visit(sandbox, "moumou-tech.com").headers["X-Icpsim-Gateway"] == "NOT_FILED"
    assert visit(sandbox, "xmoumou-tech.cn").headers["X-Icpsim-Gateway"] == "NOT_FILED"


def test_a_subdomain_takes_its_domain_s_answer(sandbox):
    seed(sandbox, "moumou-tech.cn", provider="other")
    own = seed(sandbox, "moumou-tech.com", provider="tencent", cert=TENCENT_USCC, name="深圳市另一家科技有限公司")
    assert visit(sandbox, "shop.moumou-tech.cn").headers["X-Icpsim-Gateway"] == "NOT_ACCESSED_AT_TENCENT"
    assert visit(sandbox, "shop.moumou-tech.com").status_code == 200
    assert own["websites"][0]["number"] in visit(sandbox, "shop.moumou-tech.com").get_data(as_text=True)


# -- served -------------------------------------------------------------------------


def test_seeded_at_tencent_is_served(sandbox):
    out = seed(sandbox, "moumou-tech.cn", provider="tencent")
    number = out["websites"][0]["number"]
    resp = visit(sandbox, "moumou-tech.cn")
    assert resp.status_code == 200 and resp.mimetype == "text/html"
    assert resp.headers["X-Icpsim-Gateway"] == "SERVED"
    page = resp.get_data(as_text=True)
    assert f'<a href="{MIIT}" target="_blank" rel="noopener noreferrer">{number}</a>' in page
    assert "某某科技官网" in page and '<html lang="zh-CN">' in page


def test_first_filing_through_the_flow_is_served(sandbox):
    register_domain(sandbox, "zhangsan-blog.cn")
    assert visit(sandbox, "zhangsan-blog.cn").status_code == 302
    app = file_and_approve(sandbox, personal_payload(usable_ip(sandbox)))
    number = app["result"]["website_numbers"][0]
    for host in (
        "zhangsan-blog.cn",
        "www.zhangsan-blog.cn",
        "ZhangSan-Blog.CN:8080",
        "www.zhangsan-blog.cn.",
        "zhangsan-blog.cn:443",
    ):
        resp = visit(sandbox, host)
        assert resp.status_code == 200, host
        page = resp.get_data(as_text=True)
        assert number in page and MIIT in page and "张三的个人博客" in page
    assert visit(sandbox, "blog.zhangsan-blog.cn").status_code == 200  # a subdomain of the filed domain
    assert "NOT_FILED" in follow(sandbox, visit(sandbox, "zhangsan-blog.com"))


def test_block_page_for_a_served_domain(sandbox):
    out = seed(sandbox, "moumou-tech.cn", provider="tencent")
    page = sandbox.client.get("/webblock", query_string={"d": "moumou-tech.cn", "sandbox": sandbox.sid})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "SERVED" in text and out["websites"][0]["number"] in text


def test_block_page_without_a_domain(sandbox):
    page = sandbox.client.get("/webblock")
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert IMPACT_1 in page.get_data(as_text=True)


def test_block_page_escapes_its_input(sandbox):
    text = sandbox.client.get("/webblock", query_string={"d": "<script>x</script>.cn"}).get_data(as_text=True)
    assert "<script>x" not in text and "&lt;script&gt;" in text


# -- which sandbox ---------------------------------------------------------------------


def test_without_the_header_the_demo_sandbox_answers(app, r, control):
    from backend.services import sandboxes

    sandboxes.create(r, seed=2026, preset="demo", sid="demo", name="demo")
    demo = type(control)(control.client, "demo", CONTROL)
    seed(demo, "moumou-tech.cn", provider="tencent")
    assert visit(demo, "moumou-tech.cn", sandbox=False).status_code == 200
    resp = visit(demo, "zhangsan-blog.cn", sandbox=False)
    url, query = blocked_to(resp)
    assert query == {"d": ["zhangsan-blog.cn"]}  # the canonical block URL: demo is the default
    assert resp.headers["X-Icpsim-Sandbox"] == "demo"
    assert "NOT_FILED" in follow(demo, resp)


def test_sandboxes_are_isolated(sandbox, control):
    from api.flows import new_sandbox

    seed(sandbox, "moumou-tech.cn", provider="tencent")
    other = new_sandbox(control, seed=8)
    assert visit(sandbox, "moumou-tech.cn").status_code == 200
    assert visit(other, "moumou-tech.cn").headers["X-Icpsim-Gateway"] == "NOT_FILED"
    # no demo sandbox here, or an unknown one: a clear 404, not an answer about the domain
    for resp in (visit(sandbox, "moumou-tech.cn", sandbox=False), visit(sandbox, "moumou-tech.cn", sandbox="sb_nope")):
        assert resp.status_code == 404 and resp.headers["X-Icpsim-Gateway"] == "SANDBOX_NOT_FOUND"
        assert "不存在" in resp.get_data(as_text=True)


def test_a_mistyped_sandbox_header_is_a_clear_404(sandbox):
    """Issue 9 item 6: not a 302 NOT_FILED as if the sandbox existed."""
    resp = visit(sandbox, "zhangsan-blog.cn", sandbox=sandbox.sid + "x")
    assert resp.status_code == 404 and resp.mimetype == "text/html"
    assert resp.headers["X-Icpsim-Gateway"] == "SANDBOX_NOT_FOUND"
    assert f"沙箱「{sandbox.sid}x」不存在" in resp.get_data(as_text=True)
    page = sandbox.client.get("/webblock", query_string={"d": "zhangsan-blog.cn", "sandbox": "sb_nope"})
    assert page.status_code == 404 and page.headers["X-Icpsim-Gateway"] == "SANDBOX_NOT_FOUND"


def test_the_block_page_is_served_with_a_customer_host(sandbox):
    """Issue 9 item 6: `curl -L -H 'Host: …'` keeps the customer's Host on the redirect; the
    block page answers it instead of redirecting again (no loop)."""
    resp = visit(sandbox, "zhangsan-blog.cn")
    url = urlsplit(resp.headers["Location"])
    assert url.netloc == "127.0.0.1:5000"  # the simulator's own host
    page = sandbox.client.get(
        url.path, query_string=url.query, headers={"Host": "zhangsan-blog.cn", "X-Icpsim-Sandbox": sandbox.sid}
    )
    assert page.status_code == 200 and "域名未备案" in page.get_data(as_text=True)


# -- the simulator's own hosts -----------------------------------------------------------


@pytest.mark.parametrize(
    "host",
    [
        "localhost",
        "127.0.0.1:5000",
        "[::1]:5000",
        "localhost:5000",
        "10.1.2.3:8000",
        "[2001:db8::1]:80",
        "icpsim",
        "web:5000",
    ],
)
def test_own_hosts_serve_the_api(sandbox, host):
    resp = sandbox.client.get(
        f"/api/v1/sandboxes/{sandbox.sid}/entities", headers={"Host": host, "Authorization": f"Bearer {sandbox.token}"}
    )
    assert resp.status_code == 200 and resp.mimetype == "application/json", host
    assert "X-Icpsim-Gateway" not in resp.headers


def test_configured_hosts(sandbox, monkeypatch):
    monkeypatch.setenv("ICPSIM_HOSTS", "icpsim.example.net, api.test.cn")
    for host in ("icpsim.example.net", "API.test.cn:5000", "127.0.0.1:5000"):  # IP literals always
        resp = sandbox.client.get("/openapi.json", headers={"Host": host})
        assert resp.status_code == 200 and resp.mimetype == "application/json", host
    # localhost is no longer listed, but has no dot: never a customer domain
    assert sandbox.client.get("/openapi.json", headers={"Host": "localhost"}).status_code == 200
    assert visit(sandbox, "zhangsan-blog.cn").status_code == 302


# -- the unblock hook ------------------------------------------------------------------------


def test_early_serve_hook(sandbox, r, monkeypatch):
    """An open order of a kind listed in EARLY_SERVE serves its already-filed domains early."""
    from backend.services import gateway
    from backend.store import tx as store

    seed(sandbox, "moumou-tech.cn")
    store.run(
        r,
        sandbox.sid,
        lambda tx: tx.put(
            "applications",
            {
                "id": "A9999",
                "kind": "access_filing",
                "state": "provider_approved",
                "version": 3,
                "payload": {"websites": [{"domain": "moumou-tech.cn"}]},
            },
        ),
    )
    # by default (domain/scenarios.py) an access filing is served once provider review passed
    assert gateway.EARLY_SERVE["access_filing"] >= {"provider_approved", "sms_verification", "bureau_review"}
    assert visit(sandbox, "moumou-tech.cn").status_code == 200
    monkeypatch.setattr(gateway, "EARLY_SERVE", {})
    assert visit(sandbox, "moumou-tech.cn").headers["X-Icpsim-Gateway"] == "NOT_ACCESSED_AT_TENCENT"
    monkeypatch.setattr(gateway, "EARLY_SERVE", {"access_filing": frozenset({"provider_approved"})})
    assert visit(sandbox, "moumou-tech.cn").status_code == 200
    assert visit(sandbox, "www.moumou-tech.cn").status_code == 200
    # the hook only brings forward domains on record: an unfiled one stays blocked
    assert visit(sandbox, "zhangsan-blog.cn").status_code == 302


def test_decide_service(sandbox, r):
    from backend.services import gateway

    out = seed(sandbox, "moumou-tech.cn", provider="tencent")
    d = gateway.decide(r, sandbox.sid, "WWW.MouMou-Tech.cn:80")
    assert d["served"] is True and d["reason"] == "SERVED" and d["host"] == "www.moumou-tech.cn"
    assert d["website"]["number"] == out["websites"][0]["number"]
    assert d["website"]["entity_number"] == out["entity"]["number"]
    assert gateway.decide(r, sandbox.sid, "nobody.cn") == {
        "served": False,
        "reason": "NOT_FILED",
        "host": "nobody.cn",
        "website": None,
        "sandbox": sandbox.sid,
    }
