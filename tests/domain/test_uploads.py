"""An upload's envelope (process.md §3.2): the size told with real numbers, the filename bounded
and cleaned, colour required (no black-and-white or greyscale scans)."""

import io

import pytest
from PIL import Image
from support.images import jpeg, png

from backend.domain import limits, materials, uploads


def encoded(img, fmt="PNG"):
    buf = io.BytesIO()
    img.save(buf, fmt)
    return buf.getvalue()


def grey_palette():
    img = Image.new("P", (400, 300))
    img.putpalette([v for i in range(256) for v in (i, i, i)])
    return img


def colour_palette():
    img = Image.new("P", (400, 300), 1)
    img.putpalette([0, 0, 0, 200, 30, 30] + [0] * (254 * 3))
    return img


@pytest.mark.parametrize(
    "img",
    [
        Image.new("1", (400, 300), 1),
        Image.new("L", (400, 300), 200),
        Image.new("LA", (400, 300), (200, 255)),
        Image.new("I;16", (400, 300), 3000),
        grey_palette(),
    ],
    ids=["1-bit", "grey", "grey+alpha", "16-bit grey", "grey palette"],
)
def test_black_and_white_and_grey_pngs_are_refused(img):
    with pytest.raises(materials.BadImage) as e:
        materials.check_image(encoded(img), limits.MAX_UPLOAD_BYTES, 300)
    assert e.value.code == "MATERIAL_NOT_COLOUR" and "彩色" in e.value.message


def test_a_grey_jpeg_is_refused_and_colour_files_pass():
    with pytest.raises(materials.BadImage):
        materials.check_image(encoded(Image.new("L", (400, 300), 90), "JPEG"), limits.MAX_UPLOAD_BYTES, 300)
    for data in (png(), jpeg(), encoded(colour_palette()), encoded(Image.new("RGBA", (400, 300), (1, 2, 3, 4)))):
        assert materials.check_image(data, limits.MAX_UPLOAD_BYTES, 300)["format"] in ("PNG", "JPEG")
    # an RGB file is colour whatever it shows: a colour scan of a black-ink letter is grey too
    assert materials.check_image(encoded(Image.new("RGB", (400, 300), "white")), limits.MAX_UPLOAD_BYTES, 300)


def test_too_large_tells_the_real_size_and_the_cap():
    size = 4_257_000
    error = uploads.too_large(size)
    assert (error.code, error.status) == ("MATERIAL_TOO_LARGE", 422)
    assert "4,257,000 字节" in error.message and "4,194,304 字节" in error.message and "4.06 MB" in error.message
    assert error.details["size_bytes"] == size and error.details["max_bytes"] == limits.MAX_UPLOAD_BYTES
    assert error.details["errors"] == {"file": [error.message]}
    assert "上传请求" in uploads.too_large(30_000_000, whole_request=True).message
    assert "20 MB" in uploads.too_large(None, whole_request=True).message
    with pytest.raises(materials.BadImage) as e:
        materials.check_image(b"x" * 101, 100, 300)
    assert "101 字节" in e.value.message and "100 字节" in e.value.message


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("id-front.png", "id-front.png"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\身份证.jpg", "身份证.jpg"),
        ("a\x00b\r\nc.png", "abc.png"),
        ("invoice\u202egnp.exe", "invoicegnp.exe"),  # RLO: the name would read backwards
        ("zh\u200bang.png", "zhang.png"),
        ("  many   spaces .png ", "many spaces .png"),
        ("e\u0301.png", "\u00e9.png"),  # NFC
        ("", "commitment_letter"),
        ("\x00\x01", "commitment_letter"),
        (None, "commitment_letter"),
        ("..", "commitment_letter"),
    ],
)
def test_filenames_are_cleaned(raw, clean):
    assert uploads.clean_filename(raw, "commitment_letter") == clean


def test_long_filenames_are_cut_keeping_the_extension():
    name = uploads.clean_filename("名" * 15000 + ".png", "x")
    assert len(name) == limits.MAX_FILENAME and name.endswith(".png")
    name = uploads.clean_filename("a" * 300, "x")
    assert name == "a" * limits.MAX_FILENAME


OWNER = {"name": "王五", "certificate_number": "440305198001010013"}
SITE_OWNER = {"name": "赵六", "certificate_number": "44030519850505001x"}


def test_the_person_an_id_slot_shows():
    entity, sites = {"responsible": OWNER}, [{"responsible": SITE_OWNER}]
    assert uploads.slot_person("entity_owner_id_front", entity, sites) == OWNER["certificate_number"]
    assert uploads.slot_person("websites.0.owner_id_back", entity, sites) == "44030519850505001X"
    assert uploads.slot_person("websites.3.owner_id_back", entity, sites) is None
    assert uploads.slot_person("commitment_letter", entity, sites) is None
    doc = {"slot": "entity_owner_id_back", "person": OWNER["certificate_number"]}
    assert uploads.shows_current_person(doc, entity, sites)
    assert not uploads.shows_current_person(doc, {"responsible": SITE_OWNER}, sites)
    assert uploads.shows_current_person({"slot": "entity_owner_id_back"}, {"responsible": SITE_OWNER}, sites)


def test_only_the_same_bytes_after_a_rejection_are_refused():
    previous = {"sha256": "a"}
    assert uploads.unchanged_after_rejection(previous, {"status": "rejected"}, "a")
    assert not uploads.unchanged_after_rejection(previous, {"status": "rejected"}, "b")
    assert not uploads.unchanged_after_rejection(previous, {"status": "uploaded"}, "a")
    assert not uploads.unchanged_after_rejection(None, None, "a")
