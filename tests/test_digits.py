"""Numbers are typed with Arabic-Indic or Western digits in every form that takes one, and each
such field brings up the numeric keypad on a phone; they are shown in the digits DISPLAY_DIGITS
names on Arabic pages, identifiers always in Western digits (issue 11, "Digits")."""

from decimal import Decimal

import pytest
from django import forms
from django.urls import reverse
from django.utils import translation

from beneficiaries.forms import BeneficiaryForm, HouseholdMemberForm
from beneficiaries.tests.factories import BeneficiaryFactory
from committee.forms import DecisionForm, ResearchReportForm, ScoringRuleForm
from portal.forms import CodeForm, DeclarationForm, LoginForm, NewRequestForm, StatusForm
from requests_app.forms import DeclarationForm as StaffDeclarationForm
from requests_app.forms import DeliverForm, SupportRequestForm
from requests_app.models import SupportRequest
from requests_app.tests.factories import request_in_state
from wahaj.lib.forms import LocalDigitsMixin
from wahaj.lib.hijri import gregorian_text, hijri_text
from wahaj.lib.validators import normalize_number, strip_bidi_controls
from wahaj.templatetags.wahaj import number

pytestmark = pytest.mark.django_db

NUMBER_FORMS = [
    BeneficiaryForm,
    HouseholdMemberForm,
    SupportRequestForm,
    DeliverForm,
    DecisionForm,
    ResearchReportForm,
    ScoringRuleForm,
    NewRequestForm,
]


@pytest.mark.parametrize(
    ("typed", "parsed"),
    [("١٬٥٠٠٫٥٠", "1500.50"), ("۱۲۰۰", "1200"), ("1,500.50", "1500.50"), ("٣٠٠ ", "300")],
)
def test_an_amount_typed_in_arabic_indic_or_western_digits_reads_the_same(typed, parsed):
    assert normalize_number(typed) == parsed


@pytest.mark.parametrize("form_class", NUMBER_FORMS)
def test_every_number_field_is_a_text_input_with_the_numeric_keypad(form_class):
    form = form_class()
    numbers = [
        f for f in form.fields.values() if isinstance(f, forms.DecimalField | forms.IntegerField)
    ]
    visible = [f for f in numbers if not isinstance(f.widget, forms.HiddenInput)]
    assert visible, f"{form_class.__name__} has no number field"
    for field in visible:
        assert field.widget.input_type == "text"
        assert field.widget.attrs["inputmode"] in ("numeric", "decimal")
        assert field.widget.attrs["dir"] == "ltr"


def test_the_staff_request_form_reads_an_amount_in_arabic_indic_digits():
    form = SupportRequestForm(
        data={
            "request_type": "food_basket",
            "amount_requested": "٨٠٠",
            "description": "سلة",
            "channel": "interview",
        }
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["amount_requested"] == Decimal("800")


def test_the_chair_decision_and_the_delivery_read_arabic_indic_amounts():
    decision = DecisionForm(data={"outcome": "approved", "approved_amount": "١٬٥٠٠٫٥٠"})
    assert decision.is_valid(), decision.errors
    assert decision.cleaned_data["approved_amount"] == Decimal("1500.50")
    delivery = DeliverForm(data={"delivery_note": "سلة", "delivered_amount": "٧٥٠"})
    assert delivery.is_valid(), delivery.errors
    assert delivery.cleaned_data["delivered_amount"] == Decimal("750")


def test_the_portal_reads_her_amount_id_and_code_in_arabic_indic_digits():
    new = NewRequestForm(
        data={"request_type": "food_basket", "amount_requested": "٥٠٠", "description": "x"}
    )
    assert new.is_valid(), new.errors
    assert new.cleaned_data["amount_requested"] == Decimal("500")
    code = CodeForm(data={"code": "١٢٣٤٥٦"})
    assert code.is_valid(), code.errors
    assert code.cleaned_data["code"] == "123456"
    for form_class in (LoginForm, StatusForm):
        widget = form_class().fields["national_id"].widget
        assert widget.attrs["inputmode"] == "numeric"


def test_a_household_member_income_is_read_in_arabic_indic_digits():
    form = HouseholdMemberForm(
        data={"name": "سارة", "relation": "daughter", "sex": "F", "monthly_income": "٦٠٠"}
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["monthly_income"] == Decimal("600")


def test_direction_controls_are_stripped_from_names_as_typed():
    assert strip_bidi_controls("فاطمة\u202e محمد\u2066") == "فاطمة محمد"
    for form_class in (DeclarationForm, StaffDeclarationForm):
        form = form_class(
            data={"signed_name": "نورة\u202e محمد", "confirm": "on", "read_to_her": "on"}
        )
        assert form.is_valid(), form.errors
        assert form.cleaned_data["signed_name"] == "نورة محمد"
    member = HouseholdMemberForm(
        data={"name": "\u202eسارة", "relation": "daughter", "sex": "F", "monthly_income": "0"}
    )
    assert member.is_valid(), member.errors
    assert member.cleaned_data["name"] == "سارة"


def test_a_form_keeps_what_was_typed_in_fields_that_are_not_numbers():
    class Mixed(LocalDigitsMixin, forms.Form):
        note = forms.CharField()
        amount = forms.DecimalField()

    form = Mixed(data={"note": "٣ أطفال", "amount": "٣"})
    assert form.is_valid()
    assert form.cleaned_data == {"note": "٣ أطفال", "amount": Decimal("3")}


# --- Display: one setting, Arabic pages only, identifiers always Western ----------------------
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def _receipt(client_as, intake_user, *, language: str) -> tuple[str, SupportRequest]:
    """Her printed request form: dates in both calendars, amounts, her reference and ID."""
    her = BeneficiaryFactory(preferred_language=language)
    support_request = request_in_state(
        SupportRequest.State.SUBMITTED, beneficiary=her, amount_requested=Decimal("1500.50")
    )
    url = reverse("requests_app:receipt", args=[support_request.pk])
    return client_as(intake_user).get(url).content.decode(), support_request


def _date_texts(value, language: str) -> list[str]:
    with translation.override(language):
        return [gregorian_text(value), hijri_text(value)]


def test_with_arabic_display_digits_an_arabic_page_shows_dates_and_amounts_in_arabic_indic(
    settings, client_as, intake_user
):
    settings.DISPLAY_DIGITS = "arabic"
    html, support_request = _receipt(client_as, intake_user, language="ar")
    for text in _date_texts(support_request.decision_due_at, "ar"):
        assert text.translate(ARABIC_INDIC) in html
        assert text not in html
    assert "١٬٥٠٠٫٥٠" in html
    assert "1,500.50" not in html
    # What she types or copies stays as she types it, isolated left to right.
    beneficiary = support_request.beneficiary
    for identifier in (support_request.reference, beneficiary.national_id, beneficiary.file_number):
        assert f'<bdi dir="ltr">{identifier}</bdi>' in html
        assert identifier.translate(ARABIC_INDIC) not in html


@pytest.mark.parametrize(
    ("setting", "language"), [("latin", "ar"), ("latin", "en"), ("arabic", "en")]
)
def test_latin_display_digits_or_an_english_page_show_western_digits(
    settings, client_as, intake_user, setting, language
):
    settings.DISPLAY_DIGITS = setting
    html, support_request = _receipt(client_as, intake_user, language=language)
    for text in _date_texts(support_request.decision_due_at, language):
        assert text in html
    assert "1,500.50" in html
    assert not set("٠١٢٣٤٥٦٧٨٩") & set(html)
    assert f'<bdi dir="ltr">{support_request.reference}</bdi>' in html


def test_the_number_filter_groups_amounts_and_keeps_counts_whole(settings):
    settings.DISPLAY_DIGITS = "arabic"
    with translation.override("ar"):
        assert number(12) == "١٢"
        assert number(Decimal("1234567.5")) == "١٬٢٣٤٬٥٦٧٫٥٠"
        assert number(None) == ""
    with translation.override("en"):
        assert number(12) == "12"
        assert number(Decimal("1234567.5"), 0) == "1,234,568"
