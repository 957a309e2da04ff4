"""Running one scenario against a simulator, through the SDK, in a fresh sandbox.

A run creates the sandbox (seed, preset, clock start, settings, province overrides),
builds the rest of the starting world (cloud resources, domains, filings on record,
fault rules), then runs the steps in order. After each step its expectations are
checked; the first step with a mismatch (or an unexpected error answer) ends the
run, and the result says which step, what was expected and what came back.

Every exchange is written to the transcript, with the sandbox's id and tokens
replaced by placeholders: the same scenario with the same seed gives the same
transcript, byte for byte (record numbers and virtual timestamps included).
"""

import json
import re
import time

import requests

from mock_miniprogram.replay import expect as E
from mock_miniprogram.replay.checks import Expectations
from mock_miniprogram.replay.outcome import Result, StepError, StepFailure, step_label
from mock_miniprogram.replay.stages import StageActions, describe_file
from mock_miniprogram.replay.steps import StepActions
from mock_miniprogram.replay.world import WorldSetup
from mock_miniprogram.sdk import Control, IcpsimError

_TEMPLATE = re.compile(r"\$\{([^}]+)\}")
FALLBACK_IP = "203.0.113.10"  # TEST-NET-3: used for ${nat_ip} when the account has no NAT IP at all


class Runner:
    """Runs scenarios against the simulator at `url` (its control token `control_token`)."""

    def __init__(self, url, control_token, keep_sandboxes=False, timeout=180):
        self.url = url.rstrip("/")
        self.control_token = control_token
        self.keep_sandboxes = keep_sandboxes
        self.timeout = timeout
        self.session_factory = requests.Session

    def run(self, scenario):
        return _Run(self, scenario).execute()


class _Run(WorldSetup, StepActions, StageActions, Expectations):
    def __init__(self, runner, scenario):
        self.runner, self.scenario = runner, scenario
        self.session = runner.session_factory()
        self.control = Control(runner.url, runner.control_token, session=self.session, timeout=runner.timeout)
        self.sb = None
        self.vars = dict(scenario.data.get("vars") or {})
        self.last_app = None
        self.conversation = None
        self.last = (None, None)  # (status, body) of the last exchange
        self.transcript = []
        self._exchanges = None

    # -- the run ---------------------------------------------------------------------

    def execute(self):
        sc = self.scenario
        result = Result(path=sc.path, name=sc.name, status="passed", steps_total=len(sc.steps))
        started = time.monotonic()
        try:
            failure = self._world()
            if failure is None:
                for i, step in enumerate(sc.steps):
                    result.steps_run = i + 1
                    failure = self._step(i, step)
                    if failure is not None:
                        break
            if failure is not None:
                result.status, result.failure = "failed", failure
            self._snapshot()
        except (requests.RequestException, IcpsimError) as exc:
            result.status, result.message = "error", f"the simulator did not answer as expected: {exc}"
        finally:
            result.duration = time.monotonic() - started
            result.transcript = self._normalized(self.transcript)
            if self.sb is not None:
                result.sandbox = self.sb.sid
                if not self.runner.keep_sandboxes:
                    try:
                        self.control.delete_sandbox(self.sb.sid)
                    except (requests.RequestException, IcpsimError):
                        pass
            self.session.close()
        return result

    def _normalized(self, value):
        if self.sb is None:
            return value
        text = json.dumps(value, ensure_ascii=False)
        for secret, placeholder in (
            (self.sb.token, "<token>"),
            (self.runner.control_token, "<control>"),
            (self.sb.sid, "<sandbox>"),
        ):
            text = text.replace(secret, placeholder)
        return json.loads(text)

    # -- HTTP --------------------------------------------------------------------------

    def request(self, method, path, body=None, query=None, token="user", record=True, files=None):
        """One call under /api/v1/sandboxes/{sid}; returns (status, body). `files`: a multipart
        upload ({field: (name, bytes, type)}), shown in the transcript by its size and hash."""
        tok = self.sb.token if token == "user" else self.runner.control_token
        url = f"{self.runner.url}/api/v1/sandboxes/{self.sb.sid}{path}"
        kwargs = {"params": query, "headers": {"Authorization": f"Bearer {tok}"}, "timeout": self.runner.timeout}
        if body is not None:
            kwargs["json"] = body
        if files:
            kwargs["files"] = files
            body = {k: describe_file(name, data)["file"] for k, (name, data, _type) in files.items()}
        resp = self.session.request(method, url, **kwargs)
        status, data = resp.status_code, _body(resp)
        if record and self._exchanges is not None:
            entry = {"method": method, "path": path, "status": status, "response": data}
            if body is not None:
                entry["body"] = body
            if query:
                entry["query"] = query
            self._exchanges.append(entry)
        if record:
            self.last = (status, data)  # what a following `expect` step's status/response see
        return status, data

    def get(self, path, query=None, token="user"):
        status, data = self.request("GET", path, query=query, token=token, record=False)
        if status >= 400:
            raise StepError(f"GET {path} answered {status}: {E.show(data)}")
        return data

    # -- templating --------------------------------------------------------------------

    def resolve(self, value):
        if isinstance(value, str):
            whole = _TEMPLATE.fullmatch(value)
            if whole:
                return self.lookup(whole.group(1).strip())
            return _TEMPLATE.sub(lambda m: _text(self.lookup(m.group(1).strip())), value)
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if isinstance(value, dict):
            return {k: self.resolve(v) for k, v in value.items()}
        return value

    def lookup(self, name):
        head, *rest = name.split(".")
        if head in self.vars:
            self._depth = getattr(self, "_depth", 0) + 1
            try:
                if self._depth > 20:
                    raise StepError(f"${{{name}}}: variables refer to each other in a loop")
                value = self.resolve(self.vars[head])  # vars may use ${nat_ip} and the like
            finally:
                self._depth -= 1
        elif head == "sandbox":
            value = self.sb.sid
        elif head == "nat_ip":
            value = self._nat_ips()[0]
        elif head == "nat_ips":
            value = self._nat_ips()
        elif head == "now":
            value = self.get("/clock")["now"]
        elif head == "app":
            value = self.last_app
        elif head == "sms_code":  # ${sms_code}: the last application's; ${sms_code.A0002}: that one's
            app = self.app_id(rest.pop(0) if rest else None)
            value = self._sms_code(app)
            if value is None:
                raise StepError(f"${{{name}}}: no MIIT verification SMS in the outbox for {app}")
        else:
            raise StepError(
                f"unknown variable ${{{name}}} (known: {', '.join(sorted(self.vars)) or 'none'}, "
                "sandbox, nat_ip, nat_ips, now, app, sms_code)"
            )
        for part in rest:
            if isinstance(value, list) and part.isdigit() and int(part) < len(value):
                value = value[int(part)]
            elif isinstance(value, dict) and part in value:
                value = value[part]
            else:
                raise StepError(f"${{{name}}}: no `{part}` in {E.show(value, 120)}")
        return value

    def _nat_ips(self):
        """Usable filing IPs first, then the other NAT IPs of the account (for negative tests)."""
        usable = [row["ip"] for row in self.get("/eligibility").get("usable_ips") or []]
        others = [n["ip"] for n in self.get("/cloud/nat-gateways") if n.get("ip") and n["ip"] not in usable]
        return usable + others or [FALLBACK_IP]

    def app_id(self, ref):
        ref = self.resolve(ref)
        if ref is None:
            if self.last_app is None:
                raise StepError("no application yet: create one first or name it (app: …)")
            return self.last_app
        if isinstance(ref, dict) and "id" in ref:
            return ref["id"]
        if isinstance(ref, str) and isinstance(self.vars.get(ref), dict) and "id" in self.vars[ref]:
            return self.vars[ref]["id"]
        return str(ref)

    # -- steps -------------------------------------------------------------------------

    def _step(self, index, step):
        label = step_label(step)
        action = next((k for k in step if k not in ("name", "as", "expect")), None)
        want = step.get("expect") or {}
        self._exchanges = []
        entry = {"step": index + 1, "do": action or "expect", "label": label, "exchanges": self._exchanges}
        self.transcript.append(entry)
        tolerated = ()
        try:
            if action is not None:
                tolerated = getattr(self, f"_do_{action}")(step[action]) or ()
            status, body = self.last
            if action is not None and step.get("as"):
                self.vars[step["as"]] = body
            mismatches = []
            if (
                action is not None
                and status is not None
                and status >= 400
                and "status" not in want
                and "error" not in want
            ):
                code = body.get("code") if isinstance(body, dict) else None
                if code not in tolerated:
                    return StepFailure(index, label, error=f"unexpected error answer {status}: {E.show(body, 600)}")
            if want:
                mismatches = self._check(self.resolve(want), status, body, has_response=action is not None)
        except StepError as exc:
            return StepFailure(index, label, error=str(exc))
        finally:
            self._exchanges = None
        return StepFailure(index, label, mismatches=mismatches) if mismatches else None

    # -- the final state ---------------------------------------------------------------

    def _snapshot(self):
        if self.sb is None:
            return
        try:
            apps = self.get("/applications")
            self.transcript.append(
                {
                    "final": {
                        "clock": self.get("/clock"),
                        "applications": apps,
                        "history": {a["id"]: self.get(f"/applications/{a['id']}/history") for a in apps},
                        "entities": self.get("/entities"),
                        "websites": self.get("/websites"),
                        "outbox": self.get("/outbox"),
                    }
                }
            )
        except StepError as exc:
            self.transcript.append({"final": {"error": str(exc)}})


def _body(resp):
    if not resp.content:
        return None
    if "json" in resp.headers.get("Content-Type", ""):
        try:
            return resp.json()
        except ValueError:
            pass
    return resp.text


def _text(value):
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
