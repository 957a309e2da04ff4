"""Cloud resources of the sandbox account, and eligibility for the 云托管 filing type."""

from flask.views import MethodView

from backend.api import common, schemas as s
from backend.api.blueprint import Blueprint
from backend.services import cloud

blp = Blueprint(
    "cloud",
    __name__,
    url_prefix="/api/v1/sandboxes/<sid>",
    description="云资源：环境、资源包、VPC、NAT 网关、服务；云托管备案资格",
)

RESOURCES = (
    ("environments", s.EnvironmentSchema, "CloudBase Run environments (环境)"),
    ("resource-packs", s.ResourcePackSchema, "Resource packs (资源包)"),
    ("vpcs", s.VpcSchema, "VPCs (system-created or custom)"),
    ("nat-gateways", s.NatGatewaySchema, "NAT gateways (IP, creator, size)"),
    ("services", s.ServiceSchema, "Services running in a VPC"),
)


def _resource_view(path, schema, title):
    collection = path.replace("-", "_")

    class View(MethodView):
        @blp.response(200, schema(many=True))
        @blp.doc(security=common.SECURITY, summary=f"List {title}")
        @common.needs("sandbox")
        def get(self, sid):
            return cloud.list_all(common.redis(), sid, collection)

        @blp.arguments(schema)
        @blp.response(201, schema)
        @blp.doc(security=common.SECURITY, summary=f"Create one of {title}")
        @common.needs("sandbox")
        def post(self, data, sid):
            return cloud.create(common.redis(), sid, collection, common.plain(data))

    View.__name__ = f"Cloud_{collection}"
    blp.route(f"/cloud/{path}")(View)


for _path, _schema, _title in RESOURCES:
    _resource_view(_path, _schema, _title)


@blp.route("/eligibility")
class Eligibility(MethodView):
    @blp.response(200, s.EligibilitySchema)
    @blp.doc(security=common.SECURITY)
    @common.needs("sandbox")
    def get(self, sid):
        """Check every 云托管 filing rule: pass/fail, code, message, usable IPs with slots left"""
        return cloud.check(common.redis(), sid)
