"""What entering a state does: SMS codes, notifications, and the effects of approval."""
from backend.domain import kinds, numbering
from backend.domain.clock import iso, to_datetime
from backend.domain.rng import rng
from backend.services import world

SMS_SENDER = "106598051001"  # MIIT's verification sender, as users see it


def notify(tx, app, at, code, text, channel="site", to="account"):
    tx.add_outbox({"id": tx.next_id("outbox", "M", 6), "at": iso(at), "channel": channel, "to": to,
                   "sender": SMS_SENDER if code == "MIIT_SMS_CODE" else "腾讯云备案",
                   "code": code, "app_id": app["id"], "text": text})


def contacts(app):
    """Responsible people (name, mobile, e-mail): the entity's, then each website's."""
    ent = app["payload"]["entity"]["responsible"]
    people = [("entity", ent)]
    for w in app["payload"].get("websites", []):
        people.append(("website", w.get("responsible") or ent))
    return people


def sms_recipients(app):
    wanted = kinds.get(app["kind"]).sms_to
    mobiles = []
    for role, person in contacts(app):
        if role in wanted and person["mobile"] not in mobiles:
            mobiles.append(person["mobile"])  # one code per phone, as MIIT does
    return mobiles


def on_enter(tx, app, row, at):
    handler = _HANDLERS.get(row.target)
    return handler(tx, app, row, at) if handler else app


def _provider_review(tx, app, row, at):
    app = dict(app, attempt=app.get("attempt", 0) + 1, audit_data=[], submitted_at=iso(at))
    notify(tx, app, at, "ORDER_SUBMITTED", f"您的备案订单 {app['id']} 已提交，腾讯云将在 1 个工作日内完成初审。")
    return app


def _provider_approved(tx, app, row, at):
    notify(tx, app, at, "PROVIDER_APPROVED", f"备案订单 {app['id']} 已通过腾讯云初审，将在 1–3 个工作日内提交至管局。")
    return app


def _sms(tx, app, row, at):
    code = f"{rng(world.seed(tx), app['id'], 'sms', app['version']).randint(0, 999999):06d}"
    mobiles = sms_recipients(app)
    for mobile in mobiles:
        notify(tx, app, at, "MIIT_SMS_CODE", f"【工信部】您的ICP备案短信核验码为 {code}，"
               "请在 24 小时内登录备案小程序完成核验。", channel="sms", to=mobile)
    return dict(app, sms={"code": code, "sent_at": iso(at), "wrong": 0, "recipients": mobiles})


def _bureau_review(tx, app, row, at):
    notify(tx, app, at, "SUBMITTED_TO_BUREAU", f"备案订单 {app['id']} 已提交至管局审核。")
    return app


def _rejected(tx, app, row, at):
    who = "管局" if row.target == "bureau_rejected" else "腾讯云"
    reasons = "；".join(a["error"] for a in app.get("audit_data") or []) or row.zh
    notify(tx, app, at, row.target.upper(), f"备案订单 {app['id']} 被{who}驳回：{reasons}。请按驳回意见修改后重新提交。")
    for _, person in contacts(app)[:1]:
        notify(tx, app, at, row.target.upper(), f"您的备案订单 {app['id']} 被驳回，请登录备案小程序查看原因。",
               channel="sms", to=person["mobile"])
    return app


def _approved(tx, app, row, at):
    app = APPROVAL_EFFECTS[app["kind"]](tx, app, at)
    result = app.get("result", {})
    numbers = "、".join([result.get("entity_number", "")] + result.get("website_numbers", []))
    notify(tx, app, at, "BUREAU_APPROVED", f"备案订单 {app['id']} 已通过管局审核，备案号：{numbers}。")
    notify(tx, app, at, "PUBLIC_SECURITY_REMINDER", "请在网站开通之日起 30 日内办理公安联网备案。")
    return app


def _withdrawn(tx, app, row, at):
    notify(tx, app, at, "ORDER_WITHDRAWN", f"备案订单 {app['id']} 已撤销。")
    return app


def _expired(tx, app, row, at):
    notify(tx, app, at, "ORDER_EXPIRED", f"备案订单 {app['id']} 超过 45 天未处理，已过期。")
    return app


_HANDLERS = {
    "provider_review": _provider_review, "provider_approved": _provider_approved,
    "sms_verification": _sms, "bureau_review": _bureau_review,
    "provider_rejected": _rejected, "bureau_rejected": _rejected,
    "approved": _approved, "withdrawn": _withdrawn, "expired": _expired,
}


# -- approval effects per kind -------------------------------------------------

def next_entity_number(tx, province, at):
    """Per province and year, never reused; starts at a seeded offset so numbers look real."""
    year = to_datetime(at).year
    name = f"icp:{province}:{year}"
    seq = tx.counter(name) or rng(world.seed(tx), "icp-seq", province, year).randint(1000, 60000)
    tx.set_counter(name, seq + 1)
    return numbering.entity_number(province, year, seq + 1)


def _first_filing(tx, app, at):
    ent = app["payload"]["entity"]
    entity_number = next_entity_number(tx, ent["province"], at)
    entity = {"id": tx.next_id("entity", "E"), "name": ent["name"], "type": ent["type"],
              "certificate_type": ent["certificate_type"], "certificate_number": ent["certificate_number"],
              "province": ent["province"], "number": entity_number, "status": "active", "account": "self",
              "responsible": ent["responsible"], "max_site_index": 0, "filed_at": iso(at),
              "access_providers": ["tencent"]}
    numbers = []
    for site in app["payload"]["websites"]:
        entity["max_site_index"] += 1
        number = numbering.website_number(entity_number, entity["max_site_index"])
        tx.put("websites", {"id": tx.next_id("website", "W"), "entity_id": entity["id"], "name": site["name"],
                            "domain": site["domain"], "number": number, "site_index": entity["max_site_index"],
                            "status": "active", "nat_ip": site.get("nat_ip"), "access_providers": ["tencent"],
                            "service_content": site.get("service_content"), "filed_at": iso(at),
                            "responsible": site.get("responsible") or ent["responsible"]})
        numbers.append(number)
    tx.put("entities", entity)
    return dict(app, entity_id=entity["id"],
                result={"entity_number": entity_number, "website_numbers": numbers})


APPROVAL_EFFECTS = {"first_filing": _first_filing}
