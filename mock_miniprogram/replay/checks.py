"""A step's `expect`: what it says compared with what the simulator answered and holds now."""

from mock_miniprogram.replay import expect as E
from mock_miniprogram.replay.outcome import StepError, same_instant


class Expectations:
    """Part of a run (runner._Run): checks a step's expectations."""

    def _check(self, want, status, body, has_response=True):
        out = []
        for key, expected in want.items():
            check = _KEY_CHECKS.get(key)
            if check is not None:
                out += check(self, expected, status, body)
        app_keys = {k: v for k, v in want.items() if k in _APP_KEYS}
        if app_keys:
            out += self._check_app_keys(want.get("app"), app_keys, status, body)
        return out

    def _check_app_keys(self, ref, app_keys, status, body):
        """The expectations about one application (`app:`, else the last one)."""
        app = self.app_id(ref) if ref is not None else self.last_app
        if app is None:
            if status is not None and status >= 400:
                return [E.Mismatch("app", "an application", body, f"the step answered {status}")]
            raise StepError("expectations about an application, but there is none yet (app: …)")
        return self._app_check(app, app_keys, who=f"app {app}" if ref is None else f"app {ref}")

    # one method per key of `expect` (what it says, the step's status and body)

    def _expect_status(self, expected, status, body):
        bad = E.match(expected, status, "status")
        if bad and isinstance(body, dict) and body.get("code"):
            bad[0].note = f"answer: {E.show(body, 400)}"
        return bad

    def _expect_error(self, expected, status, body):
        return E.match(expected, (body or {}).get("code") if isinstance(body, dict) else None, "error")

    def _expect_errors(self, expected, status, body):
        return E.match(expected, (body or {}).get("errors", E.MISSING) if isinstance(body, dict) else body, "errors")

    def _expect_response(self, expected, status, body):
        return E.match(expected, body, "response")

    def _expect_applications(self, expected, status, body):
        out = []
        for ref, app_want in expected.items():
            out += self._app_check(self.app_id(ref), app_want, who=f"applications.{ref}")
        return out

    def _expect_outbox(self, expected, status, body):
        return E.outbox_mismatches(expected, self.get("/outbox"), self.app_id)

    def _expect_outbox_count(self, expected, status, body):
        return E.match(expected, len(self.get("/outbox")), "outbox_count")

    def _expect_gateway(self, expected, status, body):
        out = []
        for item in expected if isinstance(expected, list) else [expected]:
            out += E.gateway_mismatches(item, self.gateway(item["domain"]))
        return out

    def _expect_eligibility(self, expected, status, body):
        return E.eligibility_mismatches(expected, self.get("/eligibility"))

    def _expect_clock(self, expected, status, body):
        now = self.get("/clock")["now"]
        return [] if same_instant(expected, now) else [E.Mismatch("clock", expected, now)]

    def _expect_pending_timers(self, expected, status, body):
        return E.match(expected, [t["name"] for t in self.get("/clock")["pending_timers"]], "pending_timers")

    def _expect_faults(self, expected, status, body):
        return E.records_mismatches(expected, self.get("/faults", token="control"), "faults")

    def _expect_chat(self, expected, status, body):
        if not self.conversation:
            raise StepError("expect.chat: no conversation started")
        return E.match(expected, self.get(f"/conversations/{self.conversation}"), "chat")

    def _app_check(self, app_id, want, who):
        app = self.get(f"/applications/{app_id}")
        history = self.get(f"/applications/{app_id}/history") if "history" in want else None
        return E.app_mismatches(want, app, history, who)

    def gateway(self, domain):
        """What CloudBase Run's gateway answers for a request to `domain` in this sandbox."""
        resp = self.session.get(
            f"{self.runner.url}/",
            headers={"Host": domain, "X-Icpsim-Sandbox": self.sb.sid},
            allow_redirects=False,
            timeout=self.runner.timeout,
        )
        return {
            "status": resp.status_code,
            "served": resp.status_code == 200,
            "reason": resp.headers.get("X-Icpsim-Gateway"),
        }


_APP_KEYS = frozenset(
    {
        "state",
        "state_zh",
        "waits_on",
        "wechat",
        "wechat_status",
        "sms_verify_status",
        "allowed_actions",
        "attempt",
        "audit_codes",
        "record_number",
        "website_numbers",
        "history",
        "payload",
    }
)


def _records(key):
    return lambda run, expected, status, body: E.records_mismatches(expected, run.get(f"/{key}"), key)


_KEY_CHECKS = {
    "status": Expectations._expect_status,
    "error": Expectations._expect_error,
    "errors": Expectations._expect_errors,
    "response": Expectations._expect_response,
    "applications": Expectations._expect_applications,
    "outbox": Expectations._expect_outbox,
    "outbox_count": Expectations._expect_outbox_count,
    "gateway": Expectations._expect_gateway,
    "eligibility": Expectations._expect_eligibility,
    "clock": Expectations._expect_clock,
    "pending_timers": Expectations._expect_pending_timers,
    "entities": _records("entities"),
    "websites": _records("websites"),
    "faults": Expectations._expect_faults,
    "chat": Expectations._expect_chat,
}
