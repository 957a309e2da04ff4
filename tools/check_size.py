"""`make check`'s size rule: no Python module over MAX_MODULE lines, no function over
MAX_FUNCTION lines unless a comment just above it says why (`# long: <reason>`).

Small modules and short functions are what keep a kind, a stage or a rule findable;
the rare long function (a table, a linear protocol) states its reason where it stands.
"""

import ast
import sys
from pathlib import Path

MAX_MODULE = 400
MAX_FUNCTION = 40
ROOTS = ("backend", "workers", "mock_miniprogram", "bench", "icpsim_scenario", "icpsim_cli")


def reason_above(lines, node):
    first = min([node.lineno] + [d.lineno for d in node.decorator_list])
    above = lines[first - 2].strip() if first >= 2 else ""
    return above.startswith("# long:")


def problems(path):
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    if len(lines) > MAX_MODULE:
        yield f"{path}: {len(lines)} lines (module limit {MAX_MODULE})"
    for node in ast.walk(ast.parse(text, filename=str(path))):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            length = node.end_lineno - node.lineno + 1
            if length > MAX_FUNCTION and not reason_above(lines, node):
                yield f"{path}:{node.lineno}: {node.name}() is {length} lines (limit {MAX_FUNCTION}; say why in a '# long:' comment above it)"


def main(roots=ROOTS):
    found = [p for root in roots for path in sorted(Path(root).rglob("*.py")) for p in problems(path)]
    for line in found:
        print(line)
    print(f"check_size: {len(found)} problem(s)" if found else "check_size: ok")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ROOTS))
