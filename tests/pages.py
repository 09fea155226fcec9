"""Every page of Wahaj, with the data it needs: the list the accessibility audit walks.

Built from the URL resolver (`url_names()`) and the apps' factories (`build_world()`): every
named URL is either a page in `page_paths(world)` or excluded in `NOT_PAGES` with the reason,
and `tests/test_pages.py` fails when a new URL is neither — so a new page cannot escape the
audit. Other test modules (the URL × role access table) may reuse `build_world`, `page_paths`
and `staff_session_cookie`.
"""

from dataclasses import dataclass, field
from datetime import date, time, timedelta

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY

from accounts.models import TwoFactorDevice
from accounts.roles import Role
from accounts.two_factor import confirmed_device, two_factor_required
from beneficiaries.models import Contact, Document, Referral
from beneficiaries.tests.factories import (
    BeneficiaryFactory,
    DocumentFactory,
)
from committee import services as committee_services
from committee.tests.factories import (
    committee_with,
    open_meeting,
    request_before_committee,
    request_in_research,
)
from feedback import services as ticket_services
from portal.apply_views import APPLY_KEY
from portal.models import CorrectionRequest
from portal.session import BENEFICIARY_KEY, LAST_SEEN_KEY, PENDING_KEY
from portal.ticket_views import PENDING_KEY as CONTACT_PENDING_KEY
from privacy.breach import incident_record
from programs.tests.factories import programs_world
from requests_app.models import (
    DECLARATION_TEXT_AR,
    Declaration,
    HomeVisit,
    RequestType,
    SupportRequest,
)
from requests_app.tests.factories import attach_documents, ready_request, request_in_state
from surveys.tests.factories import InvitationFactory

State = SupportRequest.State

# Named URLs that are not pages a person reads: POST-only actions (they redirect to a page that
# is audited), files, and machine endpoints. Reason beside each.
NOT_PAGES = {
    "healthz": "machine endpoint",
    "readyz": "machine endpoint",
    "logout": "POST action",
    "set_language": "POST action",
    "beneficiaries:import_template": "XLSX download",
    "beneficiaries:referral_close": "POST action",
    "beneficiaries:document_download": "file download",
    "beneficiaries:contact_create": "POST action",
    "beneficiaries:referral_create": "POST action",
    "beneficiaries:document_verify": "POST action",
    "beneficiaries:registration": "POST action",
    "requests_app:sign": "POST action",
    "requests_app:verify": "POST action",
    "requests_app:attach": "POST action",
    "requests_app:act": "POST action",
    "committee:meeting_schedule": "POST action",
    "committee:meeting_open": "POST action",
    "committee:meeting_agenda_add": "POST action",
    "committee:meeting_close": "POST action",
    "committee:minutes_pdf": "PDF download",
    "committee:vote": "POST action",
    "committee:decide": "POST action",
    "committee:send_to_committee": "POST action",
    "committee:meeting_cycle_add": "POST action",
    "committee:cycle_vote": "POST action",
    "committee:cycle_decide": "POST action",
    "programs:program_fund": "POST action",
    "programs:program_item": "POST action",
    "programs:stock_item_new": "POST action",
    "programs:fund_move": "POST action",
    "programs:cycle_generate": "POST action",
    "programs:cycle_send": "POST action",
    "programs:cycle_close": "POST action",
    "programs:entry_exclude": "POST action",
    "programs:entry_include": "POST action",
    "programs:cycle_report_csv": "CSV download",
    "programs:handover_code": "POST action",
    "programs:handover_confirm": "POST action",
    "programs:transfer_create": "POST action",
    "programs:transfer_return": "POST action",
    "programs:transfer_returns_upload": "POST action",
    "programs:transfer_download": "CSV download (the bank's file)",
    "portal:logout": "POST action",
    "portal:request_submit": "POST action",
    "portal:request_document": "POST action",
    "portal:request_resubmit": "POST action",
    "portal:request_appeal": "POST action",
    "portal:data_json": "JSON download",
    "portal:data_pdf": "PDF download",
    "portal:correction_close": "POST action",
    "portal:correction_extend": "POST action",
    "portal:consent_withdraw": "POST action",
    "beneficiaries:consent_withdraw": "POST action",
    "reports:monthly_pdf": "PDF download",
    "reports:export": "CSV/XLSX download",
    "privacy:breach_message": "POST action",
    "privacy:breach_notify": "POST action",
    "privacy:breach_authority": "POST action",
    "privacy:breach_close": "POST action",
    "feedback:act": "POST action",
    "api_tokens:revoke": "POST action",
}
# Django's own admin is audited by Django, not here; the API's endpoints (`api`) are machines'
# JSON and its Swagger UI (drf-spectacular-sidecar), with their own matrix and schemathesis run
# in api/tests/ (the managers' token pages, `api_tokens`, are pages and audited here).
SKIPPED_NAMESPACES = {"admin", "api"}


def url_names() -> set[str]:
    """Every named URL of the project (namespaced), from the resolver."""

    def walk(patterns, namespace: str = ""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace in SKIPPED_NAMESPACES:
                    continue
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                yield from walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield f"{namespace}:{pattern.name}" if namespace else pattern.name

    return set(walk(get_resolver().url_patterns))


@dataclass
class World:
    """One of everything, in the states whose pages differ."""

    staff: dict[str, object]
    her: object  # the beneficiary of the portal pages
    requests: dict[str, SupportRequest] = field(default_factory=dict)
    meeting: object = None
    invitation: object = None
    referral: object = None
    incident: object = None  # the breach register's (privacy)
    programs: dict = field(default_factory=dict)  # fund, program, cycles (issue 21)
    ticket: object = None  # a complaint about nobody, answered (issue 20)


def build_world(staff: dict[str, object]) -> World:
    """`staff`: role → user (the root conftest's `personas`). Returns the world of pages."""
    intake, researcher = staff[Role.INTAKE], staff[Role.RESEARCHER]
    her = BeneficiaryFactory(full_name="نورة محمد عبدالله العتيبي", email="noura@example.org")
    DocumentFactory(beneficiary=her, expires_on=date.today() + timedelta(days=300))
    Contact.objects.create(beneficiary=her, channel="phone", summary="اتصلت تسأل عن طلبها")
    referral = Referral.objects.create(
        beneficiary=her,
        reason="الإجراءات غير واضحة لها",
        referred_by=intake,
        assigned_to=researcher,
    )
    CorrectionRequest.objects.create(
        beneficiary=her, details="تصحيح اسم الحي", due_at=timezone.now() + timedelta(days=30)
    )
    world = World(staff=staff, her=her, referral=referral)
    requests = world.requests
    requests["draft"] = ready_request(witness=intake, beneficiary=her)
    requests["submitted"] = request_in_state(State.SUBMITTED, beneficiary=her, created_by=intake)
    requests["in_research"] = request_in_research(
        researcher=researcher, intake=intake, beneficiary=her
    )
    # Her home visit today (the researcher's week, her home queue, the report prefilled).
    HomeVisit.objects.create(
        support_request=requests["in_research"],
        researcher=researcher,
        date=timezone.localdate(),
        window_start=time(10),
        window_end=time(12),
        address="النسيم، الرياض",
    )
    # The research factories give the file an income and a household: a second woman's file.
    in_committee = request_before_committee(researcher=researcher, intake=intake)
    requests["in_committee"] = in_committee
    committee = committee_with(chair=staff[Role.CHAIR], members=[staff[Role.COMMITTEE]])
    world.meeting = open_meeting(committee=committee, requests=[in_committee])
    world.programs = programs_world(manager=staff[Role.MANAGER])
    committee_services.meeting_add_cycle(
        actor=staff[Role.CHAIR],
        meeting=world.meeting,
        cycle=world.programs["cycle_before_committee"],
    )
    requests["returned"] = request_in_state(
        State.RETURNED,
        beneficiary=her,
        request_type=RequestType.FOOD_BASKET,
        return_reason="صورة بطاقة العائلة",
    )
    Declaration.objects.create(
        support_request=requests["returned"],
        text=DECLARATION_TEXT_AR,
        signed_name=her.full_name,
        signed_at=timezone.now(),
        signed_via=Declaration.SignedVia.PORTAL,
    )
    requests["rejected"] = request_in_state(
        State.REJECTED,
        beneficiary=her,
        due_in_days=5,
        decided_at=timezone.now() - timedelta(days=2),
        rejection_code="income_above_threshold",
        rejection_reason="الدخل أعلى من الحد",
    )
    requests["delivered"] = request_in_state(
        State.DELIVERED,
        beneficiary=her,
        due_in_days=-1,
        decided_at=timezone.now(),
        # Granted as the committee grants it: a request type's code, read as its label.
        approved_amount=1500,
        support_type=RequestType.RENT,
    )
    world.invitation = InvitationFactory(support_request=requests["delivered"])
    attach_documents(her, [Document.DocType.STATEMENT])
    world.ticket = ticket_services.ticket_create(
        actor=intake, kind="inquiry", channel="phone", text="متى تصرف السلة؟", beneficiary=her
    )
    ticket_services.ticket_answer(actor=intake, ticket=world.ticket, answer="يوم الأحد القادم")
    world.incident = incident_record(
        actor=staff[Role.MANAGER],
        found_at=timezone.now() - timedelta(hours=30),
        what_happened="فُقد حاسوب محمول يحوي تصديرًا لبعض الملفات",
        data_categories=["identity", "contact"],
        people_affected=12,
        affected=[her],
    )
    return world


def page_paths(world: World) -> dict[str, dict[str, str]]:
    """The pages, by audience: "staff" (each role opens what she may), "public", "portal", and
    the two pages reached half-way through a login: "unverified" (a manager's password accepted,
    her second factor not yet: `staff_session_cookie(manager, verified=False)`) and "pending"
    (the portal's code page: `portal_pending_cookie(her)`).

    Keys are readable labels (the URL name, plus the state shown); values are paths.
    """
    r = world.requests
    g = world.programs
    staff = {
        "login": reverse("login"),
        "password_change": reverse("password_change"),
        "two_factor_invite": reverse("two_factor_invite"),
        "reports:dashboard": reverse("reports:dashboard"),
        "reports:monthly": reverse("reports:monthly"),
        "beneficiaries:list": reverse("beneficiaries:list"),
        "beneficiaries:create": reverse("beneficiaries:create"),
        "beneficiaries:import": reverse("beneficiaries:import"),
        "beneficiaries:referrals": reverse("beneficiaries:referrals"),
        "beneficiaries:detail": reverse("beneficiaries:detail", args=[world.her.pk]),
        "beneficiaries:edit": reverse("beneficiaries:edit", args=[world.her.pk]),
        "beneficiaries:document_create": reverse(
            "beneficiaries:document_create", args=[world.her.pk]
        ),
        "requests_app:list": reverse("requests_app:list"),
        "requests_app:new": reverse("requests_app:new") + f"?beneficiary={world.her.pk}",
        "requests_app:receipt": reverse("requests_app:receipt", args=[r["submitted"].pk]),
        "requests_app:visits": reverse("requests_app:visits"),
        "requests_app:visit_new": reverse("requests_app:visit_new", args=[r["in_research"].pk]),
        "committee:queue": reverse("committee:queue"),
        "committee:meeting": reverse("committee:meeting", args=[world.meeting.pk]),
        "committee:minutes": reverse("committee:minutes", args=[world.meeting.pk]),
        "committee:report": reverse("committee:report", args=[r["in_research"].pk]),
        "committee:appeal": reverse("committee:appeal", args=[r["rejected"].pk]),
        "committee:scoring": reverse("committee:scoring"),
        "committee:committees": reverse("committee:committees"),
        "committee:committee_new": reverse("committee:committee_new"),
        "committee:committee_edit": reverse(
            "committee:committee_edit", args=[world.meeting.committee_id]
        ),
        "surveys:results": reverse("surveys:results"),
        "surveys:record": reverse("surveys:record", args=[r["delivered"].pk]),
        "privacy:processing": reverse("privacy:processing"),
        "privacy:audit": reverse("privacy:audit"),
        "privacy:breaches": reverse("privacy:breaches"),
        "privacy:breach_new": reverse("privacy:breach_new"),
        "privacy:breach": reverse("privacy:breach", args=[world.incident.pk]),
        "portal:corrections": reverse("portal:corrections"),
        "outreach:work": reverse("outreach:work"),
        "feedback:list": reverse("feedback:list"),
        "feedback:new": reverse("feedback:new"),
        "feedback:detail": reverse("feedback:detail", args=[world.ticket.pk]),
        "api_tokens:list": reverse("api_tokens:list"),
        "programs:programs": reverse("programs:programs"),
        "programs:program_new": reverse("programs:program_new"),
        "programs:program": reverse("programs:program", args=[g["program"].pk]),
        "programs:program_edit": reverse("programs:program_edit", args=[g["program"].pk]),
        "programs:cycle_new": reverse("programs:cycle_new", args=[g["program"].pk]),
        "programs:funds": reverse("programs:funds"),
        "programs:fund": reverse("programs:fund", args=[g["fund"].pk]),
        "programs:cycle (listed)": reverse("programs:cycle", args=[g["cycle"].pk]),
        "programs:cycle (before the committee)": reverse(
            "programs:cycle", args=[g["cycle_before_committee"].pk]
        ),
        "programs:cycle_edit": reverse("programs:cycle_edit", args=[g["cycle"].pk]),
        "programs:cycle_report": reverse("programs:cycle_report", args=[g["cycle"].pk]),
        "programs:handover": reverse("programs:handover"),
        "programs:handover_entry": reverse(
            "programs:handover_entry", args=[g["handover_entry"].pk]
        ),
        "programs:stock": reverse("programs:stock"),
        "programs:stock_item": reverse("programs:stock_item", args=[g["stock_item"].pk]),
        "programs:transfers": reverse("programs:transfers", args=[g["cash_cycle"].pk]),
    }
    for state, support_request in r.items():
        staff[f"requests_app:detail ({state})"] = reverse(
            "requests_app:detail", args=[support_request.pk]
        )
    public = {
        "portal:status": reverse("portal:status"),
        "portal:login": reverse("portal:login"),
        "portal:contact": reverse("portal:contact"),
        "portal:apply": reverse("portal:apply"),
        "portal:apply_done": reverse("portal:apply_done"),
        "portal:services": reverse("portal:services"),
        "surveys:respond": reverse("surveys:respond", args=[world.invitation.token]),
        "surveys:thanks": reverse("surveys:thanks"),
    }
    portal = {
        "portal:home": reverse("portal:home"),
        "portal:request_new": reverse("portal:request_new"),
        "portal:surveys": reverse("portal:surveys"),
        "portal:survey_answer": reverse("portal:survey_answer", args=[world.invitation.pk]),
        "portal:data": reverse("portal:data"),
        "portal:tickets": reverse("portal:tickets"),
        "portal:request_withdraw": reverse("portal:request_withdraw", args=[r["returned"].pk]),
    }
    for state in ("draft", "returned", "rejected", "delivered"):
        portal[f"portal:request_detail ({state})"] = reverse(
            "portal:request_detail", args=[r[state].pk]
        )
    return {
        "staff": staff,
        "public": public,
        "portal": portal,
        "unverified": {"two_factor": reverse("two_factor")},
        # The pending session also holds an application under way (portal_pending_cookie).
        "pending": {
            "portal:login_code": reverse("portal:login_code"),
            "portal:contact_code": reverse("portal:contact_code"),
            "portal:apply_code": reverse("portal:apply_code"),
            "portal:apply_details": reverse("portal:apply_details"),
            "portal:apply_request": reverse("portal:apply_request"),
        },
    }


def covered_url_names(world: World) -> set[str]:
    labels = {label for group in page_paths(world).values() for label in group}
    return {label.split(" ")[0] for label in labels}


def _session_cookie(data: dict) -> dict:
    from importlib import import_module

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    for key, value in data.items():
        store[key] = value
    store.create()
    return {"name": settings.SESSION_COOKIE_NAME, "value": store.session_key}


def staff_session_cookie(user, *, verified: bool = True) -> dict:
    """A signed-in session for `user`, second factor verified when her role needs it (unless
    `verified=False`: the password only, as on the way to the two-factor page)."""
    data = {
        SESSION_KEY: str(user.pk),
        BACKEND_SESSION_KEY: "accounts.backends.RoleModelBackend",
        HASH_SESSION_KEY: user.get_session_auth_hash(),
    }
    if verified and two_factor_required(user):
        device = confirmed_device(user) or TwoFactorDevice.objects.create(
            user=user, name="audit", confirmed=True
        )
        data[DEVICE_ID_SESSION_KEY] = device.persistent_id
    return _session_cookie(data)


def portal_session_cookie(beneficiary) -> dict:
    """Her portal session, as after the one-time code."""
    return _session_cookie(
        {BENEFICIARY_KEY: beneficiary.pk, LAST_SEEN_KEY: timezone.now().timestamp()}
    )


def portal_pending_cookie(beneficiary) -> dict:
    """Between "send me a code" and "here is the code" (the code page)."""
    return _session_cookie(
        {
            PENDING_KEY: {"beneficiary": beneficiary.pk},
            APPLY_KEY: APPLICATION_UNDER_WAY,
            CONTACT_PENDING_KEY: MESSAGE_UNDER_WAY,
        }
    )


# A message from the public contact form, waiting for its code (`/contact/code/`).
MESSAGE_UNDER_WAY = {
    "kind": "inquiry",
    "category": "other",
    "text": "ما الأوراق المطلوبة؟",
    "contact_name": "سارة",
    "contact_mobile": "+966551234567",
}


# An online application at its last step (`/apply/`): her mobile verified, her details typed.
APPLICATION_UNDER_WAY = {
    "national_id": "1000000008",
    "mobile": "+966551234567",
    "verified": True,
    "details": {
        "full_name": ["نورة محمد عبدالله السبيعي"],
        "nationality": ["SA"],
        "marital_status": ["widow"],
        "city": ["الرياض"],
        "housing": ["rented"],
        "monthly_rent": ["1500"],
        "debts": ["0"],
        "household-TOTAL_FORMS": ["0"],
        "household-INITIAL_FORMS": ["0"],
    },
}
