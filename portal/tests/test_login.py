"""/portal/login/: national ID → a code by SMS → a portal session, 30 minutes idle at most."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from beneficiaries.tests.factories import BeneficiaryFactory
from portal.models import PortalCode
from portal.services import CODE_LOCKED, TOO_MANY_CODES
from portal.session import BENEFICIARY_KEY, SESSION_EXPIRED

pytestmark = pytest.mark.django_db

LOGIN = reverse("portal:login")
CODE = reverse("portal:login_code")
HOME = reverse("portal:home")
UNREGISTERED_ID = "1000000008"


def _code_from(outbox) -> str:
    return re.search(r"(?<!\d)\d{6}(?!\d)", outbox[-1][1]).group()


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_the_login_page_is_the_portals_own_arabic_phone_page(client):
    response = client.get(LOGIN)
    content = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="ar" dir="rtl">' in content
    assert 'name="viewport"' in content
    assert "portal.css" in content
    assert "nav-main" not in content  # no staff navigation
    assert next(t.name for t in response.templates) == "portal/login.html"


def test_the_answer_is_the_same_for_a_registered_and_an_unregistered_id(client):
    beneficiary = BeneficiaryFactory()
    answers = []
    for national_id in (beneficiary.national_id, UNREGISTERED_ID):
        client.cookies.clear()
        response = client.post(LOGIN, {"national_id": national_id}, follow=True)
        answers.append(
            (
                response.redirect_chain,
                response.status_code,
                next(t.name for t in response.templates),
                [str(m) for m in response.context["messages"]],
            )
        )
    assert answers[0] == answers[1]
    assert answers[0][0] == [(CODE, 302)]


def test_she_logs_in_with_the_code_from_the_text_message(client, send_queued):
    beneficiary = BeneficiaryFactory()
    client.post(LOGIN, {"national_id": beneficiary.national_id})
    code = _code_from(send_queued())
    key_before = client.session.session_key
    response = client.post(CODE, {"code": code})
    assert response.status_code == 302
    assert response.url == HOME
    assert client.session[BENEFICIARY_KEY] == beneficiary.pk
    assert client.session.session_key != key_before  # rotated: no session fixation
    page = client.get(HOME)
    assert page.status_code == 200
    assert beneficiary.full_name in page.content.decode()
    assert not page.context["user"].is_authenticated  # she is not a staff user


def test_arabic_indic_digits_are_accepted_for_the_id_and_the_code(client, send_queued):
    beneficiary = BeneficiaryFactory()
    to_arabic = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
    client.post(LOGIN, {"national_id": beneficiary.national_id.translate(to_arabic)})
    code = _code_from(send_queued())
    response = client.post(CODE, {"code": code.translate(to_arabic)})
    assert response.url == HOME


def test_five_wrong_codes_lock_the_code_on_the_page(client, send_queued):
    beneficiary = BeneficiaryFactory()
    client.post(LOGIN, {"national_id": beneficiary.national_id})
    code = _code_from(send_queued())
    for _ in range(5):
        response = client.post(CODE, {"code": _wrong(code)})
    assert str(CODE_LOCKED) in response.content.decode()
    response = client.post(CODE, {"code": code})
    assert response.status_code == 200
    assert str(CODE_LOCKED) in response.content.decode()
    assert BENEFICIARY_KEY not in client.session


def test_an_unregistered_id_is_locked_after_five_codes_like_a_registered_one(client):
    client.post(LOGIN, {"national_id": UNREGISTERED_ID})
    for _ in range(5):
        response = client.post(CODE, {"code": "123456"})
    assert str(CODE_LOCKED) in response.content.decode()


def test_a_fourth_code_request_within_fifteen_minutes_is_refused_on_the_page(client):
    beneficiary = BeneficiaryFactory()
    for _ in range(3):
        assert client.post(LOGIN, {"national_id": beneficiary.national_id}).status_code == 302
    response = client.post(LOGIN, {"national_id": beneficiary.national_id})
    assert response.status_code == 200
    assert str(TOO_MANY_CODES) in response.content.decode()
    assert PortalCode.objects.count() == 3


def test_the_code_page_needs_an_id_first(client):
    assert client.get(CODE).url == LOGIN


def test_an_anonymous_visitor_is_sent_to_the_portal_login_not_the_staff_login(client):
    response = client.get(HOME)
    assert response.status_code == 302
    assert response.url == LOGIN


def test_a_staff_member_is_not_a_beneficiary(client_as, intake_user):
    response = client_as(intake_user).get(HOME)
    assert response.url == LOGIN


def test_the_portal_session_ends_after_thirty_minutes_idle(portal_client):
    beneficiary = BeneficiaryFactory()
    client = portal_client(beneficiary)
    start = timezone.now()
    with time_machine.travel(start + timedelta(minutes=29)):
        assert client.get(HOME).status_code == 200  # activity: the 30 minutes restart
    with time_machine.travel(start + timedelta(minutes=58)):
        assert client.get(HOME).status_code == 200
    with time_machine.travel(start + timedelta(minutes=88, seconds=30)):
        response = client.get(HOME, follow=True)
    assert response.redirect_chain == [(LOGIN, 302)]
    assert BENEFICIARY_KEY not in client.session


def test_the_portal_keeps_its_thirty_minutes_even_with_a_longer_session_cookie(
    portal_client, settings
):
    settings.SESSION_COOKIE_AGE = 8 * 60 * 60
    client = portal_client(BeneficiaryFactory())
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        response = client.get(HOME, follow=True)
    assert response.redirect_chain == [(LOGIN, 302)]
    assert str(SESSION_EXPIRED) in response.content.decode()
    assert BENEFICIARY_KEY not in client.session


def test_she_logs_out(portal_client):
    client = portal_client(BeneficiaryFactory())
    response = client.post(reverse("portal:logout"))
    assert response.url == LOGIN
    assert client.get(HOME).url == LOGIN


def test_too_many_code_requests_from_one_address_get_the_try_later_page(client, settings):
    settings.PORTAL_LOGIN_RATE_PER_IP = "3/10m"
    for _ in range(3):
        client.post(LOGIN, {"national_id": UNREGISTERED_ID})
    response = client.post(LOGIN, {"national_id": UNREGISTERED_ID})
    assert response.status_code == 429
    assert "portal/try_later.html" in [t.name for t in response.templates]


def test_the_national_id_never_appears_in_a_url_or_the_log(client, send_queued, caplog):
    beneficiary = BeneficiaryFactory()
    caplog.set_level("DEBUG")
    urls = []
    response = client.post(LOGIN, {"national_id": beneficiary.national_id})
    urls.append(response.url)
    code = _code_from(send_queued())
    response = client.post(CODE, {"code": _wrong(code)})
    response = client.post(CODE, {"code": code})
    urls.append(response.url)
    page = client.get(HOME).content.decode()
    assert beneficiary.national_id not in " ".join(urls)
    assert all(beneficiary.national_id not in url for url in re.findall(r'href="([^"]*)"', page))
    assert beneficiary.national_id not in caplog.text
    for record in caplog.records:
        assert beneficiary.national_id not in record.getMessage()
