"""`/services/` (issue 20): what the association offers, to whom, what to bring, how long a
decision takes, how to apply and to complain — Arabic first, text managers edit in the admin."""

import pytest
from django.urls import reverse

from accounts.roles import Role
from audit.models import Event
from portal.models import ServicesPageText, SupportTypeInfo
from requests_app.models import REQUIRED_DOCUMENTS, RequestType

pytestmark = pytest.mark.django_db
PAGE = reverse("portal:services")


def test_anyone_reads_every_support_type_with_its_documents_in_arabic(client):
    response = client.get(PAGE)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'lang="ar"' in html
    assert html.count('data-testid="support-type"') == len(RequestType.choices)
    assert "سلة غذائية" in html
    assert "أسبوعين" in html  # how long a decision takes
    # The documents are the ones `submit` checks, never a second list that could drift.
    medical = next(s for s in html.split('data-testid="support-type"') if "طبي" in s)
    assert medical.count("<li>") == len(REQUIRED_DOCUMENTS["medical"]) + 1  # + what else
    assert reverse("portal:apply") in html
    assert reverse("portal:contact") in html
    assert "طريقة تقديم الشكوى" in html


def test_the_english_page_reads_the_english_text(client):
    client.cookies["django_language"] = "en"
    html = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Families whose income does not cover their food." in html


@pytest.fixture
def manager_in_admin(make_staff):
    return make_staff(Role.MANAGER, username="boss", is_staff=True, is_superuser=True)


def test_a_manager_changes_the_text_in_the_admin_without_a_code_change(client_as, manager_in_admin):
    info = SupportTypeInfo.objects.get(request_type="rent")
    admin = client_as(manager_in_admin)
    url = reverse("admin:portal_supporttypeinfo_change", args=[info.pk])
    data = {
        "who_for_ar": "المستأجرات اللواتي صدر بحقهن حكم إخلاء",
        "who_for_en": "",
        "bring_ar": "",
        "bring_en": "",
        "decision_time_ar": "خلال أسبوعين",
        "decision_time_en": "",
        "order": "1",
        "published": "on",
    }
    assert admin.post(url, data).status_code == 302
    assert "المستأجرات اللواتي صدر بحقهن حكم إخلاء" in admin.get(PAGE).content.decode()
    assert Event.objects.filter(verb="admin_change", object_id=info.pk).exists()

    # Unticking "shown on the page" hides a type; types are never added or deleted there.
    SupportTypeInfo.objects.filter(request_type="other").update(published=False)
    html = admin.get(PAGE).content.decode()
    assert html.count('data-testid="support-type"') == len(RequestType.choices) - 1
    add = reverse("admin:portal_supporttypeinfo_add")
    assert admin.post(add, {}).status_code == 403
    assert ServicesPageText.objects.count() == 1
