"""The portal session: a beneficiary is not a Django user, so her file's id lives in the session.

Staff authentication never sees it (request.user stays anonymous), and the staff views never
accept it. The session key is rotated at login (no fixation) and the portal session ends
after 30 minutes without a request, whatever the session cookie's own age.
"""

from collections.abc import Callable
from datetime import timedelta
from functools import wraps

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from beneficiaries.models import Beneficiary

BENEFICIARY_KEY = "portal_beneficiary_id"
LAST_SEEN_KEY = "portal_last_seen"
# Between "send me a code" and "here is the code": which file the code was sent for (None
# when the ID is not on file: the next page must look the same).
PENDING_KEY = "portal_pending"
IDLE_TIMEOUT = timedelta(minutes=30)

SESSION_EXPIRED = _("Your session ended after 30 minutes without activity. Please log in again.")


def portal_session_start(request: HttpRequest, beneficiary: Beneficiary) -> None:
    request.session.pop(PENDING_KEY, None)
    request.session.cycle_key()
    request.session[BENEFICIARY_KEY] = beneficiary.pk
    request.session[LAST_SEEN_KEY] = timezone.now().timestamp()


def portal_session_end(request: HttpRequest) -> None:
    for key in (BENEFICIARY_KEY, LAST_SEEN_KEY, PENDING_KEY):
        request.session.pop(key, None)
    request.session.cycle_key()


def portal_pending_set(request: HttpRequest, beneficiary: Beneficiary | None) -> None:
    request.session[PENDING_KEY] = {"beneficiary": beneficiary.pk if beneficiary else None}


def portal_pending_get(request: HttpRequest) -> dict | None:
    return request.session.get(PENDING_KEY)


def _session_beneficiary_id(request: HttpRequest) -> tuple[int | None, bool]:
    """(her file's id, whether an earlier portal session just expired)."""
    beneficiary_id = request.session.get(BENEFICIARY_KEY)
    if beneficiary_id is None:
        return None, False
    last_seen = request.session.get(LAST_SEEN_KEY, 0)
    now = timezone.now().timestamp()
    if now - last_seen > IDLE_TIMEOUT.total_seconds():
        portal_session_end(request)
        return None, True
    request.session[LAST_SEEN_KEY] = now
    return beneficiary_id, False


def portal_login_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A portal page: `request.beneficiary` is her file; without a live session, the login."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        beneficiary_id, expired = _session_beneficiary_id(request)
        beneficiary = (
            Beneficiary.objects.filter(pk=beneficiary_id).first() if beneficiary_id else None
        )
        if beneficiary is None:
            if expired:
                messages.info(request, SESSION_EXPIRED)
            return redirect("portal:login")
        request.beneficiary = beneficiary
        return view(request, *args, **kwargs)

    return wrapped
