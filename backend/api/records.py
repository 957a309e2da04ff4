"""Filings on record (entities 主体, websites 网站) and the record-number validator."""

from flask.views import MethodView

from backend.api import common, schemas as s
from backend.api.blueprint import Blueprint
from backend.services import records

blp = Blueprint(
    "records", __name__, url_prefix="/api/v1/sandboxes/<sid>", description="备案信息：主体、网站及其备案号；备案号校验"
)


@blp.route("/entities")
class Entities(MethodView):
    @blp.response(200, s.RecordSchema(many=True))
    @blp.doc(security=common.SECURITY)
    @common.needs("sandbox")
    def get(self, sid):
        """Entities (主体) on record, with their numbers and access providers"""
        return records.entities(common.redis(), sid)


@blp.route("/websites")
class Websites(MethodView):
    @blp.response(200, s.RecordSchema(many=True))
    @blp.doc(security=common.SECURITY)
    @common.needs("sandbox")
    def get(self, sid):
        """Websites (网站) on record, with their numbers, domains and NAT IPs"""
        return records.websites(common.redis(), sid)


@blp.route("/numbers/validate")
class ValidateNumber(MethodView):
    @blp.arguments(s.NumberQuerySchema, location="query")
    @blp.response(200, s.NumberSchema)
    @blp.doc(security=common.SECURITY)
    @common.needs("sandbox")
    def get(self, query, sid):
        """Validate a record number: its kind, province, serial, site index and suffix, or why it is invalid"""
        return records.describe_number(common.redis(), sid, query["number"])
