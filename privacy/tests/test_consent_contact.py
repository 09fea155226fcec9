"""Once she withdrew her consent to contact, no SMS or e-mail is queued to her: each message
withheld leaves a trace on the request's timeline so staff tell her in person; the portal code
she asks for herself still goes, and so do messages to staff (issue 18, item 7)."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.roles import Role
from audit.labels import verb_label
from audit.models import Event
from beneficiaries.models import PRIVACY_NOTICE_VERSION, Consent
from beneficiaries.services import consent_withdraw
from beneficiaries.tests.factories import BeneficiaryFactory
from notifications.models import TEMPLATE_LABELS, Message
from portal.services import portal_code_issue
from requests_app import services
from requests_app.models import SupportRequest
from requests_app.tests.factories import ready_request, request_in_state
from surveys.models import Invitation
from surveys.services import invitation_create

pytestmark = pytest.mark.django_db
State = SupportRequest.State

# Each transition that tells her: who takes it, from which state, its arguments, its message.
TELLING_HER = [
    ("return", Role.RESEARCHER, State.SUBMITTED, {"note": "صورة بطاقة العائلة"},
     "request_returned"),
    ("decide", Role.CHAIR, State.IN_COMMITTEE,
     {"outcome": "approved", "approved_amount": Decimal("900")}, "request_decided"),
    ("deliver", Role.INTAKE, State.APPROVED, {"delivery_note": "سلة غذائية"},
     "request_delivered"),
]  # fmt: skip


def _take(case: tuple, beneficiary, personas: dict) -> tuple[SupportRequest, str]:
    """Take the transition of `case` on a request of hers; returns it and the expected template."""
    name, role, state, kwargs, template = case
    support_request = request_in_state(state, beneficiary=beneficiary)
    service = getattr(services, f"support_request_{name}")
    service(actor=personas[role], support_request=support_request, **kwargs)
    return support_request, template


@pytest.fixture
def her():
    beneficiary = BeneficiaryFactory()
    for purpose in ("service", "contact", "survey"):
        Consent.objects.create(
            beneficiary=beneficiary, purpose=purpose, notice_version=PRIVACY_NOTICE_VERSION
        )
    return beneficiary


@pytest.fixture
def her_without_contact(her):
    consent_withdraw(actor=None, beneficiary=her, purpose="contact")
    return her


def _to_her(beneficiary) -> list[str]:
    """The templates of every outbox row addressed to her."""
    rows = Message.objects.filter(to__in=[str(beneficiary.mobile), beneficiary.email])
    return sorted(rows.values_list("template", flat=True))


def _withheld(subject) -> list[str]:
    events = Event.objects.for_subject(subject).filter(verb="message_withheld_no_consent")
    return [event.extra["template"] for event in events]


def test_after_she_withdrew_contact_a_submit_tells_her_nothing_but_the_researchers_are_told(
    her_without_contact, intake_user, researcher_user
):
    support_request = ready_request(witness=intake_user, beneficiary=her_without_contact)
    services.support_request_submit(actor=intake_user, support_request=support_request)

    assert _to_her(her_without_contact) == []
    assert _withheld(support_request) == ["request_received"]
    staff = Message.objects.get(template="research_due")
    assert staff.to == researcher_user.email


@pytest.mark.parametrize("case", TELLING_HER, ids=[case[0] for case in TELLING_HER])
def test_after_she_withdrew_contact_a_return_decision_or_delivery_is_withheld_with_a_trace(
    her_without_contact, personas, case
):
    support_request, template = _take(case, her_without_contact, personas)

    assert _to_her(her_without_contact) == []
    assert template in _withheld(support_request)
    events = Event.objects.for_subject(support_request).filter(verb="message_withheld_no_consent")
    assert {(e.actor, e.actor_kind) for e in events} == {(None, Event.ActorKind.SYSTEM)}


@pytest.mark.parametrize("case", TELLING_HER, ids=[case[0] for case in TELLING_HER])
def test_the_messages_go_while_her_consent_stands_and_stop_when_she_withdraws_it(
    her, personas, case
):
    before, template = _take(case, her, personas)
    assert template in _to_her(her)
    assert _withheld(before) == []

    consent_withdraw(actor=None, beneficiary=her, purpose="contact")
    after, _template = _take(case, her, personas)
    assert _to_her(her).count(template) == 1
    assert template in _withheld(after)


def test_the_portal_code_she_asks_for_still_reaches_her(her_without_contact, personas):
    returned, _template = _take(TELLING_HER[0], her_without_contact, personas)
    portal_code_issue(national_id=her_without_contact.national_id)

    assert _to_her(her_without_contact) == ["portal_otp"]
    assert _withheld(her_without_contact) == []
    assert _withheld(returned) == ["request_returned"]


def test_her_survey_invitation_waits_in_the_portal_but_no_message_is_sent(her_without_contact):
    delivered = request_in_state(State.DELIVERED, beneficiary=her_without_contact)

    invitation = invitation_create(support_request=delivered, trigger="delivered")

    assert Invitation.objects.filter(pk=invitation.pk).exists()  # her portal lists it
    assert _to_her(her_without_contact) == []
    assert _withheld(delivered) == ["survey_invitation"]


def test_the_case_worker_reads_on_the_timeline_which_message_she_did_not_get(
    her_without_contact, client_as, intake_user
):
    support_request = request_in_state(State.APPROVED, beneficiary=her_without_contact)
    services.support_request_deliver(
        actor=intake_user, support_request=support_request, delivery_note="سلة غذائية"
    )

    page = client_as(intake_user).get(reverse("requests_app:detail", args=[support_request.pk]))
    text = page.content.decode()
    with translation.override("ar"):
        assert verb_label("message_withheld_no_consent") in text
        assert f"{_('Message')}: {TEMPLATE_LABELS['request_delivered']}" in text
