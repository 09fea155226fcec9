"""Issue 11: the portal speaks to her, not to staff. A request returned for missing items says
what is missing and what she can do about it, never the staff checklist's labels, refusal
texts or internal state names."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from beneficiaries.tests.factories import BeneficiaryFactory
from requests_app.models import (
    RequestType,
    SupportRequest,
    VerificationCheck,
    VerificationItem,
)
from requests_app.services import INCOMPLETE
from requests_app.tests.factories import (
    attach_documents,
    request_in_state,
    returned_for_family_card,
)
from surveys.models import Invitation
from surveys.services import invitation_create

from ..selectors import BRING_ORIGINALS, MOBILE_TO_CONFIRM
from ..views import REQUEST_INCOMPLETE

pytestmark = pytest.mark.django_db

State = SupportRequest.State


def _in(language: str, client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _staff_words(language: str) -> list[str]:
    """What only staff should read: the checklist's labels and the staff refusal wording."""
    with translation.override(language):
        return [
            *(str(item.label) for item in VerificationItem),
            str(INCOMPLETE),
            # "Verification not done: %(item)s." up to its placeholder.
            gettext("Verification not done: %(item)s.").split("%")[0].strip(),
            str(SupportRequest.State.RETURNED.label),
        ]


@pytest.fixture
def returned_by_staff(intake_user):
    """A request intake entered (so the checklist applies), returned for her family card,
    with the identity and contact checks undone since."""
    returned = returned_for_family_card(
        BeneficiaryFactory(), witness=intake_user, created_by=intake_user, due_in_days=9
    )
    done = set(VerificationItem.values) - {VerificationItem.IDENTITY, VerificationItem.CONTACT}
    VerificationCheck.objects.bulk_create(
        VerificationCheck(
            support_request=returned, item=item, checked_by=intake_user, checked_at=timezone.now()
        )
        for item in done
    )
    return returned


@pytest.mark.parametrize("language", ["ar", "en"])
def test_her_returned_request_never_shows_the_staff_checklist(
    portal_client, returned_by_staff, language
):
    client = _in(language, portal_client(returned_by_staff.beneficiary))
    page = client.get(reverse("portal:request_detail", args=[returned_by_staff.pk]))
    html = page.content.decode()
    for staff_text in _staff_words(language):
        assert staff_text not in html
    assert "صورة بطاقة العائلة" in html  # what the researcher wrote for her


def test_her_returned_request_says_what_to_bring_and_what_to_do(portal_client, returned_by_staff):
    client = _in("en", portal_client(returned_by_staff.beneficiary))
    page = client.get(reverse("portal:request_detail", args=[returned_by_staff.pk]))
    missing = page.context["missing"]
    assert "Family card: upload a valid copy below" in missing[0]
    assert missing[1] == str(BRING_ORIGINALS) % {"documents": "your national ID card"}
    assert missing[2] == str(MOBILE_TO_CONFIRM)
    html = page.content.decode()
    assert "Then send the request again" in html
    assert 'data-testid="resubmit-form"' in html


def test_her_returned_request_says_the_two_weeks_continue_where_they_stopped(
    portal_client, returned_by_staff
):
    client = _in("en", portal_client(returned_by_staff.beneficiary))
    html = client.get(reverse("portal:request_detail", args=[returned_by_staff.pk])).content
    html = html.decode()
    assert "They continue from where they stopped when you send it again." in html
    assert "The committee will then have 9 days left to decide." in html
    # The due date moves by the pause: a date shown now would be wrong once she resubmits.
    assert "Decision due by" not in html


def test_a_refused_resubmission_is_explained_in_her_words(portal_client, returned_by_staff):
    client = _in("en", portal_client(returned_by_staff.beneficiary))
    response = client.post(
        reverse("portal:request_resubmit", args=[returned_by_staff.pk]), follow=True
    )
    returned_by_staff.refresh_from_db()
    assert returned_by_staff.state == State.RETURNED
    texts = [str(m) for m in response.context["messages"]]
    assert texts[0] == str(REQUEST_INCOMPLETE)
    assert str(MOBILE_TO_CONFIRM) in texts
    for staff_text in _staff_words("en"):
        assert not any(staff_text in text for text in texts)


def test_her_draft_lists_her_own_words_for_the_declaration(portal_client):
    her = BeneficiaryFactory()
    attach_documents(her, ["national_id", "family_card"])
    draft = request_in_state(
        State.DRAFT, beneficiary=her, request_type=RequestType.OTHER, created_by=None
    )
    client = _in("en", portal_client(her))
    missing = client.get(reverse("portal:request_detail", args=[draft.pk])).context["missing"]
    assert missing == ["Your signature on the declaration that your data is true."]


def test_the_public_status_of_a_returned_request_shows_no_staff_wording(client, returned_by_staff):
    response = _in("en", client).post(
        reverse("portal:status"),
        {
            "reference": returned_by_staff.reference,
            "national_id": returned_by_staff.beneficiary.national_id,
        },
    )
    html = response.content.decode()
    assert "صورة بطاقة العائلة" in html
    assert "Then send the request again: the two weeks continue from where they stopped." in html
    for staff_text in _staff_words("en"):
        assert staff_text not in html


def test_her_surveys_page_says_what_happened_in_her_words_not_the_internal_trigger(
    portal_client,
):
    her = BeneficiaryFactory()
    rejected = request_in_state(State.REJECTED, beneficiary=her)
    invitation_create(support_request=rejected, trigger="rejected")
    html = portal_client(her).get(reverse("portal:surveys")).content.decode()
    with translation.override("ar"):
        assert str(Invitation.Trigger.REJECTED.label) not in html
        assert gettext("Not approved") in html
