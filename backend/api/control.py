"""Control API of issue #5: fault injection, teleport, resets at three scopes, and the
session recording (the hooks that journal every mutating call are api/journal.py's).
"""

import json
import logging
import time

import yaml
from flask import Response, request
from flask.views import MethodView
from marshmallow import Schema, fields, validate

import icpsim_scenario
from backend import config
from backend.api import (
    common,
    journal,
    schemas as s,  # first: installs the zh-CN messages before the fields below
)
from backend.api.blueprint import Blueprint
from backend.api.schema_base import StrictInteger
from backend.domain import faults as F, workflow
from backend.services import bootstrap, control, faults, idle, recording, sandboxes

log = logging.getLogger("icpsim")

blp = Blueprint(
    "control",
    __name__,
    url_prefix="/api/v1",
    description="控制（控制令牌）：故障注入、状态跳转（teleport）、三个范围的重置、会话录制导出为场景文件",
)

SCHEMA_FILE = icpsim_scenario.SCHEMA_PATH  # the shared format package, not the client's files


class FaultRuleSchema(s.Strict):
    """A fault-injection rule (first match wins). `times`: a positive integer, "once" or
    "always" (omitted: always; sms_timeout: once)."""

    effect = fields.String(
        required=True,
        validate=s.one_of(F.EFFECTS),
        metadata={"description": "reject | approve | sms_timeout | delay | face_fail"},
    )
    stage = fields.String(
        load_default=None,
        allow_none=True,
        metadata={
            "description": "reject/approve: provider | bureau | any; "
            "sms_timeout: sms; delay: provider | handover | sms | bureau; face_fail: face"
        },
    )
    times = fields.Raw(load_default=None, allow_none=True, metadata={"description": "1, 2, … | once | always"})
    probability = fields.Float(
        load_default=None,
        allow_none=True,
        metadata={"description": "0 < p ≤ 1, drawn from the sandbox's seeded RNG (reject, approve, face_fail)"},
    )
    reason = fields.String(
        load_default=None,
        allow_none=True,
        validate=s.one_of(F.FACE_REASONS),
        metadata={"description": "face_fail：真实性核验失败的原因（背景、遮挡、他人入镜、未授权摄像头……）"},
    )
    audit_data = s.audit_items("驳回意见 [{code, field, key_name, error, suggest}]")
    codes = fields.List(
        fields.String(),
        load_default=None,
        allow_none=True,
        metadata={"description": "审核规则代码，驳回意见取规则表中的文字"},
    )
    delay = fields.String(load_default=None, allow_none=True, metadata={"description": "例如 2d、36h"})
    app_id = fields.String(load_default=None, allow_none=True)
    kind = fields.String(load_default=None, allow_none=True)
    attempt = StrictInteger(load_default=None, allow_none=True)
    note = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=s.MAX_REASON, error="备注不能超过 {max} 个字符。"),
    )


class FaultSchema(Schema):
    id = fields.String()
    effect = fields.String()
    stage = fields.String()
    times = StrictInteger(allow_none=True)
    used = StrictInteger()
    probability = fields.Float(allow_none=True)
    audit_data = fields.List(fields.Dict())
    delay = fields.String()
    delay_seconds = fields.Float()
    reason = fields.String()
    app_id = fields.String(allow_none=True)
    kind = fields.String(allow_none=True)
    attempt = StrictInteger(allow_none=True)
    note = fields.String(allow_none=True)


class ClearedSchema(Schema):
    cleared = StrictInteger()


class TeleportSchema(s.Strict):
    to = fields.String(
        required=True,
        validate=s.one_of(sorted(workflow.STATES)),
        metadata={"description": "目标状态：须为状态表从当前状态可到达的状态"},
    )
    reason = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=s.MAX_REASON, error="原因不能超过 {max} 个字符。"),
    )
    audit_data = s.audit_items("跳到驳回状态时的驳回意见")


class ResetSchema(s.Strict):
    reason = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=s.MAX_REASON, error="原因不能超过 {max} 个字符。"),
    )


class ResetAllSchema(Schema):
    deleted = StrictInteger()
    recreated = fields.List(fields.String())


class RecordingQuerySchema(s.Strict):
    format = fields.String(load_default="yaml", validate=s.one_of(("yaml", "json")))


# -- faults -------------------------------------------------------------------------


@blp.route("/sandboxes/<sid>/faults")
class Faults(MethodView):
    @blp.response(200, FaultSchema(many=True))
    @blp.doc(security=common.SECURITY)
    @common.needs("control+sandbox")
    def get(self, sid):
        """List the sandbox's fault-injection rules, in matching order (first match wins)"""
        return faults.list_rules(common.redis(), sid)

    @blp.arguments(FaultRuleSchema)
    @blp.response(201, FaultSchema)
    @blp.doc(security=common.SECURITY)
    @common.needs("control+sandbox")
    def post(self, data, sid):
        """Add a rule: force a rejection (once/always/with a probability) or an approval, force an SMS timeout, delay a stage"""
        return faults.add(common.redis(), sid, {k: v for k, v in data.items() if v is not None})

    @blp.response(200, ClearedSchema)
    @blp.doc(security=common.SECURITY)
    @common.needs("control+sandbox")
    def delete(self, sid):
        """Clear every rule"""
        return {"cleared": faults.clear(common.redis(), sid)}


@blp.route("/sandboxes/<sid>/faults/<fault_id>")
class Fault(MethodView):
    @blp.response(204)
    @blp.doc(security=common.SECURITY)
    @common.needs("control+sandbox")
    def delete(self, sid, fault_id):
        """Remove one rule"""
        faults.remove(common.redis(), sid, fault_id)


# -- teleport and resets ----------------------------------------------------------------


@blp.route("/sandboxes/<sid>/applications/<app_id>/teleport")
class Teleport(MethodView):
    @blp.arguments(TeleportSchema)
    @blp.response(200, s.ApplicationSchema)
    @blp.doc(security=common.SECURITY)
    @common.needs("control+sandbox")
    def post(self, data, sid, app_id):
        """Jump an application to a state the workflow table reaches from its current one (history: action teleport, actor system)"""
        return control.teleport(common.redis(), sid, app_id, data["to"], data.get("reason"), data.get("audit_data"))


@blp.route("/sandboxes/<sid>/applications/<app_id>/reset")
class ResetApplication(MethodView):
    @blp.arguments(ResetSchema)
    @blp.response(200, s.ApplicationSchema)
    @blp.doc(security=common.SECURITY)
    @common.needs("control+sandbox")
    def post(self, data, sid, app_id):
        """Reset one application back to a draft (history: action reset)"""
        return control.reset_application(common.redis(), sid, app_id, data.get("reason"))


@blp.route("/sandboxes/<sid>/reset")
class ResetSandbox(MethodView):
    @blp.response(200, s.SandboxSchema)
    @blp.doc(security=common.SECURITY)
    @common.needs("control+sandbox")
    def post(self, sid):
        """Reset one sandbox to its preset and seed (same id and token; faults, journal, clock reset)"""
        return sandboxes.reset(common.redis(), sid)


@blp.route("/reset")
class ResetAll(MethodView):
    @blp.response(200, ResetAllSchema)
    @blp.doc(security=common.SECURITY)
    @common.needs("control")
    def post(self):
        """Reset the whole simulator: every sandbox deleted (the demo sandbox comes back fresh)"""
        return bootstrap.reset_all(common.redis())


# -- recording -----------------------------------------------------------------------------


def dump_yaml(scenario):
    head = (
        "# icpsim scenario (format version 1) — replay with: icpsim replay FILE\n"
        "# schema: icpsim_scenario/scenario.schema.json (GET /api/v1/scenario-schema)\n"
    )
    return head + yaml.safe_dump(scenario, allow_unicode=True, sort_keys=False, width=110)


@blp.route("/sandboxes/<sid>/recording")
class Recording(MethodView):
    @blp.arguments(RecordingQuerySchema, location="query")
    @blp.doc(
        security=common.SECURITY,
        responses={
            "200": {
                "description": "场景文件（YAML，或 ?format=json）",
                "content": {"application/yaml": {}, "application/json": {}},
            }
        },
    )
    @common.needs("sandbox")
    def get(self, query, sid):
        """Export the sandbox's session (REST calls, chat replies, clock moves) as a scenario file that replays to the same result"""
        if request.method == "HEAD":  # the headers only: the export is not computed for nothing
            ext = "json" if query["format"] == "json" else "yaml"
            head = Response(mimetype="application/json" if ext == "json" else "application/yaml")
            head.headers["Content-Disposition"] = f'attachment; filename="{sid}.{ext}"'
            head.headers["Cache-Control"] = "no-store"
            return head
        scenario = recording.export(common.redis(), sid)
        if query["format"] == "json":
            text, mimetype, ext = json.dumps(scenario, ensure_ascii=False, indent=2), "application/json", "json"
        else:
            text, mimetype, ext = dump_yaml(scenario), "application/yaml", "yaml"
        response = Response(text, mimetype=mimetype)
        response.headers["Content-Disposition"] = f'attachment; filename="{sid}.{ext}"'
        lost = recording.dropped(common.redis(), sid)
        if lost is not None:  # the journal hit its cap: the file says so in its description too
            response.headers["X-Icpsim-Recording-Incomplete"] = f"calls={lost['calls']}; bytes={lost['bytes']}"
        response.headers["Cache-Control"] = "no-store"
        return response


@blp.route("/scenario-schema")
class ScenarioSchema(MethodView):
    @blp.doc(
        responses={
            "200": {
                "description": "JSON Schema of scenario files (format version 1)",
                "content": {"application/json": {}},
            }
        }
    )
    def get(self):
        """The JSON Schema scenario files are validated against (no token needed)"""
        return Response(SCHEMA_FILE.read_text(encoding="utf-8"), mimetype="application/json")


MUTATING = journal.MUTATING
_SANDBOX_PATH = journal.SANDBOX_PATH
journal_with_commit = journal.with_commit  # the chat reply's (api/conversations.py)


_last_sweep = [0.0]  # per process: when this process last swept expired sandboxes
_touched = {}  # per process: sandbox id -> (when touched, seconds until it needs touching again)
TOUCH_RECHECK = 30.0  # a sandbox without a time-to-live is asked again after this long


def created(sandbox):
    """A sandbox this process just created: its idle time has just started (its first call here
    need not touch it: one round trip less for the first call of every new sandbox)."""
    _remember(sandbox["id"], time.monotonic(), sandbox.get("idle_ttl_seconds"))
    return sandbox


def _remember(sid, now, ttl):
    """Touched now: asked again after a tenth of its time-to-live, at most TOUCH_RECHECK (bounded memory)."""
    if len(_touched) > 10_000:
        _touched.clear()
    _touched[sid] = (now, min(TOUCH_RECHECK, ttl / 10) if ttl else TOUCH_RECHECK)


def _touch():
    """before_request (after the auth check): a call to a sandbox restarts its idle time (an
    expired one is deleted first, so the call finds it gone). Touches are throttled per
    process (a tenth of the sandbox's time-to-live, at most TOUCH_RECHECK), so a poll costs
    no Redis command; a change (POST, PUT, PATCH, DELETE) also sweeps the other expired
    sandboxes, at most every ICPSIM_IDLE_SWEEP_SECONDS. Never fails a request."""
    try:
        r = common.redis()
        m = _SANDBOX_PATH.match(request.path)
        now = time.monotonic()
        if m:
            sid = m.group(1)
            seen = _touched.get(sid)
            if seen is None or now - seen[0] >= seen[1]:
                _remember(sid, now, idle.touch(r, sid))
        if request.method in MUTATING and now - _last_sweep[0] >= config.idle_sweep_seconds():
            _last_sweep[0] = now
            idle.sweep_idle(r)
    except Exception:  # noqa: BLE001 — housekeeping
        log.exception("idle sandboxes: touch or sweep failed")


def install(app):
    """Register the journal and idle time-to-live hooks; call after `app.before_request(common.check_auth)`."""
    app.before_request(_touch)
    journal.install(app)
