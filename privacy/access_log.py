"""The access log of pages that show a beneficiary's data but belong to other apps.

The beneficiaries app records its own file, edit and document views (FileAccess). The pages
below show her data too (a request, its receipt, the research report, meeting minutes, her
own downloads): after a successful GET, this middleware records who opened whose data, in
which role, from where — one FileAccess row per woman shown, in one insert — without those
apps writing it.
"""

from collections.abc import Callable, Iterable

from django.http import HttpRequest, HttpResponse

from beneficiaries.models import FileAccess
from beneficiaries.services import file_accesses_record
from committee.models import AgendaItem
from requests_app.models import SupportRequest


def _request_owner(pk_kwarg: str) -> Callable[[HttpRequest, dict], Iterable[int]]:
    def owners(request: HttpRequest, kwargs: dict) -> Iterable[int]:
        return SupportRequest.objects.filter(pk=kwargs.get(pk_kwarg)).values_list(
            "beneficiary_id", flat=True
        )

    return owners


def _meeting_agenda(request: HttpRequest, kwargs: dict) -> Iterable[int]:
    return (
        AgendaItem.objects.filter(meeting_id=kwargs.get("pk"))
        .values_list("support_request__beneficiary_id", flat=True)
        .distinct()
    )


def _portal_self(request: HttpRequest, kwargs: dict) -> Iterable[int]:
    beneficiary = getattr(request, "beneficiary", None)
    return [beneficiary.pk] if beneficiary is not None else []


# URL name → (whose data it shows, kind of access).
LOGGED_VIEWS: dict[str, tuple[Callable[[HttpRequest, dict], Iterable[int]], str]] = {
    "requests_app:detail": (_request_owner("pk"), FileAccess.Kind.PAGE),
    "requests_app:receipt": (_request_owner("pk"), FileAccess.Kind.PAGE),
    "committee:report": (_request_owner("pk"), FileAccess.Kind.PAGE),
    "committee:meeting": (_meeting_agenda, FileAccess.Kind.PAGE),
    "committee:minutes": (_meeting_agenda, FileAccess.Kind.PAGE),
    "committee:minutes_pdf": (_meeting_agenda, FileAccess.Kind.DOWNLOAD),
    "surveys:record": (_request_owner("request_pk"), FileAccess.Kind.PAGE),
    "portal:data_json": (_portal_self, FileAccess.Kind.DOWNLOAD),
    "portal:data_pdf": (_portal_self, FileAccess.Kind.DOWNLOAD),
}


class PersonalDataAccessLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if (
            match is None
            or request.method != "GET"
            or response.status_code != 200
            or match.view_name not in LOGGED_VIEWS
        ):
            return response
        owners, kind = LOGGED_VIEWS[match.view_name]
        user = request.user if request.user.is_authenticated else None
        if user is None and not match.view_name.startswith("portal:"):
            return response
        file_accesses_record(
            user=user,
            beneficiary_ids=list(owners(request, match.kwargs)),
            kind=kind,
            request=request,
        )
        return response
