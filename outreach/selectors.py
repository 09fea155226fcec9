"""Reads of outreach: the open tasks staff see in their queues and on `/outreach/`."""

from django.db.models import Q, QuerySet

from accounts.roles import Role

from .models import OutreachTask

Kind = OutreachTask.Kind


def _open(kind: str) -> QuerySet[OutreachTask]:
    return (
        OutreachTask.objects.filter(kind=kind, status=OutreachTask.Status.OPEN)
        .select_related("beneficiary")
        .only("kind", "doc_type", "due_on", "beneficiary__full_name", "researcher_id")
        .order_by("due_on", "pk")
    )


def documents_expiring_open() -> QuerySet[OutreachTask]:
    """Intake: documents about to expire that she was told of and has not renewed yet."""
    return _open(Kind.DOCUMENT_EXPIRING)


def reassessments_open_for(user) -> QuerySet[OutreachTask]:
    """A researcher: reassessments of files assigned to her, or to no one; a manager: all."""
    tasks = _open(Kind.REASSESSMENT)
    if user.has_role(Role.MANAGER):
        return tasks
    return tasks.filter(Q(researcher=user) | Q(researcher__isnull=True))


def renewal_asked(beneficiary) -> bool:
    """She was told a document of hers is about to expire and has not renewed it yet: the
    portal then takes her upload whatever her request's state (portal.selectors.upload_open)."""
    return OutreachTask.objects.filter(
        beneficiary=beneficiary, kind=Kind.DOCUMENT_EXPIRING, status=OutreachTask.Status.OPEN
    ).exists()
