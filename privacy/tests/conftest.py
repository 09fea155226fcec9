import pytest


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Documents go to a temporary private root, never into var/."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private-media"
    settings.MEDIA_ROOT = settings.PRIVATE_MEDIA_ROOT
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(settings.PRIVATE_MEDIA_ROOT), "base_url": None},
        },
    }


from portal.tests.conftest import portal_client  # noqa: E402, F401 - her portal session
