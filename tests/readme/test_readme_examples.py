"""Issue 9: every example of the README runs, extracted from the README itself so it cannot
drift — the shell blocks in one bash session (as a reader types them, one after the other,
with `$ICPSIM_CONTROL_TOKEN` set as the README says) against a real running stack (gunicorn
and an rq worker), each YAML scenario with `icpsim replay --url`, each Python block with this
venv's python (pytest with the icpsim plugin). Conventions: tests/support/readme.py."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from support import readme
from support.procs import running_stack

ROOT = Path(__file__).resolve().parents[2]
CONTROL = "readme-control-token"
BLOCKS = readme.readme_blocks(ROOT)
# what a failed command prints on stderr (the session goes on: later checks would fail too)
FAILURE = re.compile(
    r"command not found|No such file|Traceback|jq: error|parse error|curl: \(\d+\)|"
    r"^icpsim: |: error: |^FAILED|^ERROR|Error:",
    re.M,
)


def untracked():
    """The clone's untracked files that no .gitignore covers (None: not a git checkout)."""
    done = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"], cwd=ROOT, capture_output=True, text=True
    )
    return {line[3:] for line in done.stdout.splitlines() if line.startswith("??")} if done.returncode == 0 else None


UNTRACKED = untracked()  # before this file's tests (collected first): what the reader had


def runnable(*langs):
    return [b for b in BLOCKS if b.runs and b.lang in langs]


def test_every_example_runs_or_says_why_not():
    assert runnable(*readme.SHELL) and runnable(*readme.YAML) and runnable(*readme.PYTHON)
    silent = [b.where() for b in BLOCKS if b.lang in readme.RUNNABLE and b.no_run == ""]
    assert not silent, f"blocks marked no-run without a reason: {silent}"
    outputs = [b for b in BLOCKS if b.expected_output]
    for b in outputs:
        before = [x for x in BLOCKS if x.line < b.line and x.lang in readme.SHELL]
        assert before and before[-1].runs, f"{b.where()}: expected output of a shell block that does not run"


def test_what_the_python_examples_import_is_installed_or_the_readme_says_how():
    """`make run` installs the runtime dependencies only, while this suite runs the examples
    with the test extra: a module a Python block imports is a runtime dependency (or the
    standard library, or icpsim's own), or the README tells the reader to `pip install` it."""
    import importlib.metadata as md

    tomllib = pytest.importorskip("tomllib")  # Python 3.11+

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime = {re.split(r"[<>=!~\[ ;]", d, maxsplit=1)[0].lower() for d in project["dependencies"]}
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    told = {w.lower() for line in re.findall(r"pip install ([^\n`#]+)", text) for w in line.split()}
    dists = md.packages_distributions()
    missing = []
    for block in runnable(*readme.PYTHON):
        for mod in re.findall(r"^\s*(?:import|from)\s+(\w+)", block.text, re.M):
            if mod in sys.stdlib_module_names or mod in ("backend", "mock_miniprogram", "icpsim_cli"):
                continue
            names = {d.lower() for d in dists.get(mod, [mod])}
            if not names & (runtime | told):
                missing.append(f"{block.where()}: {mod} ({', '.join(sorted(names))})")
    assert not missing, f"imported by a README example, not installed by `make run`, no `pip install` said: {missing}"


@pytest.fixture(scope="module")
def stack(redis_url, tmp_path_factory):
    """A running simulator as after `make run`: web, worker, the demo sandbox."""
    from backend.services import bootstrap
    from backend.store.connection import connect

    client = connect(redis_url)
    client.flushdb()
    old = os.environ.get("ICPSIM_CONTROL_TOKEN")
    os.environ["ICPSIM_CONTROL_TOKEN"] = CONTROL
    try:
        bootstrap.prepare(client)
    finally:
        if old is None:
            os.environ.pop("ICPSIM_CONTROL_TOKEN", None)
        else:
            os.environ["ICPSIM_CONTROL_TOKEN"] = old
    with running_stack(
        redis_url, CONTROL, tmp_path_factory.mktemp("readme") / "processes.log", workers=2, ICPSIM_JOB_WAIT="60"
    ) as s:
        yield s


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    """A folder like a clone: `.venv` (this interpreter's) and the shipped scenarios."""
    folder = tmp_path_factory.mktemp("reader")
    (folder / ".venv").symlink_to(Path(sys.prefix))
    (folder / "mock_miniprogram").symlink_to(ROOT / "mock_miniprogram")
    return folder


def reader_env(stack):
    """The environment of a reader's second terminal: the control token exported as the README
    says, and no venv on PATH (the README says how to reach `icpsim`)."""
    venv_bin = str(Path(sys.executable).parent)
    path = os.pathsep.join(p for p in os.environ.get("PATH", "").split(os.pathsep) if p != venv_bin)
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ICPSIM_", "REDIS_")) and k not in ("VIRTUAL_ENV", "PYTHONPATH")
    }
    env.update(PATH=path, ICPSIM_CONTROL_TOKEN=CONTROL, PORT=str(stack.port), COLUMNS="200", PYTHONPATH="")
    return env


def sdk_env(env, stack, block):
    """The Tencent Cloud SDK example reads the key pair the README's shell block before it
    exported (TENCENTCLOUD_SECRET_ID/KEY of a new `demo` sandbox): the same, made here."""
    if "TENCENTCLOUD_SECRET_ID" not in block.text:
        return env
    made = requests.post(
        f"{stack.origin}/api/v1/sandboxes",
        json={"preset": "demo"},
        headers={"Authorization": f"Bearer {CONTROL}"},
        timeout=30,
    ).json()
    return dict(env, TENCENTCLOUD_SECRET_ID=made["secret_id"], TENCENTCLOUD_SECRET_KEY=made["secret_key"])


def on_stack(text, stack):
    return text.replace("127.0.0.1:5000", f"127.0.0.1:{stack.port}").replace(
        "localhost:5000", f"localhost:{stack.port}"
    )


def test_the_shell_examples_run_in_one_session(stack, workdir):
    assert shutil.which("jq") and shutil.which("curl"), "the README's examples use curl and jq"
    script, checks, spans = [], [], []
    for i, block in enumerate(runnable(*readme.SHELL)):
        text, block_checks = readme.instrument(block, i)
        checks += [(block, *c) for c in block_checks]
        spans.append((block, f"@@readme-block-{i}"))
        script += [f'echo "@@readme-block-{i}<"', on_stack(text, stack), f'echo "@@readme-block-{i}>"']
    (workdir / "readme.sh").write_text("\n".join(script) + "\n", encoding="utf-8")
    done = subprocess.run(
        ["bash", "readme.sh"],
        cwd=workdir,
        env=reader_env(stack),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=900,
    )
    out = done.stdout
    problems = []
    if done.returncode != 0:
        problems.append(f"bash exited with {done.returncode}")
    if FAILURE.search(done.stderr):
        problems.append("errors on stderr:\n" + done.stderr[-3000:])
    for block, marker, want, cmd in checks:
        got = readme.between(out, marker)
        if got is None or not readme.pattern(want).fullmatch(got):
            problems.append(f"{block.where()}: `{cmd}`\n  expected: {want}\n  got:      {got}")
    for block, marker in spans:
        expected = next(
            (
                b
                for b in BLOCKS
                if b.expected_output
                and b.line > block.line
                and not any(x.lang in readme.SHELL and block.line < x.line < b.line for x in BLOCKS)
            ),
            None,
        )
        if expected is None:
            continue
        got = (readme.between(out, marker) or "").splitlines()
        for line in filter(None, expected.text.splitlines()):
            if not any(readme.pattern(line).fullmatch(g.strip()) for g in got):
                problems.append(f"{expected.where()}: `{line}` not printed by {block.where()}")
    assert not problems, "\n\n".join(problems) + "\n\nstdout tail:\n" + out[-3000:]


@pytest.mark.parametrize("block", runnable(*readme.YAML), ids=lambda b: f"line{b.line}")
def test_the_yaml_scenarios_replay(stack, workdir, block, tmp_path):
    path = tmp_path / f"readme-{block.line}.yaml"
    path.write_text(block.text, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "icpsim_cli", "replay", str(path), "--url", stack.origin, "--token", CONTROL, "-q"],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, f"{block.where()}:\n{done.stdout}\n{done.stderr}"


@pytest.mark.parametrize("block", runnable(*readme.PYTHON), ids=lambda b: f"line{b.line}")
def test_the_python_examples_run(stack, workdir, block, tmp_path):
    """A Python block with tests is a test module of the reader's own (the pytest plugin's
    fixtures); any other is a script, run with this venv's python as the reader would."""
    path = tmp_path / f"test_readme_{block.line}.py"
    path.write_text(on_stack(block.text, stack), encoding="utf-8")
    if not re.search(r"^\s*def test_", block.text, re.M):
        done = subprocess.run(
            [sys.executable, str(path)],
            cwd=workdir,
            env=sdk_env(reader_env(stack), stack, block),
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, f"{block.where()}:\n{done.stdout}\n{done.stderr}"
        return
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            str(path),
            "-q",
            "-p",
            "no:cacheprovider",
            "-c",
            str(tmp_path / "pytest.ini"),
            "--rootdir",
            str(tmp_path),
            "--icpsim-url",
            stack.origin,
            "--icpsim-token",
            CONTROL,
        ],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0 and " passed" in done.stdout, f"{block.where()}:\n{done.stdout}\n{done.stderr}"


def test_the_files_the_readme_names_exist():
    """A path of the project in backticks (`backend/…`, `tests/…::test_x`, `mock_miniprogram/…`)
    is a file or folder of this clone, as a reader would look for it."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    top = "backend|tests|mock_miniprogram|docs|tools|workers|icpsim_cli|icpsim_scenario|bench|data"
    paths = re.findall(rf"`((?:{top})/[^`\s:*…]*)", text)
    missing = sorted({p for p in paths if not (ROOT / p.rstrip(".,")).exists()})
    assert paths and not missing, f"the README names paths that are not in the repository: {missing}"


def test_the_tours_leave_nothing_in_the_clone():
    """Last of this file: what the README's commands write (id.png, recorded.yaml, world.json,
    reports/, …) lands in the reader's folder (`workdir`), never untracked in the clone."""
    if UNTRACKED is None:
        pytest.skip("not a git checkout")
    assert untracked() - UNTRACKED == set()
