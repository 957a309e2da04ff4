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
import math
import re
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import requests

from mock_miniprogram.replay import expect as E
from mock_miniprogram.sdk import Control, IcpsimError

CST = timezone(timedelta(hours=8))
_TEMPLATE = re.compile(r"\$\{([^}]+)\}")
_APP_PATH = re.compile(r"^/applications/([^/?]+)")
FALLBACK_IP = "203.0.113.10"  # TEST-NET-3: used for ${nat_ip} when the account has no NAT IP at all


class StepError(Exception):
    """A step that could not be carried out (not an expectation mismatch)."""


@dataclass
class StepFailure:
    index: int  # 0-based position in `steps`; -1 for the starting world
    label: str
    mismatches: list = field(default_factory=list)
    error: str = None

    def render(self):
        where = "world" if self.index < 0 else f"step {self.index + 1}"
        lines = [f"{where} ({self.label})"]
        if self.error:
            lines.append(f"  {self.error}")
        lines += [f"  {m.render()}" for m in self.mismatches]
        return "\n".join(lines)


@dataclass
class Result:
    path: str
    name: str
    status: str  # passed | failed | error (the file could not be read or run)
    duration: float = 0.0
    failure: StepFailure = None
    message: str = ""
    steps_run: int = 0
    steps_total: int = 0
    transcript: list = field(default_factory=list)
    sandbox: str = None

    @property
    def ok(self):
        return self.status == "passed"

    def report(self):
        if self.ok:
            return ""
        head = f"{self.name}  [{self.path}]"
        body = self.failure.render() if self.failure else self.message
        return head + "\n" + "\n".join("  " + line for line in body.splitlines())

    def transcript_text(self):
        return "".join(json.dumps(e, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"
                       for e in self.transcript)


def parse_instant(text):
    dt = datetime.fromisoformat(str(text))
    return (dt if dt.tzinfo else dt.replace(tzinfo=CST)).timestamp()


def same_instant(expected, actual):
    try:
        return parse_instant(expected) == parse_instant(actual)
    except (TypeError, ValueError):
        return str(expected) == str(actual)


def step_label(step):
    if step.get("name"):
        return step["name"]
    for key, value in step.items():
        if key in ("name", "as", "expect"):
            continue
        if value is None or isinstance(value, (str, int, float, bool)):
            return f"{key}: {value}" if value is not None else key
        if isinstance(value, dict):
            hint = value.get("app") or value.get("path") or value.get("to") or value.get("name") \
                or value.get("effect") or value.get("resource") or value.get("kind") or ""
            method = value.get("method")
            return " ".join(str(x) for x in (key, method, hint) if x)
        return key
    return "expect"


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


class _Run:
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
        for secret, placeholder in ((self.sb.token, "<token>"), (self.runner.control_token, "<control>"),
                                    (self.sb.sid, "<sandbox>")):
            text = text.replace(secret, placeholder)
        return json.loads(text)

    # -- HTTP --------------------------------------------------------------------------

    def request(self, method, path, body=None, query=None, token="user", record=True):
        """One call under /api/v1/sandboxes/{sid}; returns (status, body)."""
        tok = self.sb.token if token == "user" else self.runner.control_token
        url = f"{self.runner.url}/api/v1/sandboxes/{self.sb.sid}{path}"
        kwargs = {"params": query, "headers": {"Authorization": f"Bearer {tok}"}, "timeout": self.runner.timeout}
        if body is not None:
            kwargs["json"] = body
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
            raise StepError(f"unknown variable ${{{name}}} (known: {', '.join(sorted(self.vars)) or 'none'}, "
                            "sandbox, nat_ip, nat_ips, now, app, sms_code)")
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

    # -- the world ---------------------------------------------------------------------

    def _world(self):
        world = self.scenario.world
        settings = dict(world.get("settings") or {})
        if world.get("provinces"):
            settings["province_overrides"] = world["provinces"]
        options = {"settings": settings}
        if world.get("clock_start"):
            options["clock_start"] = str(world["clock_start"])
        self._exchanges = []
        try:
            self.sb = self.control.new_sandbox(seed=self.scenario.seed, preset=world.get("preset", "eligible"),
                                               name=f"replay: {self.scenario.name}"[:100], **options)
        except IcpsimError as exc:
            return StepFailure(-1, "create the sandbox", error=f"{exc.status} {exc.code}: {E.show(exc.body)}")
        self.transcript.append({"world": "sandbox", "seed": self.scenario.seed, "preset": world.get("preset", "eligible"),
                                **options})
        plan = []
        for item in world.get("cloud") or []:
            item = dict(item)
            alias = item.pop("as", None)
            resource = item.pop("resource")
            plan.append((f"cloud {resource}", "POST", f"/cloud/{resource}", item, "user", alias))
        for item in world.get("domains") or []:
            plan.append((f"domain {item.get('name')}", "POST", "/domains", item, "user", None))
        for item in world.get("registry") or []:
            plan.append((f"registry {item.get('name')}", "POST", "/registry/entities", item, "control", None))
        for item in world.get("faults") or []:
            plan.append((f"fault {item.get('effect')}", "POST", "/faults", item, "control", None))
        for label, method, path, body, token, alias in plan:
            self._exchanges = []
            try:
                status, data = self.request(method, path, self.resolve(body), token=token)
            except StepError as exc:
                return StepFailure(-1, label, error=str(exc))
            self.transcript.append({"world": label, "exchanges": self._exchanges})
            if status >= 400:
                return StepFailure(-1, label, error=f"the simulator refused it: {status} {E.show(data)}")
            if alias:
                self.vars[alias] = data
        self._exchanges = None
        return None

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
            if action is not None and status is not None and status >= 400 \
                    and "status" not in want and "error" not in want:
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

    def _app_step(self, body, app_ref=None):
        """Note the application an answer is about."""
        if isinstance(body, dict) and {"id", "kind", "state"} <= set(body):
            self.last_app = body["id"]
        elif app_ref is not None:
            self.last_app = app_ref

    def _do_call(self, spec):
        spec = self.resolve(spec)
        status, body = self.request(spec["method"], spec["path"], spec.get("body"), spec.get("query"),
                                    token=spec.get("token", "user"))
        m = _APP_PATH.match(spec["path"])
        self._app_step(body, m.group(1) if m else None)

    def _do_create_application(self, spec):
        spec = self.resolve(spec)
        status, body = self.request("POST", "/applications",
                                    {"kind": spec.get("kind", "first_filing"), "payload": spec["payload"]})
        self._app_step(body)

    def _do_edit(self, spec):
        spec = self.resolve(spec)
        app = self.app_id(spec.get("app"))
        status, body = self.request("PATCH", f"/applications/{app}", {"payload": spec["payload"]})
        self._app_step(body, app)

    def _action(self, action, spec):
        spec = self.resolve(spec)
        ref, reason = (spec.get("app"), spec.get("reason")) if isinstance(spec, dict) else (spec, None)
        app = self.app_id(ref)
        status, body = self.request("POST", f"/applications/{app}/actions/{action}", {"reason": reason})
        self._app_step(body, app)

    def _do_submit(self, spec):
        self._action("submit", spec)

    def _do_resubmit(self, spec):
        self._action("resubmit", spec)

    def _do_withdraw(self, spec):
        self._action("withdraw", spec)

    def _do_reopen(self, spec):
        self._action("reopen", spec)

    def _sms_code(self, app):
        for msg in reversed(self.get("/outbox", {"channel": "sms", "app_id": app})):
            if msg.get("code") == "MIIT_SMS_CODE":
                found = re.search(r"(?<!\d)\d{6}(?!\d)", msg["text"])
                if found:
                    return found.group(0)
        return None

    def _sms_codes(self, app):
        """The latest MIIT code of each recipient of the order (one per distinct mobile)."""
        latest = {}
        # this round's codes only: a resubmitted order's earlier codes went to people (or
        # mobiles) that may no longer be asked
        sent = [v.get("sent_at") for v in self.get(f"/applications/{app}").get("verifications") or [] if v.get("sent_at")]
        since = min(sent) if sent else ""
        for msg in self.get("/outbox", {"channel": "sms", "app_id": app}):
            if since and (msg.get("at") or "") < since:
                continue
            found = re.search(r"(?<!\d)\d{6}(?!\d)", msg["text"]) if msg.get("code") == "MIIT_SMS_CODE" else None
            if found:
                latest[msg.get("to")] = found.group(0)
        return list(latest.values()) or [None]

    def _verify_each(self, app, codes):
        """Each person's code in turn, until the order leaves the SMS step; one who verified
        already (409 ALREADY_VERIFIED) is passed over."""
        answer = None
        for one in codes:
            status, body = self.request("POST", f"/applications/{app}/sms-verification", {"code": one})
            if answer is None or not (status == 409 and isinstance(body, dict) and body.get("code") == "ALREADY_VERIFIED"):
                answer = (status, body)
            if status == 200 and isinstance(body, dict) and body.get("state") != "sms_verification":
                break
        self.last = answer  # what the step's expect sees
        return answer

    def _do_verify_sms(self, spec):
        spec = self.resolve(spec)
        ref, code, times = (spec.get("app"), spec.get("code", "from_outbox"), spec.get("times", 1)) \
            if isinstance(spec, dict) else (spec, "from_outbox", 1)
        app = self.app_id(ref)
        sent = self._sms_code(app)
        if code == "from_outbox":
            if sent is None:
                raise StepError(f"no MIIT verification SMS in the outbox for {app}")
            code = sent
        elif code == "wrong":
            code = f"{(int(sent or 0) + 1) % 1_000_000:06d}"
        codes = self._sms_codes(app) if spec_code_is_outbox(spec) else [code]  # each person's own code
        for _ in range(int(times)):
            status, body = self._verify_each(app, codes)
        self._app_step(body, app)
        wrong = isinstance(spec, dict) and spec.get("code") == "wrong"
        return ("SMS_CODE_WRONG",) if wrong else ()

    def _do_advance(self, spec):
        spec = self.resolve(spec)
        if spec == "until_idle":
            body = {"until_idle": True}
        elif isinstance(spec, str):
            body = {"duration": spec}
        elif isinstance(spec, dict) and spec.get("to"):
            now = self.get("/clock")["epoch"]
            seconds = parse_instant(spec["to"]) - now
            if seconds <= 0:
                self.last = (200, self.get("/clock"))
                self._exchanges.append({"note": f"the clock is already at or past {spec['to']}"})
                return
            body = {"duration": f"{math.ceil(seconds * 1000) / 1000:.3f}"}  # never short of `to`
        else:
            body = {k: v for k, v in spec.items() if k != "to"}
        self.request("POST", "/clock/advance", body, token="control")

    def _do_register_domain(self, spec):
        self.request("POST", "/domains", self.resolve(spec))

    def _do_update_domain(self, spec):
        spec = dict(self.resolve(spec))
        name = spec.pop("name")
        self.request("PATCH", f"/domains/{name}", spec)

    def _do_cloud(self, spec):
        spec = dict(self.resolve(spec))
        resource = spec.pop("resource")
        self.request("POST", f"/cloud/{resource}", spec)

    def _do_seed_registry(self, spec):
        self.request("POST", "/registry/entities", self.resolve(spec), token="control")

    def _do_fault(self, spec):
        self.request("POST", "/faults", self.resolve(spec), token="control")

    def _do_clear_faults(self, spec):
        self.request("DELETE", "/faults", token="control")

    def _do_teleport(self, spec):
        spec = dict(self.resolve(spec))
        app = self.app_id(spec.pop("app", None))
        status, body = self.request("POST", f"/applications/{app}/teleport", spec, token="control")
        self._app_step(body, app)

    def _do_reset_application(self, spec):
        spec = self.resolve(spec)
        ref, reason = (spec.get("app"), spec.get("reason")) if isinstance(spec, dict) else (spec, None)
        app = self.app_id(ref)
        status, body = self.request("POST", f"/applications/{app}/reset", {"reason": reason}, token="control")
        self._app_step(body, app)

    def _do_reset_sandbox(self, spec):
        self.request("POST", "/reset", token="control")
        for exchange in self._exchanges:  # the sandbox's creation time is real time: not part of a result
            if isinstance(exchange.get("response"), dict) and "created_at" in exchange["response"]:
                exchange["response"]["created_at"] = "<real time>"
        self.last_app = None
        self.conversation = None

    def _do_chat_start(self, spec):
        status, body = self.request("POST", "/conversations", self.resolve(spec) or {})
        if isinstance(body, dict) and body.get("id"):
            self.conversation = body["id"]

    def _do_chat(self, spec):
        spec = self.resolve(spec)
        if isinstance(spec, str):
            spec = {"text": spec}
        conversation = spec.get("conversation") or self.conversation
        if isinstance(conversation, dict):
            conversation = conversation.get("id")
        elif isinstance(self.vars.get(conversation), dict):
            conversation = self.vars[conversation].get("id")
        if not conversation:
            raise StepError("no conversation: start one with chat_start first")
        self.conversation = conversation
        reply = dict(spec.get("reply") or {})
        for key in ("text", "choice", "form", "command"):
            if spec.get(key) is not None:
                reply.setdefault(key, spec[key])
        status, body = self.request("POST", f"/conversations/{conversation}/replies", reply)
        if isinstance(body, dict) and body.get("application_id"):
            self.last_app = body["application_id"]

    # -- expectations ------------------------------------------------------------------

    def _check(self, want, status, body, has_response=True):
        out = []
        app_keys = {k: v for k, v in want.items() if k in _APP_KEYS}
        for key, expected in want.items():
            if key == "status":
                bad = E.match(expected, status, "status")
                if bad and isinstance(body, dict) and body.get("code"):
                    bad[0].note = f"answer: {E.show(body, 400)}"
                out += bad
            elif key == "error":
                out += E.match(expected, (body or {}).get("code") if isinstance(body, dict) else None, "error")
            elif key == "errors":
                out += E.match(expected, (body or {}).get("errors", E.MISSING) if isinstance(body, dict) else body,
                               "errors")
            elif key == "response":
                out += E.match(expected, body, "response")
            elif key == "applications":
                for ref, app_want in expected.items():
                    app = self.app_id(ref)
                    out += self._app_check(app, app_want, who=f"applications.{ref}")
            elif key == "outbox":
                out += E.outbox_mismatches(expected, self.get("/outbox"), self.app_id)
            elif key == "outbox_count":
                out += E.match(expected, len(self.get("/outbox")), "outbox_count")
            elif key == "gateway":
                for item in expected if isinstance(expected, list) else [expected]:
                    out += E.gateway_mismatches(item, self.gateway(item["domain"]))
            elif key == "eligibility":
                out += E.eligibility_mismatches(expected, self.get("/eligibility"))
            elif key == "clock":
                now = self.get("/clock")["now"]
                if not same_instant(expected, now):
                    out.append(E.Mismatch("clock", expected, now))
            elif key == "pending_timers":
                out += E.match(expected, [t["name"] for t in self.get("/clock")["pending_timers"]], "pending_timers")
            elif key in ("entities", "websites"):
                out += E.records_mismatches(expected, self.get(f"/{key}"), key)
            elif key == "faults":
                got = self.get("/faults", token="control")
                out += E.records_mismatches(expected, got, "faults")
            elif key == "chat":
                if not self.conversation:
                    raise StepError("expect.chat: no conversation started")
                out += E.match(expected, self.get(f"/conversations/{self.conversation}"), "chat")
        if app_keys:
            ref = want.get("app")
            app = self.app_id(ref) if ref is not None else self.last_app
            if app is None:
                if status is not None and status >= 400:
                    return out + [E.Mismatch("app", "an application", body, f"the step answered {status}")]
                raise StepError("expectations about an application, but there is none yet (app: …)")
            out += self._app_check(app, app_keys, who=f"app {app}" if ref is None else f"app {ref}")
        return out

    def _app_check(self, app_id, want, who):
        app = self.get(f"/applications/{app_id}")
        history = self.get(f"/applications/{app_id}/history") if "history" in want else None
        return E.app_mismatches(want, app, history, who)

    def gateway(self, domain):
        """What CloudBase Run's gateway answers for a request to `domain` in this sandbox."""
        resp = self.session.get(f"{self.runner.url}/", headers={"Host": domain, "X-Icpsim-Sandbox": self.sb.sid},
                                allow_redirects=False, timeout=self.runner.timeout)
        return {"status": resp.status_code, "served": resp.status_code == 200,
                "reason": resp.headers.get("X-Icpsim-Gateway")}

    # -- the final state ---------------------------------------------------------------

    def _snapshot(self):
        if self.sb is None:
            return
        try:
            apps = self.get("/applications")
            self.transcript.append({
                "final": {
                    "clock": self.get("/clock"),
                    "applications": apps,
                    "history": {a["id"]: self.get(f"/applications/{a['id']}/history") for a in apps},
                    "entities": self.get("/entities"),
                    "websites": self.get("/websites"),
                    "outbox": self.get("/outbox"),
                }})
        except StepError as exc:
            self.transcript.append({"final": {"error": str(exc)}})


_APP_KEYS = frozenset({"state", "state_zh", "waits_on", "wechat", "wechat_status", "sms_verify_status",
                       "allowed_actions", "attempt", "audit_codes", "record_number", "website_numbers",
                       "history", "payload"})


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


def spec_code_is_outbox(spec):
    """verify_sms without a code (or code: from_outbox): every person types the code they got."""
    return not isinstance(spec, dict) or spec.get("code", "from_outbox") == "from_outbox"
