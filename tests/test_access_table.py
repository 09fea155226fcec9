"""Every URL the project defines × every role, with the answer each must get (issue 10).

The table below is the access policy in one place. The test walks the URL resolver: a URL
name missing from the table fails, and so does any answer that differs from the table.
Requests that would change something run inside a savepoint that is rolled back, so every
request sees the same world.

Answers: 200; LOGIN (302 to the staff login); PORTAL (302 to the portal login); ADMIN_LOGIN
(302 to the admin's login: the admin is for managers with a verified second factor); 403 (the
role may not); 404 (the object is outside her reach); 405 (method); REDIRECT (302 elsewhere:
a form that answers by redirecting, with a message).
"""

from dataclasses import dataclass, field
from datetime import timedelta
from http.cookies import SimpleCookie

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from api.models import ApiToken
from beneficiaries.models import Referral
from beneficiaries.tests.factories import DocumentFactory
from committee import services as committee_services
from committee.tests.factories import committee_with, open_meeting, request_before_committee
from feedback import services as ticket_services
from portal.models import CorrectionRequest
from portal.tests.conftest import portal_client  # noqa: F401 - her portal session
from privacy.breach import incident_record
from programs.tests.factories import programs_world
from requests_app.models import SupportRequest
from requests_app.tests.factories import request_in_state
from surveys.tests.factories import InvitationFactory

pytestmark = pytest.mark.django_db

LOGIN, PORTAL, ADMIN_LOGIN, REDIRECT = "LOGIN", "PORTAL", "ADMIN_LOGIN", "REDIRECT"
ROLES = ("anonymous", "beneficiary", "intake", "researcher", "member", "chair", "manager")


@dataclass
class Row:
    method: str
    expected: dict[str, object]  # role -> answer (or a set of acceptable answers)
    args: tuple[str, ...] = ()  # names of world objects whose pk fill the URL
    query: str = ""
    data: dict = field(default_factory=dict)


def row(method: str = "GET", *, args=(), query="", everyone=None, **answers) -> Row:
    """`answers` by role; `everyone` for the roles not named."""
    expected = {role: answers.get(role, everyone) for role in ROLES}
    missing = [role for role, answer in expected.items() if answer is None]
    assert not missing, f"no answer for {missing}"
    return Row(method, expected, tuple(args) if isinstance(args, tuple) else (args,), query)


def staff(method="GET", *, args=(), query="", ok=200, allowed=(), denied=403, **more) -> Row:
    """A staff page: anonymous and the beneficiary go to the staff login; `allowed` roles get
    `ok`, the other staff `denied`; `more` overrides single roles."""
    answers = {"anonymous": LOGIN, "beneficiary": LOGIN}
    for role in ("intake", "researcher", "member", "chair", "manager"):
        answers[role] = ok if role in allowed else denied
    answers.update(more)
    return row(method, args=args, query=query, **answers)


def portal(method="GET", *, args=(), ok=200) -> Row:
    """Her portal: only her own session gets in; staff are not her."""
    return row(method, args=args, everyone=PORTAL, beneficiary=ok)


FILE = ("intake", "researcher", "manager")  # every beneficiary file, every request
READ = (*FILE, "member", "chair")  # and committee members for files on their agenda
COMMITTEE = ("member", "chair", "manager")
CHAIR = ("chair", "manager")
RESEARCH = ("researcher", "manager")
MANAGER = ("manager",)
PUBLIC = row(everyone=200)

ACCESS: dict[str, Row] = {
    # --- the probes and the staff's own account ------------------------------------------
    "healthz": PUBLIC,
    "readyz": PUBLIC,
    "login": row(everyone=REDIRECT, anonymous=200, beneficiary=200),  # staff: already in
    "logout": row("POST", everyone=LOGIN),
    # Only roles that need a second factor open its pages (issue 18); other staff get a 404.
    "two_factor": staff(allowed=MANAGER, denied=404),
    "two_factor_invite": staff(allowed=MANAGER, denied=404),
    "password_change": staff(allowed=("intake", "researcher", "member", "chair", "manager")),
    "set_language": row("POST", everyone=REDIRECT),
    # --- beneficiaries ------------------------------------------------------------------
    "beneficiaries:list": staff(allowed=FILE),
    "beneficiaries:create": staff(allowed=FILE),
    "beneficiaries:import": staff(allowed=MANAGER),
    "beneficiaries:import_template": staff(allowed=MANAGER),
    "beneficiaries:referrals": staff(allowed=RESEARCH),
    "beneficiaries:referral_close": staff("POST", args="referral", allowed=RESEARCH, ok=REDIRECT),
    "beneficiaries:detail": staff(args="her", allowed=READ),
    "beneficiaries:edit": staff(args="her", allowed=FILE),
    "beneficiaries:document_create": staff(args="her", allowed=FILE),
    "beneficiaries:document_download": staff(args=("her", "document"), allowed=READ),
    "beneficiaries:contact_create": staff("POST", args="her", allowed=FILE, ok=REDIRECT),
    "beneficiaries:referral_create": staff("POST", args="her", allowed=FILE, ok=REDIRECT),
    "beneficiaries:consent_withdraw": staff("POST", args="her", allowed=FILE, ok=REDIRECT),
    "beneficiaries:document_verify": staff(
        "POST", args=("her", "document"), allowed=FILE, ok=REDIRECT
    ),
    "beneficiaries:registration": staff("POST", args=("her", "move"), allowed=FILE, ok=REDIRECT),
    # --- support requests --------------------------------------------------------------------
    "requests_app:list": staff(allowed=FILE),
    "requests_app:new": staff(allowed=FILE, query="?beneficiary={her}"),
    "requests_app:detail": staff(args="request", allowed=READ),
    "requests_app:receipt": staff(args="request", allowed=FILE),
    "requests_app:sign": staff("POST", args="request", allowed=FILE, ok=REDIRECT),
    "requests_app:verify": staff("POST", args="request", allowed=FILE, ok=REDIRECT),
    "requests_app:attach": staff("POST", args="request", allowed=FILE, ok=REDIRECT),
    "requests_app:act": staff("POST", args=("request", "action"), allowed=FILE, ok=REDIRECT),
    "requests_app:visits": staff(allowed=RESEARCH),
    "requests_app:visit_new": staff(args="request", allowed=RESEARCH),
    # --- the committee ------------------------------------------------------------------------
    "committee:queue": staff(allowed=COMMITTEE),
    "committee:meeting_schedule": staff("POST", allowed=CHAIR, ok=REDIRECT),
    "committee:meeting": staff(args="meeting", allowed=COMMITTEE),
    "committee:meeting_open": staff("POST", args="meeting", allowed=CHAIR, ok=REDIRECT),
    "committee:meeting_agenda_add": staff("POST", args="meeting", allowed=CHAIR, ok=REDIRECT),
    "committee:meeting_close": staff("POST", args="meeting", allowed=CHAIR, ok=REDIRECT),
    "committee:minutes": staff(args="meeting", allowed=COMMITTEE),
    "committee:minutes_pdf": staff(args="meeting", allowed=COMMITTEE),
    "committee:vote": staff("POST", args="item", allowed=COMMITTEE, ok=REDIRECT),
    "committee:decide": staff("POST", args="item", allowed=CHAIR, ok=REDIRECT),
    "committee:report": staff(args="request", allowed=RESEARCH),
    "committee:send_to_committee": staff("POST", args="request", allowed=RESEARCH, ok=REDIRECT),
    "committee:appeal": staff(args="request", allowed=FILE),
    "committee:scoring": staff(allowed=MANAGER),
    "committee:committees": staff(allowed=MANAGER),
    "committee:committee_new": staff(allowed=MANAGER),
    "committee:committee_edit": staff(args="committee", allowed=MANAGER),
    "committee:meeting_cycle_add": staff("POST", args="meeting", allowed=CHAIR, ok=REDIRECT),
    "committee:cycle_vote": staff("POST", args="cycle_item", allowed=COMMITTEE, ok=REDIRECT),
    "committee:cycle_decide": staff("POST", args="cycle_item", allowed=CHAIR, ok=REDIRECT),
    # --- programs, funds and cycles (issue 21): funds and settings are the managers' ---------
    "programs:programs": staff(allowed=FILE),
    "programs:program_new": staff(allowed=MANAGER),
    "programs:program": staff(args="program", allowed=FILE),
    "programs:program_edit": staff(args="program", allowed=MANAGER),
    "programs:program_fund": staff("POST", args="program", allowed=MANAGER, ok=REDIRECT),
    "programs:program_item": staff("POST", args="program", allowed=MANAGER, ok=REDIRECT),
    "programs:stock_item_new": staff("POST", args="program", allowed=MANAGER, ok=REDIRECT),
    "programs:cycle_new": staff(args="program", allowed=MANAGER),
    "programs:funds": staff(allowed=MANAGER),
    "programs:fund": staff(args="fund", allowed=MANAGER),
    "programs:fund_move": staff("POST", args="fund", allowed=MANAGER, ok=REDIRECT),
    "programs:cycle": staff(args="cycle", allowed=FILE),
    "programs:cycle_edit": staff(args="cycle", allowed=MANAGER),
    "programs:cycle_generate": staff("POST", args="cycle", allowed=MANAGER, ok=REDIRECT),
    "programs:cycle_send": staff("POST", args="cycle", allowed=MANAGER, ok=REDIRECT),
    "programs:cycle_close": staff("POST", args="cycle", allowed=MANAGER, ok=REDIRECT),
    "programs:entry_exclude": staff("POST", args=("cycle", "entry"), allowed=FILE, ok=REDIRECT),
    "programs:entry_include": staff("POST", args=("cycle", "entry"), allowed=FILE, ok=REDIRECT),
    "programs:cycle_report": staff(args="cycle", allowed=FILE),
    "programs:cycle_report_csv": staff(args="cycle", allowed=FILE),
    # Delivery (h7): the desk and the store for the staff who receive her; money for managers.
    "programs:handover": staff(allowed=FILE),
    "programs:handover_entry": staff(args="handover_entry", allowed=FILE),
    "programs:handover_code": staff("POST", args="handover_entry", allowed=FILE, ok=REDIRECT),
    "programs:handover_confirm": staff("POST", args="handover_entry", allowed=FILE, ok=REDIRECT),
    "programs:stock": staff(allowed=FILE),
    "programs:stock_item": staff(args="stock_item", allowed=FILE),
    "programs:transfers": staff(args="cash_cycle", allowed=MANAGER),
    "programs:transfer_create": staff("POST", args="cash_cycle", allowed=MANAGER, ok=REDIRECT),
    "programs:transfer_return": staff("POST", args="cash_cycle", allowed=MANAGER, ok=REDIRECT),
    "programs:transfer_returns_upload": staff(
        "POST", args="cash_cycle", allowed=MANAGER, ok=REDIRECT
    ),
    "programs:transfer_download": staff(args="transfer_batch", allowed=MANAGER),
    # --- surveys -----------------------------------------------------------------------------
    "surveys:results": staff(allowed=MANAGER),
    "surveys:respond": row(args="token", everyone=200),
    "surveys:thanks": PUBLIC,
    "surveys:record": staff(args="delivered", allowed=FILE),
    # --- privacy and audit ---------------------------------------------------------------------
    "privacy:processing": staff(allowed=MANAGER),
    "privacy:audit": staff(allowed=MANAGER),
    "privacy:breaches": staff(allowed=MANAGER),
    "privacy:breach_new": staff(allowed=MANAGER),
    "privacy:breach": staff(args="incident", allowed=MANAGER),
    # An empty text or time is refused with the page and its errors (400).
    "privacy:breach_message": staff("POST", args="incident", allowed=MANAGER, ok=400),
    "privacy:breach_notify": staff("POST", args="incident", allowed=MANAGER, ok=REDIRECT),
    "privacy:breach_authority": staff("POST", args="incident", allowed=MANAGER, ok=400),
    "privacy:breach_close": staff("POST", args="incident", allowed=MANAGER, ok=REDIRECT),
    # --- her portal ----------------------------------------------------------------------------
    "portal:status": PUBLIC,
    # Applying online (issue 20): the first page and the last are public; the steps between
    # need the application's session (the phone code first), else back to the first page.
    "portal:apply": PUBLIC,
    "portal:apply_code": row(everyone=REDIRECT),
    "portal:apply_details": row(everyone=REDIRECT),
    "portal:apply_request": row(everyone=REDIRECT),
    "portal:apply_done": PUBLIC,
    "portal:services": PUBLIC,
    # Reaching her before she asks (issue 20): intake and the researchers (and managers).
    "outreach:work": staff(allowed=FILE),
    "portal:home": portal(),
    "portal:login": PUBLIC,
    "portal:login_code": row(everyone=PORTAL),
    "portal:logout": row("POST", everyone=PORTAL),
    "portal:request_new": portal(),
    "portal:request_detail": portal(args="request"),
    # An empty form is refused (400) — but only in her own session.
    "portal:request_submit": portal("POST", args="request", ok=400),
    "portal:request_document": portal("POST", args="request", ok=REDIRECT),  # not open: said
    "portal:request_resubmit": portal("POST", args="request", ok=REDIRECT),
    "portal:request_withdraw": portal(args="request"),
    "portal:request_appeal": portal("POST", args="request", ok=400),
    "portal:surveys": portal(),
    "portal:survey_answer": portal(args="invitation"),
    "portal:data": portal(),
    "portal:data_json": portal(),
    "portal:data_pdf": portal(),
    "portal:corrections": staff(allowed=FILE),
    "portal:correction_close": staff("POST", args="correction", allowed=FILE, ok=REDIRECT),
    "portal:correction_extend": staff("POST", args="correction", allowed=FILE, ok=REDIRECT),
    "portal:consent_withdraw": portal("POST", ok=REDIRECT),
    # --- tickets: inquiries, complaints, suggestions, thanks (issue 20) ---------------------
    "feedback:list": staff(allowed=FILE),
    "feedback:new": staff(allowed=FILE),
    "feedback:detail": staff(args="ticket", allowed=FILE),
    "feedback:act": staff("POST", args=("ticket", "ticket_action"), allowed=FILE, ok=REDIRECT),
    "portal:tickets": portal(),
    "portal:contact": PUBLIC,
    "portal:contact_code": row(everyone=REDIRECT),  # nothing pending: back to the form
    # --- dashboard and reports -------------------------------------------------------------------
    "reports:dashboard": staff(allowed=("intake", "researcher", "member", "chair", "manager")),
    "reports:monthly": staff(allowed=MANAGER),
    "reports:monthly_pdf": staff(allowed=MANAGER),
    "reports:export": staff(args=("list", "format"), allowed=MANAGER),
    # --- the admin: managers with a verified second factor only ---------------------------
    # --- the API's tokens: managers issue and revoke (the API itself: api/tests/) ----------
    "api_tokens:list": staff(allowed=MANAGER),
    "api_tokens:revoke": staff("POST", args="api_token", allowed=MANAGER, ok=REDIRECT),
    "admin:login": row(everyone=200, manager=REDIRECT),
    "admin:logout": row("POST", everyone=REDIRECT, manager=LOGIN),
    "admin:*": row(everyone=ADMIN_LOGIN, manager={200, 403}),
}
# The admin's URLs that need an object or an app label are covered by "admin:*" but not
# requested (the admin checks the same has_permission for all of them).


# The API's machine endpoints (namespace `api`) answer 401/JSON, not pages: their role × endpoint
# matrix is api/tests/test_api_access.py. The managers' token pages (`api_tokens`) are here.
OWN_MATRIX = ("api:",)


def url_names(*, own_matrix: bool = False) -> list[str]:
    """Every named URL of the project, walked from the root resolver (namespaced); without the
    namespaces that keep a matrix of their own unless `own_matrix`."""

    def walk(resolver: URLResolver, namespace: str | None) -> list[tuple[str, URLPattern]]:
        found = []
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                found += walk(pattern, inner)
            elif pattern.name:
                found.append(
                    (f"{namespace}:{pattern.name}" if namespace else pattern.name, pattern)
                )
        return found

    names = {name for name, _pattern in walk(get_resolver(), None)}
    if not own_matrix:
        names = {name for name in names if not name.startswith(OWN_MATRIX)}
    return sorted(names)


def table_row(name: str) -> Row | None:
    if name in ACCESS:
        return ACCESS[name]
    if name.startswith("admin:"):
        return ACCESS["admin:*"]
    return None


def test_every_url_the_project_defines_is_in_the_table():
    missing = [name for name in url_names() if table_row(name) is None]
    assert missing == [], f"add these URL names to ACCESS: {missing}"


def test_the_table_names_no_url_that_does_not_exist():
    names = set(url_names())
    stale = [name for name in ACCESS if name != "admin:*" and name not in names]
    assert stale == []


# --- the walk --------------------------------------------------------------------------------
@pytest.fixture
def world(intake_user, researcher_user, member_user, chair_user, manager_user):
    committee = committee_with(chair=chair_user, members=[member_user])
    support_request = request_before_committee(researcher=researcher_user, intake=intake_user)
    her = support_request.beneficiary
    meeting = open_meeting(committee=committee, requests=[support_request])
    programs = programs_world(manager=manager_user)
    cycle_item = committee_services.meeting_add_cycle(
        actor=chair_user, meeting=meeting, cycle=programs["cycle_before_committee"]
    )
    delivered = request_in_state(SupportRequest.State.DELIVERED, beneficiary=her)
    invitation = InvitationFactory(support_request=delivered)
    return {
        "her": her,
        "document": DocumentFactory(beneficiary=her),
        "referral": Referral.objects.create(
            beneficiary=her, reason="لم تتضح لها الإجراءات", assigned_to=researcher_user
        ),
        "request": support_request,
        "action": "submit",
        "move": "complete",
        "meeting": meeting,
        "committee": committee,
        "item": meeting.agenda_items.get(),
        "delivered": delivered,
        "token": invitation.token,
        "invitation": invitation,
        "correction": CorrectionRequest.objects.create(
            beneficiary=her,
            details="تصحيح اسم الحي",
            due_at=CorrectionRequest.due_from(timezone.now()),
        ),
        "list": "beneficiaries",
        "ticket": ticket_services.ticket_create(
            actor=intake_user, kind="inquiry", channel="phone", text="سؤال", beneficiary=her
        ),
        "ticket_action": "close",
        "format": "csv",
        "incident": incident_record(
            actor=manager_user,
            found_at=timezone.now(),
            what_happened="تسرّب",
            data_categories=["contact"],
            people_affected=1,
            affected=[her],
        ),
        **programs,
        "cycle_item": cycle_item,
        "api_token": ApiToken.objects.create(
            user=intake_user,
            name="tablet",
            prefix="whj_test",
            token_hash="0" * 64,
            expires_at=timezone.now() + timedelta(days=1),
        ),
    }


def _value(world: dict, key: str):
    value = world[key]
    return value.pk if hasattr(value, "pk") else value


def _url(name: str, spec: Row, world: dict) -> str | None:
    if name.startswith("admin:") and name not in ACCESS:
        try:
            return reverse(name)
        except Exception:  # noqa: BLE001 - needs an object or an app: covered, not requested
            return None
    url = reverse(name, args=[_value(world, key) for key in spec.args])
    return url + spec.query.format(her=world["her"].pk)


def _answer(response) -> object:
    if response.status_code != 302:
        return response.status_code
    location = response["Location"]
    if location.startswith(reverse("login")):
        return LOGIN
    if location.startswith(reverse("portal:login")):
        return PORTAL
    if location.startswith(reverse("admin:login")):
        return ADMIN_LOGIN
    return REDIRECT


@pytest.fixture
def clients(client_as, portal_client, world, personas):  # noqa: F811
    """One logged-in client per role (the staff ones made by the root conftest's client_as)."""
    made = {"anonymous": Client(), "beneficiary": portal_client(world["her"])}
    for role, user in (
        ("intake", personas["intake"]),
        ("researcher", personas["researcher"]),
        ("member", personas["committee"]),
        ("chair", personas["chair"]),
        ("manager", personas["manager"]),
    ):
        client = client_as(user)
        made[role] = Client()
        made[role].cookies = SimpleCookie(client.cookies.output(header="", sep=";"))
        client.cookies = SimpleCookie()  # the next persona starts a session of her own
    return made


def test_every_url_answers_every_role_as_the_table_says(clients, world):
    wrong = []
    for name in url_names():
        spec = table_row(name)
        url = _url(name, spec, world)
        if url is None:
            continue
        for role in ROLES:
            client = clients[role]
            cookies = SimpleCookie(client.cookies.output(header="", sep=";"))
            with transaction.atomic():
                response = getattr(client, spec.method.lower())(url, spec.data)
                transaction.set_rollback(True)
            client.cookies = cookies  # a login or logout inside the rollback never happened
            got, expected = _answer(response), spec.expected[role]
            if got != expected and not (isinstance(expected, set) and got in expected):
                wrong.append(f"{spec.method} {name} as {role}: {got}, table says {expected}")
    if wrong:
        pytest.fail("\n".join(wrong), pytrace=False)


# --- objects outside her reach -----------------------------------------------------------------
def test_objects_outside_her_reach_answer_404(clients, world, make_staff):
    from beneficiaries.tests.factories import BeneficiaryFactory
    from committee import services as committee_services
    from requests_app.tests.factories import SupportRequestFactory

    other = BeneficiaryFactory()
    other_document = DocumentFactory(beneficiary=other)
    other_request = SupportRequestFactory(beneficiary=other)
    other_committee = committee_with(chair=make_staff("chair"), members=[make_staff("committee")])
    other_meeting = committee_services.meeting_schedule(
        actor=other_committee.chair, committee=other_committee, date=timezone.localdate()
    )
    cases = [
        ("beneficiary", "GET", reverse("portal:request_detail", args=[other_request.pk])),
        ("beneficiary", "POST", reverse("portal:request_withdraw", args=[other_request.pk])),
        ("member", "GET", reverse("beneficiaries:detail", args=[other.pk])),
        (
            "member",
            "GET",
            reverse("beneficiaries:document_download", args=[other.pk, other_document.pk]),
        ),
        ("member", "GET", reverse("requests_app:detail", args=[other_request.pk])),
        ("member", "GET", reverse("committee:meeting", args=[other_meeting.pk])),
        ("member", "GET", reverse("committee:minutes", args=[other_meeting.pk])),
        ("chair", "POST", reverse("committee:meeting_open", args=[other_meeting.pk])),
        # A cycle item on another committee's meeting; an entry through another cycle.
        ("chair", "POST", reverse("committee:meeting_cycle_add", args=[other_meeting.pk])),
        (
            "intake",
            "POST",
            reverse(
                "programs:entry_exclude",
                args=[world["cycle_before_committee"].pk, world["entry"].pk],
            ),
        ),
        (
            "intake",
            "GET",
            reverse("beneficiaries:document_download", args=[world["her"].pk, other_document.pk]),
        ),
    ]
    wrong = []
    for role, method, url in cases:
        with transaction.atomic():
            response = getattr(clients[role], method.lower())(url)
            transaction.set_rollback(True)
        if response.status_code != 404:
            wrong.append(f"{method} {url} as {role}: {response.status_code}")
    assert wrong == []
