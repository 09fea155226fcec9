from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("processing/", views.processing, name="processing"),
    path("audit/", views.audit_search, name="audit"),
]
