from django.urls import path

from . import views

app_name = "portal"

# Included at the site root: `/status/` and everything under `/portal/` (SPEC §9).
urlpatterns = [
    path("status/", views.status, name="status"),
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
