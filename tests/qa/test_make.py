"""Issue 9 items 3 and 7: what `make run` and `make test` do on a first run (read with
`make -n` against a venv that does not exist, so nothing is installed or started)."""

import subprocess
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    tomllib = None

ROOT = Path(__file__).resolve().parents[2]


def dry_run(target, tmp_path):
    venv = tmp_path / "venv"
    out = subprocess.run(["make", "-n", target, f"VENV={venv}"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout, venv


def pip_installs(text):
    return [line for line in text.splitlines() if "pip install" in line and "--upgrade pip" not in line]


def test_make_run_installs_only_the_runtime_and_says_so(tmp_path):
    text, venv = dry_run("run", tmp_path)
    [install] = pip_installs(text)
    assert install.endswith("-e .") and "[test]" not in install
    assert " -q" not in install  # the first install shows what it does
    assert "installing icpsim" in text
    assert f"{venv}/bin/icpsim" in text and f"source {venv}/bin/activate" in text  # where the CLI is


def test_make_test_installs_the_test_extra(tmp_path):
    text, _ = dry_run("test", tmp_path)
    [install] = pip_installs(text)
    assert "'.[test]'" in install


def test_the_licence_is_an_spdx_expression():
    if tomllib is None:
        return
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert data["project"]["license"] == "MIT"  # a table here is deprecated by setuptools (warnings on install)
    assert any(
        req.replace(" ", "").startswith("setuptools>=7") and int(req.split(">=")[1].split(".")[0]) >= 77
        for req in data["build-system"]["requires"]
    )
