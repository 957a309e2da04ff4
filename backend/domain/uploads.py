"""What an upload's envelope must be (process.md §3.2), apart from the image itself
(materials.check_image): its size against the per-file cap, reported with the real numbers;
its filename, bounded and cleaned before it is stored or echoed; colour, not black and white."""

import io
import re
import unicodedata

from PIL import Image

from backend.domain import limits
from backend.domain.errors import DomainError, fail

# Pillow modes of a black-and-white or greyscale image: 1-bit, 8-bit grey (+ alpha), 16/32-bit grey
GREY_MODES = frozenset({"1", "L", "LA", "La", "I", "I;16", "I;16B", "I;16L", "I;16N", "F"})
_FOLDERS = re.compile(r"[\\/]")


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.2f} MB"


def too_large(size: int | None, cap: int = limits.MAX_UPLOAD_BYTES, whole_request: bool = False) -> DomainError:
    """MATERIAL_TOO_LARGE with the file's real size and the cap (422, per field `file`).

    `whole_request`: the body was refused unread (over limits.MAX_UPLOAD_REQUEST_BYTES), so the
    size is the request's declared length (None when it was sent chunked)."""
    limit = f"单个文件不能超过 {cap // (1024 * 1024)} MB（{cap:,} 字节）"
    if size is None:
        told = f"上传请求超过 {limits.MAX_UPLOAD_REQUEST_BYTES // (1024 * 1024)} MB"
    elif whole_request:
        told = f"上传请求 {_mb(size)}（{size:,} 字节）"
    else:
        told = f"{_mb(size)}（{size:,} 字节）"
    message = f"文件过大：{told}，{limit}，请压缩或重新拍摄后上传"
    return fail("MATERIAL_TOO_LARGE", message, errors={"file": [message]}, size_bytes=size, max_bytes=cap)


def filename_not_utf8() -> DomainError:
    message = (
        "文件名不是有效的 UTF-8 编码（可能是 GBK 等其他编码），请把文件重命名为英文或数字（如 id-front.png）后重新上传"
    )
    return fail("UPLOAD_FILENAME_INVALID", message, errors={"file": [message]})


def clean_filename(raw: object, fallback: str) -> str:
    """The name to store and echo: the last path component, NFC, without control or format
    characters (NUL, CR/LF, RLO, zero-width), spaces collapsed, at most limits.MAX_FILENAME
    characters with the extension kept; `fallback` when nothing is left."""
    text = unicodedata.normalize("NFC", raw if isinstance(raw, str) else "")
    text = _FOLDERS.split(text)[-1]
    text = "".join(ch for ch in text if not unicodedata.category(ch).startswith("C"))
    text = " ".join(text.split()).strip(" .")
    if len(text) > limits.MAX_FILENAME:
        stem, dot, ext = text.rpartition(".")
        ext = f".{ext}" if dot and stem and len(ext) <= 10 else ""
        text = text[: limits.MAX_FILENAME - len(ext)].rstrip(" .") + ext
    return text or fallback


def is_colour(img: Image.Image) -> bool:
    """False for a black-and-white or greyscale image: a grey mode, or a palette whose used
    entries are all grey. An RGB file counts as colour whatever it shows (a colour scan of a
    black-ink letter is mostly grey pixels too)."""
    if img.mode in GREY_MODES:
        return False
    if img.mode not in ("P", "PA"):
        return True
    palette = img.getpalette() or []
    used = img.getcolors(maxcolors=256) or [(0, i) for i in range(len(palette) // 3)]
    indices = [int(pixel[0] if isinstance(pixel, tuple) else pixel) for _, pixel in used]  # PA: (index, alpha)
    entries = [palette[3 * index : 3 * index + 3] for index in indices]
    return any(len(rgb) == 3 and not rgb[0] == rgb[1] == rgb[2] for rgb in entries)


def is_colour_file(data: bytes) -> bool:
    """is_colour of an encoded image that materials.check_image has already decoded once."""
    with Image.open(io.BytesIO(data)) as img:
        return is_colour(img)


NOT_COLOUR_MESSAGE = "图片为黑白或灰度图：请上传原件的彩色照片或彩色扫描件（不接受黑白复印件、灰度扫描件）"


# -- whose ID an upload shows: an owner's ID images count only while that person is the owner ---

_OWNER_ID_SLOTS = ("entity_owner_id_front", "entity_owner_id_back")
_SITE_OWNER_ID_SLOTS = ("owner_id_front", "owner_id_back")


def slot_person(slot: str, entity: dict | None, websites: list | None) -> str | None:
    """The certificate number of the person an ID slot shows (upper-cased), None for other slots."""
    name = slot.rsplit(".", 1)[-1]
    person = None
    if name in _OWNER_ID_SLOTS:
        person = (entity or {}).get("responsible")
    elif name in _SITE_OWNER_ID_SLOTS and slot.startswith("websites."):
        index = slot.split(".")[1]
        sites = websites or []
        site = sites[int(index)] if index.isdigit() and int(index) < len(sites) else None
        person = site.get("responsible") if isinstance(site, dict) else None
    if not isinstance(person, dict):
        return None
    return str(person.get("certificate_number") or "").strip().upper() or None


def shows_current_person(doc: dict, entity: dict | None, websites: list | None) -> bool:
    """False for an ID image uploaded for a person who is no longer the slot's owner (the owner
    was changed by an edit); uploads from before `person` was recorded always count."""
    recorded = doc.get("person")
    return recorded is None or recorded == slot_person(doc.get("slot") or "", entity, websites)


def unchanged_after_rejection(previous: dict | None, shown: dict | None, sha256: str) -> bool:
    """True when the slot's upload stands rejected by the reviewer and the new file is the same
    bytes: re-sending it must not clear the rejection (§3.3: rescan or retake)."""
    return bool(previous and shown and shown.get("status") == "rejected" and previous.get("sha256") == sha256)
