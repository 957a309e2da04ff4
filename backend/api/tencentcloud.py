"""Tencent Cloud API 3.0 over HTTP (issue #15): the official SDK, pointed at the simulator,
works unmodified. `install(app, api)` puts the call handler first among the before_request
hooks (before the gateway's Host check: `*.tencentcloudapi.com` is the API, not a customer
site) and registers the sandbox's credential and account routes."""

import base64
import io
import json
import logging
import time
import uuid

import segno
from flask import jsonify, make_response, request
from flask.views import MethodView
from markupsafe import escape
from marshmallow import Schema, fields, validate
from werkzeug.exceptions import RequestEntityTooLarge

from backend import config
from backend.api import common
from backend.api.blueprint import Blueprint
from backend.services import api_credentials, tencentcloud as service
from backend.tencentcloud import actions, ba, errors, params, signature, wire

log = logging.getLogger("icpsim.tencentcloud")

blp = Blueprint(
    "tencentcloud",
    __name__,
    url_prefix="/api/v1/sandboxes/<sid>",
    description="腾讯云 API 3.0：沙箱的 SecretId/SecretKey 与账号实名状态",
)


# -- the API call ------------------------------------------------------------------------


def _answer(body, request_id):
    response = make_response(jsonify(body), 200)  # errors too: the SDK reads Error from a 200
    response.headers["X-TC-RequestId"] = request_id
    return response


def _params(action):
    if request.method == "GET":
        return params.from_query(action.params, request.args.items(multi=True))
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        raise errors.invalid_parameter("The request body is not valid JSON.") from None


def _origin(host_service):
    if host_service:  # reached through a hosts-file entry or a proxy: the simulator's own address
        return f"{request.scheme}://{config.public_host()}"
    return request.host_url.rstrip("/")


def _is_v1():
    return wire.is_v1_call(request.path, request.values)


def _call():
    if request.method not in ("GET", "POST"):
        raise errors.unsupported_protocol(request.method)
    if (request.content_length or 0) > wire.MAX_BODY_BYTES:
        raise errors.request_too_large(wire.MAX_BODY_BYTES)
    headers = request.headers
    if "Authorization" not in headers and _is_v1():
        raise errors.signature_v1_unsupported(request.values.get("SignatureMethod"))
    auth = signature.parse_authorization(headers.get("Authorization"))
    timestamp = signature.parse_timestamp(headers.get("X-TC-Timestamp"))
    signature.check_fresh(timestamp, time.time())  # real time: the client's clock, not the sandbox's
    signature.check_secret_id(auth.secret_id)
    sid, secret_key = api_credentials.lookup(common.redis(), auth.secret_id)
    host_service = wire.service_of_host(request.host)
    scope = host_service or auth.service
    signed = signature.SignedRequest(
        request.method,
        request.path,
        request.query_string.decode("latin-1"),
        dict(headers),
        request.get_data(cache=True),
    )
    signature.verify(signed, auth, timestamp, secret_key, scope)
    name = headers.get("X-TC-Action")
    action = actions.resolve(scope, headers.get("X-TC-Version"), name)
    checked = params.check(action.params, _params(action))
    region = headers.get("X-TC-Region") or wire.DEFAULT_REGION
    return service.call(common.redis(), sid, scope, name, action, checked, region, _origin(host_service))


def handle():
    """before_request, first of all: a Tencent Cloud API call is answered here, whatever it is."""
    on_root = request.path == "/"  # only there is the body read as a form: uploads elsewhere stream
    if not (wire.is_api_call(request.host, request.path, request.headers) or (on_root and _is_v1())):
        return None
    request_id = str(uuid.uuid4())
    try:
        return _answer(wire.success(_call(), request_id), request_id)
    except errors.ApiError as e:
        return _answer(wire.failure(e.code, e.message, request_id), request_id)
    except RequestEntityTooLarge:  # a body without Content-Length that grew past the limit
        e = errors.request_too_large(wire.MAX_BODY_BYTES)
        return _answer(wire.failure(e.code, e.message, request_id), request_id)
    except Exception:  # noqa: BLE001 — the SDK must get its envelope, never an HTML 500
        log.exception("Tencent Cloud API call failed")
        e = errors.internal_error()
        return _answer(wire.failure(e.code, e.message, request_id), request_id)


# -- credentials and the account (the simulator's own REST API) ---------------------------


class CredentialsSchema(Schema):
    id = fields.String()
    secret_id = fields.String(metadata={"description": "SecretId（AKID 开头）"})
    secret_key = fields.String(metadata={"description": "SecretKey：只在创建沙箱和轮换时返回"})


class AccountSchema(Schema):
    real_name_status = fields.String(validate=validate.OneOf(ba.REAL_NAME_STATES, error="可选值：verified、unverified"))
    real_name_type = fields.String(validate=validate.OneOf(ba.REAL_NAME_TYPES, error="可选值：personal、enterprise"))
    level = fields.String(validate=validate.Length(max=16, error="长度不能超过 {max} 个字符。"))

    class Meta:
        unknown = "raise"


def _account_view(acc):
    return {
        "real_name_status": acc["real_name"]["status"],
        "real_name_type": acc["real_name"]["type"],
        "level": acc.get("level") or "",
    }


@blp.route("/credentials/rotate")
class Rotate(MethodView):
    @blp.response(200, CredentialsSchema)
    @blp.doc(security=common.SECURITY)
    @common.needs("control+sandbox")
    def post(self, sid):
        """A new SecretId/SecretKey for the sandbox's Tencent Cloud API; the old pair stops working"""
        return api_credentials.rotate(common.redis(), sid)


@blp.route("/account")
class Account(MethodView):
    @blp.response(200, AccountSchema)
    @blp.doc(security=common.SECURITY)
    @common.needs("sandbox")
    def get(self, sid):
        """The account's real-name state (DescribeGetAuthInfo answers from it)"""
        return _account_view(service.read_account(common.redis(), sid))

    @blp.arguments(AccountSchema)
    @blp.response(200, AccountSchema)
    @blp.doc(security=common.SECURITY)
    @common.needs("sandbox")
    def put(self, data, sid):
        """Set the account's real-name state: verified or unverified, personal or enterprise"""
        return _account_view(service.set_account(common.redis(), sid, **data))


# -- the QR link of CreateWeappQRUrl --------------------------------------------------------


def _html(body, status=200):
    page = (
        f'<!doctype html>\n<html lang="zh-CN"><head><meta charset="utf-8"><title>备案小程序</title>'
        f'<meta name="viewport" content="width=device-width,initial-scale=1"></head>'
        f'<body style="font-family:sans-serif;text-align:center;margin:40px">{body}</body></html>\n'
    )
    response = make_response(page, status)
    response.headers["Content-Type"] = "text/html; charset=utf-8"
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _qr_args():
    return request.args.get("sandbox", ""), request.args.get("exchangeKey", "")


def qr_page():
    """GET /miniprogram/qr?sandbox=…&exchangeKey=…: the QR code (PNG, segno) of the link that opens
    the mock mini-program; `&format=png` is the image alone. Viewing it does not use the key."""
    sid, key = _qr_args()
    if not service.qr_valid(common.redis(), sid, key):
        return _html("<p>二维码已失效，请重新获取。</p>", 404)
    open_url = f"{request.host_url}miniprogram/qr/open?sandbox={sid}&exchangeKey={key}"
    png = io.BytesIO()
    segno.make(open_url, error="m").save(png, kind="png", scale=6, border=2)
    if request.args.get("format") == "png":
        response = make_response(png.getvalue())
        response.headers["Content-Type"] = "image/png"
        response.headers["Cache-Control"] = "no-store"
        return response
    data = base64.b64encode(png.getvalue()).decode()
    return _html(
        f"<h1>腾讯云备案小程序</h1><p>请使用微信扫描二维码进入备案小程序（沙箱 {escape(sid)}）</p>"
        f'<img alt="备案小程序二维码" src="data:image/png;base64,{data}">'
        f'<p><a href="{escape(open_url)}">在浏览器中打开模拟小程序</a></p>'
    )


def qr_open():
    """GET /miniprogram/qr/open: uses the key once; the token goes to the page in this response's
    body (session storage, as the page keeps a token from its URL), never in a URL."""
    sid, key = _qr_args()
    token = service.qr_exchange(common.redis(), sid, key)
    if token is None:
        return _html("<p>链接已使用或已失效，请重新获取二维码。</p>", 404)
    store = json.dumps(f"icpsim.miniprogram.token.{sid}")
    target = json.dumps(f"/miniprogram/?sandbox={sid}")
    script = (
        f"<script>try{{sessionStorage.setItem({store},{json.dumps(token)})}}catch(e){{}}"
        f"location.replace({target});</script>"
    )
    return _html(f"<p>正在打开备案小程序…</p>{script}")


def install(app, api):
    app.before_request_funcs.setdefault(None, []).insert(0, handle)
    api.register_blueprint(blp)
    app.add_url_rule("/miniprogram/qr", "miniprogram_qr", qr_page, methods=["GET"])
    app.add_url_rule("/miniprogram/qr/open", "miniprogram_qr_open", qr_open, methods=["GET"])
