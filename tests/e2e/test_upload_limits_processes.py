"""Upload limits against a real gunicorn (audit #22): an over-size file is told its real size, a
body past the upload cap is refused unread with the same code, a GBK filename is named, and a
file of a few MB crosses the real socket (Content-Length and chunked)."""

import io

import requests
from PIL import Image
from support.people import ZHANG_SAN_ID, personal_payload
from support.procs import running_stack

from backend.domain import limits

CONTROL = "e2e-control"


def _order(base):
    sb = requests.post(
        f"{base}/sandboxes",
        headers={"Authorization": f"Bearer {CONTROL}"},
        json={"seed": 42, "settings": {"face_check_before_materials": False}},
        timeout=60,
    ).json()
    home, auth = f"{base}/sandboxes/{sb['id']}", {"Authorization": f"Bearer {sb['token']}"}
    ip = requests.get(f"{home}/eligibility", headers=auth, timeout=60).json()["usable_ips"][0]["ip"]
    domain = {"name": "zhangsan-blog.cn", "holder_name": "张三", "holder_certificate_number": ZHANG_SAN_ID}
    assert requests.post(f"{home}/domains", headers=auth, json=domain, timeout=60).status_code == 201
    app = requests.post(f"{home}/applications", headers=auth, json={"payload": personal_payload(ip)}, timeout=60)
    return f"{home}/applications/{app.json()['id']}/materials/commitment_letter", auth


def _noise_png(side):
    """A colour PNG that does not compress: about 3 bytes a pixel."""
    img = Image.frombytes("RGB", (side, side), bytes((i * 7919) % 251 for i in range(side * side * 3)))
    buf = io.BytesIO()
    img.save(buf, "PNG", compress_level=0)
    return buf.getvalue()


def test_upload_limits_over_a_real_socket(r, redis_url, tmp_path):
    with running_stack(redis_url, CONTROL, tmp_path / "stack.log", workers=0, ICPSIM_UPLOADS_DIR=str(tmp_path)) as s:
        url, auth = _order(s.base)
        big = b"\x89PNG" + b"0" * (6 * 1024 * 1024)
        resp = requests.post(url, headers=auth, files={"file": ("big.png", big, "image/png")}, timeout=120)
        assert resp.status_code == 422 and resp.json()["code"] == "MATERIAL_TOO_LARGE", resp.text
        assert resp.json()["size_bytes"] == len(big) and resp.json()["max_bytes"] == limits.MAX_UPLOAD_BYTES
        huge = b"0" * (limits.MAX_UPLOAD_REQUEST_BYTES + 1)
        resp = requests.post(url, headers=auth, files={"file": ("huge.png", huge, "image/png")}, timeout=120)
        assert resp.status_code == 422 and resp.json()["code"] == "MATERIAL_TOO_LARGE", resp.text
        assert resp.json()["size_bytes"] > limits.MAX_UPLOAD_REQUEST_BYTES
        body = (
            b'--XX\r\nContent-Disposition: form-data; name="file"; filename="'
            + "承诺书.png".encode("gbk")
            + b'"\r\nContent-Type: image/png\r\n\r\nx\r\n--XX--\r\n'
        )
        headers = {**auth, "Content-Type": "multipart/form-data; boundary=XX"}
        resp = requests.post(url, headers=headers, data=body, timeout=60)
        assert resp.status_code == 422 and resp.json()["code"] == "UPLOAD_FILENAME_INVALID", resp.text
        image = _noise_png(1100)
        assert 3 * 1024 * 1024 < len(image) < limits.MAX_UPLOAD_BYTES
        resp = requests.post(url, headers=auth, files={"file": ("承诺书.png", image, "image/png")}, timeout=120)
        assert resp.status_code == 201 and resp.json()["bytes"] == len(image), resp.text
        assert resp.json()["filename"] == "承诺书.png"
        chunks = iter([body[:10], body[10:]])  # no Content-Length: Transfer-Encoding chunked
        resp = requests.post(url, headers=headers, data=chunks, timeout=60)
        assert resp.status_code == 422 and resp.json()["code"] == "UPLOAD_FILENAME_INVALID", resp.text
        head = b'--XX\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n\r\n'
        chunked = iter([head] + [b"0" * (1024 * 1024)] * 21 + [b"\r\n--XX--\r\n"])
        resp = requests.post(url, headers=headers, data=chunked, timeout=120)
        assert resp.status_code == 422 and resp.json()["code"] == "MATERIAL_TOO_LARGE", resp.text
        assert resp.json()["size_bytes"] is None and "20 MB" in resp.json()["message"]
