"""A signer's drawn signature: taken from the browser's canvas as a PNG, cleaned and kept small."""

from __future__ import annotations

import base64
import binascii
import io

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import DrawnSignature, User
from core.history import attribute_change

PREFIX = "data:image/png;base64,"
MAX_BYTES = 512 * 1024  # the canvas's PNG as sent; a signature is a few kilobytes
BOX = (600, 200)  # the largest it is kept at, in pixels


def _cleaned(data_url: str) -> bytes:
    """The drawing cropped to its ink and re-encoded by Pillow (nothing but pixels is kept)."""
    from PIL import Image, UnidentifiedImageError

    if not data_url.startswith(PREFIX) or len(data_url) > MAX_BYTES * 4 // 3 + len(PREFIX):
        raise ValidationError(_("签名图像无效,请重新签名。"), code="invalid")
    try:
        raw = base64.b64decode(data_url[len(PREFIX) :], validate=True)
        with Image.open(io.BytesIO(raw)) as image:
            if image.format != "PNG":
                raise ValidationError(_("签名图像无效,请重新签名。"), code="invalid")
            drawing = image.convert("RGBA")
    except (binascii.Error, UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise ValidationError(_("签名图像无效,请重新签名。"), code="invalid") from error
    ink = drawing.getchannel("A").getbbox()
    if ink is None:
        raise ValidationError(_("请先在框内签名。"), code="empty")
    drawing = drawing.crop(ink)
    drawing.thumbnail(BOX)
    out = io.BytesIO()
    drawing.save(out, "PNG", optimize=True)
    return out.getvalue()


@transaction.atomic
def signature_save(*, user: User, data_url: str) -> DrawnSignature:
    png = _cleaned(data_url)
    signature = DrawnSignature.objects.filter(user=user).first() or DrawnSignature(user=user)
    signature.png = png
    attribute_change(signature, user)
    signature.save()
    return signature


@transaction.atomic
def signature_remove(*, user: User) -> None:
    for signature in DrawnSignature.objects.filter(user=user):
        attribute_change(signature, user)
        signature.delete()


def signature_of(user: User) -> bytes:
    """The user's drawn signature as PNG bytes, or empty when they have none."""
    row = DrawnSignature.objects.filter(user=user).values_list("png", flat=True).first()
    return bytes(row) if row else b""


def has_signature(user: User) -> bool:
    return DrawnSignature.objects.filter(user=user).exists()


def data_url(png: bytes | memoryview) -> str:
    return PREFIX + base64.b64encode(bytes(png)).decode("ascii") if png else ""
