"""The provider reviewer's judgement of uploaded materials (domain/material_review.py): the
sharpness Pillow computes at upload, and the seeded rejections for what no machine can see."""

import io
from datetime import date

import pytest
from PIL import Image, ImageFilter
from support.images import blank_jpeg, blurry_jpeg, blurry_png, jpeg, png

from backend.domain import material_review as M, materials, review
from backend.domain.review import ReviewContext

LIMIT = 4 * 1024 * 1024


def facts(data):
    return materials.check_image(data, LIMIT, 300)


def upload(data, slot="commitment_letter"):
    return dict(facts(data), slot=slot, zh=materials.SLOT_ZH[slot.split(".")[-1]])


@pytest.mark.parametrize(
    "make,low,high",
    [
        (png, 200, 255),  # a crisp outline and text
        (jpeg, 200, 255),  # a photographed page
        (lambda: blurry_png(radius=1), 60, 200),  # a little soft: still readable
        (lambda: blurry_png(radius=3), 0, 39),  # out of focus
        (blank_jpeg, 0, 0),  # nothing on it
    ],
)
def test_sharpness_is_computed_at_upload(make, low, high):
    assert low <= facts(make())["sharpness"] <= high


def test_sharpness_of_a_large_image_is_judged_at_screen_size():
    assert facts(png(2400, 1800))["sharpness"] > M.DEFAULT_MIN_SHARPNESS
    assert facts(blank_jpeg(2400, 1800))["sharpness"] == 0
    assert facts(blurry_png(2400, 1800, radius=6))["sharpness"] < min(
        int(r["min_sharpness"]) for r in M.QUALITY.values()
    )


def edge_quantile(grey):
    """The definition by hand: FIND_EDGES, the 1-pixel border dropped, the value 99.5 % of pixels stay within."""
    edges = grey.filter(ImageFilter.FIND_EDGES)
    counts = edges.crop((1, 1, edges.width - 1, edges.height - 1)).histogram()
    total, seen = sum(counts), 0
    for value, count in enumerate(counts):
        seen += count
        if seen >= materials.SHARPNESS_QUANTILE * total:
            return value
    return 255


@pytest.mark.parametrize("size,factor", [((1200, 800), 2), ((900, 1200), 2), ((2400, 1800), 3), ((4000, 3000), 4)])
def test_a_large_image_is_judged_shrunk_by_the_whole_factor_that_brings_it_within_1024(size, factor):
    """What is judged is the greyscale image reduced by ceil(side / 1024), each block averaged."""
    big = Image.open(io.BytesIO(blurry_png(*size, radius=1.5)))
    grey = big.convert("L")
    assert max(grey.reduce(factor).size) <= materials.SHARPNESS_SIDE < max(grey.reduce(factor - 1).size)
    assert materials.sharpness(big) == edge_quantile(grey.reduce(factor))


@pytest.mark.parametrize("size,scale", [((4000, 3000), 4), ((2100, 1500), 1), ((1600, 1200), 2), ((8200, 300), 1)])
def test_a_large_jpeg_is_decoded_at_the_scale_it_is_judged_at(size, scale):
    """A JPEG shrunk by a factor that 2, 4 or 8 divides is decoded at that scale (libjpeg's DCT
    scaling) and judged there; its facts keep its full size. (8200 px: factor 9, no scale divides.)"""
    data = blurry_jpeg(*size)
    got = facts(data)
    assert (got["width"], got["height"]) == size
    decoded = Image.open(io.BytesIO(data))
    decoded.draft("RGB", (-(-size[0] // scale), -(-size[1] // scale)))
    decoded.load()
    assert decoded.size == (-(-size[0] // scale), -(-size[1] // scale))
    grey = decoded.convert("L")
    factor = -(-max(size) // materials.SHARPNESS_SIDE) // scale
    assert got["sharpness"] == edge_quantile(grey.reduce(factor) if factor > 1 else grey)


@pytest.mark.parametrize("size", [(1024, 700), (800, 600), (300, 1024)])
def test_an_image_within_1024_is_judged_as_it_is(size):
    img = Image.open(io.BytesIO(blurry_png(*size, radius=1.5)))
    assert materials.sharpness(img) == edge_quantile(img.convert("L"))


def test_a_blurry_or_blank_upload_is_rejected_as_blurry_naming_its_slot():
    uploads = {
        "entity_owner_id_front": upload(png(), "entity_owner_id_front"),
        "commitment_letter": upload(blurry_png()),
        "websites.0.owner_id_back": upload(blank_jpeg(), "websites.0.owner_id_back"),
    }
    audit = M.judge("A0001", uploads, {}, seed=1)
    assert [(a["code"], a["field"]) for a in audit] == [
        ("MATERIAL_BLURRY", "materials.commitment_letter"),
        ("MATERIAL_BLURRY", "materials.websites.0.owner_id_back"),
    ]
    assert audit[0] == materials.rejection_entry("MATERIAL_BLURRY", "materials.commitment_letter")
    assert audit[1]["key_name"] == materials.SLOT_ZH["owner_id_back"]


def test_the_threshold_is_a_setting_and_zero_turns_it_off():
    uploads = {"commitment_letter": upload(blurry_png(radius=1))}
    assert M.judge("A0001", uploads, {}, seed=1) == []
    assert M.judge("A0001", uploads, {"material_min_sharpness": 255}, seed=1)[0]["code"] == "MATERIAL_BLURRY"
    assert M.judge("A0001", {"commitment_letter": upload(blank_jpeg())}, {"material_min_sharpness": 0}, seed=1) == []


def test_an_upload_without_a_score_is_not_judged_blurry():
    doc = {k: v for k, v in upload(blank_jpeg()).items() if k != "sharpness"}  # stored before scores existed
    assert M.judge("A0001", {"commitment_letter": doc}, {}, seed=1) == []


def test_the_seeded_rate_gives_reasons_that_fit_the_slot_and_the_same_file_the_same_verdict():
    letter, photo = upload(png()), upload(jpeg(), "entity_owner_id_front")
    always = {"material_rejection_rate": 1}
    [a, b] = M.judge("A0001", {"commitment_letter": letter, "entity_owner_id_front": photo}, always, seed=7)
    assert a["code"] in M.LETTER_REASONS and a["field"] == "materials.commitment_letter"
    assert b["code"] == "MATERIAL_WRONG_WATERMARK"  # an ID photo is neither a template nor signed
    assert M.judge("A0001", {"commitment_letter": letter}, always, seed=7) == [a]  # reproducible
    assert M.judge("A0001", {"commitment_letter": letter}, {}, seed=7) == []  # default: off


def test_a_rate_rejects_about_that_share_and_depends_on_the_seed():
    uploads = {
        f"websites.{i}.domain_certificate": dict(upload(png(), "websites.0.domain_certificate"), sha256=f"{i:064x}")
        for i in range(200)
    }
    share = len(M.judge("A0001", uploads, {"material_rejection_rate": 0.25}, seed=3)) / 200
    assert 0.15 < share < 0.35
    assert M.judge("A0001", uploads, {"material_rejection_rate": 0.25}, seed=3) != M.judge(
        "A0001", uploads, {"material_rejection_rate": 0.25}, seed=4
    )


def test_the_provider_review_judges_the_uploads_the_bureau_does_not():
    app = {"id": "A0001", "kind": "first_filing", "payload": {}}
    ctx = ReviewContext(today=date(2026, 6, 1), materials={"commitment_letter": upload(blank_jpeg())}, seed=1)
    assert [a["code"] for a in review.review("provider", app, ctx)] == ["MATERIAL_BLURRY"]
    assert review.review("bureau", app, ctx) == []
    assert review.review("provider", app, ReviewContext(today=date(2026, 6, 1))) == []


def test_each_slot_kind_has_its_own_threshold_unless_the_setting_overrides_it():
    # data/material_quality.csv: ID photos are read by OCR and compared with the face (60), scans 40, letters 30
    assert M.min_sharpness_for("entity_owner_id_front") == 60
    assert M.min_sharpness_for("websites.1.owner_id_back") == 60
    assert M.min_sharpness_for("entity_certificate") == 40
    assert M.min_sharpness_for("commitment_letter") == 30
    assert M.min_sharpness_for("unknown_slot") == M.DEFAULT_MIN_SHARPNESS
    assert M.min_sharpness_for("entity_owner_id_front", 10) == 10 and M.min_sharpness_for("commitment_letter", 0) == 0
    every = {slot for row in M.QUALITY.values() for slot in row["slots"].split()}
    assert every == set(materials.SLOT_ZH)  # each slot has a kind
    soft = blurry_png(radius=1.5)  # readable as a letter, too soft for an ID photo
    assert 30 <= facts(soft)["sharpness"] < 60
    uploads = {"commitment_letter": upload(soft), "entity_owner_id_front": upload(soft, "entity_owner_id_front")}
    audit = M.judge("A0001", uploads, {}, seed=1)
    assert [(a["code"], a["field"]) for a in audit] == [("MATERIAL_BLURRY", "materials.entity_owner_id_front")]
    assert M.judge("A0001", uploads, {"material_min_sharpness": 20}, seed=1) == []  # the global override
