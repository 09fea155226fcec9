from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("processing/", views.processing, name="processing"),
    path("audit/", views.audit_search, name="audit"),
    path("breaches/", views.breaches, name="breaches"),
    path("breaches/new/", views.breach_new, name="breach_new"),
    path("breaches/<int:pk>/", views.breach_detail, name="breach"),
    path("breaches/<int:pk>/message/", views.breach_message, name="breach_message"),
    path("breaches/<int:pk>/notify/", views.breach_notify, name="breach_notify"),
    path("breaches/<int:pk>/authority/", views.breach_authority, name="breach_authority"),
    path("breaches/<int:pk>/close/", views.breach_close, name="breach_close"),
]
