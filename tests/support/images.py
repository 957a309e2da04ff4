"""Real images for upload tests, drawn with Pillow (never checked-in binaries)."""

import io

from PIL import Image, ImageDraw


def png(width=800, height=600, text="营业执照"):
    img = Image.new("RGB", (width, height), (250, 250, 245))
    draw = ImageDraw.Draw(img)
    if width > 60 and height > 60:
        draw.rectangle((20, 20, width - 20, height - 20), outline=(200, 30, 30), width=6)
        draw.text((40, 40), text.encode("ascii", "replace").decode(), fill=(0, 0, 0))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def jpeg(width=800, height=600):
    buf = io.BytesIO()
    Image.new("RGB", (width, height), (120, 160, 200)).save(buf, "JPEG", quality=85)
    return buf.getvalue()


FAKE_PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
