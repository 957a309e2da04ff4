"""The SDK's registry calls and a non-first kind through it (in-process, over Flask's test client)."""

from conftest import CONTROL
from support.flask_http import BASE_URL, FlaskSession

from mock_miniprogram.sdk import Control


def test_seed_then_access_filing_with_the_sdk(app):
    control = Control(BASE_URL, CONTROL, session=FlaskSession(app))
    sb = control.new_sandbox(seed=3, settings={"pre_submit_checks": False})  # the registry, not the stages
    seeded = sb.seed_entity(
        name="深圳市某某科技有限公司",
        type="enterprise",
        certificate_type="uscc",
        certificate_number="91440300MA5FGHJK0P",
        province="44",
        number="粤ICP备19000123号",
        websites=[{"name": "某某科技官网", "domain": "moumou-tech.cn"}],
    )
    assert seeded["websites"][0]["number"] == "粤ICP备19000123号-1"
    assert [r["website"]["number"] for r in sb.registry_query(domain="moumou-tech.cn")] == ["粤ICP备19000123号-1"]
    sb.create_domain("moumou-tech.cn", "深圳市某某科技有限公司", "91440300MA5FGHJK0P")
    ip = sb.eligibility()["usable_ips"][0]["ip"]
    app_ = sb.create_application(
        "access_filing",
        {"entity_number": "粤ICP备19000123号", "websites": [{"domain": "moumou-tech.cn", "nat_ip": ip}]},
    )
    sb.act(app_["id"], "submit")
    sb.advance(until_idle=True)
    sb.verify_sms(app_["id"], sb.sms_code(app_["id"]))
    sb.advance(until_idle=True)
    done = sb.application(app_["id"])
    assert done["state"] == "approved" and done["result"]["website_numbers"] == ["粤ICP备19000123号-1"]
    assert sb.registry_query(domain="moumou-tech.cn")[0]["access_providers"] == ["other", "tencent"]


def test_sdk_lists_every_page_of_sandboxes(app):
    """Control.sandboxes() follows X-Next-Cursor: five sandboxes in pages of two."""
    control = Control(BASE_URL, CONTROL, session=FlaskSession(app))
    made = {control.new_sandbox(seed=n).sid for n in range(5)}
    listed = [s["id"] for s in control.sandboxes(limit=2)]
    assert made <= set(listed) and len(listed) == len(set(listed))
    assert len(control.sandboxes(limit=2, max_pages=1)) == 2
