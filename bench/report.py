"""The benchmark's report: each measure's median and min–max over the rounds against its
goal, printed as a table and saved as JSON (var/bench.json) with the machine it ran on."""

import json
import os
import platform
import statistics
import time
from pathlib import Path


def passes(op, goal, value):
    if op is None or value is None:
        return None
    return value <= goal if op == "<=" else value >= goal


def report(table, results, rounds, quick, args, notes):
    """Print and save the table; 1 when --strict and a goal was missed."""
    rows = [_row(key, label, kind, op, goal, results[key]) for key, label, kind, op, goal, _ in table]
    missed = [row["key"] for row in rows if row["pass"] is False]
    _print_table(rows)
    out = Path(args.json)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(_document(rows, rounds, quick, notes), ensure_ascii=False, indent=1))
    for name, value in notes.items():
        print(f"  {name}: {value}")
    print(f"\n{len(rows) - len(missed)}/{len(rows)} without a missed goal; every figure in {out}")
    return 1 if args.strict and missed else 0


def _row(key, label, kind, op, goal, rounds):
    """One measure over its rounds: median, min, max, and pass (None: no goal; False: an error)."""
    values = [x["value"] for x in rounds if "value" in x]
    errors = [x["error"] for x in rounds if "error" in x]
    med = statistics.median(values) if values else None
    return {
        "key": key,
        "measure": label,
        "kind": kind,
        "median": med,
        "min": min(values) if values else None,
        "max": max(values) if values else None,
        "goal": f"{op} {goal}" if op else "—",
        "pass": passes(op, goal, med) if not errors else False,
        "errors": errors,
        "rounds": rounds,
    }


def _print_table(rows):
    print()
    print(f"{'measure':78} {'median':>8} {'min–max':>15} {'goal':>7}  result")
    for row in rows:
        fmt = (lambda v: f"{v:.2f}×") if row["kind"] == "ratio" else (lambda v: f"{v:.1f}")
        med = fmt(row["median"]) if row["median"] is not None else "error"
        span = f"{fmt(row['min'])}–{fmt(row['max'])}" if row["min"] is not None else ""
        verdict = {True: "pass", False: "FAIL", None: "info"}[row["pass"]]
        print(f"{row['measure'][:78]:78} {med:>8} {span:>15} {row['goal']:>7}  {verdict}")
        for e in row["errors"]:
            print(f"    error: {e}")


def _document(rows, rounds, quick, notes):
    return {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "quick": quick,
        "rounds": rounds,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "rows": rows,
        "notes": notes,
    }
