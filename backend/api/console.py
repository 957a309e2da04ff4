"""The trainer console's API (issue #14, control token): every sandbox with its
applications, the workflow table as a graph, and versions for live updates.

Live updates are conditional polls: `GET …/version` answers with an ETag and, given
If-None-Match with the same tag, 304 and no body (see README, "Live updates").
"""

from flask import jsonify, make_response, request
from flask.views import MethodView
from marshmallow import Schema, fields

from backend.api import common
from backend.api.blueprint import Blueprint
from backend.api.schema_base import StrictInteger
from backend.services import classes, console, live

blp = Blueprint(
    "console",
    __name__,
    url_prefix="/api/v1",
    description="培训控制台（控制令牌）：沙箱与订单总览、状态图、实时更新的版本号（ETag / 304）",
)

NOT_MODIFIED = {"304": {"description": "自 If-None-Match 给出的版本以来没有变化"}}


class VersionSchema(Schema):
    sandbox_id = fields.String()
    version = StrictInteger(metadata={"description": "沙箱每次写入都会加一"})


class VersionsSchema(Schema):
    etag = fields.String()
    versions = fields.Dict(keys=fields.String(), values=StrictInteger())
    classes = StrictInteger()


class OverviewSchema(Schema):
    etag = fields.String()
    sandboxes = fields.List(fields.Dict())


class WorkflowGraphSchema(Schema):
    states = fields.List(fields.Dict())
    transitions = fields.List(fields.Dict())
    main_path = fields.List(fields.String())
    mermaid = fields.String()
    rejection_reasons = fields.List(fields.Dict())
    face_fail_reasons = fields.List(fields.Dict(), metadata={"description": "真实性核验失败故障的原因"})


def conditional(etag, body):
    """200 with the ETag, or 304 when the client already has this version."""
    if request.if_none_match.contains(etag):
        response = make_response("", 304)
    else:
        response = jsonify(body() if callable(body) else body)
    response.set_etag(etag)
    response.headers["Cache-Control"] = "no-cache"
    return response


def _console_etag():
    r = common.redis()
    versions = live.versions(r)
    return versions, live.etag_of(versions, classes.count(r))


@blp.route("/sandboxes/<sid>/version")
class SandboxVersion(MethodView):
    @blp.response(200, VersionSchema)
    @blp.doc(security=common.SECURITY, responses=NOT_MODIFIED)
    @common.needs("sandbox")
    def get(self, sid):
        """The sandbox's version (an ETag): poll it with If-None-Match, refetch on 200"""
        version = live.sandbox_version(common.redis(), sid)
        return conditional(f"{sid}.{version}", {"sandbox_id": sid, "version": version})


@blp.route("/console/versions")
class Versions(MethodView):
    @blp.response(200, VersionsSchema)
    @blp.doc(security=common.SECURITY, responses=NOT_MODIFIED)
    @common.needs("control")
    def get(self):
        """Every sandbox's version and one ETag over them all (the console polls this)"""
        versions, etag = _console_etag()
        return conditional(etag, {"etag": etag, "versions": versions, "classes": classes.count(common.redis())})


@blp.route("/console/sandboxes")
class Overview(MethodView):
    @blp.response(200, OverviewSchema)
    @blp.doc(security=common.SECURITY, responses=NOT_MODIFIED)
    @common.needs("control")
    def get(self):
        """Every sandbox (at most 500) with its applications' live state and progress"""
        _, etag = _console_etag()
        return conditional(etag, lambda: {"etag": etag, "sandboxes": console.overview(common.redis())})


@blp.route("/console/workflow")
class WorkflowGraph(MethodView):
    @blp.response(200, WorkflowGraphSchema)
    @blp.doc(security=common.SECURITY)
    @common.needs("control")
    def get(self):
        """The workflow table as a graph (states, moves, main path) and as mermaid text"""
        return console.workflow_graph()
