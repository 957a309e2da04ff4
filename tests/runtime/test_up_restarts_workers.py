"""`icpsim up` (backend/runtime/up.py): a worker process that dies is started again; the stack
does not stop with it. (honcho alone stops every process when one exits: a SIGKILLed worker
took the web and the embedded Redis down, and an advance in flight lost its connection.)"""

import sys
import textwrap

from backend.runtime import up

WORKER = """
import os, sys, time
starts = os.path.join(os.path.dirname(os.path.abspath(__file__)), "starts")
with open(starts, "a") as f:
    f.write("x")
if os.path.getsize(starts) == 1:
    sys.exit(137)  # the first one dies, as a SIGKILLed worker does
time.sleep(60)
"""

WEB = """
import os, sys, time
starts = os.path.join(os.path.dirname(os.path.abspath(__file__)), "starts")
deadline = time.monotonic() + 20
while time.monotonic() < deadline:
    if os.path.exists(starts) and os.path.getsize(starts) >= 2:
        sys.exit(0)  # a second worker runs: done (the web exiting still stops the stack)
    time.sleep(0.1)
sys.exit(3)
"""


def test_a_worker_that_dies_is_started_again(tmp_path, monkeypatch):
    (tmp_path / "worker.py").write_text(textwrap.dedent(WORKER))
    (tmp_path / "web.py").write_text(textwrap.dedent(WEB))
    (tmp_path / "Procfile").write_text(f"web: {sys.executable} web.py\nworker: {sys.executable} worker.py\n")
    monkeypatch.setattr(up, "RESTART_DELAY", 0.2, raising=False)
    code = up.run_procfile(tmp_path, {"PATH": "/usr/bin:/bin"})
    assert (tmp_path / "starts").read_text() == "xx"
    assert code == 0  # the web's own exit, not the first worker's 137


WEB_KILLS_REDIS = """
import os, signal, sys, time
import redis
client = redis.Redis(unix_socket_path=sys.argv[1], socket_timeout=2)
client.set("icpsim:probe", "kept")  # acknowledged before the kill
os.kill(int(client.info("server")["process_id"]), signal.SIGKILL)
deadline = time.monotonic() + 30
while time.monotonic() < deadline:
    try:
        sys.exit(0 if client.get("icpsim:probe") == b"kept" else 4)
    except redis.exceptions.RedisError:  # down (or loading its append-only file): not yet
        time.sleep(0.1)
sys.exit(3)
"""


def test_an_embedded_redis_that_dies_is_started_again_with_its_data(tmp_path, monkeypatch):
    """`make run`'s embedded Redis SIGKILLed (an outside probe did it under load): nothing
    started it again, so the API answered 503 REDIS_UNAVAILABLE until `make run` was restarted.
    It is started again on the same data directory, from its append-only file."""
    from backend.runtime.embedded_redis import EmbeddedRedis

    embedded = EmbeddedRedis(tmp_path / "var")
    embedded.start()
    try:
        (tmp_path / "web.py").write_text(textwrap.dedent(WEB_KILLS_REDIS))
        (tmp_path / "Procfile").write_text(f"web: {sys.executable} web.py {embedded.socket_path}\n")
        monkeypatch.setattr(up, "RESTART_DELAY", 0.2, raising=False)
        code = up.run_procfile(tmp_path, {"PATH": "/usr/bin:/bin"}, redis=embedded)
        assert code == 0  # the web saw its key again, on a new server
        assert embedded.running
    finally:
        embedded.stop()
