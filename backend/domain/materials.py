"""Materials (上传资料, process.md §3): which documents an order needs, and what an uploaded image
must be.

`required(...)` is the slot table of §3.1: a pure function of the entity type, the province
(province_rules.csv, provinces.csv), whether the owners are the legal representative, a
non-local personal ID, the websites and their pre-approvals. `check_image` is what the upload
refuses at once (§3.2): not a decodable JPEG/PNG, too large, too small, not in colour.
"""

import hashlib
import io
import threading
from collections import OrderedDict
from dataclasses import dataclass

from PIL import Image, ImageFilter, UnidentifiedImageError

from backend.domain import (
    kinds,
    legal_reps,
    limits,
    pre_approvals,
    province_rules,
    provinces,
    service_contents,
    uploads,
    validation,
    workflow,
)
from backend.domain.filings import same_text

# orders that upload documents: the ones that file new websites or move access to Tencent;
# changes and cancellations are decided on the record (a simulator choice, README)
MATERIAL_KINDS = frozenset(k for k, s in kinds.KINDS.items() if s.files_new_website or s.accesses_records)
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png"}
SHARPNESS_SIDE = 1024  # the image is judged at most this large (as a reviewer's screen shows it)
SHARPNESS_QUANTILE = 0.995  # the edge strength that the strongest 0.5 % of pixels reach
REGULATED_CONTENT = (
    "news",
    "publishing",
    "drugs_medical",
    "culture",
    "radio_film_tv",
    "finance",
    "ride_hailing",
    "games",
    "education",
)

SLOT_ZH = {
    "entity_certificate": "主体证件（营业执照等）彩色原件",
    "entity_owner_id_front": "主体负责人证件正面（人像面）",
    "entity_owner_id_back": "主体负责人证件反面",
    "commitment_letter": "网站备案承诺书（签字）",
    "authorization_letter": "法定代表人授权书",
    "residence_permit": "居住证 / 暂住证",
    "party_building_letter": "党建确认函",
    "gd_finance_commitment": "广东金融类网站承诺书",
    "website_construction_plan": "网站建设方案书",
    "owner_id_front": "网站负责人证件正面（人像面）",
    "owner_id_back": "网站负责人证件反面",
    "owner_authorization_letter": "网站负责人授权书",
    "pre_approval_document": "前置审批文件",
    "domain_certificate": "域名证书",
    "establishment_approval": "编办证明 / 事业单位网站开办审核申请表",
}
# entity types a 编办 (机构编制委员会办公室) approves: they upload its 证明 where the province asks
ESTABLISHMENT_TYPES = ("government", "institution")


@dataclass(frozen=True)
class Slot:
    key: str  # "entity_certificate", "websites.0.owner_id_front"
    zh: str
    why: str  # the rule that asks for it, for the checklist


def _site_slot(i, name, why):
    return Slot(f"websites.{i}.{name}", f"网站 {i + 1}：{SLOT_ZH[name]}", why)


def same_person(a, b) -> bool:
    if not isinstance(a, dict) or not isinstance(b, dict):
        return a is None or b is None  # not given: the same as the entity's owner
    return same_text(a.get("certificate_number"), b.get("certificate_number"))


def owner_is_legal_rep(entity: dict, person: dict | None) -> bool:
    """Whether an organisation's person (None: its 主体负责人) is its legal representative: the one
    `legal_representative` names, else the 主体负责人 (who is the LR unless the entity says otherwise).
    A person filing as themself is always their own."""
    if entity.get("type") == "personal":
        return True
    rep = entity.get("legal_representative")
    if not isinstance(rep, dict):
        rep = entity.get("responsible")
    return same_person(rep, person or entity.get("responsible"))


def nonlocal_personal_id(entity: dict, province: str) -> bool:
    if entity.get("type") != "personal" or entity.get("certificate_type") != "resident_id":
        return False
    try:
        return validation.id_province(entity.get("certificate_number") or "") != str(province)[:2]
    except Exception:  # a malformed number is entry validation's to report
        return False


def _entity_slots(kind, entity, province, rules):
    out = []
    if entity.get("type") != "personal":
        out.append(Slot("entity_certificate", SLOT_ZH["entity_certificate"], "单位主体须上传主体证件"))
    out += [
        Slot("entity_owner_id_front", SLOT_ZH["entity_owner_id_front"], "主体负责人证件"),
        Slot("entity_owner_id_back", SLOT_ZH["entity_owner_id_back"], "主体负责人证件"),
        Slot("commitment_letter", SLOT_ZH["commitment_letter"], "小程序以承诺书代替核验单"),
    ]
    # lr_or_auth provinces, and Hebei/Shanxi's foreign legal representative (legal_reps.py)
    if not owner_is_legal_rep(entity, None) and (
        rules.entity_owner == "lr_or_auth" or legal_reps.delegates(entity, rules)
    ):
        out.append(
            Slot(
                "authorization_letter",
                SLOT_ZH["authorization_letter"],
                "主体负责人不是法定代表人，本省须提供法定代表人授权书",
            )
        )
    prov = provinces.get(str(province)[:2]) if province else None
    if prov and prov.nonlocal_personal_id == "residence_permit" and nonlocal_personal_id(entity, province):
        out.append(Slot("residence_permit", SLOT_ZH["residence_permit"], "外省身份证须提供本省居住证明"))
    if "party_building_letter" in rules.extra_documents and not kinds.KINDS[kind].accesses_records:
        out.append(
            Slot("party_building_letter", SLOT_ZH["party_building_letter"], "本省首次备案和新增网站须提供党建确认函")
        )
    if (
        "establishment_approval" in rules.extra_documents
        and entity.get("type") in ESTABLISHMENT_TYPES
        and kinds.KINDS[kind].files_new_website
    ):
        why = "本省党政机关、事业单位开办网站须提供编办证明或事业单位网站开办审核申请表"
        out.append(Slot("establishment_approval", SLOT_ZH["establishment_approval"], why))
    return out


def _site_slots(i, site, entity, province, rules):
    out = []
    owner = site.get("responsible")
    if entity.get("type") != "personal" and owner and not same_person(owner, entity.get("responsible")):
        out += [
            _site_slot(i, "owner_id_front", "网站负责人不是主体负责人"),
            _site_slot(i, "owner_id_back", "网站负责人不是主体负责人"),
        ]
    if rules.website_owner_auth and not owner_is_legal_rep(entity, owner):
        out.append(_site_slot(i, "owner_authorization_letter", "网站负责人不是法定代表人，本省须提供授权书"))
    personal = entity.get("type") == "personal"  # a person cannot hold a pre-approval (§2.5): nothing to upload
    if not personal and (pre_approvals.declared(site) or service_contents.any_in(site, REGULATED_CONTENT)):
        out.append(_site_slot(i, "pre_approval_document", "涉及前置审批的内容须上传前置审批文件"))
    if "domain_certificate" in rules.extra_documents:
        out.append(_site_slot(i, "domain_certificate", "本省要求提供域名证书"))
    if str(province)[:2] == "44" and "finance" in service_contents.of(site):
        out.append(_site_slot(i, "gd_finance_commitment", "广东金融类网站须提供盖章承诺书"))
    return out


def required(
    kind: str, entity: dict | None, websites: list, province: str | None, existing_sites: int = 0
) -> list[Slot]:
    """The documents this order needs (§3.1), in the order the mini-program asks for them."""
    if kind not in MATERIAL_KINDS or not isinstance(entity, dict):
        return []
    rules = province_rules.get(province)
    out = _entity_slots(kind, entity, province, rules)
    for i, site in enumerate(websites or []):
        out += _site_slots(i, site if isinstance(site, dict) else {}, entity, province, rules)
    plan = SLOT_ZH["website_construction_plan"]
    if str(province or "")[:2] == "43" and existing_sites >= 2:
        out.append(Slot("website_construction_plan", plan, "湖南：主体已有网站的，须提供网站建设方案书"))
    elif (
        rules.construction_plan_sites
        and entity.get("type") != "personal"
        and kinds.KINDS[kind].files_new_website
        and existing_sites + len(websites or []) >= rules.construction_plan_sites
    ):
        why = f"本省单位主体网站数达到 {rules.construction_plan_sites} 个的，须提供网站建设方案书"
        out.append(Slot("website_construction_plan", plan, why))
    return out


# -- what an upload must be ------------------------------------------------------------------


class BadImage(ValueError):
    """An upload refused at once; `code` is stable, the message zh-CN."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


# The facts of images checked lately, by content: decoding and judging a photo costs ~10 ms
# (a 1200×800 PNG: decode ~7.5, the sharpness ~2), and the same file comes
# again and again — one image for several slots, a re-upload after a rejection, a test
# fixture in every replay. A pure function of the bytes and the limits; bounded.
_CHECKED: OrderedDict = OrderedDict()
_CHECKED_MAX = 256
_CHECKED_LOCK = threading.Lock()  # the web's threads share it


def check_image(data: bytes, max_bytes: int, min_side: int, max_pixels: int = limits.MAX_IMAGE_PIXELS) -> dict:
    """The facts of an acceptable image, or BadImage: decodable JPEG/PNG, ≤ max_bytes, each side
    ≥ min_side, at most max_pixels pixels."""
    key = (hashlib.sha256(data).hexdigest(), len(data), max_bytes, min_side, max_pixels)
    with _CHECKED_LOCK:
        known = _CHECKED.get(key)
        if known is not None:
            _CHECKED.move_to_end(key)
            return dict(known)
    facts = _check_image(data, max_bytes, min_side, max_pixels)  # (a refused image raises: not kept)
    with _CHECKED_LOCK:
        _CHECKED[key] = dict(facts)
        if len(_CHECKED) > _CHECKED_MAX:
            _CHECKED.popitem(last=False)
    return facts


def too_many_pixels(max_pixels: int, size=None) -> BadImage:
    shown = f"（{size[0]}×{size[1]}）" if size else ""
    return BadImage(
        "MATERIAL_RESOLUTION_TOO_HIGH",
        f"图片尺寸过大{shown}，像素总数不能超过 {max_pixels // 10_000} 万，请缩小后上传",
    )


def _format_within(img: Image.Image, max_pixels: int) -> str | None:
    """The image's format, or BadImage when its header claims more than max_pixels pixels."""
    if img.size[0] * img.size[1] > max_pixels:
        raise too_many_pixels(max_pixels, img.size)
    return img.format


def _check_image(data: bytes, max_bytes: int, min_side: int, max_pixels: int) -> dict:
    if len(data) > max_bytes:
        raise BadImage("MATERIAL_TOO_LARGE", uploads.too_large(len(data), max_bytes).message)
    if not data:
        raise BadImage("MATERIAL_NOT_IMAGE", "文件为空")
    try:
        with Image.open(io.BytesIO(data)) as img:  # the header only: its size, nothing decoded yet
            fmt = _format_within(img, max_pixels)
            img.verify()  # reads the whole stream: a truncated or corrupt file fails here
        with Image.open(io.BytesIO(data)) as img:
            width, height = img.size
            _draft_for_sharpness(img)
            img.load()
            score = sharpness(img)
    except BadImage:  # (a ValueError: not one of the unreadable files below)
        raise
    except Image.DecompressionBombError:  # Pillow's own cap (over 2 × its MAX_IMAGE_PIXELS), at open
        raise too_many_pixels(max_pixels) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise BadImage(
            "MATERIAL_NOT_IMAGE", "文件不是可识别的图片（仅支持 JPG、PNG），请上传原件的彩色照片或扫描件"
        ) from None
    if fmt not in FORMATS:
        raise BadImage("MATERIAL_FORMAT_UNSUPPORTED", f"不支持的图片格式 {fmt}：仅支持 JPG、PNG")
    if min(width, height) < min_side:
        raise BadImage(
            "MATERIAL_RESOLUTION_TOO_LOW",
            f"图片分辨率过低（{width}×{height}），短边须不少于 {min_side} 像素，请上传清晰完整的原件照片",
        )
    if not uploads.is_colour_file(data):  # §3.2: a colour scan or photo of the original
        raise BadImage("MATERIAL_NOT_COLOUR", uploads.NOT_COLOUR_MESSAGE)
    return {
        "format": fmt,
        "content_type": FORMATS[fmt],
        "width": width,
        "height": height,
        "bytes": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "sharpness": score,
    }


def _draft_for_sharpness(img: Image.Image) -> None:
    """A JPEG that sharpness() shrinks by a factor that 2, 4 or 8 divides is decoded at that scale
    (libjpeg's DCT scaling, Pillow's `draft`): the same size judged, a fraction of the decode (a
    4000×3000 photo ~20–75 ms instead of ~90–400). Its full size was read from its header before."""
    factor = -(-max(img.size) // SHARPNESS_SIDE)
    scale = next((s for s in (8, 4, 2) if factor % s == 0), 1)
    if img.format == "JPEG" and scale > 1:
        img.draft(img.mode, (-(-img.width // scale), -(-img.height // scale)))


def sharpness(img: Image.Image) -> int:
    """How sharp an image is, 0–255: the edge magnitude (Pillow's FIND_EDGES on the greyscale image,
    its 1-pixel border dropped) that the strongest 0.5 % of its pixels reach. A blank or
    single-colour image scores 0, a blurred page a few tens, text or a crisp outline close to 255
    (material_review.py decides what is too blurry). An image larger than SHARPNESS_SIDE is judged
    shrunk by the smallest whole factor that brings it within (`reduce`: each n×n block averaged,
    ~0.3 ms for 1200×800, where a bicubic scale-down to exactly 1024 cost ~5 ms and its edges ~4)."""
    grey = img.convert("L")
    factor = -(-max(grey.size) // SHARPNESS_SIDE)  # ceil: 1 for an image within SHARPNESS_SIDE
    if factor > 1:
        grey = grey.reduce(factor)
    edges = grey.filter(ImageFilter.FIND_EDGES)
    w, h = edges.size
    if w > 2 and h > 2:
        edges = edges.crop((1, 1, w - 1, h - 1))
    histogram = edges.histogram()
    wanted, seen = SHARPNESS_QUANTILE * sum(histogram), 0
    for value, count in enumerate(histogram):
        seen += count
        if seen >= wanted:
            return value
    return 255


# -- the provider reviewer's material rejections (§3.3), as audit_data entries -----------------

REJECTIONS = {
    "MATERIAL_BLURRY": (
        "材料不清晰：图片模糊、被裁剪或缺少边角",
        "请重新拍摄或扫描原件的彩色照片，确保四角完整、文字清晰",
    ),
    "MATERIAL_WRONG_TEMPLATE": (
        "材料模板不正确（使用了其他省份或其他主体类型的模板）",
        "请下载与本订单匹配的模板重新填写",
    ),
    "MATERIAL_UNSIGNED": ("材料未签字或未盖章", "请用黑色签字笔正楷签字，单位材料须加盖红色公章"),
    "MATERIAL_WRONG_WATERMARK": ("水印不符合要求：只允许「仅供备案使用」且不能遮挡文字", "请去除其他水印后重新上传"),
}


def rejection_entry(code: str, field: str | None) -> dict | None:
    """The audit_data entry of a material rejection (a fault rule names its code and the slot)."""
    if code not in REJECTIONS:
        return None
    error, suggest = REJECTIONS[code]
    slot = (field or "materials.").removeprefix("materials.")
    return {
        "code": code,
        "field": field or "materials",
        "key_name": SLOT_ZH.get(slot.split(".")[-1], "上传资料"),
        "error": error,
        "suggest": suggest,
    }


def rejected_slots(app: dict, rejected_states=(workflow.PROVIDER_REJECTED,)) -> dict:
    """slot -> the audit entry that rejects it, while the order is back with the user."""
    if app.get("state") not in rejected_states:
        return {}
    return {
        e["field"].removeprefix("materials."): e
        for e in app.get("audit_data") or []
        if str(e.get("field", "")).startswith("materials.")
    }


def with_review(uploaded: dict, app: dict) -> dict:
    """Uploads as the user sees them: a slot the reviewer rejected and not uploaded again since the
    rejected submission is `rejected`, with the reviewer's entry."""
    out = dict(uploaded)
    for slot, entry in rejected_slots(app).items():
        doc = out.get(slot)
        if doc is not None and doc.get("attempt", 0) < app.get("attempt", 0):
            out[slot] = dict(doc, status="rejected", audit=entry)
    return out
