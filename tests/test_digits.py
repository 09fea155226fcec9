"""Numbers are typed with Arabic-Indic or Western digits in every form that takes one, and each
such field brings up the numeric keypad on a phone (issue 11, "Digits")."""

from decimal import Decimal

import pytest
from django import forms

from beneficiaries.forms import BeneficiaryForm, HouseholdMemberForm
from committee.forms import DecisionForm, ResearchReportForm, ScoringRuleForm
from portal.forms import CodeForm, DeclarationForm, LoginForm, NewRequestForm, StatusForm
from requests_app.forms import DeclarationForm as StaffDeclarationForm
from requests_app.forms import DeliverForm, SupportRequestForm
from wahaj.lib.forms import LocalDigitsMixin
from wahaj.lib.validators import normalize_number, strip_bidi_controls

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
