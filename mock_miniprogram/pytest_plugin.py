"""icpsim's pytest plugin (entry point `pytest11`: installed with the package, nothing to configure).

A team's own tests get a running simulator and a fresh sandbox per test. A new sandbox walks
the real stages before submission (forms, face check, materials: settings.pre_submit_checks,
on by default); a test about what follows the submit can opt out with a marker:

    @pytest.mark.icpsim(settings={"pre_submit_checks": False})
    def test_my_filing(icpsim_sandbox, icpsim_clock):
        app = icpsim_sandbox.create_application("first_filing", payload)   # the SDK's SandboxClient
        icpsim_sandbox.act(app["id"], "submit"); icpsim_clock.until_idle()
        assert icpsim_sandbox.application(app["id"])["state"] == "sms_verification"

Fixtures
- `icpsim_server` (session): `.url`, `.control_token` — a simulator started once per test
  session (embedded Redis + gunicorn + rq workers on a free loopback port), or the one at
  `--icpsim-url` / `$ICPSIM_URL` (with `--icpsim-token` / `$ICPSIM_CONTROL_TOKEN`).
- `icpsim_control` (session): the SDK's `Control` client (control token).
- `icpsim_sandbox`: a fresh sandbox (deleted afterwards), the SDK's `SandboxClient`. Options by
  marker: `@pytest.mark.icpsim(seed=42, preset="demo", settings={...}, clock_start="…")`.
- `icpsim_clock`: `now()`, `advance("2d")`, `until_idle(include_deadlines=False)`, `to(iso)`, `pending()`.
- `icpsim_outbox`: `messages(channel=None, app_id=None)`, `codes(app_id=None)`, `sms_code(app_id)`.
- `icpsim_replay`: `icpsim_replay("scenario.yaml")` runs a scenario file in its own sandbox and
  fails the test with the step, the expected and the actual value when an expectation fails.
"""

import os
from pathlib import Path

import pytest

DEFAULT_SEED = 42


def pytest_addoption(parser):
    group = parser.getgroup("icpsim", "icpsim (ICP filing simulator)")
    group.addoption(
        "--icpsim-url", default=None, help="use the simulator at this URL instead of starting one ($ICPSIM_URL)"
    )
    group.addoption("--icpsim-token", default=None, help="its control token ($ICPSIM_CONTROL_TOKEN)")
    group.addoption(
        "--icpsim-workers", type=int, default=2, help="rq workers of the self-started simulator (default 2)"
    )


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "icpsim(seed=42, preset='eligible', settings=None, clock_start=None): options of the icpsim_sandbox fixture",
    )


class Server:
    def __init__(self, url, control_token, local=None):
        self.url, self.control_token, self.local = url, control_token, local

    def __repr__(self):
        return f"icpsim Server({self.url}{', self-started' if self.local else ''})"


@pytest.fixture(scope="session")
def icpsim_server(request):
    """The simulator of the test session: `.url`, `.control_token` (started once, or --icpsim-url)."""
    config = request.config
    url = config.getoption("--icpsim-url") or os.environ.get("ICPSIM_URL")
    if url:
        token = config.getoption("--icpsim-token") or os.environ.get("ICPSIM_CONTROL_TOKEN")
        if not token:
            pytest.fail("--icpsim-url needs the control token: --icpsim-token or $ICPSIM_CONTROL_TOKEN", pytrace=False)
        yield Server(url.rstrip("/"), token)
        return
    from mock_miniprogram.replay.local import LocalSimulator

    sim = LocalSimulator(workers=config.getoption("--icpsim-workers"))
    sim.start()
    try:
        yield Server(sim.url, sim.control_token, local=sim)
    finally:
        sim.stop()


@pytest.fixture(scope="session")
def icpsim_control(icpsim_server):
    """The SDK's Control client (control token) of the session's simulator."""
    from mock_miniprogram.sdk import Control

    return Control(icpsim_server.url, icpsim_server.control_token)


@pytest.fixture
def icpsim_sandbox(request, icpsim_control):
    """A fresh sandbox per test (the SDK's SandboxClient), deleted afterwards; options by
    @pytest.mark.icpsim(seed=42, preset="eligible", settings={...}, clock_start="…")."""
    marker = request.node.get_closest_marker("icpsim")
    options = dict(marker.kwargs) if marker else {}
    seed = options.pop("seed", DEFAULT_SEED)
    preset = options.pop("preset", "eligible")
    options.setdefault("name", f"pytest: {request.node.nodeid}"[:100])
    sb = icpsim_control.new_sandbox(seed=seed, preset=preset, **options)
    yield sb
    try:
        icpsim_control.delete_sandbox(sb.sid)
    except Exception:  # the test may have deleted it; never mask the test's own result
        pass


class Clock:
    """The sandbox's virtual clock (moves use the control token)."""

    def __init__(self, sandbox):
        self.sb = sandbox

    def now(self):
        return self.sb.clock()["now"]

    def pending(self):
        return [t["name"] for t in self.sb.clock()["pending_timers"]]

    def advance(self, duration):
        return self.sb.advance(duration=duration)

    def until_idle(self, include_deadlines=False):
        return self.sb.advance(until_idle=True, include_deadlines=include_deadlines)

    def to(self, instant):
        from mock_miniprogram.replay.outcome import parse_instant

        seconds = parse_instant(instant) - self.sb.clock()["epoch"]
        return self.sb.advance(duration=f"{max(0.0, seconds):.3f}")


class Outbox:
    """The sandbox's SMS, e-mail and in-site messages."""

    def __init__(self, sandbox):
        self.sb = sandbox

    def messages(self, channel=None, app_id=None, to=None):
        return self.sb.outbox(channel=channel, app_id=app_id, to=to)

    def codes(self, app_id=None):
        return [m["code"] for m in self.messages(app_id=app_id)]

    def sms_code(self, app_id):
        """The latest MIIT verification code sent for the application (None if none)."""
        return self.sb.sms_code(app_id)


@pytest.fixture
def icpsim_clock(icpsim_sandbox):
    """The test sandbox's virtual clock: now(), advance("2d"), until_idle(), to(iso), pending()."""
    return Clock(icpsim_sandbox)


@pytest.fixture
def icpsim_outbox(icpsim_sandbox):
    """The test sandbox's outbox: messages(...), codes(app_id), sms_code(app_id)."""
    return Outbox(icpsim_sandbox)


@pytest.fixture
def icpsim_replay(icpsim_server):
    """icpsim_replay(path): run a scenario file in its own sandbox; a failed expectation fails the test."""
    from mock_miniprogram.replay import parser
    from mock_miniprogram.replay.runner import Runner

    runner = Runner(icpsim_server.url, icpsim_server.control_token)

    def replay(path, check=True):
        scenario = parser.load(Path(path))
        result = runner.run(scenario)
        if check and not result.ok:
            pytest.fail(result.report(), pytrace=False)
        return result

    return replay
