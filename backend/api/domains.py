"""The sandbox's domain registry."""

from flask.views import MethodView

from backend.api import common, schemas as s
from backend.api.blueprint import Blueprint
from backend.services import domains

blp = Blueprint(
    "domains",
    __name__,
    url_prefix="/api/v1/sandboxes/<sid>/domains",
    description="域名注册信息：持有人、实名状态、注册与到期日期",
)


@blp.route("")
class Domains(MethodView):
    @blp.response(200, s.DomainSchema(many=True))
    @blp.doc(security=common.SECURITY)
    @common.needs("sandbox")
    def get(self, sid):
        """List registered domains"""
        return domains.list_all(common.redis(), sid)

    @blp.arguments(s.DomainSchema)
    @blp.response(201, s.DomainSchema)
    @blp.doc(security=common.SECURITY)
    @common.needs("sandbox")
    def post(self, data, sid):
        """Register a domain (holder, real-name status, dates)"""
        return domains.create(common.redis(), sid, common.plain(data))


@blp.route("/<name>")
class Domain(MethodView):
    @blp.response(200, s.DomainSchema)
    @blp.doc(security=common.SECURITY)
    @common.needs("sandbox")
    def get(self, sid, name):
        """Read one domain"""
        return domains.get(common.redis(), sid, name)

    @blp.arguments(s.DomainSchema(partial=True))
    @blp.response(200, s.DomainSchema)
    @blp.doc(security=common.SECURITY)
    @common.needs("sandbox")
    def patch(self, data, sid, name):
        """Change a domain's holder, real-name status or dates"""
        return domains.update(common.redis(), sid, name, common.plain(data))
