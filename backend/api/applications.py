"""Applications (备案订单): create, edit, act, verify the SMS code, read the history."""

from flask.views import MethodView
from marshmallow import ValidationError

from backend.api import common, errors, schemas as s
from backend.api.blueprint import Blueprint
from backend.domain import workflow
from backend.domain.errors import fail, validation_failed
from backend.services import applications

blp = Blueprint(
    "applications",
    __name__,
    url_prefix="/api/v1/sandboxes/<sid>/applications",
    description="备案订单：创建、修改、提交、撤销、重新提交、短信核验、历史",
)

# The actions of this endpoint are the workflow table's rows offered `via="action"`
# (edit is the PATCH of the order, verify_sms the sms-verification endpoint).
ACTIONS = workflow.actions_via("action")


@blp.route("")
class Applications(MethodView):
    @blp.response(200, s.ApplicationSchema(many=True))
    @blp.doc(security=common.SECURITY)
    @common.needs("sandbox")
    def get(self, sid):
        """List the account's applications"""
        return applications.list_all(common.redis(), sid)

    @blp.arguments(s.ApplicationCreateSchema)
    @blp.response(201, s.ApplicationSchema)
    @blp.doc(security=common.SECURITY)
    @common.needs("sandbox")
    def post(self, data, sid):
        """Create an application as a draft (entity and website info are validated at once)"""
        return applications.create(common.redis(), sid, data["kind"], common.plain(data["payload"]))


@blp.route("/<app_id>")
class Application(MethodView):
    @blp.response(200, s.ApplicationSchema)
    @blp.doc(security=common.SECURITY)
    @common.needs("sandbox")
    def get(self, sid, app_id):
        """Read an application: state, WeChat status codes, allowed actions, audit_data, numbers"""
        return applications.get(common.redis(), sid, app_id, reader=common.reader(sid))

    @blp.arguments(s.ApplicationPatchSchema)
    @blp.response(200, s.ApplicationSchema)
    @blp.doc(security=common.SECURITY)
    @common.needs("sandbox")
    def patch(self, data, sid, app_id):
        """Edit a draft or a rejected application (JSON merge patch of the payload)"""
        kind = applications.get(common.redis(), sid, app_id)["kind"]
        try:
            patch = s.load_payload(kind, data["payload"], partial=True)
        except ValidationError as e:
            raise validation_failed(errors.flatten(e.messages)) from None
        return applications.edit(common.redis(), sid, app_id, common.plain(patch))


@blp.route("/<app_id>/actions/<action>")
class Action(MethodView):
    @blp.arguments(s.ActionSchema)
    @blp.response(200, s.ApplicationSchema)
    @blp.doc(
        security=common.SECURITY,
        parameters=[{"in": "path", "name": "action", "required": True, "schema": {"type": "string", "enum": ACTIONS}}],
    )
    @common.needs("sandbox")
    def post(self, data, sid, app_id, action):
        """Perform a user action: submit, resubmit, withdraw, recall (撤销备案 back to a draft during provider review), reopen (409 when the state forbids it)"""
        if action not in ACTIONS:
            raise fail("ACTION_UNKNOWN", f"未知的操作：{action}", allowed=ACTIONS)
        return applications.act(common.redis(), sid, app_id, action, data.get("reason"))


@blp.route("/<app_id>/sms-verification")
class SmsVerification(MethodView):
    @blp.arguments(s.SmsCodeSchema)
    @blp.response(200, s.SmsVerifiedSchema)
    @blp.doc(security=common.SECURITY)
    @common.needs("sandbox")
    def post(self, data, sid, app_id):
        """MIIT SMS check of one person: code (+ person or mobile, + last 6 ID digits); 422 when wrong, the 6th wrong one too; `message` is MIIT's answer"""
        return applications.verify_sms(
            common.redis(),
            sid,
            app_id,
            data["code"],
            person=data["person"],
            mobile=data["mobile"],
            id_last6=data["id_last6"],
        )


@blp.route("/<app_id>/history")
class History(MethodView):
    @blp.response(200, s.HistoryEventSchema(many=True))
    @blp.doc(security=common.SECURITY)
    @common.needs("sandbox")
    def get(self, sid, app_id):
        """Every transition with virtual time, actor and reason"""
        return applications.history(common.redis(), sid, app_id)
