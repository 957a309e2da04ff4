"""JUnit XML for CI: one <testcase> per scenario, failures with the step, expected and actual."""

import xml.etree.ElementTree as ET
from pathlib import Path


def build(results, suite_name="icpsim scenarios", total_time=None):
    failures = sum(1 for r in results if r.status == "failed")
    errors = sum(1 for r in results if r.status == "error")
    elapsed = total_time if total_time is not None else sum(r.duration for r in results)
    suite = ET.Element(
        "testsuite",
        name=suite_name,
        tests=str(len(results)),
        failures=str(failures),
        errors=str(errors),
        skipped="0",
        time=f"{elapsed:.3f}",
    )
    for r in results:
        case = ET.SubElement(
            suite, "testcase", name=r.name, classname=_classname(r.path), file=str(r.path), time=f"{r.duration:.3f}"
        )
        if r.status == "failed":
            first = r.failure.render().splitlines()
            node = ET.SubElement(case, "failure", message=" ".join(first[:2]).strip()[:500], type="ExpectationFailed")
            node.text = r.report()
        elif r.status == "error":
            node = ET.SubElement(
                case, "error", message=" ".join(r.message.splitlines()[:2])[:500] or "error", type="ScenarioError"
            )
            node.text = r.report()
        if r.sandbox:
            ET.SubElement(case, "system-out").text = f"sandbox {r.sandbox}; {r.steps_run}/{r.steps_total} steps"
    return _wrap(suite)


def _wrap(suite):
    root = ET.Element("testsuites", {k: suite.get(k) for k in ("tests", "failures", "errors", "time")})
    root.append(suite)
    tree = ET.ElementTree(root)
    ET.indent(tree)
    return tree


def _classname(path):
    p = Path(path)
    return f"scenarios.{p.parent.name}.{p.stem}" if p.parent.name else f"scenarios.{p.stem}"


def write(path, results, total_time=None):
    path = Path(path)
    if path.parent and not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
    build(results, total_time=total_time).write(path, encoding="utf-8", xml_declaration=True)
