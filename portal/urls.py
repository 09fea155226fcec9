from django.urls import path

from . import apply_views, public_views, ticket_views, views

app_name = "portal"

# Included at the site root: `/status/` and everything under `/portal/` (SPEC §9).
urlpatterns = [
    path("status/", views.status, name="status"),
    # Applying online without a file (issue 20): four steps, then the same answer for all.
    path("apply/", apply_views.apply_start, name="apply"),
    path("apply/code/", apply_views.apply_code, name="apply_code"),
    path("apply/details/", apply_views.apply_details, name="apply_details"),
    path("apply/request/", apply_views.apply_request, name="apply_request"),
    path("apply/done/", apply_views.apply_done, name="apply_done"),
    path("services/", public_views.services_page, name="services"),
    path("portal/", views.home, name="home"),
    path("portal/login/", views.login, name="login"),
    path("portal/login/code/", views.login_code, name="login_code"),
    path("portal/logout/", views.logout, name="logout"),
    path("portal/requests/new/", views.request_new, name="request_new"),
    path("portal/requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("portal/requests/<int:pk>/submit/", views.request_submit, name="request_submit"),
    path("portal/requests/<int:pk>/documents/", views.request_document, name="request_document"),
    path("portal/requests/<int:pk>/resubmit/", views.request_resubmit, name="request_resubmit"),
    path("portal/requests/<int:pk>/withdraw/", views.request_withdraw, name="request_withdraw"),
    path("portal/requests/<int:pk>/appeal/", views.request_appeal, name="request_appeal"),
    path("portal/surveys/", views.surveys, name="surveys"),
    path("portal/surveys/<int:pk>/", views.survey_answer, name="survey_answer"),
    path("portal/tickets/", ticket_views.tickets, name="tickets"),
    # The public contact form (no login): a verified mobile, or an anonymous complaint.
    path("contact/", ticket_views.contact, name="contact"),
    path("contact/code/", ticket_views.contact_code, name="contact_code"),
    path("portal/data/", views.data, name="data"),
    path("portal/data/my-data.json", views.data_json, name="data_json"),
    path("portal/data/consents/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("portal/data/my-data.pdf", views.data_pdf, name="data_pdf"),
    # Staff (intake): the correction requests to answer.
    path("portal/staff/corrections/", views.corrections, name="corrections"),
    path(
        "portal/staff/corrections/<int:pk>/close/",
        views.correction_close,
        name="correction_close",
    ),
    path(
        "portal/staff/corrections/<int:pk>/extend/",
        views.correction_extend,
        name="correction_extend",
    ),
]
