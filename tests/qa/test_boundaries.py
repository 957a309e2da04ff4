"""Issue 10 item 5 / issue 9 item 12: the client side talks to the simulator over HTTP only,
the backend does not import the client, and the scenario format is shared by both."""

import subprocess
import sys

CLIENT = (
    "mock_miniprogram.sdk",
    "mock_miniprogram.admin",
    "mock_miniprogram.terminal",
    "mock_miniprogram.pytest_plugin",
    "mock_miniprogram.replay.cli",
    "mock_miniprogram.replay.runner",
    "mock_miniprogram.replay.local",
    "mock_miniprogram.replay.parser",
    "mock_miniprogram.replay.expect",
    "mock_miniprogram.replay.junit",
)


def imported_by(modules, forbidden):
    code = (
        f"import importlib, sys\nfor m in {list(modules)!r}: importlib.import_module(m)\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] == {forbidden!r}))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip()


def test_the_client_imports_no_backend_module():
    assert imported_by(CLIENT, "backend") == "[]"


def test_the_backend_and_the_format_import_no_client_module():
    assert (
        imported_by(
            ("backend.app", "backend.cli", "backend.services.recording", "icpsim_scenario.parser"), "mock_miniprogram"
        )
        == "[]"
    )


def test_the_format_package_imports_neither_side():
    assert (
        imported_by(("icpsim_scenario", "icpsim_scenario.parser", "icpsim_scenario.schema_source"), "backend") == "[]"
    )


def test_the_schema_served_is_the_shared_one(app):
    import icpsim_scenario

    resp = app.test_client().get("/api/v1/scenario-schema")
    assert resp.get_data(as_text=True) == icpsim_scenario.SCHEMA_PATH.read_text(encoding="utf-8")
