"""Where things are read: the backend locates the mini-program's files without importing the
client, takes hosts from config, reads records through a service; the outbox in one round trip."""

import subprocess
import sys

import pytest
from support.redis_calls import commands, spent

from backend import config
from backend.domain.errors import NotFound


def test_the_backend_does_not_import_the_client():
    code = (
        "import sys, backend.app, backend.cli; backend.app.create_app(object()); "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] == 'mock_miniprogram'); "
        "assert not bad, bad"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]


def test_the_page_folder_comes_from_config(monkeypatch, tmp_path, r):
    assert (config.miniprogram_dir() / "index.html").is_file()
    (tmp_path / "index.html").write_text("<p>elsewhere</p>", encoding="utf-8")
    monkeypatch.setenv("ICPSIM_MINIPROGRAM_DIR", str(tmp_path))
    assert config.miniprogram_dir() == tmp_path.resolve()
    from backend.app import create_app

    page = create_app(r).test_client().get("/miniprogram/")
    assert page.status_code == 200 and page.get_data(as_text=True) == "<p>elsewhere</p>"


def test_hosts_and_public_host_from_config(monkeypatch):
    for name in ("ICPSIM_HOSTS", "ICPSIM_PUBLIC_HOST", "PORT"):
        monkeypatch.delenv(name, raising=False)
    assert config.hosts() == config.DEFAULT_HOSTS and config.public_host() == "127.0.0.1:5000"
    monkeypatch.setenv("ICPSIM_HOSTS", " icpsim.example.net, ,api.test.cn ")
    monkeypatch.setenv("PORT", "8000")
    assert config.hosts() == ("icpsim.example.net", "api.test.cn") and config.public_host() == "127.0.0.1:8000"
    monkeypatch.setenv("ICPSIM_PUBLIC_HOST", "icpsim.example.net:8443")
    assert config.public_host() == "icpsim.example.net:8443"


def test_outbox_is_one_round_trip(sandbox, r):
    from backend.services import sandboxes

    before = commands(r)
    assert sandboxes.outbox(r, sandbox.sid, channel="sms") == []
    assert spent(r, before) == {"exists": 1, "lrange": 1}
    with pytest.raises(NotFound) as e:
        sandboxes.outbox(r, "sb_nope")
    assert e.value.code == "SANDBOX_NOT_FOUND"


def test_records_service_dates_numbers_by_the_virtual_clock(control, r):
    from api.flows import new_sandbox
    from backend.services import records

    sb = new_sandbox(control, clock_start="2026-06-01T09:00:00+08:00")
    assert records.describe_number(r, sb.sid, "粤ICP备2026012345号-1")["valid"] is True
    assert records.describe_number(r, sb.sid, "粤ICP备2027012345号-1")["valid"] is False  # a later year
    assert records.entities(r, sb.sid) == [] and records.websites(r, sb.sid) == []
