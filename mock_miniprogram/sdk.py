"""A small Python client for icpsim's REST API, used by the terminal chat client, the
scenario replay runner, the pytest plugin and anyone's own tests.

    control = Control("http://127.0.0.1:5000", control_token)
    sb = control.new_sandbox(seed=42)          # a SandboxClient with its user token
    app = sb.create_application("first_filing", payload)
    sb.act(app["id"], "submit"); sb.advance(until_idle=True)
    sb.verify_sms(app["id"], sb.sms_code(app["id"]))
"""

import re
import uuid

import requests

# A clock move is answered when the worker's job is done: the server itself bounds the wait (the
# clock lock and a worker to take the job, each up to ICPSIM_JOB_WAIT, then 503 WORKER_TIMEOUT; a
# started job up to 600 s, backend.services.advancing.JOB_TIMEOUT). A busy machine makes that
# wait long, not wrong: the client waits for the server's answer, and this bound only catches a
# server that never answers (the per-client `timeout` of other calls would give up first).
CLOCK_MOVE_TIMEOUT = 900


class IcpsimError(Exception):
    """An error answer: HTTP status, the stable machine `code`, the zh-CN `message`, the body;
    its text names the fields a 422 refused (`errors`), what is wrong with each."""

    def __init__(self, status, body):
        self.status, self.body = status, body if isinstance(body, dict) else {"message": str(body)}
        self.code = self.body.get("code")
        self.message = self.body.get("message")
        super().__init__(f"{status} {self.code}: {self.message}{field_errors(self.body.get('errors'))}")


def field_errors(errors, at_most=5):
    """ "（field: what is wrong；…）" of a 422's per-field `errors`, the first `at_most` fields."""
    if not isinstance(errors, dict) or not errors:
        return ""
    shown = [f"{field}: {'；'.join(map(str, why)) if isinstance(why, list) else why}" for field, why in errors.items()]
    more = f"；… 另有 {len(shown) - at_most} 项" if len(shown) > at_most else ""
    return "（" + "；".join(shown[:at_most]) + more + "）"


class _Http:
    def __init__(self, base_url, token, session=None, timeout=60):
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.session = session or requests.Session()
        self.timeout = timeout

    def _send(self, method, path, json=None, params=None, token=None, headers=None, files=None, timeout=None):
        hdrs = {"Authorization": f"Bearer {token or self.token}", **(headers or {})}
        extra = {"files": files} if files else {}  # multipart/form-data (a material's upload)
        return self.session.request(
            method,
            f"{self.base_url}/api/v1{path}",
            json=json,
            params=params,
            headers=hdrs,
            timeout=timeout or self.timeout,
            **extra,
        )

    @staticmethod
    def _body(resp):
        try:
            return resp.json() if resp.content else None
        except ValueError:  # not JSON: not icpsim answering (a proxy, another server)
            return {"code": "NOT_JSON", "message": resp.text[:200]}

    def request(self, method, path, json=None, params=None, token=None, headers=None, files=None, timeout=None):
        resp = self._send(
            method, path, json=json, params=params, token=token, headers=headers, files=files, timeout=timeout
        )
        body = self._body(resp)
        if resp.status_code >= 400:
            raise IcpsimError(resp.status_code, body)
        return body

    def request_text(self, method, path, params=None, token=None):
        """A call whose answer is a file (a recording in YAML): the text as sent."""
        resp = self._send(method, path, params=params, token=token)
        if resp.status_code >= 400:
            raise IcpsimError(resp.status_code, self._body(resp))
        resp.encoding = "utf-8"
        return resp.text


class Control(_Http):
    """Operator calls, with the control token."""

    def new_sandbox(self, seed=None, preset="eligible", **options):
        body = self.request("POST", "/sandboxes", json={"seed": seed, "preset": preset, **options})
        return SandboxClient(self.base_url, body["id"], body["token"], control=self, info=body)

    def sandbox(self, sid, token=None):
        info = self.request("GET", f"/sandboxes/{sid}")
        return SandboxClient(self.base_url, sid, token or info["token"], control=self, info=info)

    def sandboxes(self, limit=None, max_pages=1000):
        """Every sandbox, following the X-Next-Cursor pages (at most `max_pages` requests)."""
        out, cursor = [], ""
        for _ in range(max_pages):
            params = {"cursor": cursor} if cursor else {}
            if limit:
                params["limit"] = limit
            resp = self._send("GET", "/sandboxes", params=params)
            body = self._body(resp)
            if resp.status_code >= 400:
                raise IcpsimError(resp.status_code, body)
            out += body
            cursor = resp.headers.get("X-Next-Cursor")
            if not cursor:
                break
        return out

    def delete_sandbox(self, sid):
        return self.request("DELETE", f"/sandboxes/{sid}")

    def reset_sandbox(self, sid):
        """Back to its preset and seed (same id and token)."""
        return self.request("POST", f"/sandboxes/{sid}/reset")

    def snapshot(self, sid):
        """The sandbox's whole state (a JSON document to keep in a file)."""
        return self.request("GET", f"/sandboxes/{sid}/snapshot")

    def restore(self, sid, snapshot):
        """Replace the sandbox's state with a snapshot; the sandbox keeps its id and token."""
        return self.request("POST", f"/sandboxes/{sid}/snapshot", json=snapshot)

    def sandbox_from_snapshot(self, snapshot, seed=None, name=None):
        """A fresh sandbox holding the snapshot's state."""
        options = {"name": name} if name else {}
        body = self.request("POST", "/sandboxes", json={"seed": seed, "preset": "empty", **options})
        info = self.restore(body["id"], snapshot)
        return SandboxClient(self.base_url, body["id"], body["token"], control=self, info=info)


class SandboxClient(_Http):
    """Calls of one sandbox with its user token; clock moves use the control token when given."""

    def __init__(self, base_url, sid, token, control=None, info=None, session=None, timeout=60):
        super().__init__(base_url, token, session=session or (control.session if control else None), timeout=timeout)
        self.sid, self.control, self.info = sid, control, info or {}

    def _sb(self, method, path, **kw):
        return self.request(method, f"/sandboxes/{self.sid}{path}", **kw)

    def _ctl(self, method, path, **kw):
        token = self.control.token if self.control else None
        return self._sb(method, path, token=token, **kw)

    # cloud resources and eligibility
    def cloud(self, kind):
        return self._sb("GET", f"/cloud/{kind}")

    def create_cloud(self, kind, **fields):
        return self._sb("POST", f"/cloud/{kind}", json=fields)

    def eligibility(self):
        return self._sb("GET", "/eligibility")

    # domain registry
    def domains(self):
        return self._sb("GET", "/domains")

    def create_domain(self, name, holder_name, holder_certificate_number, **fields):
        return self._sb(
            "POST",
            "/domains",
            json={
                "name": name,
                "holder_name": holder_name,
                "holder_certificate_number": holder_certificate_number,
                **fields,
            },
        )

    def update_domain(self, name, **fields):
        return self._sb("PATCH", f"/domains/{name}", json=fields)

    # applications
    def applications(self):
        return self._sb("GET", "/applications")

    def create_application(self, kind, payload):
        return self._sb("POST", "/applications", json={"kind": kind, "payload": payload})

    def application(self, app_id):
        return self._sb("GET", f"/applications/{app_id}")

    def edit_application(self, app_id, payload_patch):
        return self._sb("PATCH", f"/applications/{app_id}", json={"payload": payload_patch})

    def act(self, app_id, action, reason=None):
        return self._sb("POST", f"/applications/{app_id}/actions/{action}", json={"reason": reason})

    def verify_sms(self, app_id, code):
        return self._sb("POST", f"/applications/{app_id}/sms-verification", json={"code": code})

    def history(self, app_id):
        return self._sb("GET", f"/applications/{app_id}/history")

    # records, outbox, numbers
    def entities(self):
        return self._sb("GET", "/entities")

    def websites(self):
        return self._sb("GET", "/websites")

    def outbox(self, channel=None, to=None, app_id=None):
        params = {k: v for k, v in {"channel": channel, "to": to, "app_id": app_id}.items() if v}
        return self._sb("GET", "/outbox", params=params)

    def sms_code(self, app_id):
        """The latest MIIT verification code sent for this application, or None."""
        for msg in reversed(self.outbox(channel="sms", app_id=app_id)):
            if msg["code"] == "MIIT_SMS_CODE":
                return re.search(r"\d{6}", msg["text"]).group(0)
        return None

    # the stages before submission (issue #12; README "Before submission"): filing-type
    # verification, the checklist, the agreement, the phones' OTP, the face check, the materials
    def verify_filing_type(self, **fields):
        """POST …/filing-type/verify: the scenario that applies, or a 409 blocking code (IcpsimError)."""
        return self._sb("POST", "/filing-type/verify", json=fields)

    def my_filings(self):
        return self._sb("GET", "/my-filings")

    def requirements(self, app_id):
        """What is still missing before the order can be submitted: {enforced, ready, missing: [...]}."""
        return self._sb("GET", f"/applications/{app_id}/requirements")

    def agreement(self, app_id):
        return self._sb("GET", f"/applications/{app_id}/agreement")

    def accept_agreement(self, app_id):
        """POST …/agreement: 《腾讯云备案服务信息收集及使用说明》 accepted (the first acceptance is kept)."""
        return self._sb("POST", f"/applications/{app_id}/agreement")

    def phone_checks(self, app_id):
        """One check per responsible mobile of the order: mobile_masked, state (null/sent/void/verified)."""
        return self._sb("GET", f"/applications/{app_id}/phone-checks")

    def send_phone_code(self, app_id, mobile):
        """POST …/phone-checks/{mobile}/send: a 6-digit code by SMS (and e-mail), valid 5 virtual minutes."""
        return self._sb("POST", f"/applications/{app_id}/phone-checks/{mobile}/send")

    def verify_phone(self, app_id, mobile, code):
        return self._sb("POST", f"/applications/{app_id}/phone-checks/{mobile}/verify", json={"code": code})

    def phone_code(self, mobile):
        """The latest OTP the simulated phone `mobile` received (the outbox's PHONE_OTP_CODE SMS), or None."""
        sms = [m for m in self.outbox(channel="sms", to=mobile) if m.get("code") == "PHONE_OTP_CODE"]
        found = re.search(r"\d{6}", sms[-1].get("text", "")) if sms else None
        return found.group(0) if found else None

    def confirm_phone(self, app_id, mobile):
        """Send a code to `mobile`, read it on the simulated phone and enter it."""
        self.send_phone_code(app_id, mobile)
        return self.verify_phone(app_id, mobile, self.phone_code(mobile))

    def face_checks(self, app_id):
        return self._sb("GET", f"/applications/{app_id}/face-checks")

    def start_face_checks(self, app_id):
        """POST …/face-checks: one task per website owner (status 0 未开始, 1 等待中, 2 失败, 3 成功)."""
        return self._sb("POST", f"/applications/{app_id}/face-checks")

    def face_check(self, task_id):
        return self._sb("GET", f"/face-checks/{task_id}")

    def face_check_result(self, task_id, passed, reason=None):
        """The owner's phone reports: passed, or failed with a reason (face_check.REPORTABLE_REASONS)."""
        body = {"passed": passed, **({"reason": reason} if reason else {})}
        return self._sb("POST", f"/face-checks/{task_id}/result", json=body)

    def resend_face_check(self, task_id):
        return self._sb("POST", f"/face-checks/{task_id}/resend")

    def materials(self, app_id):
        return self._sb("GET", f"/applications/{app_id}/materials")

    def upload_material(self, app_id, slot, data, filename="material.png", content_type="image/png"):
        """POST …/materials/{slot} as multipart/form-data (field `file`): `data` is the image's bytes."""
        files = {"file": (filename, data, content_type)}
        return self._sb("POST", f"/applications/{app_id}/materials/{slot}", files=files)

    def mobile_registry(self):
        """The phone-locality registry {mobile: province} (settings.mobile_registry)."""
        return self._sb("GET", "/mobile-registry")["mobile_registry"]

    def set_mobile_registry(self, registry):
        """PUT …/mobile-registry with the control token: replaces the whole registry."""
        return self._ctl("PUT", "/mobile-registry", json={"mobile_registry": registry})["mobile_registry"]

    def validate_number(self, number):
        return self._sb("GET", "/numbers/validate", params={"number": number})

    # the national registry: seeding filings made elsewhere (control token), MIIT's public query
    def seed_entity(self, **entity):
        """An entity on record with its websites (e.g. filed at another provider): {entity, websites}."""
        return self._ctl("POST", "/registry/entities", json=entity)

    def registry_query(self, domain=None, number=None, entity=None):
        params = {k: v for k, v in {"domain": domain, "number": number, "entity": entity}.items() if v}
        return self._sb("GET", "/registry/query", params=params)

    # conversations: the chat-style mini-program (docs/conversation.md)
    def start_conversation(self, locale=None):
        """A new conversation with the bot's first messages (`transcript`)."""
        return self._sb("POST", "/conversations", json={"locale": locale} if locale else {})

    def conversations(self):
        return self._sb("GET", "/conversations")

    def conversation(self, cid):
        """The conversation with its whole transcript (a reconnecting client starts here)."""
        return self._sb("GET", f"/conversations/{cid}")

    def messages_after(self, cid, after=0):
        """{"messages": [seq > after], "step", "accepts", ...}: what to poll while waiting."""
        return self._sb("GET", f"/conversations/{cid}/messages", params={"after": after})

    def reply(self, cid, choice=None, form=None, text=None, command=None, client_message_id=None, retries=2):
        """Send one answer (exactly one of choice, form, text, command). A network failure is
        retried with the same client_message_id, which the server answers only once."""
        answer = {
            k: v for k, v in (("choice", choice), ("form", form), ("text", text), ("command", command)) if v is not None
        }
        if len(answer) != 1:
            raise ValueError("reply() takes exactly one of choice, form, text, command")
        body = {"client_message_id": client_message_id or str(uuid.uuid4()), **answer}
        for attempt in range(retries + 1):
            try:
                return self._sb("POST", f"/conversations/{cid}/replies", json=body)
            except (requests.ConnectionError, requests.Timeout):
                if attempt == retries:
                    raise

    # the clock (moves need the control token)
    def clock(self):
        return self._sb("GET", "/clock")

    def advance(self, duration=None, until_idle=False, include_deadlines=False):
        return self._ctl(
            "POST",
            "/clock/advance",
            json={"duration": duration, "until_idle": until_idle, "include_deadlines": include_deadlines},
            timeout=max(self.timeout, CLOCK_MOVE_TIMEOUT),
        )

    def set_scale(self, scale):
        return self._ctl("PUT", "/clock/scale", json={"scale": scale}, timeout=max(self.timeout, CLOCK_MOVE_TIMEOUT))

    # the session as a scenario file
    def recording(self, format="yaml"):
        """The sandbox's session as a scenario file (text: YAML, or JSON with format="json")."""
        return self.request_text(
            "GET", f"/sandboxes/{self.sid}/recording", params={"format": format} if format != "yaml" else None
        )
