"""The CloudBase Run gateway over real HTTP, against gunicorn: Host headers decide."""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from support.people import credit_code
from support.procs import child_env, free_port, start_web, stop

CONTROL = "e2e-control"


@pytest.fixture
def web(r, redis_url, tmp_path):
    port = free_port()
    env = child_env(redis_url, CONTROL)
    for name in ("ICPSIM_HOSTS", "ICPSIM_PUBLIC_HOST"):
        env.pop(name, None)
    with open(tmp_path / "web.log", "w") as log:
        proc = start_web(env, port, log)
        try:
            yield f"http://127.0.0.1:{port}", port
        finally:
            stop(proc)


def api(method, url, token=CONTROL, **kw):
    resp = requests.request(method, url, headers={"Authorization": f"Bearer {token}"}, timeout=30, **kw)
    assert resp.headers["Content-Type"].startswith("application/json"), resp.text
    return resp


def visit(root, host, sid, path="/"):
    return requests.get(root + path, headers={"Host": host, "X-Icpsim-Sandbox": sid}, allow_redirects=False, timeout=30)


def test_gateway_over_http(web):
    root, port = web
    sb = api("POST", f"{root}/api/v1/sandboxes", json={"seed": 42}).json()
    sid = sb["id"]
    home = f"{root}/api/v1/sandboxes/{sid}"
    tencent = api(
        "POST",
        f"{home}/registry/entities",
        json={
            "name": "深圳市某某科技有限公司",
            "type": "enterprise",
            "certificate_type": "uscc",
            "certificate_number": credit_code("91440300MA5FGHJK0"),
            "province": "44",
            "access_provider": "tencent",
            "websites": [{"name": "某某科技官网", "domain": "moumou-tech.cn"}],
        },
    )
    assert tencent.status_code == 201, tencent.json()
    number = tencent.json()["websites"][0]["number"]
    elsewhere = api(
        "POST",
        f"{home}/registry/entities",
        json={
            "name": "北京某某网络技术有限公司",
            "type": "enterprise",
            "certificate_type": "uscc",
            "certificate_number": credit_code("91110108MA01ABCD0"),
            "province": "11",
            "number": "京ICP备11018762号",
            "websites": [{"name": "某某网络", "domain": "moumou-net.cn"}],
        },
    )
    assert elsewhere.status_code == 201, elsewhere.json()

    # filed at Tencent: the site, with its record number linked to MIIT
    for host in ("moumou-tech.cn", f"www.moumou-tech.cn:{port}"):
        resp = visit(root, host, sid)
        assert resp.status_code == 200 and resp.headers["Content-Type"] == "text/html; charset=utf-8", host
        assert number in resp.text and "https://beian.miit.gov.cn/" in resp.text

    # not filed: 302 to the block page on the simulator's own host, which a browser then opens
    resp = visit(root, "zhangsan-blog.cn", sid, "/some/page?x=1")
    assert resp.status_code == 302 and resp.headers["X-Icpsim-Gateway"] == "NOT_FILED"
    url = urlsplit(resp.headers["Location"])
    assert (url.scheme, url.netloc, url.path) == ("http", f"127.0.0.1:{port}", "/webblock")
    assert parse_qs(url.query) == {"d": ["zhangsan-blog.cn"], "sandbox": [sid]}
    page = requests.get(resp.headers["Location"], timeout=30)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert "NOT_FILED" in page.text and "不备案的影响" in page.text

    # filed elsewhere only
    resp = visit(root, "moumou-net.cn", sid)
    assert resp.status_code == 302 and resp.headers["X-Icpsim-Gateway"] == "NOT_ACCESSED_AT_TENCENT"
    page = requests.get(resp.headers["Location"], timeout=30)
    assert "NOT_ACCESSED_AT_TENCENT" in page.text and "京ICP备11018762号-1" in page.text

    # the public query agrees, and the API still answers on the simulator's host
    rows = api("GET", f"{home}/registry/query", token=sb["token"], params={"domain": "moumou-net.cn"}).json()
    assert [r["website"]["number"] for r in rows] == ["京ICP备11018762号-1"]
    for host in (f"127.0.0.1:{port}", f"localhost:{port}"):
        resp = requests.get(
            f"{root}/api/v1/sandboxes/{sid}/entities",
            timeout=30,
            headers={"Host": host, "Authorization": f"Bearer {sb['token']}"},
        )
        assert resp.status_code == 200 and len(resp.json()) == 2, host
