"""Issue #8 against real gunicorn and `rq worker` processes: stalled bodies do not starve the
web process, the access log never carries a sandbox token, a request id follows a call into
the worker's job, and /metrics, /readyz answer under gunicorn."""

import json
import re
import socket

import pytest
import requests
from support.people import ZHANG_SAN_ID, personal_payload
from support.procs import running_stack, timeout_for

CONTROL = "e2e-control"
LENIENT = {"pre_submit_checks": False}  # straight to the reviews: this test is about what follows the submit
THREADS = 4  # one gunicorn worker with 4 threads here
STALLED = 20  # more than every thread here, and than the 2 x 8 threads gunicorn had before issue #8


def _stalled_post(port, count):
    """Connections that send a whole header block with a valid token, then 1 byte of a 100-byte body."""
    socks = []
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", port), timeout=60)
        s.sendall(
            (
                f"POST /api/v1/sandboxes HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {CONTROL}\r\n"
                "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"
            ).encode()
        )
        socks.append(s)
    return socks


def test_stalled_bodies_do_not_starve_the_web_process(r, redis_url, tmp_path):
    with running_stack(
        redis_url,
        CONTROL,
        tmp_path / "stack.log",
        workers=0,
        ICPSIM_WEB_WORKERS="1",
        ICPSIM_WEB_THREADS=str(THREADS),
        ICPSIM_BODY_TIMEOUT="2",
    ) as stack:
        stalled = _stalled_post(stack.port, STALLED)
        try:
            # a normal caller still gets its answer (the stalled bodies time out one by one)
            resp = requests.get(f"{stack.base}/sandboxes", headers={"Authorization": f"Bearer {CONTROL}"}, timeout=60)
            assert resp.status_code == 200, resp.text
            # and each stalled client got a 408 JSON, its connection closed
            for s in stalled:
                answer = b""
                while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    answer += chunk
                head, _, body = answer.partition(b"\r\n\r\n")
                assert head.startswith(b"HTTP/1.1 408"), answer[:300]
                assert json.loads(body)["code"] == "REQUEST_TIMEOUT"
        finally:
            for s in stalled:
                s.close()
        assert requests.get(f"{stack.origin}/healthz", timeout=30).status_code == 200
        # what gunicorn refuses before the app runs is JSON too
        for resp, status in (
            (requests.get(f"{stack.origin}/{'x' * 5000}", timeout=30), 414),
            (requests.get(stack.origin + "/healthz", headers={"X-Big": "y" * 9000}, timeout=30), 431),
        ):
            assert resp.status_code == status and resp.headers["Content-Type"].startswith("application/json")
            assert resp.json()["code"] and "<html" not in resp.text
        # a request line gunicorn cannot parse (raw UTF-8 in the path; no HTTP at all): its 400 is ours too
        for raw in ("GET /api/v1/sandboxes/中 HTTP/1.1\r\nHost: x\r\n\r\n".encode(), b"GARBAGE\r\n\r\n"):
            head, body = _raw_exchange(stack.port, raw)
            assert head.startswith(b"HTTP/1.1 400 ") and b"Content-Type: application/json" in head, head
            assert json.loads(body) == {"code": "BAD_REQUEST", "message": "请求格式不正确"}


def _raw_exchange(port, raw):
    """(head, body) of gunicorn's answer to bytes no HTTP client would send; it closes the connection."""
    with socket.create_connection(("127.0.0.1", port), timeout=60) as s:
        s.sendall(raw)
        answer = b""
        while chunk := s.recv(4096):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    return head, body


@pytest.fixture
def stack(r, redis_url, tmp_path):
    with running_stack(redis_url, CONTROL, tmp_path / "stack.log", ICPSIM_JOB_WAIT="60") as s:
        yield s


def call(method, url, token, **kw):
    headers = {"Authorization": f"Bearer {token}", **kw.pop("headers", {})}
    return requests.request(method, url, headers=headers, timeout=timeout_for(url), **kw)


def test_token_stays_out_of_the_access_log_and_the_request_id_reaches_the_worker(stack, tmp_path):
    sb = call("POST", f"{stack.base}/sandboxes", CONTROL, json={"seed": 42, "settings": LENIENT}).json()
    sid, token = sb["id"], sb["token"]
    page = requests.get(
        f"{stack.origin}/miniprogram/?sandbox={sid}&token={token}",
        timeout=30,
        headers={"Referer": f"{stack.origin}/miniprogram/?token={token}"},
    )
    assert page.status_code == 200 and page.headers["Referrer-Policy"] == "no-referrer"

    home = f"{stack.base}/sandboxes/{sid}"
    ip = call("GET", f"{home}/eligibility", token).json()["usable_ips"][0]["ip"]
    call(
        "POST",
        f"{home}/domains",
        token,
        json={"name": "zhangsan-blog.cn", "holder_name": "张三", "holder_certificate_number": ZHANG_SAN_ID},
    )
    app = call("POST", f"{home}/applications", token, json={"payload": personal_payload(ip)}).json()
    assert call("POST", f"{home}/applications/{app['id']}/actions/submit", token, json={}).status_code == 200
    resp = call(
        "POST", f"{home}/clock/advance", CONTROL, json={"duration": "1d"}, headers={"X-Request-Id": "e2e-advance-42"}
    )
    assert resp.status_code == 200, resp.text
    assert resp.headers["X-Request-Id"] == "e2e-advance-42"

    ready = requests.get(f"{stack.origin}/readyz", timeout=30)
    assert ready.status_code == 200 and ready.json()["checks"]["workers"] >= 1
    metrics = requests.get(f"{stack.origin}/metrics", timeout=30).text
    advance = 'method="POST",route="/api/v1/sandboxes/<sid>/clock/advance",status="200"'
    assert f"icpsim_http_requests_total{{{advance}}}" in metrics
    assert 'icpsim_transitions_total{kind="first_filing",state="provider_review"}' in metrics
    assert re.search(r"^icpsim_timer_lag_seconds_count \d", metrics, re.M)

    stack.logs.flush()
    log = (tmp_path / "stack.log").read_text(encoding="utf-8", errors="replace")
    assert token not in log, "a sandbox token was written to the log"
    assert "token=[redacted]" in log
    started = [
        json.loads(line[line.index("{") :])
        for line in log.splitlines()
        if '"timer job started"' in line and "{" in line
    ]
    assert any(entry.get("request_id") == "e2e-advance-42" for entry in started), started[:3]


def _raw_answer(port, request, chunks=()):
    """What gunicorn answers a hand-framed request (sent, then read until the server closes)."""
    with socket.create_connection(("127.0.0.1", port), timeout=60) as s:
        s.sendall(request)
        for chunk in chunks:
            s.sendall(chunk)
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
    return answer


@pytest.mark.parametrize(
    "body",
    [b"zz\r\n{}\r\n0\r\n\r\n", b"2\r\n{}XX0\r\n\r\n", b"2;" + b"e" * 20000 + b"\r\n{}\r\n0\r\n\r\n"],
    ids=["chunk-size-not-hex", "no-crlf-after-a-chunk", "huge-chunk-extension"],
)
def test_a_broken_chunked_body_is_400_json_not_500(stack, body):
    """gunicorn decodes a chunked body while the app reads it: its parse errors (a chunk size that
    is not hex, a chunk without its CRLF) reached the app as exceptions it did not know, a 500
    INTERNAL_ERROR; they are the client's framing, 400 BODY_MALFORMED, and the connection is
    closed (nothing after broken framing is a request)."""
    head = (
        f"POST /api/v1/sandboxes HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {CONTROL}\r\n"
        "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    ).encode()
    # a second request right behind the broken one: never answered
    answer = _raw_answer(stack.port, head + body + b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    status, _, rest = answer.partition(b"\r\n")
    assert status.startswith(b"HTTP/1.1 400"), answer[:300]
    assert answer.count(b"HTTP/1.1 ") == 1, answer[:600]
    assert json.loads(rest.partition(b"\r\n\r\n")[2])["code"] == "BODY_MALFORMED"
    assert requests.get(f"{stack.origin}/healthz", timeout=30).status_code == 200
