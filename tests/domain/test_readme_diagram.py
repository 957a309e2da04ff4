"""The README's state diagram is the one generated from the workflow table."""

import re
from pathlib import Path

from backend.domain import workflow

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_diagram_matches_the_table():
    text = README.read_text(encoding="utf-8")
    block = re.search(r"<!-- diagram:start -->\n```mermaid\n(.*?)\n```\n<!-- diagram:end -->", text, re.S)
    assert block, "README lost its diagram markers"
    assert block.group(1) == workflow.mermaid(), "run `icpsim diagram --write-readme` to refresh it"
