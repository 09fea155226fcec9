import pytest

from accounts.roles import Role
from committee.tests.factories import committee_with, request_before_committee


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Documents attached in these tests go to a temporary private root, never into var/."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private-media"
    settings.MEDIA_ROOT = settings.PRIVATE_MEDIA_ROOT
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(settings.PRIVATE_MEDIA_ROOT), "base_url": None},
        },
    }


@pytest.fixture
def members(make_staff):
    return [make_staff(Role.COMMITTEE, username=f"member_{i}") for i in (1, 2, 3)]


@pytest.fixture
def committee(chair_user, members):
    """The chair and three members: four in all, a quorum of three."""
    return committee_with(chair=chair_user, members=members)


@pytest.fixture
def before_committee(researcher_user, intake_user):
    """`before_committee(**fields)`: a request with a completed report, in committee."""

    def make(**fields):
        return request_before_committee(researcher=researcher_user, intake=intake_user, **fields)

    return make
