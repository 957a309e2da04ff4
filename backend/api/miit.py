"""MIIT's SMS verification: the order's per-person checks, resend, and MIIT's page (/miit/verify).

The check itself is POST …/applications/<id>/sms-verification (code + person or mobile +
last six ID digits); this blueprint lists the checks and resends a code. `install(app)`
serves the page that plays beian.miit.gov.cn's verification form for the simulated phone:
static files (next to the mini-program page) calling this API with the sandbox token the
user types in — never a token in a URL.
"""

from flask import current_app, send_from_directory
from flask.views import MethodView
from marshmallow import Schema, fields

from backend.api import common
from backend.api.blueprint import Blueprint
from backend.api.miniprogram import CONFIG_KEY
from backend.api.schema_base import ID_LAST6, MOBILE, PERSON_ID, StrictInteger
from backend.services import verification

blp = Blueprint(
    "miit",
    __name__,
    url_prefix="/api/v1/sandboxes/<sid>/applications/<app_id>/verifications",
    description="工信部短信核验：每位负责人（不同手机号）各自核验；重新获取核验码",
)


class VerificationSchema(Schema):
    person = fields.String()
    roles = fields.List(fields.String())
    name = fields.String()
    mobile_masked = fields.String()
    state = fields.String(metadata={"description": "pending | verified | failed"})
    attempts_left = StrictInteger()
    sent_at = fields.String()
    expires_at = fields.String()
    verified_at = fields.String(allow_none=True)
    sends = StrictInteger()


class ResendSchema(Schema):
    class Meta:
        ordered = True

    person = fields.String(load_default=None, validate=PERSON_ID)
    mobile = fields.String(load_default=None, validate=MOBILE)
    id_last6 = fields.String(load_default=None, validate=ID_LAST6)


@blp.route("")
class Verifications(MethodView):
    @blp.response(200, VerificationSchema(many=True))
    @blp.doc(security=common.SECURITY)
    @common.needs("sandbox")
    def get(self, sid, app_id):
        """The order's MIIT checks: who, masked mobile, state, attempts left, expires at"""
        return verification.listing(common.redis(), sid, app_id)


@blp.route("/resend")
class Resend(MethodView):
    @blp.arguments(ResendSchema)
    @blp.response(200, VerificationSchema(many=True))
    @blp.doc(security=common.SECURITY)
    @common.needs("sandbox")
    def post(self, data, sid, app_id):
        """MIIT's 短信重发: a new code for one person (mobile + last 6 ID digits, or person); the old one
        stops working. 429 when too soon; 409 when nothing is pending, 404 when the phone or ID digits are nobody's (MIIT's words)"""
        app = verification.resend(
            common.redis(), sid, app_id, person=data["person"], mobile=data["mobile"], id_last6=data["id_last6"]
        )
        return app["verifications"]


def _send(name):
    response = send_from_directory(current_app.config[CONFIG_KEY], "miit/" + name)
    response.headers["Cache-Control"] = "no-cache"
    return response


def page():
    return _send("verify.html")


def asset(name):
    return _send(name)


def install(app):
    """/miit/verify and its assets, from the page folder's miit/ (after miniprogram.install)."""
    app.add_url_rule("/miit/verify", "miit_verify", page, methods=["GET"])
    app.add_url_rule("/miit/<path:name>", "miit_asset", asset, methods=["GET"])
