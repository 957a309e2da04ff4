"""Helpers shared by the API tests: error-shape checks, clock moves, filing steps.

Everything goes through the Flask test client (the `Api` wrapper of conftest):
the tests assert on status codes and JSON bodies only.
"""

import io
import re
from datetime import date, timedelta

from conftest import CONTROL, new_sandbox  # noqa: F401  (re-exported for the tests)
from support.images import png
from support.people import credit_code, full_personal_payload, person, personal_payload, resident_id  # noqa: F401

TODAY = date(2026, 6, 1)  # the default virtual date (clock paused at 2026-06-01T09:00:00+08:00)
CJK = re.compile(r"[\u4e00-\u9fff]")
SMS_SENDER = "12381"

# An organisation (enterprise) in Guangdong: its USCC carries division code 440300.
ORG_USCC = credit_code("91440300MA5ABCDE0")
ORG_NAME = "深圳市示例科技有限公司"


def day(n):
    """The ISO date n days after the default virtual date."""
    return (TODAY + timedelta(days=n)).isoformat()


def is_zh(text):
    return isinstance(text, str) and bool(CJK.search(text))


def assert_error(resp, status, code=None):
    """A JSON error body {code, message(zh-CN), ...} with the given status; returns the body."""
    assert resp.status_code == status, (resp.status_code, resp.get_data(as_text=True)[:500])
    assert resp.mimetype == "application/json", (resp.mimetype, resp.get_data(as_text=True)[:200])
    body = resp.get_json()
    assert isinstance(body, dict), body
    assert isinstance(body.get("code"), str) and body["code"], body
    assert is_zh(body.get("message")), body
    if code is not None:
        assert body["code"] == code, body
    return body


def field_errors(resp, *paths):
    """A 422 whose `errors` name each of `paths` with at least one zh-CN message."""
    body = assert_error(resp, 422)
    errors = body.get("errors")
    assert isinstance(errors, dict), body
    for path in paths:
        assert path in errors, (path, errors)
        messages = errors[path]
        assert isinstance(messages, list) and messages, (path, errors)
        assert all(is_zh(m) for m in messages), (path, messages)
    return errors


def ok(resp, status=200):
    assert resp.status_code == status, (resp.status_code, resp.get_data(as_text=True)[:1000])
    return resp.get_json()


# --- clock -------------------------------------------------------------------


def advance(sb, **body):
    """POST ~/clock/advance with the control token (the clock is the operator's)."""
    return ok(sb.post("~/clock/advance", json=body, token=CONTROL))


def until_idle(sb, **extra):
    return advance(sb, until_idle=True, **extra)


# --- world -------------------------------------------------------------------


def eligibility(sb):
    return ok(sb.get("~/eligibility"))


def usable_ip(sb):
    ips = eligibility(sb)["usable_ips"]
    assert ips, "the sandbox has no usable NAT IP"
    return ips[0]["ip"]


def register_domain(sb, name, holder_name="张三", holder_cert=None, **fields):
    from support.people import ZHANG_SAN_ID

    body = {
        "name": name,
        "holder_name": holder_name,
        "holder_certificate_number": holder_cert or ZHANG_SAN_ID,
        **fields,
    }
    return ok(sb.post("~/domains", json=body), 201)


def cloud(sb, path, **body):
    return ok(sb.post(f"~/cloud/{path}", json=body), 201)


def system_ip(sb, env_id=None):
    """A system VPC + system micro NAT + a service in it; returns the NAT gateway."""
    if env_id is None:
        env_id = cloud(sb, "environments", name="prod")["id"]
    vpc = cloud(sb, "vpcs", env_id=env_id, created_by="system")
    nat = cloud(sb, "nat-gateways", vpc_id=vpc["id"], created_by="system", size="micro")
    cloud(sb, "services", env_id=env_id, vpc_id=vpc["id"], name=f"svc-{vpc['id']}")
    return nat


# --- applications --------------------------------------------------------------


def create_app(sb, payload, kind="first_filing"):
    return ok(sb.post("~/applications", json={"kind": kind, "payload": payload}), 201)


def get_app(sb, app_id):
    return ok(sb.get(f"~/applications/{app_id}"))


def act(sb, app_id, action, **body):
    return ok(sb.post(f"~/applications/{app_id}/actions/{action}", json=body))


def history(sb, app_id):
    return ok(sb.get(f"~/applications/{app_id}/history"))


def outbox(sb, **query):
    return ok(sb.get("~/outbox", query_string=query))


def sms_messages(sb, app_id):
    return [m for m in outbox(sb, channel="sms", app_id=app_id) if m["code"] == "MIIT_SMS_CODE"]


def sms_code(sb, app_id):
    """The 6-digit MIIT code of the latest verification SMS."""
    msgs = sms_messages(sb, app_id)
    assert msgs, "no MIIT SMS in the outbox"
    codes = re.findall(r"(?<!\d)(\d{6})(?!\d)", msgs[-1]["text"])
    assert len(codes) == 1, msgs[-1]
    return codes[0]


def wrong_code(code):
    return f"{(int(code) + 1) % 1_000_000:06d}"


def verify(sb, app_id, code):
    return sb.post(f"~/applications/{app_id}/sms-verification", json={"code": code})


def otp_code(sb, app_id, mobile):
    """The 6-digit code of the latest phone-OTP SMS to `mobile` (services/phone_checks.py)."""
    msgs = [m for m in outbox(sb, channel="sms", app_id=app_id) if m["code"] == "PHONE_OTP_CODE" and m["to"] == mobile]
    assert msgs, f"no OTP SMS to {mobile}"
    return re.findall(r"(?<!\d)(\d{6})(?!\d)", msgs[-1]["text"])[0]


def confirm_contacts(sb, app_id):
    """The user accepts the agreement and verifies every responsible mobile the order names with
    the OTP texted to it (the stages pre_submit_checks asks before the face check)."""
    ok(sb.post(f"~/applications/{app_id}/agreement"))
    for phone in ok(sb.get(f"~/applications/{app_id}/phone-checks")):
        if phone["verified"]:
            continue
        ok(sb.post(f"~/applications/{app_id}/phone-checks/{phone['mobile']}/send"), 201)
        code = otp_code(sb, app_id, phone["mobile"])
        assert ok(sb.post(f"~/applications/{app_id}/phone-checks/{phone['mobile']}/verify", json={"code": code}))[
            "verified"
        ]


def to_sms(sb, app_id):
    """From provider_review: advance until idle, which stops at the SMS prompt."""
    until_idle(sb)
    app = get_app(sb, app_id)
    assert app["state"] == "sms_verification", app
    return app


def latest_codes(sb, app_id):
    """{mobile: its latest MIIT code} of the order (one code per distinct mobile)."""
    out = {}
    for m in sms_messages(sb, app_id):
        out[m["to"]] = re.findall(r"(?<!\d)(\d{6})(?!\d)", m["text"])[0]
    return out


def verify_all(sb, app_id):
    """Every responsible person verifies with their own mobile and latest code; returns the app."""
    app = get_app(sb, app_id)
    for mobile, code in latest_codes(sb, app_id).items():
        if app["state"] != "sms_verification":
            break
        body = {"code": code} if mobile == "account" else {"code": code, "mobile": mobile}
        app = ok(sb.post(f"~/applications/{app_id}/sms-verification", json=body))
    return app


def verify_and_finish(sb, app_id):
    """From sms_verification: everybody enters their code, advance until idle; returns the app."""
    app = verify_all(sb, app_id)
    assert app["state"] == "bureau_review", app
    until_idle(sb)
    return get_app(sb, app_id)


def upload(sb, app_id, slot, data=None, name="x.png"):
    """A material as a real multipart upload (a readable PNG unless `data` says otherwise)."""
    return sb.call(
        "POST",
        f"~/applications/{app_id}/materials/{slot}",
        data={"file": (io.BytesIO(png() if data is None else data), name)},
        content_type="multipart/form-data",
    )


def pass_face_check(sb, app_id):
    """Every website owner's face check started and passed on the simulated phone."""
    tasks = ok(sb.post(f"~/applications/{app_id}/face-checks"), 201)
    for task in tasks:
        ok(sb.post(f"~/face-checks/{task['id']}/result", json={"passed": True}))
    return tasks


def complete_the_stages(sb, app_id):
    """The stages before submission of a sandbox with pre_submit_checks (the default): the
    agreement and each responsible mobile's code, the face checks passed and every required
    material uploaded; the forms are the payload's business."""
    confirm_contacts(sb, app_id)
    pass_face_check(sb, app_id)
    need = ok(sb.get(f"~/applications/{app_id}/requirements"))
    for row in need["missing"]:
        if row["stage"] == "materials":
            ok(upload(sb, app_id, row["path"]), 201)
    need = ok(sb.get(f"~/applications/{app_id}/requirements"))
    assert need["ready"], need


def file_and_approve(sb, payload):
    """Create, submit, reach the SMS prompt, verify, let the bureau decide; returns the app."""
    app = create_app(sb, payload)
    act(sb, app["id"], "submit")
    to_sms(sb, app["id"])
    app = verify_and_finish(sb, app["id"])
    assert app["state"] == "approved", app
    return app


def org_payload(nat_ips, domains, name=ORG_NAME, uscc=ORG_USCC, province="44"):
    websites = [
        {
            "name": site_name,
            "domain": domain,
            "service_content": "enterprise_site",
            "filing_type": "cloudbase_run",
            "nat_ip": ip,
        }
        for (domain, site_name), ip in zip(domains, nat_ips)
    ]
    return {
        "entity": {
            "type": "enterprise",
            "name": name,
            "certificate_type": "uscc",
            "certificate_number": uscc,
            "province": province,
            "address": "广东省深圳市南山区科技园路 2 号",
            "responsible": person(name="王五", mobile="13900139000", email="wangwu@example.com"),
        },
        "websites": websites,
    }
