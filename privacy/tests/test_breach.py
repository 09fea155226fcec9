"""The breach register (issue 19, part 6): the 72-hour clock to the authority, the approved
notice to the women affected in their language, the managers' warning, and the drill."""

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from audit.models import Event
from beneficiaries.models import PRIVACY_NOTICE_VERSION, Consent, ConsentPurpose
from beneficiaries.services import consent_withdraw
from beneficiaries.tests.factories import BeneficiaryFactory
from notifications.models import Message
from privacy import breach
from privacy.models import Incident

pytestmark = pytest.mark.django_db


def _incident(manager, *, hours_ago: float = 1, women=(), **more) -> Incident:
    return breach.incident_record(
        actor=manager,
        found_at=timezone.now() - timedelta(hours=hours_ago),
        what_happened="A USB stick with an export was lost.",
        data_categories=[Incident.DataCategory.IDENTITY],
        people_affected=len(women) or 3,
        affected=list(women),
        **more,
    )


def _contact_withdrawn(her) -> None:
    Consent.objects.create(
        beneficiary=her, purpose=ConsentPurpose.CONTACT, notice_version=PRIVACY_NOTICE_VERSION
    )
    consent_withdraw(actor=None, beneficiary=her, purpose=ConsentPurpose.CONTACT)


def _verbs(incident) -> list[str]:
    return list(
        Event.objects.filter(object_id=incident.pk, content_type__model="incident")
        .order_by("pk")
        .values_list("verb", flat=True)
    )


def test_a_manager_records_an_incident_and_sees_its_72_hour_clock(client_as, manager_user):
    her = BeneficiaryFactory()
    client = client_as(manager_user)
    found = timezone.localtime() - timedelta(hours=10)
    response = client.post(
        reverse("privacy:breach_new"),
        {
            "found_at": found.strftime("%Y-%m-%dT%H:%M"),
            "what_happened": "A laptop was stolen from the office.",
            "data_categories": ["identity", "health"],
            "people_affected": "40",
            "file_numbers": f" {her.file_number}, ",
        },
    )
    incident = Incident.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("privacy:breach", args=[incident.pk])
    assert incident.recorded_by == manager_user
    assert list(incident.affected.all()) == [her]
    assert incident.authority_due_at == incident.found_at + timedelta(hours=72)
    assert _verbs(incident) == ["breach_recorded"]

    page = client.get(reverse("privacy:breach", args=[incident.pk])).content.decode()
    # 72 hours less the 10 since it was found (less the minutes of this run): 61 h 59 min.
    assert re.search(r'data-testid="time-left"><span class="[^"]*">61 ', page)
    assert 'data-testid="overdue"' not in page


def test_the_clock_says_overdue_after_72_hours(client_as, manager_user):
    incident = _incident(manager_user, hours_ago=75)
    page = client_as(manager_user).get(reverse("privacy:breach", args=[incident.pk]))
    assert 'data-testid="overdue"' in page.content.decode()
    assert incident.authority_overdue()


def test_an_unknown_file_number_is_refused_and_what_was_typed_is_kept(client_as, manager_user):
    response = client_as(manager_user).post(
        reverse("privacy:breach_new"),
        {
            "found_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "what_happened": "Stolen laptop",
            "data_categories": ["contact"],
            "people_affected": "2",
            "file_numbers": "NOPE-1",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert not Incident.objects.exists()
    assert "NOPE-1" in page
    assert "Stolen laptop" in page


def test_the_women_hear_only_the_approved_text_each_in_her_language(client_as, manager_user):
    arabic = BeneficiaryFactory(preferred_language="ar")
    english = BeneficiaryFactory(preferred_language="en")
    withdrawn = BeneficiaryFactory()
    _contact_withdrawn(withdrawn)
    incident = _incident(manager_user, women=[arabic, english, withdrawn])
    client = client_as(manager_user)

    # Nothing leaves before a manager approves the text.
    client.post(reverse("privacy:breach_notify", args=[incident.pk]))
    assert not Message.objects.filter(template="breach_notice").exists()

    client.post(
        reverse("privacy:breach_message", args=[incident.pk]),
        {"message_ar": "نعتذر: حادثة مسّت بياناتك", "message_en": "We are sorry: an incident"},
    )
    client.post(reverse("privacy:breach_notify", args=[incident.pk]))
    rows = {m.to: m for m in Message.objects.filter(template="breach_notice")}
    assert set(rows) == {str(arabic.mobile), str(english.mobile)}
    assert rows[str(arabic.mobile)].language == "ar"
    assert rows[str(english.mobile)].language == "en"
    assert rows[str(arabic.mobile)].context["text_ar"] == "نعتذر: حادثة مسّت بياناتك"
    assert Event.objects.filter(object_id=withdrawn.pk, verb="message_withheld_no_consent").exists()
    incident.refresh_from_db()
    assert incident.women_messages == 2
    assert incident.women_notified_at is not None
    assert _verbs(incident) == [
        "breach_recorded",
        "breach_message_approved",
        "breach_women_notified",
    ]

    # Once only.
    with pytest.raises(breach.IncidentError):
        breach.incident_women_notify(actor=manager_user, incident=incident)
    assert Message.objects.filter(template="breach_notice").count() == 2


def test_closing_needs_the_authority_notification_first(client_as, manager_user):
    incident = _incident(manager_user)
    client = client_as(manager_user)
    client.post(reverse("privacy:breach_close", args=[incident.pk]))
    incident.refresh_from_db()
    assert incident.state == Incident.State.OPEN

    notified = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    client.post(
        reverse("privacy:breach_authority", args=[incident.pk]),
        {"notified_at": notified, "reference": "SDAIA-123"},
    )
    client.post(reverse("privacy:breach_close", args=[incident.pk]))
    incident.refresh_from_db()
    assert incident.state == Incident.State.CLOSED
    assert incident.authority_reference == "SDAIA-123"
    event = Event.objects.get(object_id=incident.pk, verb="breach_authority_notified")
    assert event.extra["in_time"] is True
    assert event.actor == manager_user
    assert _verbs(incident)[-1] == "breach_closed"


def test_a_future_notification_time_is_refused(client_as, manager_user):
    incident = _incident(manager_user)
    response = client_as(manager_user).post(
        reverse("privacy:breach_authority", args=[incident.pk]),
        {"notified_at": (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")},
    )
    assert response.status_code == 400
    incident.refresh_from_db()
    assert incident.authority_notified_at is None


def test_managers_are_warned_once_when_24_hours_are_left(manager_user, make_staff):
    other_manager = make_staff(Role.MANAGER, username="manager_2")
    early = _incident(manager_user, hours_ago=10)
    late = _incident(manager_user, hours_ago=49)
    told = _incident(manager_user, hours_ago=60)
    breach.incident_authority_notified(
        actor=manager_user, incident=told, notified_at=timezone.now()
    )

    assert breach.incident_deadlines_warn() == 1
    assert breach.incident_deadlines_warn() == 0  # the beat may run twice
    rows = Message.objects.filter(template="breach_deadline")
    assert sorted(m.idempotency_key for m in rows) == [
        f"breach-deadline-{late.pk}:u{manager_user.pk}",
        f"breach-deadline-{late.pk}:u{other_manager.pk}",
    ]
    assert Event.objects.filter(object_id=late.pk, verb="breach_deadline_warned").count() == 1
    assert not Event.objects.filter(object_id=early.pk, verb="breach_deadline_warned").exists()


def test_the_register_is_the_managers_alone(client_as, make_staff, manager_user):
    incident = _incident(manager_user)
    researcher = make_staff(Role.RESEARCHER, username="r_breach")
    client = client_as(researcher)
    for url in (
        reverse("privacy:breaches"),
        reverse("privacy:breach_new"),
        reverse("privacy:breach", args=[incident.pk]),
    ):
        assert client.get(url).status_code == 403
    assert client.post(reverse("privacy:breach_close", args=[incident.pk])).status_code == 403
    assert client_as(manager_user).get(reverse("privacy:breach", args=[999999])).status_code == 404


def test_the_list_shows_the_incidents(client_as, manager_user):
    incident = _incident(manager_user, hours_ago=80)
    page = client_as(manager_user).get(reverse("privacy:breaches")).content.decode()
    assert reverse("privacy:breach", args=[incident.pk]) in page
    assert "text-bg-danger" in page


# --- the drill -------------------------------------------------------------------------------
@pytest.fixture
def demo_manager(make_staff):
    manager = make_staff(Role.MANAGER, username="manager", email="manager@wahaj.invalid")
    assert manager.groups.filter(name=Group.objects.get(name=Role.MANAGER).name).exists()
    return manager


def test_the_drill_runs_every_step_times_it_and_keeps_nothing(demo_manager):
    women = [BeneficiaryFactory(preferred_language=lang) for lang in ("ar", "en", "ar")]
    _contact_withdrawn(women[2])
    out = StringIO()
    call_command("breach_drill", files=3, stdout=out)
    text = out.getvalue()
    steps = re.findall(r"^(\d)\. (.+?)\s+(\d+\.\d) ms  (.*)$", text, re.M)
    assert [s[1] for s in steps] == [
        "record the incident",
        "approve the message to the women",
        "queue the women's notifications",
        "warn the managers (deadline sweep)",
        "record the authority's notification",
        "close the incident",
    ]
    assert "2 of 3 queued (ar: 1, en: 1), 1 withheld" in steps[2][3]
    assert "1 incident warned, 0 on the second run" in steps[3][3]
    assert "(limit 72 h)" in steps[4][3]
    assert re.search(r"^total +\d+\.\d ms$", text, re.M)
    assert "rolled back: 0 drill incident(s) kept" in text
    assert not Incident.objects.exists()
    assert not Message.objects.exists()


def test_the_drill_refuses_without_demo_data(manager_user):
    with pytest.raises(CommandError, match="demo data only"):
        call_command("breach_drill", stdout=StringIO())
