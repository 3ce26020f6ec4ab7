"""拜访签到: recording where a rep was when they checked in at a visit, and tying it to the F05 report.

A check-in is made before the report is saved (the rep checks in on arrival and writes the report
afterwards), so it is its own row, tied to the report when the report is saved, by the same person,
within ``CHECKIN_LINK_HOURS``. Whatever the browser answered is kept: a position with its
accuracy, or that location was refused or unavailable; the report is saved either way."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.history import attribute_change
from core.uploads import check_upload
from forms_toolkit.models import VisitCheckin

IMAGE_FAMILIES = {"jpeg", "png", "webp", "heic", "gif"}
MICRO = Decimal("0.000001")


def attachable(*, user, keep: VisitCheckin | None = None):
    """The check-ins a report saved by ``user`` now may take: their own, recent, on no other report."""
    since = timezone.now() - datetime.timedelta(hours=settings.CHECKIN_LINK_HOURS)
    free = VisitCheckin.objects.filter(by=user, at__gte=since, report__isnull=True)
    return free | VisitCheckin.objects.filter(pk=keep.pk) if keep is not None else free


@transaction.atomic
def visit_checkin_record(
    *,
    by,
    outcome: str,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    accuracy: float | None = None,
    detail: str = "",
    photo=None,
) -> VisitCheckin:
    if outcome not in VisitCheckin.Outcome.values:
        raise ValidationError(_("未知的定位结果。"), code="outcome")
    checkin = VisitCheckin(by=by, at=timezone.now(), outcome=outcome, detail=(detail or "").strip()[:200])
    if outcome == VisitCheckin.Outcome.LOCATED:
        if latitude is None or longitude is None or not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise ValidationError(_("浏览器给出的位置不完整,请重新签到。"), code="position")
        checkin.latitude = latitude.quantize(MICRO, ROUND_HALF_UP)
        checkin.longitude = longitude.quantize(MICRO, ROUND_HALF_UP)
        checkin.accuracy_m = max(0, round(accuracy)) if accuracy is not None else None
    if photo is not None:
        file_type = check_upload(photo)
        if file_type.family not in IMAGE_FAMILIES:
            raise ValidationError(_("签到照片只能是图片(JPG、PNG、HEIC 等)。"), code="photo_type")
        checkin.photo.save(photo.name, photo, save=False)
        checkin.photo_type = file_type.content_type
    attribute_change(checkin, by)
    checkin.save()
    return checkin
