"""The provider reviewer's look at an order's uploaded materials (process.md §3.3).

Two judgements, both pure and reproducible:

- **What a machine can see**: an image's `sharpness`, computed once at upload
  (`materials.sharpness`: the 99.5th percentile of the edge magnitude of the greyscale image
  through Pillow's FIND_EDGES, 0–255) and kept in the upload's metadata. Below its slot kind's
  threshold (data/material_quality.csv: ID photos 60, scanned documents 40, signed letters 30),
  or below the setting `material_min_sharpness` for every slot when set (0 turns it off), the
  slot is rejected as 模糊/不清晰
  (`MATERIAL_BLURRY`): a blank or single-colour photo scores 0, a Gaussian blur of radius 2 on
  a printed page about 25, a sharp scan 255.
- **What it cannot** (the wrong template, a missing signature or seal, a stray watermark): the
  setting `material_rejection_rate` (default 0: off) is the share of uploads the reviewer rejects
  for one of the reasons that fit the slot, drawn from the sandbox's seeded RNG keyed by the
  upload's content — the same file is judged the same way every time, a new file is drawn again.

Every rejection is an `audit_data` entry naming the slot (`materials.<slot>`), the same entry a
fault rule gives (materials.rejection_entry), so the user re-uploads that slot only.
"""

import csv
from pathlib import Path

from backend.domain import materials
from backend.domain.rng import rng

DEFAULT_MIN_SHARPNESS = 40  # a slot no kind names
with (Path(__file__).parent / "data" / "material_quality.csv").open(encoding="utf-8") as _f:
    QUALITY = {row["kind"]: row for row in csv.DictReader(_f)}
SLOT_KIND = {slot: kind for kind, row in QUALITY.items() for slot in row["slots"].split()}
DEFAULT_REJECTION_RATE = 0.0
# the documents a person fills in, signs and seals from a template
LETTERS = frozenset(
    {
        "commitment_letter",
        "authorization_letter",
        "owner_authorization_letter",
        "party_building_letter",
        "gd_finance_commitment",
        "website_construction_plan",
        "establishment_approval",
    }
)
LETTER_REASONS = ("MATERIAL_WRONG_TEMPLATE", "MATERIAL_UNSIGNED", "MATERIAL_WRONG_WATERMARK")
PHOTO_REASONS = ("MATERIAL_WRONG_WATERMARK",)


def reasons_for(slot: str) -> tuple[str, ...]:
    """The rejections a reviewer can give a slot beyond blur: a letter's template, signature and
    watermark; a photo's or scan's watermark."""
    return LETTER_REASONS if slot.split(".")[-1] in LETTERS else PHOTO_REASONS


def _number(value, default, lo, hi):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return default
    return min(max(value, lo), hi)


def min_sharpness_for(slot: str, override=None) -> float:
    """The sharpness a slot needs: the setting when the sandbox sets it (one value for every
    slot), else its kind's (ID photo, scanned document, letter)."""
    if override is not None:
        return _number(override, DEFAULT_MIN_SHARPNESS, 0, 255)
    kind = SLOT_KIND.get(slot.split(".")[-1])
    return int(QUALITY[kind]["min_sharpness"]) if kind else DEFAULT_MIN_SHARPNESS


def judge_one(slot: str, doc: dict, app_id: str, seed, min_sharpness: float, rate: float) -> str | None:
    """The rejection code of one upload, or None (accepted)."""
    score = doc.get("sharpness")
    if min_sharpness > 0 and score is not None and score < min_sharpness:
        return "MATERIAL_BLURRY"
    if rate <= 0:
        return None
    draw = rng(seed, app_id, "material", slot, doc.get("sha256") or doc.get("version"))
    if draw.random() >= rate:
        return None
    return draw.choice(reasons_for(slot))


def judge(app_id: str, uploads: dict, settings: dict, seed) -> list[dict]:
    """audit_data for the uploads (slot -> upload metadata, the order's required slots only);
    `settings.material_min_sharpness`, when not None, overrides every slot kind's threshold."""
    override = settings.get("material_min_sharpness")
    rate = _number(settings.get("material_rejection_rate"), DEFAULT_REJECTION_RATE, 0, 1)
    out = []
    for slot, doc in uploads.items():
        code = judge_one(slot, doc, app_id, seed, min_sharpness_for(slot, override), rate) if doc else None
        entry = materials.rejection_entry(code, f"materials.{slot}") if code else None
        if entry:
            out.append(entry)
    return out
