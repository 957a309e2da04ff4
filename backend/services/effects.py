"""What entering a state does: SMS codes, notifications, and the effects of approval."""

from backend.domain import durations, kinds, miit, numbering, records, scenarios, timeline, workflow
from backend.domain.clock import iso, to_datetime
from backend.domain.errors import fail
from backend.domain.rng import rng
from backend.services import emails, faults, sms_codes, webhooks, world
from backend.services.sms_codes import contacts

SMS_SENDER = miit.SENDER  # MIIT's verification sender by default (setting miit_sms_sender, timeline.py)
MIIT_CODES = ("MIIT_SMS_CODE", "MIIT_RESULT")  # messages MIIT sends, not Tencent
TENCENT = scenarios.TENCENT


def notify(tx, app, at, code, text, channel="site", to="account"):
    message = {
        "id": tx.next_id("outbox", "M", 6),
        "at": iso(at),
        "channel": channel,
        "to": to,
        "sender": timeline.miit_sender(world.settings(tx)) if code in MIIT_CODES else "腾讯云备案",
        "code": code,
        "app_id": app["id"],
        "text": text,
    }
    tx.add_outbox(message)
    webhooks.on_message(tx, message)  # events out (issue #13)
    emails.follow(tx, app, message, [p for _, p in contacts(app)])  # and by e-mail (domain.md §9)


def sms_people(tx, app, at, code, text):
    """The same SMS to each responsible person's distinct mobile (process.md §6.3: SMS and e-mail
    go to the ICP 负责人 [T57]); none when the order names no mobile."""
    sent = []
    for _, person in contacts(app):
        if person.get("mobile") and person["mobile"] not in sent:
            sent.append(person["mobile"])
            notify(tx, app, at, code, text, channel="sms", to=person["mobile"])
    return sent


def sms_recipients(app):
    """One code per phone, as MIIT does; with no mobile on record, the account gets it."""
    wanted = kinds.get(app["kind"]).sms_to
    mobiles = []
    for role, person in contacts(app):
        if role in wanted and person["mobile"] not in mobiles:
            mobiles.append(person["mobile"])
    return mobiles or (["account"] if wanted else [])


def on_enter(tx, app, row, at):
    handler = _HANDLERS.get(row.target)
    return handler(tx, app, row, at) if handler else app


def _provider_review(tx, app, row, at):
    app = dict(app, attempt=app.get("attempt", 0) + 1, audit_data=[], submitted_at=iso(at))
    days = durations.working_days_zh(durations.setting(world.settings(tx), "provider_review_wd"))
    notify(tx, app, at, "ORDER_SUBMITTED", f"您的备案订单 {app['id']} 已提交，腾讯云将在 {days}内完成初审。")
    return app


def _provider_approved(tx, app, row, at):
    settings = world.settings(tx)
    days = durations.working_days_zh(
        durations.setting(settings, "to_bureau_wd_min"), durations.setting(settings, "to_bureau_wd_max")
    )
    notify(tx, app, at, "PROVIDER_APPROVED", f"备案订单 {app['id']} 已通过腾讯云初审，将在 {days}内提交至管局。")
    return app


def _sms(tx, app, row, at):
    # one code per responsible person with a distinct mobile (services/sms_codes.py);
    # a forced SMS timeout (fault injection): the codes never arrive
    if row.action == workflow.AUTO_RESUBMIT:  # Tencent resubmitted after a timeout: a new round of codes
        app = dict(app, sms_round=app.get("sms_round", 0) + 1, sms_resubmit=None)
        notify(tx, app, at, "SMS_RESUBMITTED", timeline.resubmitted_notice(app["id"]))
    return sms_codes.start(tx, app, at, notify, lost=faults.sms_lost(tx, app))


def _bureau_review(tx, app, row, at):
    text = f"备案订单 {app['id']} 已提交至管局审核。"
    notify(tx, app, at, "SUBMITTED_TO_BUREAU", text)
    sms_people(tx, app, at, "SUBMITTED_TO_BUREAU", text)  # process.md §6.3: Tencent's notice by SMS/e-mail [A1, M2]
    return app


def _rejected(tx, app, row, at):
    who = "管局" if row.target == workflow.BUREAU_REJECTED else "腾讯云"
    reasons = "；".join(a["error"] for a in app.get("audit_data") or []) or row.zh
    notify(
        tx, app, at, row.target.upper(), f"备案订单 {app['id']} 被{who}驳回：{reasons}。请按驳回意见修改后重新提交。"
    )
    # every responsible person, not only the first (process.md §6.3: SMS and e-mail → the ICP 负责人 [T57])
    sms_people(tx, app, at, row.target.upper(), f"您的备案订单 {app['id']} 被驳回，请登录备案小程序查看原因。")
    hours = timeline.resubmit_hours(world.settings(tx))
    if row.action in (workflow.SMS_TIMEOUT, workflow.SMS_FAILED) and hours is not None:
        # process.md §5: Tencent phones the user and resubmits after 24 h unless something must
        # change; the mark names this version, so an edit (a new version) cancels the resubmission
        app = dict(app, sms_resubmit={"returned_at": iso(at), "version": app["version"], "hours": hours})
        sms_people(tx, app, at, "SMS_RESUBMIT_SCHEDULED", timeline.resubmit_notice(app["id"], hours))
    return app


def _approved(tx, app, row, at):
    spec = kinds.get(app["kind"])
    if not (app.get("miit_result") or {}).get("applied"):  # MIIT's decision applied them already
        app = APPROVAL_EFFECTS[spec.approval.effect](tx, app, at)
    result = app.get("result", {})
    numbers = "、".join([result.get("entity_number", "")] + result.get("website_numbers", []))
    revoked = "、".join(result.get("revoked_numbers", []))
    text = spec.approval.message.format(numbers=numbers, revoked=revoked)
    notify(tx, app, at, "BUREAU_APPROVED", f"备案订单 {app['id']} 已通过管局审核，{text}")
    if spec.approval.cancellation:
        notify(tx, app, at, "CANCELLATION_DONE", f"{spec.zh}已完成：{text}")
    if spec.approval.new_websites:
        notify(tx, app, at, "PUBLIC_SECURITY_REMINDER", "请在网站开通之日起 30 日内办理公安联网备案。")
    return app


def _withdrawn(tx, app, row, at):
    notify(tx, app, at, "ORDER_WITHDRAWN", f"备案订单 {app['id']} 已撤销。")
    return app


def _expired(tx, app, row, at):
    days = durations.setting(world.settings(tx), "idle_expiry_days")
    notify(tx, app, at, "ORDER_EXPIRED", f"备案订单 {app['id']} 超过 {days} 天未处理，已过期。")
    return app


_HANDLERS = {
    workflow.PROVIDER_REVIEW: _provider_review,
    workflow.PROVIDER_APPROVED: _provider_approved,
    workflow.SMS_VERIFICATION: _sms,
    workflow.BUREAU_REVIEW: _bureau_review,
    workflow.PROVIDER_REJECTED: _rejected,
    workflow.BUREAU_REJECTED: _rejected,
    workflow.APPROVED: _approved,
    workflow.WITHDRAWN: _withdrawn,
    workflow.EXPIRED: _expired,
}


# -- approval effects per kind -------------------------------------------------


def next_entity_number(tx, province, at):
    """Per province and year, never reused; starts at a seeded offset so numbers look real."""
    year = to_datetime(at).year
    name = f"icp:{province}:{year}"
    seq = tx.counter(name) or rng(world.seed(tx), "icp-seq", province, year).randint(1000, 60000)
    if seq + 1 > numbering.MAX_SEQUENCE:
        raise fail(
            "NUMBER_SEQUENCE_EXHAUSTED",
            f"{year} 年该省份的备案号顺序号已用完，无法分配新的主体备案号",
            province=province,
            year=year,
        )
    tx.set_counter(name, seq + 1)
    return numbering.entity_number(province, year, seq + 1)


def _first_filing(tx, app, at):
    ent = app["payload"]["entity"]
    province = scenarios.province_of(app)  # "广东省" or "440000" as typed, "44" on record
    licence = ent.get("icp_licence_number")  # a licence holder is numbered from its licence (§7)
    entity_number = numbering.licence_entity_number(licence) if licence else next_entity_number(tx, province, at)
    entity = records.new_entity(
        tx.next_id("entity", "E"),
        ent,
        number=entity_number,
        province=province,
        account="self",
        access_providers=[TENCENT],
        filed_at=iso(at),
        address=ent.get("address"),
    )
    numbers = []
    for site in app["payload"]["websites"]:
        entity["max_site_index"] += 1
        number = numbering.website_number(entity_number, entity["max_site_index"])
        tx.put(
            "websites",
            records.new_website(
                tx.next_id("website", "W"),
                site,
                entity_id=entity["id"],
                number=number,
                site_index=entity["max_site_index"],
                access_providers=[TENCENT],
                filed_at=iso(at),
                responsible=site.get("responsible") or ent["responsible"],
            ),
        )
        numbers.append(number)
    tx.put("entities", entity)
    return dict(app, entity_id=entity["id"], result={"entity_number": entity_number, "website_numbers": numbers})


def _entity_sites(tx, entity_id, active=True):
    return [
        w for w in tx.all("websites") if w.get("entity_id") == entity_id and (not active or w.get("status") == "active")
    ]


def _sync_providers(tx, entity):
    """An entity's access providers are those of its websites on record (kept when it has none)."""
    sites = _entity_sites(tx, entity["id"])
    if sites:
        entity["access_providers"] = list(dict.fromkeys(p for w in sites for p in w.get("access_providers") or []))
    return entity


def _with_tencent(providers):
    return list(dict.fromkeys([*(providers or []), TENCENT]))


def _targets(tx, app):
    target = app.get("target") or {}
    entity = tx.get("entities", target.get("entity_id") or app.get("entity_id"))
    sites = [w for w in (tx.get("websites", i) for i in target.get("website_ids") or []) if w]
    return entity, sites


def _add_websites(tx, app, at):
    """新增网站 (either kind): the next -n of the entity for each new website, never reused."""
    entity, _ = _targets(tx, app)
    given = app["payload"].get("entity") or {}
    if kinds.get(app["kind"]).approval.adopts_entity:
        # the entity moves to this account, with Tencent as one more access provider
        entity["account"] = "self"
        for key in ("address", "responsible"):
            if given.get(key):
                entity[key] = given[key]
    owner = entity.get("responsible")
    highest = max(
        [entity.get("max_site_index") or 0]
        + [w.get("site_index") or 0 for w in _entity_sites(tx, entity["id"], active=False)]
    )
    numbers = []
    for site in app["payload"]["websites"]:
        highest += 1
        number = numbering.website_number(entity["number"], highest)
        tx.put(
            "websites",
            records.new_website(
                tx.next_id("website", "W"),
                site,
                entity_id=entity["id"],
                number=number,
                site_index=highest,
                access_providers=[TENCENT],
                filed_at=iso(at),
                responsible=site.get("responsible") or owner,
            ),
        )
        numbers.append(number)
    entity["max_site_index"] = highest
    tx.put("entities", _sync_providers(tx, entity))
    return dict(app, entity_id=entity["id"], result={"entity_number": entity["number"], "website_numbers": numbers})


def _access_filing(tx, app, at):
    """接入备案: numbers kept; Tencent added as access provider (others keep theirs)."""
    entity, sites = _targets(tx, app)
    ips = {w.get("website_id"): w.get("nat_ip") for w in app["payload"]["websites"]}
    for site in sites:
        tx.put(
            "websites",
            dict(
                site,
                access_providers=_with_tencent(site.get("access_providers")),
                nat_ip=ips.get(site["id"]),
                filing_type="cloudbase_run",
                accessed_at=iso(at),
            ),
        )
    entity["account"] = "self"
    tx.put("entities", _sync_providers(tx, entity))
    return dict(
        app,
        entity_id=entity["id"],
        result={"entity_number": entity["number"], "website_numbers": [w["number"] for w in sites]},
    )


_SITE_FIELDS = (
    *("name", "service_content", "commercial", "pre_approval_number", "filing_type", "nat_ip"),
    *("homepage_url", "remark"),  # 网站首页地址, 网站备注 (process.md §2.3)
)
# 证件住所, 投资人或主管单位, 主体备注 (§2.1) change on the record too
_ENTITY_FIELDS = ("name", "address", "residence_permit", "id_valid_until", "certificate_address", "investor", "remark")


def _change(tx, app, at):
    """变更备案 / 变更网站: the record updated in place; numbers and access kept."""
    entity, sites = _targets(tx, app)
    changes = app["payload"].get("entity")
    if isinstance(changes, dict):
        entity.update({k: changes[k] for k in _ENTITY_FIELDS if k in changes})
        if isinstance(changes.get("responsible"), dict):
            entity["responsible"] = scenarios.merge_changes(entity.get("responsible"), changes["responsible"])
        entity["changed_at"] = iso(at)
    entries = {e["website_id"]: e for e in app["payload"].get("websites") or []}
    for site in sites:
        entry = entries.get(site["id"], {})
        site = dict(site, **{k: entry[k] for k in _SITE_FIELDS if k in entry}, changed_at=iso(at))
        if isinstance(entry.get("responsible"), dict):
            site["responsible"] = scenarios.merge_changes(
                site.get("responsible") or entity.get("responsible"), entry["responsible"]
            )
        removed = {scenarios.domain_key(d) for d in entry.get("remove_domains") or []}
        if removed:
            kept = [d for d in scenarios.website_domains(site) if scenarios.domain_key(d) not in removed]
            site["domain"], site["extra_domains"] = kept[0], kept[1:]
            site["removed_domains"] = [*(site.get("removed_domains") or []), *entry["remove_domains"]]
        tx.put("websites", site)
    tx.put("entities", entity)
    return dict(app, result={"entity_number": entity["number"], "website_numbers": [w["number"] for w in sites]})


def _cancel(tx, app, at):
    """注销主体 / 注销网站: numbers revoked for good (never reissued); domains blocked; IP slots freed."""
    entity, sites = _targets(tx, app)
    revokes_entity = kinds.get(app["kind"]).approval.revokes_entity
    if revokes_entity:
        sites = _entity_sites(tx, entity["id"])
    for site in sites:
        tx.put("websites", dict(site, status="cancelled", revoked_at=iso(at), revoked_by=app["id"]))
    revoked = [w["number"] for w in sites]
    if revokes_entity:
        tx.put("entities", dict(entity, status="cancelled", revoked_at=iso(at), revoked_by=app["id"]))
        revoked = [entity["number"], *revoked]
    return dict(app, result={"entity_number": entity["number"], "website_numbers": [], "revoked_numbers": revoked})


def _cancel_access(tx, app, at):
    """取消接入: numbers kept, Tencent no longer an access provider; blocked on Tencent; IP slot freed."""
    entity, sites = _targets(tx, app)
    for site in sites:
        providers = [p for p in site.get("access_providers") or [] if p != TENCENT]
        tx.put(
            "websites",
            dict(
                site,
                access_providers=providers,
                nat_ip=None,
                former_nat_ip=site.get("nat_ip"),
                access_cancelled_at=iso(at),
            ),
        )
    tx.put("entities", _sync_providers(tx, entity))
    return dict(app, result={"entity_number": entity["number"], "website_numbers": [w["number"] for w in sites]})


# KindSpec.approval.effect -> what it does to the records, in the approval's transaction
APPROVAL_EFFECTS = {
    "file_entity": _first_filing,
    "access": _access_filing,
    "add_websites": _add_websites,
    "change": _change,
    "cancel": _cancel,
    "remove_access": _cancel_access,
}
_MISSING = {s.approval.effect for s in kinds.KINDS.values()} - set(APPROVAL_EFFECTS)
if _MISSING:  # a kind spec naming an effect nobody implements stops the import
    raise ImportError(f"approval effects not implemented: {sorted(_MISSING)}")
