"""Everything the association holds about her (PDPL right of access), as sections of rows.

One structure feeds both downloads: JSON (raw values, with the label of every coded value) and
the PDF (labels and readable values). Every query filters on her file's key, never on a name:
two women whose relatives share a name each get only their own.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.models import Event
from beneficiaries.models import Beneficiary
from committee.models import ResearchReport
from notifications.models import Message
from requests_app.models import Declaration, SupportRequest
from surveys.models import Invitation
from wahaj.lib.fields import LookupHashField

from .models import CorrectionRequest

# Fields not shown to her: storage internals, and links to staff accounts (other people's data).
_SKIP_FIELDS = {"file", "version", "code_hash", "token_hash", "score_facts", "scoring_rule"}


@dataclass
class Cell:
    name: str
    label: str
    value: Any  # JSON-ready raw value
    text: str  # what a person reads


@dataclass
class Section:
    key: str
    title: str
    rows: list[list[Cell]] = field(default_factory=list)


def _text(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime | date | Decimal):
        return value.isoformat() if not isinstance(value, Decimal) else str(value)
    if isinstance(value, str | int | float | bool | list | dict) or value is None:
        return value
    return str(value)  # PhoneNumber, timedelta, lazy strings


def _cells(obj: models.Model, *, only: tuple[str, ...] | None = None) -> list[Cell]:
    cells = []
    for model_field in obj._meta.concrete_fields:
        name = model_field.name
        if only is not None and name not in only:
            continue
        if name in _SKIP_FIELDS or model_field.is_relation or model_field.primary_key:
            continue
        if isinstance(model_field, LookupHashField):  # a keyed hash of a value shown beside it
            continue
        value = getattr(obj, model_field.attname)
        text = _text(value)
        if model_field.choices and value not in (None, ""):
            text = str(getattr(obj, f"get_{name}_display")())
        cells.append(
            Cell(
                name=name,
                label=str(model_field.verbose_name),
                value=_json_value(value),
                text=text,
            )
        )
    return cells


def her_data(beneficiary: Beneficiary) -> list[Section]:
    """Her file, household, income, requests, documents list, timeline, contacts, referrals,
    messages sent to her, correction requests and survey invitations."""
    requests = list(SupportRequest.objects.filter(beneficiary=beneficiary).order_by("created_at"))
    request_ids = [r.pk for r in requests]
    sections = [
        Section("file", str(_("My file")), [_cells(beneficiary)]),
        Section(
            "categories",
            str(_("Categories")),
            [_cells(c) for c in beneficiary.categories.all()],
        ),
        Section(
            "income",
            str(_("Income sources")),
            [_cells(i) for i in beneficiary.income_sources.all()],
        ),
        Section(
            "household",
            str(_("Household members")),
            [_cells(m) for m in beneficiary.household.all()],
        ),
        Section("requests", str(_("My requests")), [_cells(r) for r in requests]),
        Section(
            "declarations",
            str(_("Declarations I signed")),
            [
                [
                    Cell(
                        "reference",
                        str(_("Reference")),
                        d.support_request.reference,
                        _text(d.support_request.reference),
                    ),
                    *_cells(d),
                ]
                for d in Declaration.objects.filter(
                    support_request_id__in=request_ids
                ).select_related("support_request")
            ],
        ),
        Section(
            "research",
            str(_("Research reports")),
            [
                [
                    Cell(
                        "reference",
                        str(_("Reference")),
                        r.support_request.reference,
                        _text(r.support_request.reference),
                    ),
                    *_cells(r),
                ]
                for r in ResearchReport.objects.filter(
                    support_request_id__in=request_ids
                ).select_related("support_request")
            ],
        ),
        Section(
            "documents",
            str(_("Documents on my file")),
            [
                _cells(
                    d, only=("doc_type", "issued_on", "expires_on", "original_name", "uploaded_at")
                )
                for d in beneficiary.documents.all()
            ],
        ),
        Section("timeline", str(_("Timeline")), _timeline_rows(beneficiary, requests)),
        Section(
            "contacts",
            str(_("Contacts with the association")),
            [_cells(c) for c in beneficiary.contacts.all()],
        ),
        Section(
            "referrals",
            str(_("Referrals to the social researcher")),
            [_cells(r) for r in beneficiary.referrals.all()],
        ),
        Section("messages", str(_("Messages sent to me")), _message_rows(beneficiary, requests)),
        Section(
            "corrections",
            str(_("My correction requests")),
            [_cells(c) for c in CorrectionRequest.objects.filter(beneficiary=beneficiary)],
        ),
        Section(
            "surveys",
            str(_("Survey invitations")),
            [
                _cells(i, only=("trigger", "created_at", "expires_at", "used_at"))
                for i in Invitation.objects.filter(support_request_id__in=request_ids)
            ],
        ),
    ]
    return sections


def _subjects_filter(model: type[models.Model], ids: list[int], type_field: str, id_field: str):
    content_type = ContentType.objects.get_for_model(model)
    return Q(**{type_field: content_type, f"{id_field}__in": ids})


def _timeline_rows(beneficiary: Beneficiary, requests: list[SupportRequest]) -> list[list[Cell]]:
    """Every event about her file or her requests, oldest first (actor: a role, never a name)."""
    references = {r.pk: r.reference or "" for r in requests}
    request_type = ContentType.objects.get_for_model(SupportRequest)
    events = Event.objects.filter(
        _subjects_filter(Beneficiary, [beneficiary.pk], "content_type", "object_id")
        | _subjects_filter(SupportRequest, list(references), "content_type", "object_id")
    ).order_by("created_at", "pk")
    rows = []
    for event in events:
        reference = (
            references.get(event.object_id, "")
            if (event.content_type_id == request_type.pk)
            else ""
        )
        rows.append(
            [
                Cell("reference", str(_("Reference")), reference, _text(reference)),
                *_cells(
                    event,
                    only=(
                        "actor_kind",
                        "actor_role",
                        "verb",
                        "old_state",
                        "new_state",
                        "note",
                        "created_at",
                    ),
                ),
            ]
        )
    return rows


def _message_rows(beneficiary: Beneficiary, requests: list[SupportRequest]) -> list[list[Cell]]:
    """Messages about her file or her requests: which, when, how — never their context (a
    login code, a link)."""
    messages = Message.objects.filter(
        _subjects_filter(Beneficiary, [beneficiary.pk], "subject_type", "subject_id")
        | _subjects_filter(SupportRequest, [r.pk for r in requests], "subject_type", "subject_id")
    ).order_by("created_at", "pk")
    return [
        _cells(m, only=("channel", "to", "template", "status", "created_at", "sent_at"))
        for m in messages
    ]


def her_data_json(beneficiary: Beneficiary) -> dict:
    return {
        "generated_at": timezone.now().isoformat(),
        "association": settings.ASSOCIATION_NAME,
        "sections": {
            section.key: [{cell.name: cell.value for cell in row} for row in section.rows]
            for section in her_data(beneficiary)
        },
    }
