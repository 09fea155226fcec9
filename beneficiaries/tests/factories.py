"""Beneficiaries for tests of any app: valid national IDs, Saudi mobiles and IBANs."""

import factory
from django.core.files.base import ContentFile

from beneficiaries.models import (
    Beneficiary,
    Document,
    HouseholdMember,
    Housing,
    IncomeSource,
    MaritalStatus,
)
from wahaj.lib.choices import Channel
from wahaj.lib.validators import iban_with_checksum

# A minimal valid PDF: python-magic reads it as application/pdf, pypdf parses it (uploads.py).
PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\nstartxref\n0\n%%EOF\n"
)


def national_id_with_checksum(prefix: str, body: int) -> str:
    """A valid ID: `prefix` (1 or 2) + 8 digits of `body` + the Luhn check digit."""
    partial = f"{prefix}{body:08d}"
    for check in "0123456789":
        candidate = partial + check
        total = 0
        for index, char in enumerate(candidate):
            digit = int(char) * (2 if index % 2 == 0 else 1)
            total += digit - 9 if digit > 9 else digit
        if total % 10 == 0:
            return candidate
    raise AssertionError("unreachable: one check digit always fits")


class BeneficiaryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Beneficiary

    file_number = factory.Sequence(lambda n: f"B-{900_000 + n}")  # clear of the counter
    full_name = factory.Sequence(lambda n: f"فاطمة محمد عبدالله الحربي {n}")
    national_id = factory.Sequence(lambda n: national_id_with_checksum("1", 10_000_000 + n))
    mobile = factory.Sequence(lambda n: f"+9665{40_000_000 + n:08d}")
    marital_status = MaritalStatus.WIDOW
    city = "الرياض"
    district = "النسيم"
    housing = Housing.RENTED
    monthly_rent = 1500
    iban = factory.Sequence(lambda n: iban_with_checksum("80", f"{n:018d}"))
    intake_channel = Channel.INTERVIEW


class HouseholdMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HouseholdMember

    beneficiary = factory.SubFactory(BeneficiaryFactory)
    name = factory.Sequence(lambda n: f"سارة {n}")
    relation = HouseholdMember.Relation.DAUGHTER
    sex = HouseholdMember.Sex.FEMALE
    monthly_income = 0


class IncomeSourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IncomeSource

    beneficiary = factory.SubFactory(BeneficiaryFactory)
    source = IncomeSource.Source.SOCIAL_SECURITY
    amount = 1200


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Document

    beneficiary = factory.SubFactory(BeneficiaryFactory)
    doc_type = Document.DocType.NATIONAL_ID
    file = factory.LazyFunction(lambda: ContentFile(PDF_BYTES, name="id.pdf"))
    original_name = "id.pdf"
    content_type = "application/pdf"
    size = len(PDF_BYTES)
