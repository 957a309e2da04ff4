"""`icpsim number` run as a real process (`python -m backend.cli number …`)."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def icpsim(*args):
    return subprocess.run(
        [sys.executable, "-m", "backend.cli", *args], cwd=ROOT, capture_output=True, text=True, timeout=60
    )


def test_valid_website_number_is_described():
    result = icpsim("number", "京ICP备16020626号-8")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "京ICP备16020626号-8" in out
    assert "网站备案号" in out and "website" in out
    assert "北京" in out
    assert "京ICP备16020626号" in out  # the entity number


def test_valid_number_as_json():
    result = icpsim("number", "--json", "粤ICP备2023007649号")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["valid"] is True
    assert data["kind"] == "entity"
    assert data["normalized"] == "粤ICP备2023007649号"
    assert data["province_abbr"] == "粤"
    assert data["year"] == 2023
    assert data["site_index"] is None


def test_invalid_number_exits_1_with_the_reason():
    result = icpsim("number", "not-a-number")
    assert result.returncode == 1
    assert "not a valid record number" in result.stdout
    assert "not-a-number" in result.stdout


def test_invalid_number_as_json():
    result = icpsim("number", "--json", "京ICP备123号")
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert data["valid"] is False
    assert data["input"] == "京ICP备123号"
    assert data["code"] and data["message"]


def test_help_lists_the_subcommands():
    result = icpsim("--help")
    assert result.returncode == 0
    assert "up" in result.stdout and "number" in result.stdout


def test_a_future_year_is_refused_against_today():
    """Issue 9 item 4: `icpsim number` checks the year against today's date."""
    result = icpsim("number", "--json", "粤ICP备2099012345号")
    assert result.returncode == 1
    assert json.loads(result.stdout)["code"] == "NUMBER_BAD_YEAR"


def test_a_malformed_number_is_invalid_with_a_suggestion():
    result = icpsim("number", "粤icp备2023007649号")
    assert result.returncode == 1
    assert "NUMBER_LOWERCASE" in result.stdout and "粤ICP备2023007649号" in result.stdout
