"""Reading scenario files: YAML → a checked Scenario, or a ScenarioError saying what is wrong.

Order of checks: the YAML parses; the top level is a mapping; `version` is one this
icpsim reads (an unknown version fails loudly, before anything else is looked at);
each step names one action; then the whole file against the published JSON Schema
(`scenario.schema.json` beside this module, `icpsim replay --schema`).

The scenario format lives in this small package of its own, `icpsim_scenario`, so the
client (the replay runner) and the simulator (recordings, `GET /scenario-schema`) share it
without importing each other's internals.
"""

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

FORMAT_VERSION = 1
SUPPORTED_VERSIONS = (1,)
SCHEMA_PATH = Path(__file__).resolve().parent / "scenario.schema.json"
SUFFIXES = (".yaml", ".yml")
# libyaml's parser when PyYAML was built with it (the wheels are): the same safe constructor
# and the same documents, ~10× faster than the pure-Python one (a library replay reads 65 files)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class ScenarioError(Exception):
    """A scenario file that cannot run: where, and every problem found."""

    def __init__(self, path, problems):
        self.path = str(path)
        self.problems = list(problems) if isinstance(problems, (list, tuple)) else [problems]
        super().__init__(f"{self.path}: " + "; ".join(self.problems))


@dataclass
class Scenario:
    path: str
    name: str
    data: dict
    steps: list = field(default_factory=list)

    @property
    def seed(self):
        return self.data.get("seed", 1)

    @property
    def world(self):
        return self.data.get("world") or {}

    @property
    def tags(self):
        return self.data.get("tags") or []


@lru_cache(maxsize=1)
def schema():
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _validator():
    """The published schema less the steps' `oneOf` (one action per step): `check` validates
    only files whose steps `_step_problems` passed, which is that same rule, and jsonschema's
    oneOf tried every action's branch on every step (most of a library load's time)."""
    import copy

    import jsonschema

    fast = copy.deepcopy(schema())
    fast["properties"]["steps"]["items"].pop("oneOf", None)
    return jsonschema.Draft202012Validator(fast)


def action_names():
    props = schema()["properties"]["steps"]["items"]["properties"]
    return sorted(k for k in props if k not in ("name", "as", "expect"))


def _where(error_path):
    """A jsonschema path as people read it: steps[3].expect.state."""
    out = ""
    for part in error_path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _step_problems(steps):
    names = set(action_names())
    out = []
    for i, step in enumerate(steps):
        if not isinstance(step, dict):
            out.append(f"steps[{i}]: a step is a mapping such as `submit: app` or `advance: 2d`")
            continue
        found = [k for k in step if k in names]
        unknown = [k for k in step if k not in names and k not in ("name", "as", "expect")]
        if unknown:
            out.append(
                f"steps[{i}]: unknown key(s) {', '.join(map(str, unknown))} (actions: {', '.join(sorted(names))})"
            )
        elif len(found) > 1:
            out.append(f"steps[{i}]: one action per step, found {', '.join(found)}")
        elif not found and "expect" not in step:
            out.append(f"steps[{i}]: no action (and no expect)")
    return out


def check(data, path="<scenario>"):
    """Raise ScenarioError unless `data` (a loaded YAML document) is a runnable scenario."""
    if not isinstance(data, dict):
        raise ScenarioError(path, "a scenario file is a YAML mapping with version, name and steps")
    if "version" not in data:
        raise ScenarioError(path, f"no `version:` key; this icpsim reads scenario format version {FORMAT_VERSION}")
    version = data["version"]
    if version not in SUPPORTED_VERSIONS or isinstance(version, bool):
        raise ScenarioError(
            path,
            f"unsupported scenario format version {version!r}: this icpsim reads version "
            f"{', '.join(map(str, SUPPORTED_VERSIONS))} only",
        )
    problems = _step_problems(data["steps"]) if isinstance(data.get("steps"), list) else []
    if not problems:
        errors = sorted(_validator().iter_errors(data), key=lambda e: list(e.absolute_path))
        for error in errors[:10]:
            problems.append(f"{_where(error.absolute_path)}: {_message(error)}")
    if problems:
        raise ScenarioError(path, problems)


def _message(error):
    """jsonschema's message, shorter for the oneOf of a step (which branch was meant)."""
    if error.validator == "oneOf" and error.context:
        best = min(error.context, key=lambda e: len(list(e.absolute_path)) * -1)
        return best.message
    text = error.message
    return text if len(text) < 300 else text[:297] + "..."


def loads(text, path="<string>"):
    try:
        data = yaml.load(text, Loader=_LOADER)  # noqa: S506 — a safe loader
    except yaml.YAMLError as exc:
        raise ScenarioError(path, f"not valid YAML: {exc}") from None
    check(data, path)
    return Scenario(path=str(path), name=data["name"], data=data, steps=list(data["steps"]))


def load(path):
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(path, f"cannot read: {exc}") from None
    return loads(text, path)


def collect(paths):
    """Scenario files in the given files and folders (folders: *.yaml / *.yml, recursively,
    sorted); a path that does not exist is an error."""
    files = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            files += sorted(f for f in p.rglob("*") if f.suffix in SUFFIXES and f.is_file())
        elif p.is_file():
            files.append(p)
        else:
            raise ScenarioError(p, "no such file or folder")
    seen, out = set(), []
    for f in files:
        key = f.resolve()
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out
