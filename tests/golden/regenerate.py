"""Write (or, with --check, compare) the built-in library's transcripts in tests/golden/transcripts.

The golden files are the refactors' safety net: the library's transcripts must stay byte-identical
unless behaviour changes on purpose — then regenerate them and review the diff:

    .venv/bin/python tests/golden/regenerate.py          # rewrite
    .venv/bin/python tests/golden/regenerate.py --check  # compare, exit 1 on a difference
"""

import sys
import tempfile
from pathlib import Path

from mock_miniprogram.replay import cli, parser
from mock_miniprogram.replay.local import LocalSimulator

GOLDEN = Path(__file__).resolve().parent / "transcripts"


def differences(folder: Path) -> list[str]:
    """Names of transcripts that differ between `folder` and the golden files (or exist in one only)."""
    mine = {p.name: p.read_bytes() for p in folder.glob("*.jsonl")}
    gold = {p.name: p.read_bytes() for p in GOLDEN.glob("*.jsonl")}
    return sorted(n for n in mine.keys() | gold.keys() if mine.get(n) != gold.get(n))


def main(argv: list[str]) -> int:
    scenarios, errors = cli.load_all([parser.builtin_library()])
    if errors:
        print("\n".join(e.report() for e in errors))
        return 1
    with LocalSimulator(workers=2) as sim:
        results = cli.run_all(scenarios, sim.url, sim.control_token, jobs=2)
    if "--check" not in argv:
        cli.write_transcripts(GOLDEN, [r for r in results if r.transcript])
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        cli.write_transcripts(tmp, [r for r in results if r.transcript])
        diff = differences(Path(tmp))
    print("\n".join(diff) or "identical")
    return 1 if diff else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
