"""The badge image of a credential: a PNG with a QR code, the credential baked in.

Baking follows the Open Badges 3.0 spec: one ``iTXt`` chunk with the keyword
``openbadgecredential`` whose text is the credential; for a credential secured as a
JWT that text is the compact JWS. The QR code holds the credential's URL, where the
signed credential can be fetched and then checked at ``POST /credentials/verify``.
"""

from __future__ import annotations

import io

import qrcode
from PIL import Image, ImageDraw, PngImagePlugin

BAKING_KEYWORD = "openbadgecredential"


def badge_png(credential_url: str, jwt: str, caption: str) -> bytes:
    qr = qrcode.QRCode(border=2, box_size=6)
    qr.add_data(credential_url)
    code = qr.make_image(fill_color="black", back_color="white").get_image().convert("RGB")
    margin = 36
    badge = Image.new("RGB", (code.width, code.height + margin), "white")
    badge.paste(code, (0, 0))
    ImageDraw.Draw(badge).text((8, code.height + 10), caption[:60], fill="black")
    info = PngImagePlugin.PngInfo()
    info.add_itxt(BAKING_KEYWORD, jwt, lang="", tkey="", zip=False)
    out = io.BytesIO()
    badge.save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def baked_credential(png: bytes) -> str | None:
    """The credential baked into a PNG (None: the image carries none)."""
    try:
        image = Image.open(io.BytesIO(png))
        image.load()
    except (OSError, ValueError):
        return None
    text = (
        image.text.get(BAKING_KEYWORD) if isinstance(image, PngImagePlugin.PngImageFile) else None
    )
    return str(text) if text is not None else None
