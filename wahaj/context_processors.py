from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict:
    return {"ASSOCIATION_NAME": settings.ASSOCIATION_NAME}
