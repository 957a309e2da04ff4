"""New website and cancelled website end to end, over HTTP against gunicorn and a real
`rq worker`; the gateway answers real HTTP requests: not filed → served → cancelled → blocked."""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from support.people import ZHANG_SAN_ID, personal_payload
from support.procs import child_env, free_port, start_web, start_worker, stop, timeout_for

CONTROL = "e2e-control"
LENIENT = {"pre_submit_checks": False}  # straight to the reviews: this test is about what follows the submit


@pytest.fixture
def stack(r, redis_url, tmp_path):
    env = child_env(redis_url, CONTROL, ICPSIM_JOB_WAIT="60")
    for name in ("ICPSIM_HOSTS", "ICPSIM_PUBLIC_HOST"):
        env.pop(name, None)
    port = free_port()
    with open(tmp_path / "processes.log", "w") as logs:
        web = start_web(env, port, logs)
        worker = start_worker(env, logs)
        try:
            yield f"http://127.0.0.1:{port}", port
        finally:
            stop(worker)
            stop(web)


class Client:
    def __init__(self, root, sid, token):
        self.root, self.sid, self.token = root, sid, token
        self.home = f"{root}/api/v1/sandboxes/{sid}"

    def call(self, method, path, token=None, **kw):
        resp = requests.request(
            method,
            self.home + path,
            timeout=timeout_for(self.home + path),
            headers={"Authorization": f"Bearer {token or self.token}"},
            **kw,
        )
        assert resp.headers["Content-Type"].startswith("application/json"), resp.text
        return resp

    def ok(self, method, path, status=200, **kw):
        resp = self.call(method, path, **kw)
        assert resp.status_code == status, (resp.status_code, resp.text)
        return resp.json()

    def until_idle(self):
        return self.ok("POST", "/clock/advance", token=CONTROL, json={"until_idle": True})

    def file(self, kind, payload):
        """An order from creation to approval: the workers review, the user answers MIIT's SMS."""
        app = self.ok("POST", "/applications", 201, json={"kind": kind, "payload": payload})
        url = f"/applications/{app['id']}"
        assert self.ok("POST", url + "/actions/submit", json={})["state"] == "provider_review"
        self.until_idle()
        assert self.ok("GET", url)["state"] == "sms_verification"
        sms = [
            m
            for m in self.ok("GET", "/outbox", params={"channel": "sms", "app_id": app["id"]})
            if m["code"] == "MIIT_SMS_CODE"
        ]
        code = sms[-1]["text"].split("核验码为 ")[1][:6]
        assert self.ok("POST", url + "/sms-verification", json={"code": code})["state"] == "bureau_review"
        fired = self.until_idle()["fired"]
        assert [f["name"] for f in fired] == ["bureau_review"]
        app = self.ok("GET", url)
        assert app["state"] == "approved", app
        return app

    def visit(self, host):
        return requests.get(
            self.root + "/", headers={"Host": host, "X-Icpsim-Sandbox": self.sid}, allow_redirects=False, timeout=30
        )


def test_add_then_cancel_a_website_and_the_gateway(stack):
    root, port = stack
    sb = requests.post(
        f"{root}/api/v1/sandboxes",
        json={"seed": 42, "settings": LENIENT},
        timeout=30,
        headers={"Authorization": f"Bearer {CONTROL}"},
    ).json()
    c = Client(root, sb["id"], sb["token"])
    for name in ("zhangsan-blog.cn", "zhangsan-notes.cn"):
        c.ok(
            "POST",
            "/domains",
            201,
            json={"name": name, "holder_name": "张三", "holder_certificate_number": ZHANG_SAN_ID},
        )
    ip = c.ok("GET", "/eligibility")["usable_ips"][0]["ip"]

    first = c.file("first_filing", personal_payload(ip))
    entity_number = first["result"]["entity_number"]
    assert c.visit("zhangsan-notes.cn").status_code == 302

    # 新增网站: the next number under the entity; served once approved
    added = c.file(
        "add_website",
        {
            "websites": [
                {"name": "张三的读书笔记", "domain": "zhangsan-notes.cn", "service_content": "blog", "nat_ip": ip}
            ]
        },
    )
    number = added["result"]["website_numbers"][0]
    assert number == entity_number + "-2"
    assert c.ok("GET", "/eligibility")["usable_ips"] == []  # both filings of the one IP are used
    for host in ("zhangsan-notes.cn", f"www.zhangsan-notes.cn:{port}"):
        resp = c.visit(host)
        assert resp.status_code == 200 and resp.headers["X-Icpsim-Gateway"] == "SERVED", host
        assert number in resp.text and "张三的读书笔记" in resp.text

    # 注销网站: the number is revoked, the domain blocked again, the IP slot freed
    cancelled = c.file("cancel_website", {"website_number": number, "reason": "不再运营"})
    assert cancelled["result"]["revoked_numbers"] == [number]
    resp = c.visit("zhangsan-notes.cn")
    assert resp.status_code == 302 and resp.headers["X-Icpsim-Gateway"] == "CANCELLED"
    url = urlsplit(resp.headers["Location"])
    assert (url.netloc, url.path) == (f"127.0.0.1:{port}", "/webblock")
    assert parse_qs(url.query) == {"d": ["zhangsan-notes.cn"], "sandbox": [sb["id"]]}
    page = requests.get(resp.headers["Location"], timeout=30)
    assert page.status_code == 200 and "CANCELLED" in page.text and number in page.text
    assert c.visit("zhangsan-blog.cn").status_code == 200  # the entity's other website is untouched
    assert [(u["ip"], u["slots_left"]) for u in c.ok("GET", "/eligibility")["usable_ips"]] == [(ip, 1)]
    sites = {w["number"]: w["status"] for w in c.ok("GET", "/websites")}
    assert sites == {entity_number + "-1": "active", number: "cancelled"}
    assert c.ok("GET", "/registry/query", params={"domain": "zhangsan-notes.cn"}) == []

    # the last website cannot be cancelled on its own
    resp = c.call("POST", "/applications", json={"kind": "cancel_website", "payload": {"domain": "zhangsan-blog.cn"}})
    assert resp.status_code == 409 and resp.json()["code"] == "LAST_WEBSITE_CANCEL_ENTITY"
    # filing the domain again gives a new number: -2 is never reissued
    again = c.file(
        "add_website",
        {
            "websites": [
                {"name": "张三的读书笔记", "domain": "zhangsan-notes.cn", "service_content": "blog", "nat_ip": ip}
            ]
        },
    )
    assert again["result"]["website_numbers"] == [entity_number + "-3"]
    assert c.visit("zhangsan-notes.cn").status_code == 200
