from django.urls import path

from . import views
from .urls_delivery import urlpatterns as delivery_urlpatterns

app_name = "programs"

urlpatterns = [
    path("", views.programs, name="programs"),
    path("new/", views.program_edit, name="program_new"),
    path("<int:pk>/", views.program_detail, name="program"),
    path("<int:pk>/edit/", views.program_edit, name="program_edit"),
    path("<int:pk>/funds/", views.program_fund, name="program_fund"),
    path("<int:pk>/items/", views.program_item, name="program_item"),
    path("<int:pk>/items/new/", views.stock_item_new, name="stock_item_new"),
    path("<int:pk>/cycles/new/", views.cycle_new, name="cycle_new"),
    path("funds/", views.funds, name="funds"),
    path("funds/<int:pk>/", views.fund_detail, name="fund"),
    path("funds/<int:pk>/move/", views.fund_move, name="fund_move"),
    path("cycles/<int:pk>/", views.cycle_detail, name="cycle"),
    path("cycles/<int:pk>/edit/", views.cycle_edit, name="cycle_edit"),
    path("cycles/<int:pk>/generate/", views.cycle_generate, name="cycle_generate"),
    path("cycles/<int:pk>/send/", views.cycle_send, name="cycle_send"),
    path("cycles/<int:pk>/close/", views.cycle_close, name="cycle_close"),
    path(
        "cycles/<int:cycle_pk>/entries/<int:pk>/exclude/",
        views.entry_exclude,
        name="entry_exclude",
    ),
    path(
        "cycles/<int:cycle_pk>/entries/<int:pk>/include/",
        views.entry_include,
        name="entry_include",
    ),
    path("cycles/<int:pk>/report/", views.cycle_report, name="cycle_report"),
    path("cycles/<int:pk>/report.csv", views.cycle_report_csv, name="cycle_report_csv"),
]
urlpatterns += delivery_urlpatterns
