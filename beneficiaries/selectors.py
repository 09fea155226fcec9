"""Reads of the beneficiary file that other apps (requests, committee, portal) rely on."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from wahaj.lib.crypto import lookup_hash
from wahaj.lib.fields import hash_fields
from wahaj.lib.validators import normalize_digits, normalize_mobile

from .models import (
    Beneficiary,
    BeneficiaryCategory,
    Document,
    HouseholdMember,
    IncomeSource,
    Referral,
)

ZERO = Decimal("0.00")


def household_income_summary(beneficiary: Beneficiary) -> dict:
    """Her household's monthly income: {"size", "total_income", "per_capita_income"}.

    Size counts her and every member; income is her sources plus the members' incomes.
    """
    own = IncomeSource.objects.filter(beneficiary=beneficiary).aggregate(
        total=Coalesce(Sum("amount"), ZERO)
    )["total"]
    members = HouseholdMember.objects.filter(beneficiary=beneficiary).aggregate(
        total=Coalesce(Sum("monthly_income"), ZERO), count=Count("pk")
    )
    size = 1 + members["count"]
    total = (own + members["total"]).quantize(ZERO)
    return {
        "size": size,
        "total_income": total,
        "per_capita_income": (total / size).quantize(ZERO),
    }


def beneficiary_documents_valid(beneficiary: Beneficiary) -> set[str]:
    """The document types on her file that are not expired today."""
    today = timezone.localdate()
    return {
        doc.doc_type
        for doc in Document.objects.filter(beneficiary=beneficiary).only(
            "doc_type", "issued_on", "expires_on"
        )
        if not doc.expired_on(today)
    }


def beneficiary_search(
    *,
    q: str = "",
    status: str = "",
    marital_status: str = "",
    category: str = "",
    city: str = "",
) -> QuerySet[Beneficiary]:
    """The list page's rows: one query per page whatever the filters (no per-row lookups).

    `q` matches a file number, a national ID or a mobile exactly (after digit normalisation),
    else part of her Arabic or Latin name. IDs and mobiles are stored encrypted: they are found
    by their lookup hash, whole only (part of an ID finds nothing).
    """
    rows = Beneficiary.objects.only(*LIST_FIELDS)
    q = " ".join(q.split())
    if q:
        digits = normalize_digits(q)
        if re.fullmatch(r"[Bb]-?\d+", digits):
            rows = rows.filter(file_number=f"B-{int(digits.lstrip('Bb-')):06d}")
        elif digits.isdigit() and len(digits) == 10 and digits[0] in "12":
            rows = rows.filter(national_id_hash=lookup_hash(digits))
        elif re.fullmatch(r"\+?\d{9,14}", digits):
            try:
                mobile = normalize_mobile(digits)
            except ValidationError:
                rows = rows.none()  # part of an ID: an encrypted column has no prefix search
            else:
                rows = rows.filter(mobile_hash=lookup_hash(mobile.as_e164))
        else:
            rows = rows.filter(Q(full_name__icontains=q) | Q(latin_name__icontains=q))
    if status:
        rows = rows.filter(registration_status=status)
    if marital_status:
        rows = rows.filter(marital_status=marital_status)
    if category:
        rows = rows.filter(
            Exists(
                BeneficiaryCategory.objects.filter(beneficiary=OuterRef("pk"), category=category)
            )
        )
    if city:
        rows = rows.filter(city__icontains=city.strip())
    return rows.order_by("-created_at", "-id")


LIST_FIELDS = [
    "file_number",
    "full_name",
    "national_id",
    "mobile",
    "city",
    "marital_status",
    "registration_status",
    "created_at",
]


def household_flags(beneficiary: Beneficiary) -> dict[int, list[Beneficiary]]:
    """Members whose national ID is on another file (as a beneficiary or a household member)."""
    # By lookup hash: the IDs themselves are encrypted.
    ids = {m.national_id_hash: m.pk for m in beneficiary.household.all() if m.national_id_hash}
    if not ids:
        return {}
    flags: dict[int, list[Beneficiary]] = {}
    others = Beneficiary.objects.filter(national_id_hash__in=ids).exclude(pk=beneficiary.pk)
    for other in others:
        flags.setdefault(ids[other.national_id_hash], []).append(other)
    members = (
        HouseholdMember.objects.filter(national_id_hash__in=ids)
        .exclude(beneficiary=beneficiary)
        .select_related("beneficiary")
    )
    for member in members:
        flags.setdefault(ids[member.national_id_hash], []).append(member.beneficiary)
    return flags


def referrals_open_for(user) -> QuerySet[Referral]:
    """A researcher's open referrals, oldest first (her dashboard), with their beneficiaries."""
    return (
        Referral.objects.filter(assigned_to=user, closed_at__isnull=True)
        .select_related("beneficiary", "referred_by")
        .order_by("created_at")
    )


# Not a change of her data: the version counter and the lookup hashes (their ID moves with them).
UNSHOWN_HISTORY = ["version", *(f.name for f in hash_fields(Beneficiary))]


def beneficiary_change_history(beneficiary: Beneficiary, limit: int = 30) -> list[dict]:
    """Her file's changes, newest first: who, when, and which fields (with new values)."""
    records = list(
        beneficiary.history.select_related("history_user").order_by("-history_date")[: limit + 1]
    )
    history = []
    for newer, older in zip(records, [*records[1:], None], strict=False):
        if older is None and len(records) > limit:
            break
        changes = []
        if older is not None:
            for change in newer.diff_against(older, excluded_fields=UNSHOWN_HISTORY).changes:
                field = Beneficiary._meta.get_field(change.field)
                changes.append(str(field.verbose_name))
        history.append(
            {
                "when": newer.history_date,
                "who": newer.history_user,
                "kind": newer.history_type,
                "fields": changes,
            }
        )
    return history


# --- registration (policy step 6) -------------------------------------------------------------
# What a complete file holds: her identity and where she lives, and her ID card and family card
# on file, valid today and matched against the originals by staff.
REGISTRATION_FIELDS = (
    "full_name",
    "national_id",
    "nationality",
    "date_of_birth",
    "marital_status",
    "mobile",
    "city",
    "housing",
)
REGISTRATION_DOCUMENTS = (Document.DocType.NATIONAL_ID, Document.DocType.FAMILY_CARD)


@dataclass(frozen=True)
class RegistrationRequirement:
    """A requirement another app owns (the declaration lives with her requests): `missing` is
    what the file page says while `met(beneficiary)` is false."""

    code: str
    missing: str
    met: Callable[[Beneficiary], bool]


_requirements: list[RegistrationRequirement] = []


def register_registration_requirement(requirement: RegistrationRequirement) -> None:
    """Let an app that may import beneficiaries (never the reverse) add a requirement."""
    if requirement.code not in {r.code for r in _requirements}:
        _requirements.append(requirement)


def registration_gaps(beneficiary: Beneficiary) -> list[str]:
    """What still stops her registration from completing, in the words of staff (empty: none)."""
    gaps = [
        _("Her %(field)s is not on her file.")
        % {"field": Beneficiary._meta.get_field(name).verbose_name}
        for name in REGISTRATION_FIELDS
        if not getattr(beneficiary, name)
    ]
    today = timezone.localdate()
    documents = Document.objects.filter(
        beneficiary=beneficiary, doc_type__in=REGISTRATION_DOCUMENTS
    )
    valid = [doc for doc in documents if not doc.expired_on(today)]
    for doc_type in REGISTRATION_DOCUMENTS:
        label = Document.DocType(doc_type).label
        if not any(doc.doc_type == doc_type for doc in valid):
            gaps.append(_("Document missing or expired: %(document)s.") % {"document": label})
        elif not any(doc.doc_type == doc_type and doc.verified_at for doc in valid):
            gaps.append(
                _("Document not yet verified against the original: %(document)s.")
                % {"document": label}
            )
    gaps += [str(r.missing) for r in _requirements if not r.met(beneficiary)]
    return gaps


def consent_withdrawn(beneficiary: Beneficiary, purpose: str) -> bool:
    """She gave consent to `purpose` and has withdrawn it (no consent to it is active)."""
    consents = beneficiary.consents.filter(purpose=purpose)
    return consents.exists() and not consents.filter(withdrawn_at=None).exists()
