"""Real images for upload tests, drawn with Pillow (never checked-in binaries)."""

import io

from PIL import Image, ImageDraw, ImageFilter


def png(width=800, height=600, text="营业执照"):
    img = Image.new("RGB", (width, height), (250, 250, 245))
    draw = ImageDraw.Draw(img)
    if width > 60 and height > 60:
        draw.rectangle((20, 20, width - 20, height - 20), outline=(200, 30, 30), width=6)
        draw.text((40, 40), text.encode("ascii", "replace").decode(), fill=(0, 0, 0))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def _page(width, height):
    """A printed page: lines of dark text on light paper (sharp enough for the reviewer)."""
    img = Image.new("RGB", (width, height), (245, 245, 240))
    draw = ImageDraw.Draw(img)
    for y in range(30, height - 30, 20):
        draw.text((30, y), "ICP BEIAN 2026 " * (width // 90), fill=(20, 20, 20))
    return img


def jpeg(width=800, height=600):
    """A photographed page as JPEG."""
    buf = io.BytesIO()
    _page(width, height).save(buf, "JPEG", quality=85)
    return buf.getvalue()


def blank_jpeg(width=800, height=600):
    """A single-colour photo: decodable, large enough, and nothing on it (the reviewer's 模糊)."""
    buf = io.BytesIO()
    Image.new("RGB", (width, height), (120, 160, 200)).save(buf, "JPEG", quality=85)
    return buf.getvalue()


def blurry_png(width=800, height=600, radius=3):
    """A page out of focus (Gaussian blur): the upload accepts it, the reviewer does not."""
    buf = io.BytesIO()
    _page(width, height).filter(ImageFilter.GaussianBlur(radius)).save(buf, "PNG")
    return buf.getvalue()


def blurry_jpeg(width=800, height=600, radius=1.5):
    """A photographed page a little out of focus, as JPEG."""
    buf = io.BytesIO()
    _page(width, height).filter(ImageFilter.GaussianBlur(radius)).save(buf, "JPEG", quality=85)
    return buf.getvalue()


FAKE_PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def huge_png(width=30000, height=30000):
    """A few-byte PNG whose header claims width × height (a decompression bomb's shape): its
    pixel data is cut short, so only a check of the header's size can tell it apart."""
    import struct
    import zlib

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    row = zlib.compress(b"\0" * (1 + 3 * min(width, 1000)))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", row) + chunk(b"IEND", b"")
