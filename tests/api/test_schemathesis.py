"""Schemathesis over /openapi.json: every operation, valid and invalid inputs, no 5xx and no
answer (errors included) outside its documented schema.

Bounded: ICPSIM_SCHEMATHESIS_EXAMPLES examples per operation and generation mode (default
12; an outside probe ran 27,048 requests — raise it by hand for a deep run). Requests go
through the WSGI app in-process, with the control token, into one real sandbox (its id is
fixed, so the handlers run, not just the 404 of an unknown sandbox); an operation that
deletes or resets it gets it back before the next one.
"""

import os

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis.errors import Unsatisfiable  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.generation import GenerationMode  # noqa: E402
from schemathesis.specs.openapi.checks import response_schema_conformance  # noqa: E402

from api.flows import CONTROL  # noqa: E402

SID = "sb_schemathesis"
EXAMPLES = int(os.environ.get("ICPSIM_SCHEMATHESIS_EXAMPLES", "12"))
CHECKS = [not_a_server_error, response_schema_conformance]


def _ensure_sandbox(r):
    from backend.services import sandboxes

    if not r.exists(f"icpsim:sb:{SID}"):
        sandboxes.create(r, seed=1, sid=SID)


def _operations(schema):
    for result in schema.get_all_operations():
        yield result.ok()


def test_openapi_contract_holds_for_every_operation(app, r):
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
    headers = {"Authorization": f"Bearer {CONTROL}"}
    failures, ran, calls = [], 0, []
    for operation in _operations(schema):
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _ensure_sandbox(r)
            strategy = operation.as_strategy(
                generation_mode=mode, path_parameters={"sid": SID} if "{sid}" in operation.path else None
            )

            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                derandomize=True,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(case=strategy)
            def run(case):
                calls.append(case.call_and_validate(headers=headers, checks=CHECKS).status_code)

            try:
                run()
                ran += 1
            except Unsatisfiable:  # nothing invalid to send (an operation without parameters or body)
                continue
            except Exception as error:  # collect every operation's first failure, then report them all
                failures.append(f"{operation.method.upper()} {operation.path} ({mode}): {str(error)[:1500]}")
    assert ran > 40 and len(calls) > 200, (ran, len(calls))
    assert any(status >= 400 for status in calls) and any(status < 300 for status in calls)
    assert not failures, "\n\n".join(failures)
