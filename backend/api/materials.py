"""The stages before submission: materials (multipart uploads), the face-check tasks, the
checklist of what is missing, the letter templates and the forms' reference data."""

import io
import re

from flask import Response, request
from flask.views import MethodView
from marshmallow import fields
from werkzeug.formparser import FormDataParser

from backend.api import common
from backend.api.blueprint import Blueprint
from backend.api.schema_base import Strict, StrictBoolean, one_of
from backend.domain import face_check, forms_rules, limits, uploads
from backend.domain.errors import fail
from backend.services import face_checks, materials

blp = Blueprint(
    "materials",
    __name__,
    url_prefix="/api/v1",
    description="提交前的步骤：上传资料、真实性核验（人脸核验）、提交前检查、模板和表单选项",
)

APP = "/sandboxes/<sid>/applications/<app_id>"
_FILE_PART = re.compile(rb'name="?file"?;\s*filename')
TEMPLATES = {"commitment_letter": "网站备案承诺书", "authorization_letter": "法定代表人授权书"}


class FaceResultSchema(Strict):
    passed = StrictBoolean(required=True)
    reason = fields.String(load_default=None, validate=one_of(face_check.REPORTABLE_REASONS))


@blp.route(APP + "/requirements")
class Requirements(MethodView):
    @blp.doc(security=common.SECURITY, responses=common.ok_doc("提交前还缺什么"))
    @common.needs("sandbox")
    def get(self, sid, app_id):
        """What is missing before submission: forms, face checks, materials (readiness.missing)"""
        return face_checks.requirements(common.redis(), sid, app_id, reader=common.reader(sid))


@blp.route(APP + "/materials")
class Materials(MethodView):
    @blp.doc(security=common.SECURITY, responses=common.ok_doc("资料清单及已上传的资料"))
    @common.needs("sandbox")
    def get(self, sid, app_id):
        """The order's required material slots (process.md §3.1) and their uploads"""
        return materials.checklist(common.redis(), sid, app_id, reader=common.reader(sid))


@blp.route(APP + "/materials/<slot>")
class Material(MethodView):
    max_body_bytes = limits.MAX_UPLOAD_REQUEST_BYTES  # up to it an over-size file is told its size

    @staticmethod
    def body_too_large(declared):
        return uploads.too_large(declared, whole_request=True)

    @blp.response(201)  # its one success: the journal's entry rides in its commit (api/journal.py)
    @blp.doc(
        security=common.SECURITY,
        requestBody={
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"file": {"type": "string", "format": "binary"}},
                        "required": ["file"],
                    }
                }
            }
        },
    )
    @common.needs("sandbox")
    def post(self, sid, app_id, slot):
        """Upload one slot's image (multipart/form-data, field `file`; colour JPG/PNG, ≤ 4 MB, short side ≥ 300 px)"""
        upload = request.files.get("file")
        if upload is None:
            raise _no_file()
        data = upload.stream.read()  # the body is at most MAX_UPLOAD_REQUEST_BYTES
        if len(data) > limits.MAX_UPLOAD_BYTES:
            raise uploads.too_large(len(data))
        name = uploads.clean_filename(upload.filename, slot)
        return materials.upload(common.redis(), sid, app_id, slot, name, data), 201

    @blp.doc(security=common.SECURITY, responses=common.ok_doc("已上传的图片", "image/jpeg", "image/png"))
    @common.needs("sandbox")
    def get(self, sid, app_id, slot):
        """The uploaded image itself"""
        doc, data = materials.read_bytes(common.redis(), sid, app_id, slot)
        return Response(data, mimetype=doc["content_type"])


def _no_file():
    """Why a multipart body has no file `file`: werkzeug drops the whole form silently when a
    filename is not UTF-8 (GBK from some clients), a part whose header a raw line break cut
    is no file either, nor is a body cut short; parsing again, loudly, tells them apart."""
    body = request.get_data(cache=True) if request.mimetype == "multipart/form-data" else b""
    try:
        parser = FormDataParser(silent=False)
        parser.parse(io.BytesIO(body), request.mimetype, len(body), request.mimetype_params)
    except UnicodeDecodeError:
        return uploads.filename_not_utf8()
    except ValueError:  # werkzeug: the body ended before the closing `--boundary--`
        message = "上传的内容不完整：请求在文件传完之前就结束了，请重新上传"
        return fail("UPLOAD_INCOMPLETE", message, errors={"file": [message]})
    if _FILE_PART.search(body):  # a file part was sent, yet none arrived: its header is broken
        message = "无法读取文件分段的头部：文件名不能含换行符等控制字符，请重命名文件后重新上传"
        return fail("UPLOAD_FILENAME_INVALID", message, errors={"file": [message]})
    return fail(
        "UPLOAD_FILE_MISSING", errors={"file": ["请以 multipart/form-data 上传文件（字段名 file，须为文件而非文本）"]}
    )


@blp.route(APP + "/face-checks")
class FaceChecks(MethodView):
    @blp.doc(security=common.SECURITY, responses=common.ok_doc("订单的人脸核验任务"))
    @common.needs("sandbox")
    def get(self, sid, app_id):
        """The order's face-check tasks (face_status 0/1/2/3, is_finish, notice and task expiry)"""
        return face_checks.list_for(common.redis(), sid, app_id, reader=common.reader(sid))

    @blp.response(201)
    @blp.doc(security=common.SECURITY)
    @common.needs("sandbox")
    def post(self, sid, app_id):
        """Start 真实性核验: a task and a notice (valid 24 h) for every website owner"""
        return face_checks.start(common.redis(), sid, app_id), 201


@blp.route("/sandboxes/<sid>/face-checks/<task_id>")
class FaceCheck(MethodView):
    @blp.doc(security=common.SECURITY, responses=common.ok_doc("人脸核验任务"))
    @common.needs("sandbox")
    def get(self, sid, task_id):
        """One task, as the owner's phone sees it"""
        return face_checks.get(common.redis(), sid, task_id)


@blp.route("/sandboxes/<sid>/face-checks/<task_id>/result")
class FaceCheckResult(MethodView):
    @blp.arguments(FaceResultSchema)
    @blp.response(200)
    @blp.doc(security=common.SECURITY)
    @common.needs("sandbox")
    def post(self, data, sid, task_id):
        """The owner's phone reports: passed, or failed with a reason (a failure may be retried within 24 h)"""
        return face_checks.complete(common.redis(), sid, task_id, data["passed"], data.get("reason"))


@blp.route("/sandboxes/<sid>/face-checks/<task_id>/begin")
class FaceCheckBegin(MethodView):
    @blp.response(200)  # declared: its journal entry rides in its commit
    @blp.doc(security=common.SECURITY)
    @common.needs("sandbox")
    def post(self, sid, task_id):
        """The owner's phone opened the notice and began recording: face_status 0 → 1 (等待中)"""
        return face_checks.begin(common.redis(), sid, task_id)


@blp.route("/sandboxes/<sid>/face-checks/<task_id>/resend")
class FaceCheckResend(MethodView):
    @blp.response(200)  # declared: its journal entry rides in its commit
    @blp.doc(security=common.SECURITY)
    @common.needs("sandbox")
    def post(self, sid, task_id):
        """A new 24 h notice for an unfinished task; after the notice expired, a new task (the answer's `id`)"""
        return face_checks.resend(common.redis(), sid, task_id)


@blp.route("/templates/<name>")
class Template(MethodView):
    @blp.doc(security=[], responses=common.ok_doc("模板（纯文本）", "text/plain"))
    def get(self, name):
        """Download a letter template: commitment_letter (承诺书) or authorization_letter (授权书)"""
        if name not in TEMPLATES:
            raise fail("TEMPLATE_NOT_FOUND", templates=sorted(TEMPLATES))
        body = (forms_rules._DATA / "templates" / f"{name}.txt").read_bytes()
        return Response(
            body, mimetype="text/plain", headers={"Content-Disposition": f"attachment; filename={name}.txt"}
        )


@blp.route("/reference/<table>")
class Reference(MethodView):
    @blp.doc(security=[], responses=common.ok_doc("表单选项"))
    def get(self, table):
        """The forms' options as data: divisions (?parent=440000), languages, pre-approval-types, service-contents,
        entity-types (with the certificates each accepts), certificate-types (with their number rule)"""
        if table == "divisions":
            return forms_rules.children(request.args.get("parent") or None)
        tables = {
            "languages": [{"id": k, "name": v} for k, v in forms_rules.LANGUAGES.items()],
            "pre-approval-types": list(forms_rules.PRE_APPROVAL_TYPES.values()),
            "service-contents": list(forms_rules.SERVICE_CONTENT_TYPES.values()),
            "entity-types": forms_rules.entity_type_table(),
            "certificate-types": forms_rules.certificate_type_table(),
        }
        if table not in tables:
            raise fail("REFERENCE_NOT_FOUND", tables=sorted(tables) + ["divisions"])
        return tables[table]
