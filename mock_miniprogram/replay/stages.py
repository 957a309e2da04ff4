"""The steps for the stages before submission (README "Before submission"): the agreement, the
responsible mobiles' OTP codes, the website owners' face checks, the material uploads, and
`prepare_submission` doing them all in process.md §4.1's order.

Each step that makes several calls ends with `GET …/requirements` (what is still missing), so
its `expect:` sees {ready, missing, …}; a call that is refused ends the step there instead, and
its answer is what `expect:` sees (status, error)."""

import functools
import hashlib
import re
import struct
import zlib

from mock_miniprogram.replay.outcome import StepError

ALL_REQUIRED = "all_required"
MATERIAL_NAME = "material.png"


WIDTH, HEIGHT = 800, 600
PAPER, INK, RED = (250, 248, 240), (20, 20, 60), (200, 30, 30)


def _pixel(x, y):
    """A scanned page: a red frame, then lines of dark "words" on light paper (hard edges: sharp)."""
    if 20 <= x < WIDTH - 20 and 20 <= y < HEIGHT - 20 and not (26 <= x < WIDTH - 26 and 26 <= y < HEIGHT - 26):
        return 2
    line, word = (y - 60) % 24, (x // 6 + (y // 24) * 3) % 7
    return 1 if 50 <= x < WIDTH - 50 and 60 <= y < HEIGHT - 60 and line < 9 and word not in (0, 4) else 0


def _chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


@functools.lru_cache(maxsize=1)
def material_png():
    """A colour scan of a printed page, 800×600, as a palette PNG: large and sharp enough for the
    upload's checks and every slot's sharpness threshold. Drawn and encoded here (stored deflate
    blocks, no timestamp), so its bytes are the same on every run and with any Pillow or zlib: a
    replay's transcript (the upload's size and hash) is too."""
    raw = b"".join(b"\x00" + bytes(_pixel(x, y) for x in range(WIDTH)) for y in range(HEIGHT))
    blocks = [raw[i : i + 65535] for i in range(0, len(raw), 65535)]
    deflate = b"".join(
        struct.pack("<BHH", int(i == len(blocks) - 1), len(b), len(b) ^ 0xFFFF) + b for i, b in enumerate(blocks)
    )
    stream = b"\x78\x01" + deflate + struct.pack(">I", zlib.adler32(raw))
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", struct.pack(">IIBBBBB", WIDTH, HEIGHT, 8, 3, 0, 0, 0))
        + _chunk(b"PLTE", bytes(PAPER + INK + RED))
        + _chunk(b"IDAT", stream)
        + _chunk(b"IEND", b"")
    )


def describe_file(name, data):
    """How a transcript shows an uploaded file (never its bytes)."""
    return {"file": {"name": name, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}}


def _spec(spec):
    """A step's value as {app, …}: `step: A0001` and `step:` (null) name only the application."""
    if isinstance(spec, dict):
        return spec
    return {"app": spec}


class StageActions:
    """Part of a run (runner._Run): the steps of the stages before submission."""

    def _refused(self, status):
        return status is not None and status >= 400

    def _requirements(self, app):
        self.request("GET", f"/applications/{app}/requirements")

    def _do_accept_agreement(self, spec):
        app = self.app_id(_spec(self.resolve(spec)).get("app"))
        self.request("POST", f"/applications/{app}/agreement")
        self._app_step(None, app)

    def _otp_code(self, app, mobile):
        for msg in reversed(self.get("/outbox", {"channel": "sms", "app_id": app})):
            if msg.get("code") == "PHONE_OTP_CODE" and msg.get("to") == mobile:
                found = re.search(r"(?<!\d)\d{6}(?!\d)", msg["text"])
                if found:
                    return found.group(0)
        raise StepError(f"no phone code SMS to {mobile} in the outbox for {app}")

    def _verify_phones(self, app, only=None):
        """Each unverified responsible mobile (or only `only`): its code sent unless one is live,
        read from the outbox as the person reads their phone, typed in. True when none was refused."""
        for phone in self.get(f"/applications/{app}/phone-checks"):
            mobile = phone["mobile"]
            if phone.get("verified") or (only is not None and mobile != only):
                continue
            if phone.get("state") != "sent":
                status, _ = self.request("POST", f"/applications/{app}/phone-checks/{mobile}/send")
                if self._refused(status):
                    return False
            code = self._otp_code(app, mobile)
            status, _ = self.request("POST", f"/applications/{app}/phone-checks/{mobile}/verify", {"code": code})
            if self._refused(status):
                return False
        return True

    def _do_verify_phones(self, spec):
        spec = _spec(self.resolve(spec))
        app = self.app_id(spec.get("app"))
        self._app_step(None, app)
        if self._verify_phones(app, spec.get("mobile")):
            self._requirements(app)

    def _face_checks(self, app, passed=True, reason=None, task=None):
        """Start the owners' face checks (a live or passed one is kept) and report each open
        one's result, as the owner's phone does; `task`: report only that one."""
        result = {"passed": passed} if reason is None else {"passed": passed, "reason": reason}
        if task is None:
            status, tasks = self.request("POST", f"/applications/{app}/face-checks")
            if self._refused(status):
                return False
            task_ids = [t["id"] for t in tasks if not t.get("is_finish")]
        else:
            task_ids = [task]
        for one in task_ids:
            status, _ = self.request("POST", f"/face-checks/{one}/result", result)
            if self._refused(status):
                return False
        return True

    def _do_pass_face_checks(self, spec):
        spec = _spec(self.resolve(spec))
        task = spec.get("task")
        app = self.app_id(spec.get("app") or (task.rsplit(":", 1)[0] if task else None))
        self._app_step(None, app)
        if self._face_checks(app, spec.get("passed", True), spec.get("reason"), task):
            self._requirements(app)

    def _upload(self, app, slots):
        if slots in (None, ALL_REQUIRED):
            slots = self.get(f"/applications/{app}/materials")["missing"]
        data = material_png()
        for slot in slots:
            status, _ = self.request(
                "POST", f"/applications/{app}/materials/{slot}", files={"file": (MATERIAL_NAME, data, "image/png")}
            )
            if self._refused(status):
                return False
        return True

    def _do_upload_materials(self, spec):
        spec = _spec(self.resolve(spec))
        app = self.app_id(spec.get("app"))
        self._app_step(None, app)
        if self._upload(app, spec.get("slots")):
            self._requirements(app)

    def _do_prepare_submission(self, spec):
        """§4.1's order: the agreement, the responsible mobiles' codes, the face checks, then the
        materials; ends with what is still missing (nothing, when the forms are complete)."""
        app = self.app_id(_spec(self.resolve(spec)).get("app"))
        self._app_step(None, app)
        status, _ = self.request("POST", f"/applications/{app}/agreement")
        if self._refused(status) or not self._verify_phones(app):
            return
        rows = self.get(f"/applications/{app}/requirements")["missing"]
        if any(row.get("stage") == "face_check" for row in rows) and not self._face_checks(app):
            return
        if self._upload(app, ALL_REQUIRED):
            self._requirements(app)
