"""Staff ticket pages and the public contact form (issue 20, parts 1-2); her portal page is
tested in portal/tests/test_tickets.py."""

import re

import pytest
from django.urls import reverse

from accounts.roles import Role
from beneficiaries.tests.factories import BeneficiaryFactory
from feedback import services
from feedback.models import Ticket
from notifications.models import Message, PhoneCode
from notifications.services import PHONE_CODE_REFUSED

from .factories import ticket

pytestmark = pytest.mark.django_db
LIST = reverse("feedback:list")
CONTACT = reverse("portal:contact")
CONTACT_CODE = reverse("portal:contact_code")
SECRET = "شكوى من موظفة الاستقبال: لم تستقبلني"


def act(pk: int, action: str) -> str:
    return reverse("feedback:act", args=[pk, action])


# --- Hidden from the member of staff it is about (acceptance 3) ----------------------------
@pytest.fixture
def complaint_about_intake(intake_user, manager_user):
    return ticket(actor=manager_user, kind="complaint", about_staff=intake_user, text=SECRET)


def test_a_complaint_about_intake_is_not_visible_to_intake_anywhere(
    client_as, intake_user, complaint_about_intake
):
    client = client_as(intake_user)
    t = complaint_about_intake
    link = reverse("feedback:detail", args=[t.pk])
    for query in ({}, {"q": "لم تستقبلني"}, {"q": t.reference}, {"kind": "complaint"}):
        listing = client.get(LIST, query)
        assert listing.status_code == 200
        assert list(listing.context["page"]) == []
        page = listing.content.decode()
        assert link not in page
        assert SECRET not in page
    assert client.get(reverse("feedback:detail", args=[t.pk])).status_code == 404
    for action in ("answer", "close", "reopen", "assign"):
        assert client.post(act(t.pk, action), {"answer": "x"}).status_code == 404
    home = client.get("/").content.decode()
    assert link not in home
    assert t.reference not in home
    assert SECRET not in home


def test_the_same_complaint_is_visible_to_other_staff_and_its_manager(
    client_as, manager_user, researcher_user, complaint_about_intake
):
    t = complaint_about_intake
    for user in (researcher_user, manager_user):
        client = client_as(user)
        assert t.reference in client.get(LIST).content.decode()
        assert SECRET in client.get(reverse("feedback:detail", args=[t.pk])).content.decode()
    home = client_as(manager_user).get("/").content.decode()
    assert t.reference in home  # waiting to be assigned


def test_the_assign_form_does_not_offer_the_person_complained_about(
    client_as, manager_user, intake_user, complaint_about_intake
):
    response = client_as(manager_user).get(
        reverse("feedback:detail", args=[complaint_about_intake.pk])
    )
    choices = [u.pk for u in response.context["assign_form"].fields["assignee"].queryset]
    assert intake_user.pk not in choices
    assert manager_user.pk in choices


# --- Staff pages -------------------------------------------------------------------------------
def test_staff_record_a_ticket_from_any_channel_for_a_file(client_as, intake_user):
    her = BeneficiaryFactory()
    response = client_as(intake_user).post(
        reverse("feedback:new"),
        {
            "kind": "inquiry",
            "channel": "social_media",
            "category": "support",
            "priority": "high",
            "text": "سألت عبر تويتر عن السلة الغذائية",
            "file_number": her.file_number,
        },
    )
    t = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("feedback:detail", args=[t.pk])
    assert (t.channel, t.beneficiary, t.recorded_by, t.priority) == (
        "social_media",
        her,
        intake_user,
        "high",
    )


def test_an_unknown_file_number_is_refused_and_the_text_kept(client_as, intake_user):
    response = client_as(intake_user).post(
        reverse("feedback:new"),
        {
            "kind": "inquiry",
            "channel": "phone",
            "category": "other",
            "priority": "normal",
            "text": "نص مكتوب",
            "file_number": "B-999999",
        },
    )
    assert response.status_code == 200
    assert not Ticket.objects.exists()
    assert "نص مكتوب" in response.content.decode()
    assert response.context["form"].errors["file_number"]


def test_the_list_filters_by_type_state_channel_and_overdue(client_as, intake_user, settings):
    inquiry = ticket(actor=intake_user, kind="inquiry", channel="phone")
    complaint = ticket(actor=intake_user, kind="complaint", channel="letter")
    Ticket.objects.filter(pk=complaint.pk).update(due_at=complaint.created_at.replace(year=2020))
    client = client_as(intake_user)

    def shown(**query):
        return {t.pk for t in client.get(LIST, query).context["page"]}

    assert shown() == {inquiry.pk, complaint.pk}
    assert shown(kind="inquiry") == {inquiry.pk}
    assert shown(channel="letter") == {complaint.pk}
    assert shown(overdue="on") == {complaint.pk}
    services.ticket_answer(actor=intake_user, ticket=inquiry, answer="نعم")
    assert shown(state="answered") == {inquiry.pk}
    assert shown(state="open") == {complaint.pk}


def test_a_manager_assigns_and_the_assignee_answers_from_the_page(
    client_as, manager_user, researcher_user
):
    t = ticket(kind="inquiry", contact_mobile="+966551112233")
    client = client_as(manager_user)
    response = client.post(act(t.pk, "assign"), {"assignee": researcher_user.pk})
    assert response.status_code == 302
    t.refresh_from_db()
    assert (t.state, t.assignee) == ("assigned", researcher_user)
    response = client_as(researcher_user).post(act(t.pk, "answer"), {"answer": "الموعد الأحد"})
    t.refresh_from_db()
    assert t.state == "answered"
    assert Message.objects.filter(template="ticket_answered", to="+966551112233").exists()


def test_an_empty_answer_shows_the_error_beside_the_field(client_as, intake_user):
    t = ticket(actor=intake_user)
    response = client_as(intake_user).post(act(t.pk, "answer"), {"answer": ""})
    assert response.status_code == 400
    assert response.context["answer_form"].errors["answer"]


def test_only_managers_assign(client_as, intake_user, researcher_user):
    t = ticket(actor=intake_user)
    client_as(intake_user).post(act(t.pk, "assign"), {"assignee": researcher_user.pk})
    t.refresh_from_db()
    assert t.assignee is None


def test_committee_members_do_not_open_tickets(client_as, member_user):
    assert client_as(member_user).get(LIST).status_code == 403


def test_the_home_queue_lists_my_tickets_and_the_managers_unassigned_and_overdue(
    client_as, manager_user, intake_user
):
    mine = ticket(actor=manager_user)
    services.ticket_assign(actor=manager_user, ticket=mine, assignee=intake_user)
    waiting = ticket(actor=manager_user, kind="suggestion")
    intake_home = client_as(intake_user).get("/")
    [queue] = [q for q in intake_home.context["queues"] if q.role == "tickets"]
    [line] = queue.lines
    assert (line.key, line.count, [r.reference for r in line.rows]) == (
        "tickets_mine",
        1,
        [mine.reference],
    )
    manager_home = client_as(manager_user).get("/")
    [queue] = [q for q in manager_home.context["queues"] if q.role == "tickets"]
    lines = {line.key: line for line in queue.lines}
    assert [r.reference for r in lines["tickets_unassigned"].rows] == [waiting.reference]


# --- The public form --------------------------------------------------------------------------
def _code_sent(send_queued) -> str:
    _number, text = send_queued()[-1]
    return re.search(r"(?<!\d)\d{6}(?!\d)", text).group()


def test_a_visitor_files_an_inquiry_with_a_mobile_verified_by_a_code(client, send_queued):
    response = client.post(
        CONTACT,
        {
            "kind": "inquiry",
            "category": "documents",
            "text": "ما الأوراق المطلوبة للتسجيل؟",
            "contact_name": "سارة",
            "contact_mobile": "0551234567",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == CONTACT_CODE
    assert not Ticket.objects.exists()
    assert PhoneCode.objects.filter(purpose="feedback").count() == 1
    code = _code_sent(send_queued)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    refused = client.post(CONTACT_CODE, {"code": wrong})
    assert str(PHONE_CODE_REFUSED) in refused.content.decode()
    response = client.post(CONTACT_CODE, {"code": code})
    assert response.status_code == 200
    t = Ticket.objects.get()
    assert (t.contact_mobile, t.contact_name, t.channel) == ("+966551234567", "سارة", "website")
    assert t.reference in response.content.decode()
    assert client.post(CONTACT_CODE, {"code": code}).status_code == 302  # nothing pending now


def test_an_anonymous_complaint_needs_no_mobile(client):
    response = client.post(
        CONTACT, {"kind": "complaint", "category": "staff", "text": "تأخر الرد", "anonymous": "on"}
    )
    assert response.status_code == 200
    t = Ticket.objects.get()
    assert t.anonymous
    assert t.kind == "complaint"
    assert not PhoneCode.objects.exists()


def test_only_a_complaint_may_be_anonymous_and_others_need_a_mobile(client):
    response = client.post(
        CONTACT, {"kind": "inquiry", "category": "other", "text": "سؤال", "anonymous": "on"}
    )
    assert response.context["form"].errors["anonymous"]
    response = client.post(CONTACT, {"kind": "inquiry", "category": "other", "text": "سؤال"})
    assert response.context["form"].errors["contact_mobile"]
    assert "سؤال" in response.content.decode()  # what she typed is kept
    assert not Ticket.objects.exists()


def test_the_public_form_is_rate_limited_by_address(client, settings):
    settings.PORTAL_CONTACT_RATE_PER_IP = "2/10m"
    data = {"kind": "complaint", "category": "other", "text": "شكوى", "anonymous": "on"}
    for _ in range(2):
        assert client.post(CONTACT, data).status_code == 200
    assert client.post(CONTACT, data).status_code == 429
    assert client.post(CONTACT, data, REMOTE_ADDR="10.9.9.9").status_code == 200
    assert Ticket.objects.count() == 3


def test_staff_roles_can_be_assigned(make_staff):
    from feedback.selectors import assignable_staff

    t = ticket(kind="complaint")
    member = make_staff(Role.COMMITTEE)
    assert member not in assignable_staff(t)
