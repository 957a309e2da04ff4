"""The stages before submission in the conversation (issue #12): when the sandbox enforces them
(`settings.pre_submit_checks`) and the submit at `confirm` is refused with SUBMIT_NOT_READY, the
`checklist` step lists what `readiness.missing` says is missing (the same list REST's
`…/requirements` and the submit guard read) and offers a way through each:
- a material: an upload cannot travel in a JSON chat reply, so its reply shows the link to the
  upload page (prepare.html); "I uploaded it" checks again;
- the face check: its reply starts the task (services.face_checks.start) and shows the face page;
- the missing form fields: `form.checklist`, a form of just those fields, applied with
  `applications.edit` — the same domain checks as REST, errors on their fields;
- the agreement (process.md §1.1): its reply accepts it (services.phone_checks.accept);
- a responsible person's unverified mobile (§2.1, §9 item 2): its reply sends the code
  (services.phone_checks.send) and `checklist.otp` asks for it, checked like REST's verify.
When nothing is missing any more the order is submitted as `confirm` does."""

from backend.chat import forms
from backend.chat.step_kit import SAME, invalid, refused, sync
from backend.chat.texts import pick
from backend.domain import readiness, workflow
from backend.domain.errors import DomainError, Unprocessable
from backend.services import applications, face_checks, phone_checks, world
from backend.store import tx as store

STEP = "checklist"
FORM_ID = "checklist"
FORM_STEP = "form." + FORM_ID
OTP_STEP = STEP + ".otp"
NOT_READY = "SUBMIT_NOT_READY"
PREPARE_PAGE, FACE_PAGE = "/miniprogram/prepare.html", "/miniprogram/face.html"

# the form fields readiness may find missing (forms_rules.missing_fields) -> their payload path;
# labels and types are the `checklist` form's (form_table.py)
ADDRESS = ("province_code", "city_code", "district_code", "street")
FIELDS = {
    "certificate_address": "entity.certificate_address",
    "investor": "entity.investor",
    "emergency_phone": "entity.responsible.emergency_phone",
    "remark": "entity.remark",  # Tianjin: the emergency contact noted (province_rules emergency_remark)
    "id_valid_from": "entity.responsible.id_valid_from",
    "id_valid_until": "entity.responsible.id_valid_until",
    **{name: f"entity.mailing_address.{name}" for name in ADDRESS},
    "languages": "websites.*.languages",
}
TEXTS = {
    "LIST": ("提交前还需完成以下步骤：\n{items}", "Before submitting, these steps remain:\n{items}"),
    "UPLOAD": ("上传：{what}", "Upload: {what}"),
    "UPLOAD_HOW": (
        "材料须以文件上传，无法在对话中发送。请在上传页面上传「{what}」：{url}，完成后回复「我已上传，重新检查」。",
        'Materials are uploaded as files, not chat replies. Upload "{what}" on the upload page: {url}, '
        'then reply "I uploaded it, check again".',
    ),
    "FACE": ("开始真实性核验（人脸核验）", "Start the face check"),
    "FACE_SENT": (
        "已向网站负责人发送核验通知，请在核验页面完成人脸核验：{links}，完成后回复「重新检查」。",
        'The face-check notice was sent; complete it on the face page: {links}, then reply "check again".',
    ),
    "FIELDS": ("填写缺少的信息", "Fill in the missing details"),
    "AGREE": ("我已阅读并同意《{title}》", "I have read and accept 《{title}》"),
    "OTP": ("获取验证码：{who} {masked}", "Get a code: {who} {masked}"),
    "OTP_PROMPT": (
        "验证码已发送至 {masked}（5 分钟内有效，也已发送到该负责人的邮箱），请回复 6 位验证码：",
        "A code was sent to {masked} (valid 5 minutes; also e-mailed to that person). Reply with the 6 digits:",
    ),
    "OTP_DONE": ("手机号码 {masked} 已验证。", "The mobile {masked} is verified."),
    "OTP_FORMAT": ("验证码为 6 位数字", "The code is 6 digits"),
    "REFRESH": ("我已上传/已完成，重新检查", "I uploaded it / done — check again"),
    "BACK": ("返回修改订单", "Back to the order"),
}


def _t(ctx, key, **values):
    return pick(ctx.locale, TEXTS[key]).format(**values)


def _missing(ctx):
    return face_checks.requirements(ctx.r, ctx.sid, ctx.conv["application_id"])["missing"]


def _field_names(missing):
    """The form fields to ask for the missing form requirements (an address is its four parts)."""
    names = []
    for row in missing:
        if row["stage"] != "form":
            continue
        leaf = row["path"].rsplit(".", 1)[-1]
        want = (
            ADDRESS if leaf == "mailing_address" else ("id_valid_from", leaf) if leaf == "id_valid_until" else (leaf,)
        )
        names += [n for n in want if n in FIELDS and n not in names]
    return names


def prepare_link(ctx):
    return f"{PREPARE_PAGE}?sandbox={ctx.sid}&app={ctx.conv['application_id']}"


def checklist_enter(ctx):
    missing = _missing(ctx)
    ctx.conv["checklist"] = missing
    items = "\n".join(f"{i}. {row['message']}" for i, row in enumerate(missing, 1))
    link = prepare_link(ctx)
    choices = []
    if any(row["stage"] == "agreement" for row in missing):
        choices.append({"value": "agree", "label": _t(ctx, "AGREE", title=readiness.AGREEMENT_TITLE)})
    if _field_names(missing):
        choices.append({"value": "fields", "label": _t(ctx, "FIELDS")})
    if any(row["stage"] == "phone" for row in missing):
        for phone in phone_checks.list_for(ctx.r, ctx.sid, ctx.conv["application_id"]):
            if not phone["verified"]:
                label = _t(ctx, "OTP", who=phone["name"], masked=phone["mobile_masked"])
                choices.append({"value": f"otp:{phone['mobile']}", "label": label})
    face_pending = any(row["stage"] == "face_check" for row in missing)
    if face_pending:
        choices.append({"value": "face", "label": _t(ctx, "FACE")})  # the task's page link comes with its answer
    # 视频核身 → 上传材料 (process.md §4.1): no upload reply while a face check is pending, unless the sandbox lifts it
    uploads_open = not face_pending or not world.settings(store.read(ctx.r, ctx.sid)).get(
        "face_check_before_materials", True
    )
    for row in missing:
        if row["stage"] == "materials" and uploads_open:
            what = row["message"].removeprefix("请上传：")
            choices.append(
                {"value": f"upload:{row['path']}", "label": _t(ctx, "UPLOAD", what=what), "action": {"open": link}}
            )
    choices += [{"value": "refresh", "label": _t(ctx, "REFRESH")}, {"value": "back", "label": _t(ctx, "BACK")}]
    ctx.ask_choices(
        "CHECKLIST",
        _t(ctx, "LIST", items=items),
        choices,
        checklist={"missing": missing, "links": {"prepare": link, "face": FACE_PAGE}},
    )


def submit(ctx):
    """Submit (or resubmit) the conversation's order: the next step, or `checklist` when the
    stages before submission are not done (a refusal said otherwise stays at `confirm`)."""
    app = ctx.app(refresh=True)
    action = workflow.SUBMIT if workflow.SUBMIT in app["allowed_actions"] else workflow.RESUBMIT
    applications.act(ctx.r, ctx.sid, app["id"], action)
    ctx.conv["form_errors"] = {}
    return sync(ctx, force=True)


def _start_face_check(ctx):
    try:
        tasks = face_checks.start(ctx.r, ctx.sid, ctx.conv["application_id"])
    except DomainError as exc:
        refused(ctx, exc)
        return SAME
    links = [t["link"] for t in tasks if not t.get("is_finish")]
    ctx.say(
        "text",
        "FACE_CHECK_SENT",
        _t(ctx, "FACE_SENT", links="、".join(links) or FACE_PAGE),
        tasks=[{"id": t["id"], "status": t["status"], "link": t["link"]} for t in tasks],
        action={"open": links[0] if links else FACE_PAGE},
    )
    return SAME


def _send_code(ctx, mobile):
    try:
        sent = phone_checks.send(ctx.r, ctx.sid, ctx.conv["application_id"], mobile)
    except DomainError as exc:
        refused(ctx, exc)
        return SAME
    ctx.conv["otp"] = {"mobile": sent["mobile"], "masked": sent["mobile_masked"]}
    return OTP_STEP


def checklist_handle(ctx, value):
    if value == "back":
        return "confirm"
    if value == "fields":
        return FORM_STEP
    if value == "agree":
        phone_checks.accept(ctx.r, ctx.sid, ctx.conv["application_id"])
        return SAME  # the list again, without it
    if value.startswith("otp:"):
        return _send_code(ctx, value[4:])
    if value.startswith("upload:"):
        row = next((r for r in ctx.conv.get("checklist") or [] if r["path"] == value[7:]), None)
        what = (row or {}).get("message", value[7:]).removeprefix("请上传：")
        ctx.say(
            "text",
            "UPLOAD_HOW",
            _t(ctx, "UPLOAD_HOW", what=what, url=prepare_link(ctx)),
            action={"open": prepare_link(ctx)},
        )
        return SAME
    if value == "face":
        return _start_face_check(ctx)
    if _missing(ctx):  # refresh: still something to do
        return SAME
    try:
        return submit(ctx)
    except DomainError as exc:
        if exc.code == NOT_READY:
            return SAME
        refused(ctx, exc)
        return "confirm"


# -- a mobile's OTP ---------------------------------------------------------------------------


def otp_enter(ctx):
    otp = ctx.conv.get("otp") or {}
    ctx.ask_text("CHECKLIST_OTP", _t(ctx, "OTP_PROMPT", masked=otp.get("masked", "")), "otp_code", pattern=r"^\d{6}$")


def otp_handle(ctx, text):
    """The code typed back: verified → the checklist again; a wrong one → asked again; a spent
    or expired code, or anything else refused → the checklist (get a new code there)."""
    otp = ctx.conv.get("otp") or {}
    code = str(text).strip()
    if not code.isdigit() or len(code) != 6:
        said = _t(ctx, "OTP_FORMAT")  # said as the answer too, as a wrong code's message is
        invalid(ctx, {"code": [said]}, text=said)
        return SAME
    try:
        phone_checks.verify(ctx.r, ctx.sid, ctx.conv["application_id"], otp.get("mobile") or "", code)
    except Unprocessable as exc:
        invalid(ctx, exc.errors, text=exc.message if ctx.locale != "en" else None)
        return SAME
    except DomainError as exc:
        refused(ctx, exc)
        return STEP
    ctx.say("text", "CHECKLIST_OTP_DONE", _t(ctx, "OTP_DONE", masked=otp.get("masked", "")))
    ctx.conv.pop("otp", None)
    return STEP


# -- the missing form fields ------------------------------------------------------------------


def fields_enter(ctx):
    names = _field_names(ctx.conv.get("checklist") or _missing(ctx))
    errors = (ctx.conv.get("form_errors") or {}).get(FORM_STEP) or {}
    fields = []
    for name in names:
        fld = forms.FORMS[FORM_ID].field(name)
        item = {"name": name, "label": pick(ctx.locale, fld.label), "type": fld.type, "required": True, "value": None}
        if pick(ctx.locale, fld.placeholder):
            item["placeholder"] = pick(ctx.locale, fld.placeholder)
        if errors.get(name):
            item["error"] = "；".join(errors[name])
        fields.append(item)
    form = forms.FORMS[FORM_ID]
    rendered = {
        "id": FORM_ID,
        "title": pick(ctx.locale, form.title),
        "fields": fields,
        "submit_label": pick(ctx.locale, form.submit_label),
    }
    if errors.get("_form"):
        rendered["error"] = "；".join(errors["_form"])
    ctx.ask_form(forms.FORMS[FORM_ID], rendered)


def _patch(app, submitted):
    """The edit patch of the answered fields (an RFC 7396 merge; websites replace as a list)."""
    patch, payload = {}, app["payload"]
    for name, value in submitted.items():
        if name not in FIELDS or value in (None, ""):
            continue
        path = FIELDS[name]
        if name == "languages":
            codes = [c.strip() for c in str(value).replace("，", ",").split(",") if c.strip()]
            patch["websites"] = [dict(site, languages=codes) for site in payload.get("websites") or []]
            continue
        node = patch
        for key in path.split(".")[:-1]:
            node = node.setdefault(key, {})
        node[path.rsplit(".", 1)[-1]] = str(value).strip()
    return patch


def _errors_of(exc):
    """The service's per-path errors on the checklist form's field names."""
    out = {}
    for path, msgs in exc.errors.items():
        leaf = path.removeprefix("payload.").split(".")
        name = next((n for n in FIELDS if n in leaf), "_form")
        out.setdefault(name, []).extend(msgs)
    return out


def fields_handle(ctx, submitted):
    form_errors = ctx.conv.setdefault("form_errors", {})
    patch = _patch(ctx.app(refresh=True), submitted)
    if not patch:
        form_errors[FORM_STEP] = {"_form": [pick(ctx.locale, ("请填写以上信息", "Please fill in the fields"))]}
        invalid(ctx, form_errors[FORM_STEP], FORM_ID)
        return SAME
    try:
        applications.edit(ctx.r, ctx.sid, ctx.conv["application_id"], patch)
    except Unprocessable as exc:
        form_errors[FORM_STEP] = _errors_of(exc)
        invalid(ctx, form_errors[FORM_STEP], FORM_ID)
        return SAME
    except DomainError as exc:
        refused(ctx, exc)
        return STEP
    form_errors.pop(FORM_STEP, None)
    # kept in the answers too: a later edit from the recap sends the forms' records, these with them
    answers = ctx.conv.get("answers") or {}
    sites = patch.pop("websites", None)
    ctx.conv["answers"] = answers = applications.merge(answers, patch)
    for site, done in zip(answers.get("websites") or [], sites or []):
        if isinstance(site, dict):
            site["languages"] = done["languages"]
    return STEP
