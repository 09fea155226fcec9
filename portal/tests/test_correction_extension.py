"""A correction request may be extended once by 30 days, with a message to her saying why."""

from datetime import timedelta

import pytest
from django.urls import reverse

from audit.models import Event
from beneficiaries.tests.factories import BeneficiaryFactory
from notifications.models import Message
from portal.models import CorrectionRequest
from portal.services import CORRECTION_ALREADY_EXTENDED

pytestmark = pytest.mark.django_db

REASON = "ننتظر صورة صك الحضانة من المحكمة"


@pytest.fixture
def correction():
    return CorrectionRequest.objects.create(
        beneficiary=BeneficiaryFactory(),
        details="اسم الابنة خطأ",
        due_at=CorrectionRequest.due_from(CorrectionRequest().created_at),
    )


def test_intake_extends_once_by_30_days_and_she_is_told_why(
    client_as, intake_user, correction, send_queued
):
    old_due = correction.due_at
    client = client_as(intake_user)
    url = reverse("portal:correction_extend", args=[correction.pk])
    response = client.post(url, {"reason": REASON})
    assert response.url == reverse("portal:corrections")
    correction.refresh_from_db()
    assert correction.due_at - old_due == timedelta(days=30)
    assert correction.extension_reason == REASON
    event = Event.objects.get(verb="correction_extended")
    assert (event.actor, event.note) == (intake_user, REASON)
    message = Message.objects.get(template="correction_extended")
    assert message.to == str(correction.beneficiary.mobile)
    assert message.context["reason"] == REASON
    sent = send_queued()
    assert REASON in sent[-1][1]

    again = client.post(url, {"reason": "مرة ثانية"}, follow=True)
    assert str(CORRECTION_ALREADY_EXTENDED) in [str(m) for m in again.context["messages"]]
    correction.refresh_from_db()
    assert correction.due_at - old_due == timedelta(days=30)
    assert Event.objects.filter(verb="correction_extended").count() == 1
    page = client.get(reverse("portal:corrections")).content.decode()
    assert REASON in page


def test_an_extension_needs_a_reason(client_as, intake_user, correction):
    client_as(intake_user).post(
        reverse("portal:correction_extend", args=[correction.pk]), {"reason": ""}
    )
    correction.refresh_from_db()
    assert correction.extended_at is None
    assert not Message.objects.filter(template="correction_extended").exists()


def test_a_committee_member_cannot_extend(client_as, member_user, correction):
    response = client_as(member_user).post(
        reverse("portal:correction_extend", args=[correction.pk]), {"reason": REASON}
    )
    assert response.status_code == 403
