"""The one write of the reports app: recording an export before it streams."""

from django.db import transaction
from django.http import HttpRequest

from audit.services import event_record

from .models import Export


@transaction.atomic
def export_record(
    *,
    actor,
    list_name: str,
    fmt: str,
    filters: dict,
    masked: bool,
    request: HttpRequest | None = None,
) -> Export:
    """Write who exported which list, in which format, with which filter; audit `export`.

    Recorded before the first row leaves, so an export that is interrupted is still on record.
    """
    export = Export.objects.create(
        user=actor, list_name=list_name, format=fmt, filters=filters, masked=masked
    )
    event_record(
        actor=actor,
        subject=export,
        verb="export",
        extra={"list": list_name, "format": fmt, "filters": filters, "masked": masked},
        request=request,
    )
    return export
