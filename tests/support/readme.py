"""The README's examples as data: its fenced code blocks, which of them run, and how a shell
block's output is checked. Used by tests/readme/test_readme_examples.py.

Conventions (in README.md):
- every ```sh / ```bash, ```yaml and ```python block runs, unless its info string says
  `no-run: <why>` (e.g. ```` ```sh no-run: starts the long-running simulator ````); a block
  marked so without a reason is an error;
- in a shell block, `command  #=> text` checks the command's output: `text` is matched in full,
  `…` standing for anything;
- a ```text expected-output block lists lines the shell block before it must print (each one
  matched in full, `…` for anything), in this order.
"""

import re
from dataclasses import dataclass
from pathlib import Path

SHELL, YAML, PYTHON = ("sh", "bash", "shell"), ("yaml", "yml"), ("python", "py")
RUNNABLE = SHELL + YAML + PYTHON
FENCE = re.compile(r"^```(.*)$")
CHECK = re.compile(r"^(?P<cmd>\S.*?)\s+#=> (?P<want>.+)$")


@dataclass
class Block:
    lang: str
    info: str
    text: str
    line: int  # 1-based line of the opening fence

    @property
    def no_run(self):
        """None when the block runs, else the reason it does not ("" when none is given)."""
        m = re.search(r"\bno-run\b:?\s*(.*)$", self.info)
        return None if m is None else m.group(1).strip()

    @property
    def runs(self):
        return self.lang in RUNNABLE and self.no_run is None

    @property
    def expected_output(self):
        return "expected-output" in self.info.split()

    def where(self):
        return f"README.md:{self.line} ({self.lang or 'plain'} block)"


def blocks(text):
    out, current, body = [], None, []
    for n, line in enumerate(text.splitlines(), 1):
        m = FENCE.match(line)
        if current is None and m:
            info = m.group(1).strip()
            current, body = (info.split()[0] if info else "", info, n), []
        elif current is not None and line.startswith("```"):
            out.append(Block(current[0], current[1], "\n".join(body) + "\n", current[2]))
            current = None
        elif current is not None:
            body.append(line)
    return out


def readme_blocks(root):
    return blocks((Path(root) / "README.md").read_text(encoding="utf-8"))


def pattern(want):
    """`…` is anything; everything else literal; matched in full."""
    return re.compile("(?s)" + ".*".join(re.escape(part) for part in want.strip().split("…")))


def instrument(block, index):
    """The shell block as a script whose checked commands print markers around their output:
    (script, [(marker, expected text, the command)])."""
    lines, checks = [], []
    for n, line in enumerate(block.text.splitlines()):
        m = CHECK.match(line)
        if m and not m.group("cmd").rstrip().endswith("\\"):
            marker = f"@@readme-{index}-{n}"
            checks.append((marker, m.group("want"), m.group("cmd")))
            lines.append(f'echo "{marker}<"; {m.group("cmd")}; echo "{marker}>"')
        else:
            lines.append(line)
    return "\n".join(lines) + "\n", checks


def between(output, marker):
    start, end = output.find(marker + "<\n"), output.find(marker + ">")
    if start < 0 or end < 0:
        return None
    return output[start + len(marker) + 2 : end].strip()
