"""Upload limits over HTTP (process.md §3.2, audit #22): an over-size file is told its real size
and the cap (up to the request's hard cap, and past it unread), a filename that is not UTF-8 or
is cut by a line break gets a clear message, names are cleaned before they are stored or echoed,
and black-and-white or greyscale images are refused."""

import io

import pytest
from PIL import Image
from support.images import png

from api.flows import assert_error, new_sandbox, ok
from api.test_materials_and_face_check import draft, pass_face_check, upload
from backend.domain import limits

SLOT = "commitment_letter"


@pytest.fixture
def uploads(tmp_path, monkeypatch):
    monkeypatch.setenv("ICPSIM_UPLOADS_DIR", str(tmp_path / "uploads"))
    return tmp_path / "uploads"


@pytest.fixture
def strict(control):
    return new_sandbox(control, settings={"pre_submit_checks": True})


def raw_upload(sb, app_id, filename: bytes, data=b"x"):
    body = (
        b'--XX\r\nContent-Disposition: form-data; name="file"; filename="' + filename + b'"\r\n'
        b"Content-Type: image/png\r\n\r\n" + data + b"\r\n--XX--\r\n"
    )
    return sb.call(
        "POST", f"~/applications/{app_id}/materials/{SLOT}", data=body, content_type="multipart/form-data; boundary=XX"
    )


def test_an_over_size_file_is_told_its_real_size(strict, uploads):
    app = draft(strict)
    for size in (limits.MAX_UPLOAD_BYTES + 1, 4_257_000, 12 * 1024 * 1024):
        body = assert_error(upload(strict, app["id"], SLOT, b"\x89PNG" + b"0" * (size - 4)), 422, "MATERIAL_TOO_LARGE")
        assert body["size_bytes"] == size and body["max_bytes"] == limits.MAX_UPLOAD_BYTES
        assert f"{size:,} 字节" in body["message"] and body["errors"]["file"] == [body["message"]]
    assert not list(uploads.rglob("*.png"))


def test_past_the_hard_cap_the_body_is_refused_unread(strict, uploads):
    app = draft(strict)
    resp = upload(strict, app["id"], SLOT, b"0" * (limits.MAX_UPLOAD_REQUEST_BYTES + 1))
    body = assert_error(resp, 422, "MATERIAL_TOO_LARGE")
    assert body["size_bytes"] > limits.MAX_UPLOAD_REQUEST_BYTES and "上传请求" in body["message"]


def test_other_bodies_keep_their_one_mib_413(strict):
    resp = strict.post("~/applications", json={"kind": "first_filing", "payload": {"x": "0" * (1024 * 1024)}})
    assert_error(resp, 413, "PAYLOAD_TOO_LARGE")


def test_a_multipart_body_cut_before_its_closing_boundary_says_so(strict, uploads):
    """A body that ends inside the file's part (no `--boundary--`: a client that gave up, a
    hand-built request) was told its filename had control characters; it is incomplete."""
    app = draft(strict)
    body = (
        b'--XX\r\nContent-Disposition: form-data; name="file"; filename="id.png"\r\n'
        b"Content-Type: image/png\r\n\r\n\x89PNG0000"
    )
    resp = strict.call(
        "POST",
        f"~/applications/{app['id']}/materials/{SLOT}",
        data=body,
        content_type="multipart/form-data; boundary=XX",
    )
    error = assert_error(resp, 422, "UPLOAD_INCOMPLETE")
    assert "换行" not in error["message"] and error["errors"]["file"] == [error["message"]]
    assert not list(uploads.rglob("*.png"))


def test_a_filename_that_is_not_utf8_or_is_cut_gets_a_clear_message(strict, uploads):
    app = draft(strict)
    body = assert_error(raw_upload(strict, app["id"], "身份证.png".encode("gbk")), 422, "UPLOAD_FILENAME_INVALID")
    assert "UTF-8" in body["message"] and body["errors"]["file"]
    body = assert_error(raw_upload(strict, app["id"], b"a\r\nb.png"), 422, "UPLOAD_FILENAME_INVALID")
    assert "换行" in body["message"]
    resp = strict.call(
        "POST",
        f"~/applications/{app['id']}/materials/{SLOT}",
        data={"file": "text"},
        content_type="multipart/form-data",
    )
    assert_error(resp, 422, "UPLOAD_FILE_MISSING")


def test_filenames_are_cleaned_and_bounded_before_they_are_stored(strict, uploads):
    app = draft(strict)
    pass_face_check(strict, app["id"])
    doc = ok(upload(strict, app["id"], SLOT, png(), "../a\u202eb\x00c" + "名" * 15000 + ".png"), 201)
    assert len(doc["filename"]) == limits.MAX_FILENAME and doc["filename"].endswith(".png")
    assert doc["filename"].startswith("abc名") and "\u202e" not in doc["filename"]
    listed = ok(strict.get(f"~/applications/{app['id']}/materials"))
    [row] = [row for row in listed["slots"] if row["slot"] == SLOT]
    assert row["upload"]["filename"] == doc["filename"]
    doc = ok(upload(strict, app["id"], SLOT, png(), "\x00\x01"), 201)
    assert doc["filename"] == SLOT


def test_black_and_white_scans_are_refused(strict, uploads):
    app = draft(strict)
    buf = io.BytesIO()
    Image.new("1", (800, 600), 1).save(buf, "PNG")
    body = assert_error(upload(strict, app["id"], SLOT, buf.getvalue()), 422, "MATERIAL_NOT_COLOUR")
    assert "彩色" in body["message"]
    assert not list(uploads.rglob("*.png"))
