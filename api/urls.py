"""/api/v1/ (namespace `api`): machine endpoints, their schema and documentation. Their
role × endpoint matrix is api/tests/test_api_access.py (not the pages' table)."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import receipts, views

app_name = "api"

TRANSITIONS = ("submit", "return", "resubmit", "start_research", "deliver", "close", "withdraw")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("beneficiaries/", views.BeneficiaryList.as_view(), name="beneficiaries"),
    path("beneficiaries/search/", views.BeneficiarySearch.as_view(), name="beneficiary_search"),
    path("beneficiaries/<int:pk>/", views.BeneficiaryDetail.as_view(), name="beneficiary"),
    path("beneficiaries/<int:pk>/household/", views.HouseholdList.as_view(), name="household"),
    path("beneficiaries/<int:pk>/documents/", views.DocumentList.as_view(), name="documents"),
    path(
        "beneficiaries/<int:pk>/documents/<int:document_pk>/file/",
        views.DocumentFile.as_view(),
        name="document_file",
    ),
    path("beneficiaries/<int:pk>/contacts/", views.ContactList.as_view(), name="contacts"),
    path(
        "beneficiaries/<int:pk>/referrals/",
        views.BeneficiaryReferrals.as_view(),
        name="beneficiary_referrals",
    ),
    path("referrals/", views.MyReferrals.as_view(), name="referrals"),
    path("referrals/<int:pk>/close/", views.ReferralClose.as_view(), name="referral_close"),
    path("requests/", views.SupportRequestList.as_view(), name="requests"),
    path("requests/<int:pk>/", views.SupportRequestDetail.as_view(), name="request"),
    *[
        path(
            f"requests/<int:pk>/{action.replace('_', '-')}/",
            views.transition_view(action).as_view(),
            name=f"request_{action}",
        )
        for action in TRANSITIONS
    ],
    path(
        "requests/<int:pk>/send-to-committee/",
        views.SendToCommittee.as_view(),
        name="request_send_to_committee",
    ),
    path("requests/<int:pk>/report/", views.ResearchReportDetail.as_view(), name="report"),
    path("meetings/", views.MeetingList.as_view(), name="meetings"),
    path("meetings/<int:pk>/agenda/", views.MeetingAgenda.as_view(), name="agenda"),
    path("agenda-items/<int:pk>/vote/", views.VoteCast.as_view(), name="vote"),
    path("surveys/results/", views.SurveyResults.as_view(), name="survey_results"),
    path("tickets/", views.TicketList.as_view(), name="tickets"),
    path("tickets/<int:pk>/", views.TicketDetail.as_view(), name="ticket"),
    path("status/", views.StatusLookup.as_view(), name="status"),
    path(
        "gateways/<slug:gateway>/receipts/",
        receipts.GatewayReceipt.as_view(),
        name="gateway_receipts",
    ),
    # Any other address under /api/v1/ (a negative id, a typo) answers JSON like the rest.
    re_path(r"", views.not_found),
]
