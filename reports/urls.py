from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("reports/", views.monthly_report, name="monthly"),
    path("reports/monthly.pdf", views.monthly_report_pdf, name="monthly_pdf"),
    path("reports/export/<slug:list_name>.<slug:fmt>", views.export, name="export"),
]
