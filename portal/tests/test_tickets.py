"""Her messages to the association from her portal (issue 20): she files an inquiry and reads
the answer; she sees only her own."""

import pytest
from django.urls import reverse

from beneficiaries.tests.factories import BeneficiaryFactory
from feedback import services
from feedback.models import Ticket
from feedback.tests.factories import ticket

pytestmark = pytest.mark.django_db


def test_she_files_an_inquiry_from_her_portal_and_reads_the_answer(portal_client, intake_user):
    her = BeneficiaryFactory()
    client = portal_client(her)
    response = client.post(
        reverse("portal:tickets"),
        {"kind": "inquiry", "category": "support", "text": "متى موعد استلام السلة؟"},
    )
    assert response.status_code == 302
    t = Ticket.objects.get()
    assert (t.beneficiary, t.channel, t.recorded_by) == (her, "website", None)
    services.ticket_answer(actor=intake_user, ticket=t, answer="يوم الأحد القادم")
    page = client.get(reverse("portal:tickets")).content.decode()
    assert "يوم الأحد القادم" in page


def test_she_sees_only_her_own_tickets(portal_client):
    her, other = BeneficiaryFactory(), BeneficiaryFactory()
    ticket(beneficiary=other, text="رسالة امرأة أخرى")
    page = portal_client(her).get(reverse("portal:tickets")).content.decode()
    assert "رسالة امرأة أخرى" not in page
