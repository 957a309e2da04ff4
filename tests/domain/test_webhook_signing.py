"""The webhook signature and address rules (services/webhook_delivery.py, no Redis)."""

import hashlib
import hmac

from backend.services import webhook_delivery as wd


def test_signature_is_hmac_sha256_over_timestamp_dot_body():
    body = b'{"a":1}'
    expected = hmac.new(b"s3cret", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert wd.sign("s3cret", 1700000000, body) == expected
    assert wd.sign("s3cret", 1700000001, body) != expected  # the timestamp is signed: no replays


def test_backoff_doubles_and_is_capped():
    assert [wd.backoff(n) for n in (1, 2, 3)] == [wd.BACKOFF_S, 2 * wd.BACKOFF_S, 4 * wd.BACKOFF_S]
    assert wd.backoff(50) == wd.MAX_BACKOFF_S


def test_addresses(monkeypatch):
    monkeypatch.delenv("ICPSIM_WEBHOOK_ALLOW_LOOPBACK", raising=False)
    for host in (
        "127.0.0.1",
        "::1",
        "10.0.0.1",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "0.0.0.0",
        "224.0.0.1",
        "::ffff:127.0.0.1",
        "fe80::1",
    ):
        assert wd.address_problem(host, 80), host
    assert wd.address_problem("no-such-host.invalid", 80)
    assert wd.address_problem("8.8.8.8", 443) is None
    monkeypatch.setenv("ICPSIM_WEBHOOK_ALLOW_LOOPBACK", "1")
    assert wd.address_problem("127.0.0.1", 80) is None and wd.address_problem("10.0.0.1", 80)
