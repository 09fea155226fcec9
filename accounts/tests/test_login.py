import pytest
from django.urls import reverse

from accounts.roles import Role

pytestmark = pytest.mark.django_db


def test_passwords_are_hashed_with_argon2(intake_user):
    assert intake_user.password.startswith("argon2")


def test_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_login_page_is_arabic_and_right_to_left(client):
    response = client.get(reverse("login"))
    content = response.content.decode()
    assert '<html lang="ar" dir="rtl">' in content
    assert "تسجيل الدخول" in content
    assert "bootstrap.rtl.min.css" in content


def test_english_is_the_second_language(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/accounts/login/"})
    content = client.get(reverse("login")).content.decode()
    assert '<html lang="en" dir="ltr">' in content
    assert "Staff log in" in content


def test_staff_log_in_and_see_their_dashboard(client, intake_user, password):
    response = client.post(
        reverse("login"), {"username": intake_user.username, "password": password}, follow=True
    )
    assert response.status_code == 200
    assert response.context["user"] == intake_user
    page = response.content.decode()
    # Her home is her work queue (issue 16): intake's first line opens a new file.
    assert "علاقات المستفيدات" in page
    assert "مستفيدة جديدة" in page


def test_five_wrong_passwords_lock_the_account_with_a_clear_message(client, intake_user, password):
    for _ in range(5):
        response = client.post(
            reverse("login"), {"username": intake_user.username, "password": "wrong"}
        )
    assert response.status_code == 429
    assert "تم قفل الحساب" in response.content.decode()
    # Even the right password is refused while the lock holds.
    response = client.post(
        reverse("login"), {"username": intake_user.username, "password": password}
    )
    assert response.status_code == 429


def test_a_lock_on_one_account_does_not_lock_a_colleague_on_the_same_address(
    client, make_staff, password
):
    victim = make_staff(Role.INTAKE, username="victim")
    colleague = make_staff(Role.INTAKE, username="colleague")
    for _ in range(5):
        client.post(reverse("login"), {"username": victim.username, "password": "wrong"})
    response = client.post(reverse("login"), {"username": colleague.username, "password": password})
    assert response.status_code == 302


@pytest.mark.parametrize("role", [Role.INTAKE, Role.RESEARCHER, Role.COMMITTEE, Role.CHAIR])
def test_only_managers_may_open_the_admin(client_as, make_staff, role):
    user = make_staff(role, is_staff=True)
    response = client_as(user).get("/admin/")
    assert response.status_code == 302  # the admin's own login redirect


def test_a_manager_opens_the_admin(client_as, manager_user):
    assert client_as(manager_user).get("/admin/").status_code == 200


def test_a_username_of_300_characters_is_refused_without_an_error(client):
    response = client.post(reverse("login"), {"username": "ن" * 300, "password": "wrong"})
    assert response.status_code == 200
    assert "150" in response.content.decode()  # at most 150 characters
