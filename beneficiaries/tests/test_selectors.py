from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from beneficiaries.models import Document, IncomeSource
from beneficiaries.selectors import beneficiary_documents_valid, household_income_summary

from .factories import (
    BeneficiaryFactory,
    DocumentFactory,
    HouseholdMemberFactory,
    IncomeSourceFactory,
)

pytestmark = pytest.mark.django_db


def test_per_capita_income_divides_all_household_income_by_her_and_her_members():
    beneficiary = BeneficiaryFactory()
    IncomeSourceFactory(beneficiary=beneficiary, amount=1200)
    IncomeSourceFactory(beneficiary=beneficiary, source=IncomeSource.Source.ALIMONY, amount=600)
    HouseholdMemberFactory(beneficiary=beneficiary, monthly_income=300)
    HouseholdMemberFactory(beneficiary=beneficiary)

    summary = household_income_summary(beneficiary)

    assert summary == {
        "size": 3,
        "total_income": Decimal("2100.00"),
        "per_capita_income": Decimal("700.00"),
    }


def test_a_woman_alone_without_income_has_a_household_of_one_and_zero_income():
    summary = household_income_summary(BeneficiaryFactory())
    assert summary["size"] == 1
    assert summary["per_capita_income"] == Decimal("0.00")


def test_valid_documents_leave_out_expired_ones_and_statements_older_than_three_months():
    beneficiary = BeneficiaryFactory()
    today = timezone.localdate()
    DocumentFactory(beneficiary=beneficiary, expires_on=today + timedelta(days=30))
    DocumentFactory(
        beneficiary=beneficiary,
        doc_type=Document.DocType.FAMILY_CARD,
        expires_on=today - timedelta(days=1),
    )
    DocumentFactory(
        beneficiary=beneficiary,
        doc_type=Document.DocType.STATEMENT,
        issued_on=today - timedelta(days=100),
    )
    DocumentFactory(beneficiary=beneficiary, doc_type=Document.DocType.IBAN_LETTER)

    assert beneficiary_documents_valid(beneficiary) == {"national_id", "iban_letter"}
