"""The badge image of a credential: a PNG with a QR code, the credential baked in.

Baking follows the Open Badges 3.0 spec: one ``iTXt`` chunk with the keyword
``openbadgecredential`` whose text is the credential; for a credential secured as a
JWT that text is the compact JWS. The QR code holds the credential's URL, where the
signed credential can be fetched and then checked at ``POST /credentials/verify``.
"""

from __future__ import annotations

import io
import struct
import zlib

import qrcode
from PIL import Image, ImageDraw, PngImagePlugin

BAKING_KEYWORD = "openbadgecredential"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_BAKED_BYTES = 1_000_000


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
    """The credential baked into a PNG (None: the image carries none).

    Reads the chunks without decoding a pixel: an uploaded image is untrusted, and a
    small file can decode to a huge one.
    """
    if not png.startswith(PNG_SIGNATURE):
        return None
    offset = len(PNG_SIGNATURE)
    while offset + 8 <= len(png):
        length, kind = struct.unpack(">I4s", png[offset : offset + 8])
        if offset + 12 + length > len(png):
            return None  # a truncated chunk: the file is cut short
        data = png[offset + 8 : offset + 8 + length]
        offset += 12 + length
        if kind == b"iTXt" and data.startswith(BAKING_KEYWORD.encode() + b"\0"):
            return _itxt_text(data)
        if kind == b"IEND":
            break
    return None


def _itxt_text(data: bytes) -> str | None:
    """The text of an iTXt chunk: keyword, flags, language and translated keyword first."""
    try:
        _keyword, rest = data.split(b"\0", 1)
        compressed, rest = rest[0], rest[2:]
        _language, _translated, text = rest.split(b"\0", 2)
        if compressed:
            inflater = zlib.decompressobj()
            text = inflater.decompress(text, MAX_BAKED_BYTES)
        return text.decode("utf-8")
    except (ValueError, IndexError, zlib.error, UnicodeDecodeError):
        return None
