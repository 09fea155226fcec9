"""The whole journey in headless Chromium, in Arabic, with a screenshot of each step under
test-artifacts/journey/: intake registers her and her request; the researcher studies it; the
committee decides; the association delivers; she follows it in her portal and answers the
survey; the manager sees the satisfaction of the months already over on the dashboard."""

import re
from pathlib import Path

import pytest
from django.utils import timezone

from accounts.roles import Role
from beneficiaries.models import Beneficiary
from beneficiaries.tests.factories import PDF_BYTES
from beneficiaries.tests.test_browser import _fill_registration
from committee.tests.factories import committee_with
from notifications.backends.sms import RecordingBackend
from notifications.models import Message
from notifications.services import message_send
from requests_app.models import SupportRequest
from surveys.models import Question, Response
from surveys.tests.factories import answered, default_survey, in_last_month, satisfied_answers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "journey"
HER_NAME = "نورة محمد عبدالله العتيبي"


@pytest.fixture
def outbox(live_server, settings, monkeypatch):
    """SMS recorded, links to the live server; the test plays the worker (message_send)."""
    settings.SMS_BACKEND = "notifications.backends.sms.RecordingBackend"
    settings.SITE_URL = live_server.url
    RecordingBackend.outbox.clear()
    monkeypatch.setattr("notifications.services._enqueue", lambda _message_id: None)

    def send(template: str) -> str:
        """Send the queued messages of `template`; the text of the last one."""
        for message in Message.objects.filter(template=template, status="queued"):
            message_send(message_id=message.pk)
        return RecordingBackend.outbox[-1][1]

    yield send
    RecordingBackend.outbox.clear()


class Journey:
    def __init__(self, page, browser_login):
        self.page, self.browser_login, self.step = page, browser_login, 0
        SHOTS.mkdir(parents=True, exist_ok=True)

    def shot(self, name: str) -> None:
        self.step += 1
        self.page.screenshot(path=str(SHOTS / f"{self.step:02d}-{name}.png"), full_page=True)

    def staff(self, user) -> None:
        self.page.context.clear_cookies()
        self.browser_login(user)
        self.page.wait_for_url("**/")

    def act(self, action: str, **fields: str) -> None:
        form = self.page.locator(f"form[data-action={action}]")
        for name, value in fields.items():
            form.locator(f"[name={name}]").fill(value)
        form.locator("button[type=submit]").click()
        self.page.wait_for_load_state()


@pytest.fixture
def people(make_staff, intake_user, researcher_user, chair_user, manager_user):
    members = [make_staff(Role.COMMITTEE, username=f"journey_m{i}") for i in (1, 2, 3)]
    committee_with(chair=chair_user, members=members)
    return {
        "intake": intake_user,
        "researcher": researcher_user,
        "chair": chair_user,
        "members": members,
        "manager": manager_user,
    }


def register_her(journey: Journey, intake) -> Beneficiary:
    """1. Intake registers her, with the privacy notice and her consent."""
    page = journey.page
    journey.staff(intake)
    assert page.locator("html").get_attribute("lang") == "ar"
    page.goto("/beneficiaries/new/")
    _fill_registration(page)
    journey.shot("registration-form")
    page.get_by_role("button", name="فتح ملفها").click()
    page.wait_for_url(re.compile(r"/beneficiaries/\d+/$"))
    her = Beneficiary.objects.get(national_id="1000000008")
    assert her.consents.count() == 3
    journey.shot("her-file")
    return her


def enter_her_request(journey: Journey, her: Beneficiary) -> SupportRequest:
    """2. Her request: checklist, documents, declaration, submitted; the receipt."""
    page = journey.page
    page.goto(f"/requests/new/?beneficiary={her.pk}")
    page.select_option("select[name=request_type]", "food_basket")
    page.fill("input[name=amount_requested]", "800")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/requests/\d+/$"))
    support_request = SupportRequest.objects.get(beneficiary=her)
    checklist = page.locator("#verification form")
    for box in checklist.locator("input[type=checkbox]").all():
        box.check()
    checklist.locator("button[type=submit]").click()
    page.wait_for_load_state()
    for doc_type in ("national_id", "family_card", "statement"):
        attach = page.locator("#documents form")
        attach.locator("select[name=doc_type]").select_option(doc_type)
        if doc_type == "statement":
            attach.locator("input[name=issued_on]").fill(f"{support_request.created_at:%Y-%m-%d}")
        else:
            attach.locator("input[name=expires_on]").fill("2035-01-01")
        attach.locator("input[name=file]").set_input_files(
            {"name": f"{doc_type}.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}
        )
        attach.locator("button[type=submit]").click()
        page.wait_for_load_state()
    declaration = page.locator("#declaration form")
    declaration.locator("input[name=read_to_her]").check()
    declaration.locator("input[name=signed_name]").fill(HER_NAME)
    declaration.locator("button[type=submit]").click()
    page.wait_for_load_state()
    page.locator("form[data-action=submit] button").click()
    page.wait_for_url(re.compile(r"/requests/\d+/receipt/$"))
    support_request.refresh_from_db()
    assert support_request.state == SupportRequest.State.SUBMITTED
    assert "خلال أسبوعين" in page.locator("[data-testid=promise]").inner_text()
    journey.shot("receipt")
    return support_request


def research_it(journey: Journey, researcher, support_request: SupportRequest) -> None:
    """3. The researcher studies it and sends it to the committee."""
    page = journey.page
    journey.staff(researcher)
    page.goto(f"/requests/{support_request.pk}/")
    journey.act("start_research")
    page.goto(f"/committee/requests/{support_request.pk}/report/")
    form = page.locator("[data-testid=report-form]")
    form.locator("input[name=visit_type][value=home]").check()
    form.locator("input[name=visit_date]").fill(f"{support_request.created_at:%Y-%m-%d}")
    form.locator("textarea[name=household_findings]").fill("أرملة تعول طفلين")
    form.locator("textarea[name=needs]").fill("سلة غذائية شهرية")
    form.locator("input[name=recommendation][value=approve]").check()
    form.locator("input[name=recommended_amount]").fill("800")
    form.locator("select[name=recommended_support_type]").select_option("food_basket")
    form.locator("button[name=complete]").click()
    page.wait_for_load_state()
    journey.shot("research-report")
    page.get_by_role("button", name="الإحالة إلى اللجنة").click()
    page.wait_for_url(f"**/requests/{support_request.pk}/")


def committee_decides(journey: Journey, people: dict, support_request: SupportRequest) -> None:
    """4. The chair opens a meeting; the members vote; the chair approves."""
    page = journey.page
    journey.staff(people["chair"])
    page.goto("/committee/")
    assert support_request.reference in page.locator("[data-testid=queue]").inner_text()
    page.locator("input[name=date]").fill(f"{support_request.created_at:%Y-%m-%d}")
    page.get_by_role("button", name="جدولة اجتماع").click()
    page.wait_for_url(re.compile(r"/committee/meetings/\d+/$"))
    meeting_url = page.url
    agenda = page.locator("[data-testid=agenda-form]")
    for box in agenda.locator("input[type=checkbox]").all():
        box.check()
    agenda.get_by_role("button", name="إضافة إلى جدول الأعمال").click()
    page.wait_for_load_state()
    page.locator("[data-testid=open-form]").get_by_role("button", name="افتتاح الاجتماع").click()
    page.wait_for_load_state()
    item = f"article[data-reference='{support_request.reference}']"
    for member in people["members"]:
        journey.staff(member)
        page.goto(meeting_url)
        page.locator(f"{item} input[name=choice][value=approve]").check()
        page.locator(f"{item} textarea[name=comment]").fill("بعد الاطلاع على التقرير")
        page.locator(item).get_by_role("button", name="صوّتي").click()
        page.wait_for_load_state()
    journey.staff(people["chair"])
    page.goto(meeting_url)
    # The members' votes made the decision: the chair's form offers it, or defer.
    assert "3" in page.locator(f"{item} [data-testid=tally]").inner_text()
    decision = page.locator(f"{item} [data-testid=decision-form]")
    offered = decision.locator("input[name=outcome]").evaluate_all("els => els.map(e => e.value)")
    assert offered == ["approved", "deferred"]
    decision.locator("input[name=outcome][value=approved]").check()
    decision.locator("[name=approved_amount]").fill("800")
    decision.locator("[name=support_type]").select_option("food_basket")
    decision.get_by_role("button", name="تسجيل القرار").click()
    page.wait_for_load_state()
    support_request.refresh_from_db()
    assert support_request.state == SupportRequest.State.APPROVED
    assert support_request.window_met
    journey.shot("committee-decision")


def she_logs_in(journey: Journey, outbox, her: Beneficiary, support_request) -> None:
    """6. She logs in to her portal with the code sent to her mobile and sees it."""
    page = journey.page
    page.context.clear_cookies()
    page.goto("/portal/login/")
    page.fill("input[name=national_id]", her.national_id)
    page.click("[data-testid=login-form] button[type=submit]")
    page.wait_for_url("**/portal/login/code/")
    code = re.search(r"(?<!\d)\d{6}(?!\d)", outbox("portal_otp")).group()
    page.fill("input[name=code]", code)
    page.click("[data-testid=code-form] button[type=submit]")
    page.wait_for_url("**/portal/")
    assert support_request.reference in page.locator("[data-testid=her-requests]").inner_text()
    journey.shot("her-portal")


def she_answers_the_survey(journey: Journey, outbox) -> None:
    """7. She answers the survey from the link in her text message."""
    page = journey.page
    # The invitation waits SURVEY_INVITATION_DELAY_HOURS in the outbox, so that the delivery
    # message reaches her first: that one goes now, and the invitation is not yet due.
    assert "تم تسليم الدعم" in outbox("request_delivered")
    invitation = Message.objects.get(template="survey_invitation")
    assert invitation.next_attempt_at > timezone.now()
    # Two hours later the outbox's recovery tick hands it on.
    Message.objects.filter(pk=invitation.pk).update(next_attempt_at=timezone.now())
    link = re.search(r"https?://\S+", outbox("survey_invitation")).group(0)
    page.goto(link)
    page.get_by_role("heading", name="استبانة رضا المستفيدات").wait_for()
    for question in default_survey().questions.all():
        fieldset = page.locator(f"#fs-q{question.pk}")
        if question.kind == Question.Kind.RATING:
            fieldset.get_by_label("5 — راضية جدًا").check()
        elif question.kind == Question.Kind.YES_NO:
            fieldset.get_by_label("نعم", exact=True).check()
        elif question.kind == Question.Kind.RECOMMEND:
            fieldset.get_by_label("10", exact=True).check()
        else:
            fieldset.locator("textarea").fill("شكرًا على سرعة الاستجابة")
    journey.shot("survey")
    page.get_by_role("button", name="إرسال إجاباتي").click()
    page.get_by_role("heading", name="شكرًا لكِ").wait_for()
    journey.shot("survey-thanks")


def test_from_intake_to_the_managers_dashboard_in_arabic(page, browser_login, outbox, people):
    # Five answers last month: results are shown from five on, for months already over (hers,
    # this month, joins them when the month ends).
    for _ in range(5):
        answered(satisfied_answers(rating=4, recommend=8), submitted_at=in_last_month())
    journey = Journey(page, browser_login)

    her = register_her(journey, people["intake"])
    support_request = enter_her_request(journey, her)
    research_it(journey, people["researcher"], support_request)
    committee_decides(journey, people, support_request)

    # 5. Intake records the delivery.
    journey.staff(people["intake"])
    page.goto(f"/requests/{support_request.pk}/")
    journey.act("deliver", delivery_note="سلة غذائية لشهر كامل")
    support_request.refresh_from_db()
    assert support_request.state == SupportRequest.State.DELIVERED
    journey.shot("delivered")

    she_logs_in(journey, outbox, her, support_request)
    she_answers_the_survey(journey, outbox)
    assert Response.objects.count() == 6

    # 8. The manager sees satisfaction on her dashboard (last month's five; hers from next month).
    journey.staff(people["manager"])
    assert "5 إجابات" in page.locator("[data-testid=satisfaction]").inner_text()
    assert page.locator("[data-testid=manager-figures]").is_visible()
    journey.shot("manager-dashboard")
    assert journey.step == 10
