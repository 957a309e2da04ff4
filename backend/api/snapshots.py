"""State snapshots over HTTP (control token): GET a sandbox's whole state as JSON, POST one
to replace a sandbox's state. Bodies are capped like every request (1 MiB: 413)."""

import json

from flask import Response, request
from flask.views import MethodView

from backend.api import common, schemas as s
from backend.api.blueprint import Blueprint
from backend.domain.errors import validation_failed
from backend.services import snapshots

blp = Blueprint(
    "snapshots",
    __name__,
    url_prefix="/api/v1/sandboxes",
    description="沙箱状态快照（控制令牌）：导出整个沙箱的状态，导入到另一个沙箱",
)


@blp.route("/<sid>/snapshot")
class Snapshot(MethodView):
    @blp.doc(
        security=common.SECURITY,
        responses={
            "200": {"description": "快照（JSON）：format、version、sandbox、keys", "content": {"application/json": {}}}
        },
    )
    @common.needs("control")
    def get(self, sid):
        """Export the sandbox's whole state (applications, records, numbers, outbox, timers, clock) as a snapshot"""
        text = json.dumps(snapshots.export(common.redis(), sid), ensure_ascii=False)
        response = Response(text, mimetype="application/json")
        response.headers["Content-Disposition"] = f'attachment; filename="{sid}.snapshot.json"'
        response.headers["Cache-Control"] = "no-store"
        return response

    @blp.response(200, s.SandboxSchema)
    @blp.doc(security=common.SECURITY, requestBody={"content": {"application/json": {}}})
    @common.needs("control")
    def post(self, sid):
        """Replace the sandbox's state with a snapshot (its id, name and token stay; timers re-armed)"""
        body = request.get_json(silent=True)
        if body is None:
            raise validation_failed({"_schema": ["请求体须为 JSON 快照"]})
        return snapshots.restore(common.redis(), sid, body)
