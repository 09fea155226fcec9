from django.urls import path

from . import imports, views

app_name = "beneficiaries"

urlpatterns = [
    path("", views.beneficiary_list, name="list"),
    path("new/", views.beneficiary_create, name="create"),
    path("import/", imports.import_upload, name="import"),
    path("import/template.xlsx", imports.import_template, name="import_template"),
    path("referrals/", views.referral_list, name="referrals"),
    path("referrals/<int:pk>/close/", views.referral_close, name="referral_close"),
    path("<int:pk>/", views.beneficiary_detail, name="detail"),
    path("<int:pk>/edit/", views.beneficiary_edit, name="edit"),
    path("<int:pk>/documents/new/", views.document_create, name="document_create"),
    path(
        "<int:pk>/documents/<int:document_pk>/",
        views.document_download,
        name="document_download",
    ),
    path(
        "<int:pk>/documents/<int:document_pk>/verify/",
        views.document_verify,
        name="document_verify",
    ),
    path(
        "<int:pk>/registration/<slug:move>/",
        views.registration_change,
        name="registration",
    ),
    path("<int:pk>/contacts/new/", views.contact_create, name="contact_create"),
    path("<int:pk>/referrals/new/", views.referral_create, name="referral_create"),
    path("<int:pk>/consents/withdraw/", views.consent_withdraw, name="consent_withdraw"),
]
