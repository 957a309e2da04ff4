"""What is missing before an order can be submitted (process.md §9.2–§9.4): the declared
requirements of the stages before submission — the forms, the materials, the website owners'
face checks — derived from the order, never stored. The chat, the page, the REST checklist and
the submit guard all read `missing(...)`, so they agree.

Pure: the caller passes the order, the entity it is about (its payload's, or the record's for
orders about a filed entity), the uploaded materials and the face-check tasks.
"""

from typing import NamedTuple

from backend.domain import face_check, forms_rules, materials, phone_otp
from backend.domain.filings import same_text


class Requirement(NamedTuple):
    stage: str  # "form" | "phone" | "agreement" | "materials" | "face_check"
    code: str  # FORM_FIELD_MISSING, PHONE_NOT_VERIFIED, AGREEMENT_NOT_ACCEPTED, MATERIAL_MISSING, FACE_CHECK_PENDING, …
    path: str  # the field, the slot, or websites.N.responsible
    message: str  # zh-CN, what to do


def order_entity(order: dict, record: dict | None = None) -> dict | None:
    """The entity an order is about: its payload's (new entities), else the record's."""
    ent = (order.get("payload") or {}).get("entity")
    if isinstance(ent, dict) and ent.get("type"):
        return ent
    return record


def website_owners(entity: dict | None, websites: list) -> list[tuple[int, dict]]:
    """(first website index, person) for each distinct 网站负责人; a personal site's owner is the entity's."""
    out: list[tuple[int, dict]] = []
    fallback = (entity or {}).get("responsible") or {}
    for i, site in enumerate(websites or []):
        person = (site or {}).get("responsible") if (entity or {}).get("type") != "personal" else None
        person = person or fallback
        if not any(same_text(p.get("certificate_number"), person.get("certificate_number")) for _, p in out):
            out.append((i, person))
    return out


def required_slots(order: dict, entity: dict | None, existing_sites: int = 0) -> list:
    payload = order.get("payload") or {}
    return materials.required(
        order["kind"],
        entity,
        payload.get("websites") or [],
        order.get("province") or (entity or {}).get("province"),
        existing_sites,
    )


def needs_face_check(order: dict) -> bool:
    return order["kind"] in materials.MATERIAL_KINDS


def face_checks_pending(order: dict, entity: dict | None, face_tasks: list | None, now: float) -> list[Requirement]:
    """The website owners still to pass the face check (none when the order needs no face check)."""
    return _face_checks_missing(order, entity, face_tasks, now) if needs_face_check(order) else []


def _face_checks_missing(order: dict, entity: dict | None, face_tasks: list | None, now: float) -> list[Requirement]:
    """A website owner without a successful face check (by certificate number) is a requirement."""
    tasks = [face_check.at(t, now) for t in face_tasks or []]
    out = []
    for index, person in website_owners(entity, (order.get("payload") or {}).get("websites") or []):
        done = any(
            t["status"] == face_check.SUCCESS
            and same_text(t["person"].get("certificate_number"), person.get("certificate_number"))
            for t in tasks
        )
        if not done:
            out.append(
                Requirement(
                    "face_check",
                    "FACE_CHECK_PENDING",
                    f"websites.{index}.responsible",
                    f"网站负责人{person.get('name') or ''}尚未通过真实性核验（人脸核验）",
                )
            )
    return out


AGREEMENT_TITLE = "腾讯云备案服务信息收集及使用说明"  # process.md §1.1 [X1, T33]


def _phones_missing(order: dict, checks: list, on_record: dict | None = None) -> list[Requirement]:
    """A responsible person's mobile without a checked OTP (process.md §2.1, §9 item 2; a change
    order's new mobiles, §5 "Changed phone": phone_otp.people)."""
    return [
        Requirement(
            "phone",
            "PHONE_NOT_VERIFIED",
            person["paths"][0] + ".mobile",
            f"负责人{person['name']}的手机号码 {person['mobile']} 尚未完成验证码验证",
        )
        for person in phone_otp.people(order, on_record)
        if not phone_otp.verified(checks, person["mobile"])
    ]


def missing(
    order: dict,
    entity: dict | None = None,
    uploaded: dict | None = None,
    face_tasks: list | None = None,
    now: float = 0.0,
    existing_sites: int = 0,
    phone_checks: list | None = None,
    agreement: dict | None = None,
    on_record: dict | None = None,
) -> list[Requirement]:
    """Every requirement not met yet, in the order the mini-program walks them:
    agreement → forms (with the phones' OTP) → face check → materials
    (§1.1 agreement; T48: 填写网站信息 → 填写负责人 → 视频核身 → 上传材料 → 提交).
    `phone_checks` None: neither the phones nor the agreement are asked about (callers that
    predate them); else `agreement` is the order's recorded acceptance (None: not accepted).
    `on_record`: a change order's responsible people on record (phone_otp.recorded), so that only
    the mobiles it changes are asked for; the agreement stays the full forms' step."""
    entity = order_entity(order, entity)
    out = []
    new_forms = phone_checks is not None and order["kind"] in materials.MATERIAL_KINDS
    if new_forms and not (agreement or {}).get("accepted_at"):
        out.append(
            Requirement("agreement", "AGREEMENT_NOT_ACCEPTED", "agreement", f"请阅读并同意《{AGREEMENT_TITLE}》")
        )
    out += [
        Requirement("form", code, path, message)
        for path, code, message in forms_rules.missing_fields(order["kind"], order.get("payload") or {}, entity)
    ]
    if phone_checks is not None:
        out.extend(_phones_missing(order, phone_checks, on_record))
    if needs_face_check(order):
        out.extend(_face_checks_missing(order, entity, face_tasks, now))
    return out + _materials_missing(order, entity, uploaded or {}, existing_sites)


def _materials_missing(order: dict, entity: dict | None, uploaded: dict, existing_sites: int) -> list[Requirement]:
    out = []
    for slot in required_slots(order, entity, existing_sites):
        doc = uploaded.get(slot.key)
        if doc is None:
            out.append(Requirement("materials", "MATERIAL_MISSING", slot.key, f"请上传：{slot.zh}"))
        elif doc.get("status") == "rejected":
            out.append(
                Requirement(
                    "materials",
                    "MATERIAL_REJECTED",
                    slot.key,
                    f"{slot.zh}被驳回：{doc.get('audit', {}).get('error', '')}，请重新上传",
                )
            )
    return out
