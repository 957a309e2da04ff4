"""What each step does (`_do_<action>` for a step's action): the calls it makes through the
run's request(), and the application it is about (the next steps' default `app`)."""

import math
import re

from mock_miniprogram.replay.outcome import StepError, parse_instant

_APP_PATH = re.compile(r"^/applications/([^/?]+)")


class StepActions:
    """Part of a run (runner._Run): the steps' actions."""

    def _app_step(self, body, app_ref=None):
        """Note the application an answer is about."""
        if isinstance(body, dict) and {"id", "kind", "state"} <= set(body):
            self.last_app = body["id"]
        elif app_ref is not None:
            self.last_app = app_ref

    def _do_call(self, spec):
        spec = self.resolve(spec)
        status, body = self.request(
            spec["method"], spec["path"], spec.get("body"), spec.get("query"), token=spec.get("token", "user")
        )
        m = _APP_PATH.match(spec["path"])
        self._app_step(body, m.group(1) if m else None)

    def _do_create_application(self, spec):
        spec = self.resolve(spec)
        status, body = self.request(
            "POST", "/applications", {"kind": spec.get("kind", "first_filing"), "payload": spec["payload"]}
        )
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
        sent = [
            v.get("sent_at") for v in self.get(f"/applications/{app}").get("verifications") or [] if v.get("sent_at")
        ]
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
            if answer is None or not (
                status == 409 and isinstance(body, dict) and body.get("code") == "ALREADY_VERIFIED"
            ):
                answer = (status, body)
            if status == 200 and isinstance(body, dict) and body.get("state") != "sms_verification":
                break
        self.last = answer  # what the step's expect sees
        return answer

    def _do_verify_sms(self, spec):
        spec = self.resolve(spec)
        ref, code, times = (
            (spec.get("app"), spec.get("code", "from_outbox"), spec.get("times", 1))
            if isinstance(spec, dict)
            else (spec, "from_outbox", 1)
        )
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


def spec_code_is_outbox(spec):
    """verify_sms without a code (or code: from_outbox): every person types the code they got."""
    return not isinstance(spec, dict) or spec.get("code", "from_outbox") == "from_outbox"
