"""The simulator's own commands of `icpsim`: `up`, `number`, `diagram` (also
`python -m backend.cli`).

The console script is `icpsim_cli:main`, a launcher that adds the client's commands
(`replay`, `chat`, `sandbox`, `clock`, …, from `mock_miniprogram`) by module name as
plugins: the backend itself names no client module. A plugin is "module" or
"module:attribute"; that module (or attribute) defines

    HELP = "one line for `icpsim --help`"
    def add_arguments(parser): ...      # an argparse parser of its own
    def run(args) -> int: ...           # the exit code

and is imported only when the command line is parsed. A plugin module that
fails to import does not break the other subcommands: running it prints why.
"""

import argparse
import importlib
import importlib.util
import json
import sys
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from backend.runtime.console import CliError, err as _err, say as _say
from backend.runtime.up import add_up_arguments, cmd_up, project_root


@dataclass
class Subcommand:
    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


# name -> "module" or "module:attribute" defining HELP, add_arguments(parser), run(args):
# the backend's own plugins (none today); the client's come from the icpsim_cli launcher.
PLUGIN_MODULES: dict = {}


# ---------------------------------------------------------------------------
# icpsim number
# ---------------------------------------------------------------------------

KIND_LABELS = {
    "entity": ("主体备案号", "entity (主体) filing number"),
    "website": ("网站备案号", "website filing number"),
    "app": ("App备案号", "app filing number"),
    "miniprogram": ("小程序备案号", "mini-program filing number"),
    "icp_licence": ("ICP许可证号", "ICP licence number"),
    "icp_licence_legacy": ("ICP证号（旧式）", "ICP licence number, legacy form"),
    "website_on_licence": ("网站许可证号", "website number under an ICP licence"),
    "app_on_licence": ("App许可证号", "app number under an ICP licence"),
    "miniprogram_on_licence": ("小程序许可证号", "mini-program number under an ICP licence"),
    "public_security": ("公安备案号", "public-security filing number"),
}

FIELD_LABELS = [
    ("normalized", "规范写法", "normalized"),
    ("province", "省份", "province"),
    ("serial", "流水号", "serial"),
    ("year", "年份", "year"),
    ("sequence", "序号", "sequence"),
    ("site_index", "网站序号", "site index"),
    ("suffix", "后缀", "suffix"),
    ("entity_number", "主体备案号", "entity number"),
]


def _add_number_arguments(parser):
    parser.add_argument("number", help="a record number, e.g. 京ICP备16020626号-8")
    parser.add_argument("--json", action="store_true", help="print the description as JSON")


def _describe_number(text):
    try:
        from backend.domain import numbering
    except ModuleNotFoundError as exc:
        if exc.name in ("backend.domain.numbering", "backend.domain"):
            raise CliError(
                "backend/domain/numbering.py is missing: `icpsim number` needs backend.domain.numbering.describe(text)",
                code=2,
            ) from None
        raise
    from datetime import date

    return numbering.describe(text, today=date.today())  # no number from a future year


def _width(text):
    """Terminal columns: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def format_number_summary(result):
    if not result.get("valid"):
        return "\n".join(
            [
                f"✗ 无效的备案号 / not a valid record number: {result.get('input')!r}",
                f"  {result.get('code')}: {result.get('message')}",
            ]
            + ([f"  建议 / suggestion: {result['suggestion']}"] if result.get("suggestion") else [])
        )
    kind = result.get("kind")
    zh, en = KIND_LABELS.get(kind, (str(kind), str(kind)))
    lines = [f"✓ {result.get('normalized')}  —  有效的{zh} / valid {en}"]
    values = dict(result)
    province = " ".join(str(v) for v in (result.get("province_abbr"), result.get("province_name")) if v)
    if result.get("province_code"):
        province += f" ({result['province_code']})"
    values["province"] = province or None
    for key, zh_label, en_label in FIELD_LABELS:
        value = values.get(key)
        if value is None or value == "":
            continue
        label = f"{zh_label} / {en_label}"
        lines.append(f"  {label}{' ' * max(1, 30 - _width(label))}{value}")
    return "\n".join(lines)


def cmd_number(args):
    result = _describe_number(args.number)
    if args.json:
        _say(json.dumps(result, ensure_ascii=False, indent=2, default=str))
    else:
        _say(format_number_summary(result))
    return 0 if result.get("valid") else 1


# ---------------------------------------------------------------------------
# the table and main()
# ---------------------------------------------------------------------------


def _add_diagram_arguments(parser):
    parser.add_argument(
        "--write-readme", action="store_true", help="replace the diagram between the README's diagram markers"
    )


def cmd_diagram(args):
    """Print the state diagram generated from the workflow table (Mermaid)."""
    from backend.domain import workflow

    text = workflow.mermaid()
    if not args.write_readme:
        _say(text)
        return 0
    readme = project_root() / "README.md"
    start, end = "<!-- diagram:start -->\n```mermaid\n", "\n```\n<!-- diagram:end -->"
    body = readme.read_text(encoding="utf-8")
    head, _, rest = body.partition(start)
    _, _, tail = rest.partition(end)
    if not rest:
        raise CliError("README.md has no diagram markers")
    readme.write_text(head + start + text + end + tail, encoding="utf-8")
    _say(f"updated {readme}")
    return 0


SUBCOMMANDS = [
    Subcommand(
        "up", "start Redis (embedded unless REDIS_URL is set), the web and the worker", add_up_arguments, cmd_up
    ),
    Subcommand("number", "validate and describe an ICP record number (备案号)", _add_number_arguments, cmd_number),
    Subcommand(
        "diagram", "print the state diagram generated from the workflow table", _add_diagram_arguments, cmd_diagram
    ),
]


def _plugin_subcommand(name, module_name):
    try:
        path, _, attribute = module_name.partition(":")
        module = importlib.import_module(path)
        module = getattr(module, attribute) if attribute else module
        return Subcommand(name, getattr(module, "HELP", ""), module.add_arguments, module.run)
    except Exception as exc:  # keep the other subcommands usable
        reason = f"{type(exc).__name__}: {exc}"

        def unavailable(args):
            raise CliError(f"`icpsim {name}` is unavailable ({module_name} failed to load: {reason})")

        return Subcommand(
            name,
            f"(unavailable: {module_name} failed to load)",
            lambda parser: parser.add_argument("rest", nargs=argparse.REMAINDER),
            unavailable,
        )


def all_subcommands(plugins=None):
    commands = list(SUBCOMMANDS)
    known = {c.name for c in commands}
    for name, module_name in {**PLUGIN_MODULES, **(plugins or {})}.items():
        if name not in known:
            commands.append(_plugin_subcommand(name, module_name))
            known.add(name)
    return commands


def build_parser(plugins=None):
    parser = argparse.ArgumentParser(
        prog="icpsim", description="A simulator of China's ICP filing (ICP备案) for CloudBase Run."
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for command in all_subcommands(plugins):
        p = sub.add_parser(command.name, help=command.help, description=command.help)
        command.add_arguments(p)
        p.set_defaults(_run=command.run)
    return parser


def main(argv=None, plugins=None):
    """`plugins`: more subcommands, name -> "module[:attribute]" (the icpsim_cli launcher's)."""
    args = build_parser(plugins).parse_args(argv)
    try:
        code = args._run(args)
    except CliError as exc:
        _err(str(exc))
        code = exc.code
    except KeyboardInterrupt:
        code = 130
    return int(code or 0)


if __name__ == "__main__":
    sys.exit(main())
