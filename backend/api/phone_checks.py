"""Phone OTP while filling the forms (process.md §2.1, §6.3, §9 item 2) and the agreement step
(§1.1): thin routes over services/phone_checks.py."""

from flask.views import MethodView
from marshmallow import fields, validate

from backend.api import common
from backend.api.blueprint import Blueprint
from backend.api.schema_base import Strict
from backend.services import phone_checks

blp = Blueprint(
    "phone_checks",
    __name__,
    url_prefix="/api/v1",
    description="填写表单时的手机验证码（负责人手机号）与《腾讯云备案服务信息收集及使用说明》",
)

APP = "/sandboxes/<sid>/applications/<app_id>"


class PhoneCodeSchema(Strict):
    code = fields.String(required=True, validate=validate.Regexp(r"^[0-9]{6}$", error="验证码为 6 位数字。"))


@blp.route(APP + "/phone-checks")
class PhoneChecks(MethodView):
    @blp.doc(security=common.SECURITY, responses=common.ok_doc("需验证的负责人手机号"))
    @common.needs("sandbox")
    def get(self, sid, app_id):
        """The responsible people's mobiles the order must verify, one per distinct mobile (verified, state, code expiry)"""
        return phone_checks.list_for(common.redis(), sid, app_id, reader=common.reader(sid))


@blp.route(APP + "/phone-checks/<mobile>/send")
class PhoneCheckSend(MethodView):
    @blp.response(201)
    @blp.doc(security=common.SECURITY)
    @common.needs("sandbox")
    def post(self, sid, app_id, mobile):
        """SendSmsVerificationCode: a 6-digit code (valid 5 min) by SMS to the mobile, and by e-mail"""
        return phone_checks.send(common.redis(), sid, app_id, mobile), 201


@blp.route(APP + "/phone-checks/<mobile>/verify")
class PhoneCheckVerify(MethodView):
    @blp.arguments(PhoneCodeSchema)
    @blp.response(200)
    @blp.doc(security=common.SECURITY)
    @common.needs("sandbox")
    def post(self, data, sid, app_id, mobile):
        """CheckSmsVerificationCode: the code typed back verifies the mobile (5 wrong entries spend the code)"""
        return phone_checks.verify(common.redis(), sid, app_id, mobile, data["code"])


@blp.route(APP + "/agreement")
class Agreement(MethodView):
    @blp.doc(security=common.SECURITY, responses=common.ok_doc("是否已同意说明"))
    @common.needs("sandbox")
    def get(self, sid, app_id):
        """Whether the user accepted 《腾讯云备案服务信息收集及使用说明》 for this order"""
        return phone_checks.agreement(common.redis(), sid, app_id, reader=common.reader(sid))

    @blp.response(200)
    @blp.doc(security=common.SECURITY)
    @common.needs("sandbox")
    def post(self, sid, app_id):
        """Accept 《腾讯云备案服务信息收集及使用说明》 (recorded on the order with the time)"""
        return phone_checks.accept(common.redis(), sid, app_id)
