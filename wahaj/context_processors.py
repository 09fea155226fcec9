from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict:
    # DISPLAY_DIGITS: the charts' script writes its tick numbers in the same digits as the page.
    return {
        "ASSOCIATION_NAME": settings.ASSOCIATION_NAME,
        "DISPLAY_DIGITS": settings.DISPLAY_DIGITS,
    }
